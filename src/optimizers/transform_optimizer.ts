/**
 * Makes any gradient transformation a tf.Optimizer, so the shared training loop, `minimize` and
 * `model.fit` drive from-scratch and built-in optimizers the same way.
 *
 * State lives in one TransformState aligned with `paramNames` (every variable seen so far, in first-
 * seen order). Each step runs the transformation inside tf.tidy, keeps the new state tensors and
 * disposes the ones they replace, so tf.memory().numTensors stays flat.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OptimizerStateError, UnknownVariableError } from './errors.js';
import { stateTensors, type GradientTransformation, type TransformState } from './transform.js';

/** tfjs-core's NamedTensor ({ name, tensor }), which its index does not export. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];

function pick<T>(values: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => values[i]);
}

/** The state of the parameters at `indices` only (a step where some gradients are missing). */
function selectState(state: TransformState, indices: readonly number[]): TransformState {
  const slots: Record<string, tf.Tensor[]> = {};
  for (const [key, tensors] of Object.entries(state.slots)) slots[key] = pick(tensors, indices);
  return { slots, scalars: state.scalars };
}

/** `full` with the parameters at `indices` replaced by `partial`'s, and `partial`'s scalars. */
function mergeState(full: TransformState, indices: readonly number[], partial: TransformState): TransformState {
  const slots: Record<string, tf.Tensor[]> = {};
  for (const [key, tensors] of Object.entries(full.slots)) {
    const merged = [...tensors];
    indices.forEach((paramIndex, k) => { merged[paramIndex] = partial.slots[key][k]; });
    slots[key] = merged;
  }
  return { slots, scalars: partial.scalars };
}

function appendState(state: TransformState, added: TransformState): TransformState {
  const slots: Record<string, tf.Tensor[]> = {};
  for (const [key, tensors] of Object.entries(state.slots)) slots[key] = [...tensors, ...added.slots[key]];
  return { slots, scalars: state.scalars };
}

function disposeReplaced(previous: TransformState, next: TransformState): void {
  const kept = new Set(stateTensors(next));
  for (const tensor of stateTensors(previous)) if (!kept.has(tensor)) tensor.dispose();
}

export class TransformOptimizer extends tf.Optimizer {
  static readonly className: string = 'optbench.TransformOptimizer';

  private paramNames: string[] = [];
  private state: TransformState;

