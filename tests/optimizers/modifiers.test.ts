/**
 * Learning-rate schedules, clipping and gradient penalties against hand formulas, including the
 * course notes' numbers (docs/study.md: inverse-time decay, gradient descent on
 * g(x, y) = ½x² + 2y² − xy from (1, −1) with learning rate 0.1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { OPTIMIZERS } from '../../src/optimizers/registry.js';
import { cosineDecay, exponentialDecay, inverseTimeDecay } from '../../src/optimizers/schedules.js';
import { clipByGlobalNorm, clipByNorm, clipByValue } from '../../src/optimizers/clipping.js';
import { addDecayedWeights, addL1Penalty, addL2Penalty } from '../../src/optimizers/regularization.js';
import type { GradientTransformation } from '../../src/optimizers/transform.js';
import { InvalidHyperparameterError } from '../../src/optimizers/errors.js';

beforeAll(async () => { await selectBackend('wasm'); });

/** One stateless update of `unit` on the given gradients and params, read back as numbers. */
function applyOnce(unit: GradientTransformation, grads: number[][], params: number[][] = grads.map((g) => g.map(() => 0))): number[][] {
  const result = tf.tidy(() => {
    const p = params.map((x) => tf.tensor1d(x));
    const { updates } = unit.update(grads.map((g) => tf.tensor1d(g)), unit.init(p), p);
    return updates.map((u) => Array.from(u.dataSync()));
  });
  unit.dispose();
  return result;
}

/** Gradient of g(x, y) = ½x² + 2y² − xy (docs/study.md). */
const quadraticGradient = ([x, y]: number[]) => [x - y, 4 * y - x];

/** Gradient descent through the registry's scratch SGD with the given hyperparameters. */
function descend(h: Record<string, number | string>, steps: number): number[] {
  const w = tf.variable(tf.tensor1d([1, -1]));
  const optimizer = OPTIMIZERS.sgd.scratch!({ learningRate: 0.1, ...h });
  for (let i = 0; i < steps; i++) {
    const g = tf.tensor1d(quadraticGradient(Array.from(w.dataSync())));
    optimizer.applyGradients({ [w.name]: g });
    g.dispose();
  }
  const result = Array.from(w.dataSync());
  optimizer.dispose();
  w.dispose();
  return result;
}

