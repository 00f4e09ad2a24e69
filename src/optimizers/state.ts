/**
 * An optimizer's whole state as plain data, for per-epoch checkpoints: restored into a fresh optimizer of
 * the same kind, the next step is bit for bit the step the saved one would have taken.
 *
 * Why not tf.Optimizer's getWeights/setWeights: tfjs's Adam recomputes its running products β₁ᵗ, β₂ᵗ as
 * pow(β, t+1) in setWeights while training multiplies them step by step (different float32 bits), and
 * Adamax implements neither. So built-ins are read field by field: every tf.Variable the optimizer holds
 * (Adam's and Adamax's running products, Adamax's step count) and every per-parameter slot list
 * (`{ originalName, variable }[]`: moments, accumulators), plus the step count `iterations`. The
 * from-scratch optimizers give their own state (./transform_optimizer.ts exportState), whose host scalars
 * are float64 numbers kept exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OptimizerStateError } from './errors.js';
import { TransformOptimizer } from './transform_optimizer.js';

/** A tensor as plain data (its values copied out of the backend). */
export interface SavedTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

export interface OptimizerState {
  /** 'transform' for optbench's from-scratch optimizers, 'builtin' for tfjs's. */
  kind: 'transform' | 'builtin';
  /** The optimizer's class name: state is only restored into the same class. */
  className: string;
  /** tf.Optimizer's step count. */
  iterations: number;
  /** Host numbers (from-scratch step counts and running products), exact. */
  scalars: Record<string, number>;
  /** Single variables by field name (built-ins' running products). */
  variables: Record<string, SavedTensor>;
  /** Per-parameter tensors by slot name, in the parameters' order. */
  slots: Record<string, SavedTensor[]>;
}

type OptimizerVariable = { originalName: string; variable: tf.Variable };

/**
 * True for optbench's from-scratch optimizers. Not `instanceof`: tf.Optimizer's Symbol.hasInstance is
 * duck-typed (any object with minimize/computeGradients/applyGradients) and subclasses inherit it.
 */
function isTransformOptimizer(optimizer: tf.Optimizer): optimizer is TransformOptimizer {
  return Object.prototype.isPrototypeOf.call(TransformOptimizer.prototype, optimizer);
}

function save(tensor: tf.Tensor): SavedTensor {
  if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') throw new OptimizerStateError(`cannot save a ${tensor.dtype} optimizer tensor`);
  return { shape: [...tensor.shape], dtype: tensor.dtype, values: tensor.dataSync() as Float32Array | Int32Array };
}

function load(saved: SavedTensor): tf.Tensor {
  return tf.tensor(saved.values, saved.shape, saved.dtype);
}

/** A tf.Variable (by its assign method: tf.Tensor's Symbol.hasInstance, inherited by Variable, is duck-typed). */
function isVariable(value: unknown): value is tf.Variable {
  return value instanceof tf.Tensor && typeof (value as Partial<tf.Variable>).assign === 'function';
}

function isSlotList(value: unknown): value is OptimizerVariable[] {
  return Array.isArray(value) && value.every((entry) => entry && typeof entry === 'object' && isVariable((entry as OptimizerVariable).variable));
}

/** Field names of the built-in's state: its tf.Variables and its slot lists. */
function builtinFields(optimizer: tf.Optimizer): { variables: string[]; slots: string[] } {
  const variables: string[] = [];
  const slots: string[] = [];
  for (const [key, value] of Object.entries(optimizer)) {
    if (isVariable(value)) variables.push(key);
    else if (isSlotList(value)) slots.push(key);
  }
  return { variables, slots };
}

const iterationsOf = (optimizer: tf.Optimizer): number => optimizer.iterations;

function setIterations(optimizer: tf.Optimizer, iterations: number): void {
  // tf.Optimizer keeps the count in a protected field that only its async extractIterations sets.
  (optimizer as unknown as { iterations_: number }).iterations_ = iterations;
}

export function saveOptimizerState(optimizer: tf.Optimizer): OptimizerState {
  const className = optimizer.getClassName();
  if (isTransformOptimizer(optimizer)) {
    const { paramNames, scalars, slots } = optimizer.exportState();
    return {
      kind: 'transform', className, iterations: iterationsOf(optimizer), scalars, variables: {},
      slots: Object.fromEntries(Object.entries(slots).map(([key, tensors]) => [key, tensors.slice(0, paramNames.length).map(save)])),
    };
  }
  const fields = builtinFields(optimizer);
  const record = optimizer as unknown as Record<string, unknown>;
  return {
    kind: 'builtin', className, iterations: iterationsOf(optimizer), scalars: {},
    variables: Object.fromEntries(fields.variables.map((key) => [key, save(record[key] as tf.Variable)])),
    slots: Object.fromEntries(fields.slots.map((key) => [key, (record[key] as OptimizerVariable[]).map((slot) => save(slot.variable))])),
  };
}

/**
 * Restores `state` into a fresh optimizer of the same class, whose parameters are now the variables
 * named `paramNames` (in the order the loop passes their gradients).
 */
export function restoreOptimizerState(optimizer: tf.Optimizer, state: OptimizerState, paramNames: readonly string[]): void {
  if (state.className !== optimizer.getClassName()) {
    throw new OptimizerStateError(`the saved state is a ${state.className}'s; this optimizer is a ${optimizer.getClassName()}`);
  }
  if (isTransformOptimizer(optimizer)) {
    if (state.kind !== 'transform') throw new OptimizerStateError('the saved state is a built-in optimizer\'s');
    const slots = Object.fromEntries(Object.entries(state.slots).map(([key, tensors]) => [key, tensors.map(load)]));
    // With no step taken yet the saved state holds no parameters: the optimizer creates them itself.
    optimizer.importState(Object.values(slots)[0]?.length ? paramNames : [], state.scalars, slots);
  } else {
    const fields = builtinFields(optimizer);
    const record = optimizer as unknown as Record<string, unknown>;
    const missing = [...Object.keys(state.variables).filter((key) => !fields.variables.includes(key)), ...Object.keys(state.slots).filter((key) => !fields.slots.includes(key))];
    if (state.kind !== 'builtin' || missing.length) throw new OptimizerStateError(`the saved state has fields this ${optimizer.getClassName()} does not (${missing.join(', ') || state.kind})`);
    for (const [key, saved] of Object.entries(state.variables)) {
      tf.tidy(() => (record[key] as tf.Variable).assign(load(saved)));
    }
    for (const [key, saved] of Object.entries(state.slots)) {
      for (const slot of record[key] as OptimizerVariable[]) slot.variable.dispose();
      record[key] = saved.map((tensor, i): OptimizerVariable => {
        const value = load(tensor);
        const variable = value.variable(false);
        value.dispose();
        return { originalName: `${paramNames[i] ?? i}/${key}`, variable };
      });
    }
  }
  setIterations(optimizer, state.iterations);
}
