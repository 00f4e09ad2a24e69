/**
 * Composable gradient transformations in the spirit of optax (optax/_src/base.py
 * GradientTransformation, optax/_src/combine.py chain): each unit is a pure function of explicit state,
 *
 *   init(params) → state,   update(grads, state, params) → { updates, state },
 *
 * and an optimizer is a `chain` of units whose final `updates` are added to the parameters.
 * Units operate on lists of tf.Tensors aligned with the parameter list, so they run on any backend.
 * They never dispose or keep anything themselves: the caller (TransformOptimizer) runs `update` inside
 * tf.tidy, keeps the new state and disposes the state it replaces.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Per-parameter tensors of one slot, aligned with the parameter list. */
export type SlotTensors = readonly tf.Tensor[];
/** A unit's slots by name; the general form a chain and the optimizer handle. */
export type SlotMap = Record<string, SlotTensors>;
/** A unit's host-side numbers by name. */
export type ScalarMap = Record<string, number>;

/**
 * A unit's state. `Slots` and `Scalars` name what the unit keeps (e.g. Adam's `{ mu, nu, nuMax? }` and
 * `{ count, beta1Power, beta2Power }`), so a unit reading or writing a misspelt slot does not compile;
 * a chain, which holds the state of all its units under prefixed keys, uses the general maps.
 */
export interface TransformState<Slots extends SlotMap = SlotMap, Scalars extends ScalarMap = ScalarMap> {
  /** Per-parameter tensors: one list per slot (e.g. Adam's `mu`, `nu`), aligned with the params. */
  readonly slots: Readonly<Slots>;
  /** Unit-wide numbers kept on the host in float64 (step counts, running products). */
  readonly scalars: Readonly<Scalars>;
}

export interface TransformResult<Slots extends SlotMap = SlotMap, Scalars extends ScalarMap = ScalarMap> {
  updates: tf.Tensor[];
  state: TransformState<Slots, Scalars>;
}

export interface GradientTransformation<Slots extends SlotMap = SlotMap, Scalars extends ScalarMap = ScalarMap> {
  /** Short snake_case name after optax's (scale_by_adam, trace...); namespaces the unit's state. */
  readonly name: string;
  init(params: readonly tf.Tensor[]): TransformState<Slots, Scalars>;
  update(grads: readonly tf.Tensor[], state: TransformState<Slots, Scalars>, params: readonly tf.Tensor[]): TransformResult<Slots, Scalars>;
  /** Releases tensors the unit caches (constant scalars); its state is owned by the caller. */
  dispose(): void;
}

/** No slots or no scalars. */
export type Nothing = Record<never, never>;
/** A unit without state (clipping, penalties): nothing to initialise or carry between steps. */
export type StatelessTransformation = GradientTransformation<Nothing, Nothing>;

/** A learning rate (or other coefficient) as a function of the number of updates already applied. */
export type Schedule = (count: number) => number;

export const EMPTY_STATE: TransformState<Nothing, Nothing> = { slots: {}, scalars: {} };

/**
 * Scalar tensors for the constants of one unit, created once (on first use) and reused every step
 * instead of letting each `tf.mul(x, 0.9)` upload a fresh scalar. Kept so an enclosing tf.tidy of the
 * caller cannot free them; released by `dispose`.
 */
export class ScalarCache {
  private readonly cache = new Map<number, tf.Scalar>();

  get(value: number): tf.Scalar {
    let cached = this.cache.get(value);
    if (cached === undefined || cached.isDisposed) {
      cached = tf.keep(tf.scalar(value));
      this.cache.set(value, cached);
    }
    return cached;
  }

  dispose(): void {
    for (const scalar of this.cache.values()) scalar.dispose();
    this.cache.clear();
  }
}

/**
 * Runs `fn` for each parameter inside its own tf.tidy and returns its named results as columns
 * (one list per name, aligned with the parameters). Freeing a step's temporaries parameter by
 * parameter, as tfjs's built-ins do, keeps the wasm heap small and its memory warm.
 */
export function perParameter<K extends string>(count: number, fn: (i: number) => Record<K, tf.Tensor>): Record<K, tf.Tensor[]> {
  const columns = {} as Record<K, tf.Tensor[]>;
  for (let i = 0; i < count; i++) {
    const row = tf.tidy(() => fn(i));
    for (const key of Object.keys(row) as K[]) (columns[key] ??= []).push(row[key]);
  }
  return columns;
}

/** A stateless unit applying `fn` to every (gradient, parameter) pair. */
export function elementwise(
  name: string,
  fn: (grad: tf.Tensor, param: tf.Tensor, c: (value: number) => tf.Scalar) => tf.Tensor,
): StatelessTransformation {
  const constants = new ScalarCache();
  const c = (value: number) => constants.get(value);
  return {
    name,
    init: () => EMPTY_STATE,
    update: (grads, state, params) => ({ updates: grads.map((g, i) => tf.tidy(() => fn(g, params[i], c))), state }),
    dispose: () => constants.dispose(),
  };
}

function prefixOf(index: number, unit: GradientTransformation): string {
  return `${index}.${unit.name}/`;
}

function withPrefix<T>(prefix: string, record: Readonly<Record<string, T>>, into: Record<string, T>): void {
  for (const [key, value] of Object.entries(record)) into[prefix + key] = value;
}

function withoutPrefix<T>(prefix: string, record: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key.startsWith(prefix)) out[key.slice(prefix.length)] = value;
  }
  return out;
}

/**
 * Applies units in order, each to the previous one's updates (optax/_src/combine.py `chain`). The
 * chain's state is the union of its units' states, each key prefixed with `<index>.<unit name>/`.
 */
export function chain(...units: GradientTransformation[]): GradientTransformation {
  const prefixes = units.map((unit, i) => prefixOf(i, unit));
  return {
    name: 'chain',
    init(params) {
      const slots: Record<string, readonly tf.Tensor[]> = {};
      const scalars: Record<string, number> = {};
      units.forEach((unit, i) => {
        const state = unit.init(params);
        withPrefix(prefixes[i], state.slots, slots);
        withPrefix(prefixes[i], state.scalars, scalars);
      });
      return { slots, scalars };
    },
    update(grads, state, params) {
      const slots: Record<string, readonly tf.Tensor[]> = {};
      const scalars: Record<string, number> = {};
      let updates: readonly tf.Tensor[] = grads;
      // Tensors that must outlive the step: the caller's and every unit's new state.
      const lasting = new Set<tf.Tensor>([...grads, ...params]);
      units.forEach((unit, i) => {
        const own = { slots: withoutPrefix(prefixes[i], state.slots), scalars: withoutPrefix(prefixes[i], state.scalars) };
        const result = unit.update(updates, own, params);
        for (const t of stateTensors(result.state)) lasting.add(t);
        // The previous unit's updates are consumed: free them now rather than at the end of the step.
        const next = new Set(result.updates);
        for (const t of updates) if (!lasting.has(t) && !next.has(t)) t.dispose();
        updates = result.updates;
        withPrefix(prefixes[i], result.state.slots, slots);
        withPrefix(prefixes[i], result.state.scalars, scalars);
      });
      return { updates: [...updates], state: { slots, scalars } };
    },
    dispose() {
      for (const unit of units) unit.dispose();
    },
  };
}

/** Every tensor a state holds, for keeping and disposing. */
export function stateTensors(state: TransformState): tf.Tensor[] {
  return Object.values(state.slots).flat();
}
