/** Runs one gradient transformation by hand, as optax's unit tests do: init, then update per step. */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { GradientTransformation, ScalarMap, SlotMap } from '../../src/optimizers/transform.js';

export interface Stepped {
  /** The updates of each step, per parameter, as plain numbers. */
  updates: number[][][];
  /** The slots and scalars after the last step, as plain numbers. */
  slots: Record<string, number[][]>;
  scalars: Record<string, number>;
}

/** `unit` on `params` fed `steps` (per step, one gradient per parameter); leaks nothing. */
export function runSteps<S extends SlotMap, C extends ScalarMap>(unit: GradientTransformation<S, C>, params: number[][], steps: number[][][]): Stepped {
  const before = tf.memory().numTensors;
  const paramTensors = params.map((p) => tf.tensor1d(p));
  let state = unit.init(paramTensors);
  const updates: number[][][] = [];
  for (const grads of steps) {
    const gradTensors = grads.map((g) => tf.tensor1d(g));
    // Inside a tidy, as TransformOptimizer runs it; what outlives the step is kept.
    let result!: ReturnType<typeof unit.update>;
    tf.tidy(() => {
      result = unit.update(gradTensors, state, paramTensors);
      for (const t of [...result.updates, ...Object.values(result.state.slots).flat()]) tf.keep(t);
    });
    updates.push(result.updates.map((u) => Array.from(u.dataSync())));
    const kept = new Set(Object.values(result.state.slots).flat());
    for (const t of Object.values(state.slots).flat()) if (!kept.has(t)) t.dispose();
    tf.dispose([...result.updates.filter((u) => !kept.has(u)), ...gradTensors]);
    state = result.state;
  }
  const slots = Object.fromEntries(Object.entries(state.slots as SlotMap).map(([key, tensors]) => [key, tensors.map((t) => Array.from(t.dataSync()))]));
  const scalars = { ...state.scalars } as Record<string, number>;
  tf.dispose([...Object.values(state.slots).flat(), ...paramTensors]);
  unit.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return { updates, slots, scalars };
}

/** Equal within float32 rounding of a few operations. */
export function expectClose(actual: number[], expected: number[], relative = 1e-5): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - expected[i]), `element ${i}: ${value} vs ${expected[i]}`).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected[i]))));
}