  constructor(readonly transform: GradientTransformation) {
    super();
    // init([]) creates no tensors: it gives the state's layout (slot and scalar names) for no params.
    this.state = transform.init([]);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries: [string, tf.Tensor | null | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    const variables = entries.map(([name]) => {
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new UnknownVariableError(name);
      return variable;
    });
    this.addParameters(variables);
    // Like the built-ins, a variable without a gradient this step is left untouched, state included.
    const active = entries.flatMap(([name, grad], i) => (grad ? [{ index: this.paramNames.indexOf(name), grad, variable: variables[i] }] : []));
    const indices = active.map((a) => a.index);
    const previous = this.state;
    tf.tidy(() => {
      const grads = active.map((a) => a.grad);
      const params = active.map((a) => a.variable);
      const { updates, state } = this.transform.update(grads, selectState(previous, indices), params);
      updates.forEach((update, k) => params[k].assign(tf.add(params[k], update)));
      this.state = mergeState(previous, indices, this.owned(state, [...grads, ...params]));
    });
    disposeReplaced(previous, this.state);
    this.incrementIterations();
  }

  /** Keeps the state's tensors past every tidy, copying any the caller owns (a gradient, a variable). */
  private owned(state: TransformState, callerTensors: tf.Tensor[]): TransformState {
    const foreign = new Set(callerTensors);
    const slots: Record<string, tf.Tensor[]> = {};
    for (const [key, tensors] of Object.entries(state.slots)) {
      slots[key] = tensors.map((t) => tf.keep(foreign.has(t) ? t.clone() : t));
    }
    return { slots, scalars: state.scalars };
  }

  private addParameters(variables: readonly tf.Variable[]): void {
    const fresh = variables.filter((v) => !this.paramNames.includes(v.name));
    if (fresh.length === 0) return;
    tf.tidy(() => {
      const added = this.owned(this.transform.init(fresh), fresh);
      this.state = appendState(this.state, added);
    });
    this.paramNames.push(...fresh.map((v) => v.name));
  }

  /**
   * [iterations, unit scalars ('<index>.<unit>/<name>'), then each slot per parameter
   * ('<variable>/<index>.<unit>/<slot>')]. Slot tensors are the live state, as the built-ins return
   * their live variables: read them, do not dispose them.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const [key, value] of Object.entries(this.state.scalars)) weights.push({ name: key, tensor: tf.scalar(value) });
    for (const [key, tensors] of Object.entries(this.state.slots)) {
      tensors.forEach((tensor, i) => weights.push({ name: `${this.paramNames[i]}/${key}`, tensor }));
    }
    return weights;
  }

  /** Restores what getWeights returned (copies the tensors; the caller keeps ownership of its own). */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const layout = this.transform.init([]);
    const scalars: Record<string, number> = { ...layout.scalars };
    const slotKeys = Object.keys(layout.slots).sort((a, b) => b.length - a.length);
    const slots: Record<string, tf.Tensor[]> = Object.fromEntries(slotKeys.map((key) => [key, []]));
    const names: string[] = [];
    try {
      for (const { name, tensor } of rest) {
        if (name in scalars) {
          scalars[name] = (await tensor.data())[0];
          continue;
        }
        const key = slotKeys.find((k) => name.endsWith(`/${k}`));
        if (key === undefined) {
          throw new OptimizerStateError(`weight '${name}' is none of this optimizer's state (slots ${slotKeys.join(', ') || 'none'}; scalars ${Object.keys(scalars).join(', ') || 'none'}). Restore weights saved from the same recipe and hyperparameters.`);
        }
        const param = name.slice(0, name.length - key.length - 1);
        if (!names.includes(param)) names.push(param);
        slots[key][names.indexOf(param)] = tf.keep(tensor.clone());
      }
      for (const key of slotKeys) {
        const missing = names.filter((_, i) => !slots[key][i]);
        if (missing.length) throw new OptimizerStateError(`slot '${key}' is missing for ${missing.join(', ')}. Restore the complete list getWeights returned.`);
      }
    } catch (error) {
      for (const tensors of Object.values(slots)) for (const t of tensors) t?.dispose();
      throw error;
    }
    const restored = { slots, scalars };
    disposeReplaced(this.state, restored);
    this.state = restored;
    this.paramNames = names;
  }

  /**
   * The live state for a checkpoint: the parameters' names in slot order, the unit scalars as the exact
   * float64 numbers they are (getWeights turns them into float32 tensors, which would change a resumed
   * run's running products), and the slot tensors (live: read, do not dispose).
   */
  exportState(): { paramNames: string[]; scalars: Record<string, number>; slots: Record<string, readonly tf.Tensor[]> } {
    return { paramNames: [...this.paramNames], scalars: { ...this.state.scalars }, slots: { ...this.state.slots } };
  }

  /**
   * Replaces the state with one exportState() gave, for the parameters now named `paramNames` (a model
   * rebuilt in another process has other variable names; slots follow the parameters' order). Takes
   * ownership of the slot tensors.
   */
  importState(paramNames: readonly string[], scalars: Record<string, number>, slots: Record<string, tf.Tensor[]>): void {
    const layout = this.transform.init([]);
    const expected = Object.keys(layout.slots).sort();
    const given = Object.keys(slots).sort();
    const wrongScalars = Object.keys(scalars).filter((key) => !(key in layout.scalars));
    if (JSON.stringify(expected) !== JSON.stringify(given) || wrongScalars.length
      || given.some((key) => slots[key].length !== paramNames.length)) {
      throw new OptimizerStateError(`the saved state (slots ${given.join(', ') || 'none'}; scalars ${Object.keys(scalars).join(', ') || 'none'}) is not this optimizer's (slots ${expected.join(', ') || 'none'}) for ${paramNames.length} parameters`);
    }
    const restored: TransformState = { slots: Object.fromEntries(given.map((key) => [key, slots[key].map((t) => tf.keep(t))])), scalars: { ...layout.scalars, ...scalars } };
    disposeReplaced(this.state, restored);
    this.state = restored;
    this.paramNames = [...paramNames];
  }

  override dispose(): void {
    for (const tensor of stateTensors(this.state)) tensor.dispose();
    this.state = this.transform.init([]);
    this.paramNames = [];
    this.transform.dispose();
    super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { transform: this.transform.name };
  }
}