describe('schedules', () => {
  it('inverse-time decay is lr₀ / (1 + decay · t) (the course notes)', () => {
    const schedule = inverseTimeDecay(0.1, 0.5);
    expect([0, 1, 2, 10].map(schedule)).toEqual([0.1, 0.1 / 1.5, 0.1 / 2, 0.1 / 6]);
    expect(inverseTimeDecay(1, 1, 4)(8)).toBeCloseTo(1 / 3, 12);
  });

  it('exponential decay is lr₀ · rate^(t / steps), the step (staircase) form holds each level', () => {
    expect(exponentialDecay(0.1, 0.5, 10)(5)).toBeCloseTo(0.1 * Math.SQRT1_2, 12);
    const step = exponentialDecay(0.1, 0.5, 10, true);
    expect([0, 9, 10, 19, 20].map(step)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });

  it('cosine decay falls from lr₀ to α·lr₀ over decaySteps and stays there', () => {
    const schedule = cosineDecay(0.1, 100, 0.1);
    expect(schedule(0)).toBeCloseTo(0.1, 12);
    expect(schedule(50)).toBeCloseTo(0.1 * (0.9 * 0.5 + 0.1), 12);
    expect(schedule(100)).toBeCloseTo(0.01, 12);
    expect(schedule(500)).toBeCloseTo(0.01, 12);
  });
});

describe('schedules inside an optimizer', () => {
  it('plain gradient descent reproduces the worked example of the course notes: (1, −1) → (0.8, −0.5) → (0.67, −0.22)', () => {
    const [x1, y1] = descend({}, 1);
    expect(x1).toBeCloseTo(0.8, 6);
    expect(y1).toBeCloseTo(-0.5, 6);
    const [x2, y2] = descend({}, 2);
    expect(x2).toBeCloseTo(0.67, 6);
    expect(y2).toBeCloseTo(-0.22, 6);
  });

  it("Keras's legacy decay: step 1 at lr₀ = 0.1 (the seed's step), step 2 at 0.1 / (1 + 1·1) = 0.05", () => {
    // Step 2 by hand: gradient at (0.8, −0.5) is (1.3, −2.8); (0.8 − 0.05·1.3, −0.5 + 0.05·2.8).
    const [x, y] = descend({ decay: 1 }, 2);
    expect(x).toBeCloseTo(0.735, 6);
    expect(y).toBeCloseTo(-0.36, 6);
  });

  it('a step schedule holds the rate for decaySteps updates, then multiplies it by decayRate', () => {
    // Steps 1–2 at 0.1 (the seed's (0.67, −0.22)); step 3 at 0.05 with gradient (0.89, −1.55).
    const [x, y] = descend({ schedule: 'step', decaySteps: 2, decayRate: 0.5 }, 3);
    expect(x).toBeCloseTo(0.67 - 0.05 * 0.89, 6);
    expect(y).toBeCloseTo(-0.22 + 0.05 * 1.55, 6);
  });

  it('rejects contradictory or unknown schedule settings with a typed error', () => {
    expect(() => OPTIMIZERS.sgd.scratch!({ learningRate: 0.1, decay: 0.1, schedule: 'cosine', decaySteps: 10 })).toThrow(InvalidHyperparameterError);
    expect(() => OPTIMIZERS.sgd.scratch!({ learningRate: 0.1, schedule: 'linear' })).toThrow(/schedule.*one of/);
    expect(() => OPTIMIZERS.sgd.scratch!({ learningRate: 0.1, decaySteps: 10 })).toThrow(/decaySteps.*not used/);
  });
});

describe('clipping (the clipping of the course notes, Keras clipvalue / clipnorm / global_clipnorm)', () => {
  it('clip by value is max(−c, min(c, g))', () => {
    expect(applyOnce(clipByValue(1), [[-3, -0.5, 0, 0.25, 2]])).toEqual([[-1, -0.5, 0, 0.25, 1]]);
  });

  it('clip by norm rescales each tensor to c / max(c, ‖g‖) · g on its own', () => {
    // ‖(3, 4)‖ = 5 > 2 is scaled by 2/5; ‖(0.3, 0.4)‖ = 0.5 ≤ 2 is left alone.
    const [big, small] = applyOnce(clipByNorm(2), [[3, 4], [0.3, 0.4]]);
    expect(big[0]).toBeCloseTo(1.2, 6);
    expect(big[1]).toBeCloseTo(1.6, 6);
    expect(small[0]).toBeCloseTo(0.3, 6);
    expect(small[1]).toBeCloseTo(0.4, 6);
  });

  it('clip by global norm scales every tensor by c / max(c, √Σ‖g_i‖²)', () => {
    // Global norm of (3, 4) and (12) is 13; all scaled by 6.5/13 = 0.5.
    const [a, b] = applyOnce(clipByGlobalNorm(6.5), [[3, 4], [12]]);
    expect(a[0]).toBeCloseTo(1.5, 6);
    expect(a[1]).toBeCloseTo(2, 6);
    expect(b[0]).toBeCloseTo(6, 6);
    const [unclipped] = applyOnce(clipByGlobalNorm(20), [[3, 4], [12]]);
    expect(unclipped[0]).toBeCloseTo(3, 6);
  });

  it('registry hyperparameters clip before the update, and clipnorm excludes globalClipnorm', () => {
    // One SGD step from (1, −1) with gradient (2, −5) clipped to [−1, 1]: (1 − 0.1, −1 + 0.1).
    const [x, y] = descend({ clipvalue: 1 }, 1);
    expect(x).toBeCloseTo(0.9, 6);
    expect(y).toBeCloseTo(-0.9, 6);
    expect(() => OPTIMIZERS.sgd.scratch!({ learningRate: 0.1, clipnorm: 1, globalClipnorm: 1 })).toThrow(/globalClipnorm/);
    expect(() => OPTIMIZERS.sgd.scratch!({ learningRate: 0.1, clipnorm: -1 })).toThrow(/clipnorm.*> 0/);
  });
});

describe('penalties and weight decay', () => {
  const w = [[-2, 0, 3]];
  const g = [[0.5, 0.5, 0.5]];

  it('L1 adds λ·sign(w) (the course notes)', () => {
    expect(applyOnce(addL1Penalty(0.1), g, w)[0].map((x) => +x.toFixed(6))).toEqual([0.4, 0.5, 0.6]);
  });

  it('L2 adds 2λ·w, the gradient of λ‖w‖²', () => {
    expect(applyOnce(addL2Penalty(0.1), g, w)[0].map((x) => +x.toFixed(6))).toEqual([0.1, 0.5, 1.1]);
  });

  it('decoupled weight decay adds λ·w before the learning rate', () => {
    expect(applyOnce(addDecayedWeights(0.1), g, w)[0].map((x) => +x.toFixed(6))).toEqual([0.3, 0.5, 0.8]);
  });
});
