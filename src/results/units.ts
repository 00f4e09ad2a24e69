/**
 * A run unit's identity: what it trains (optimizer, implementation, seed, learning rate), its id within
 * a run, and the record of a unit that trained nothing. Owned by results because merging, resuming and
 * the convergence check key runs by it, not only training.
 */
import { resolveHyperparameters } from '../optimizers/registry.js';
import type { HyperparameterOverrides, ResolvedHyperparameters } from '../optimizers/hyperparameters.js';
import type { HoldoutSplit, OptimizerImpl, OptimizerRun, RunStatus, TuningPhase } from './schema.js';

export interface UnitSpec {
  optimizer: string;
  impl: OptimizerImpl;
  seed: number;
  /** Overrides the optimizer's default learning rate when set. */
  learningRate?: number;
  /** Overrides of other defaults, e.g. `{ convention: 'tfjs' }` for a from-scratch optimizer. */
  hyperparameters?: HyperparameterOverrides;
  /** Part of a --tune run (src/tune/), recorded with the unit. */
  phase?: TuningPhase;
  /** Train on the training data minus this held-out part and validate on it (a tuning grid unit). */
  holdout?: HoldoutSplit;
}

/** The unit's tuning fields, as its record carries them. */
export function tuningFields(spec: UnitSpec): Pick<OptimizerRun, 'phase' | 'holdout'> {
  return { ...(spec.phase ? { phase: spec.phase } : {}), ...(spec.holdout ? { holdout: spec.holdout } : {}) };
}

/** The unit's hyperparameters, resolved by the registry: its defaults under its overrides, its own learning rate winning. */
export function effectiveHyperparameters(spec: UnitSpec): ResolvedHyperparameters {
  return resolveHyperparameters(spec.optimizer, {
    ...spec.hyperparameters,
    ...(spec.learningRate !== undefined ? { learningRate: spec.learningRate } : {}),
  });
}

/**
 * The record of a unit that trained nothing (no implementation, crashed, missing from a merge): the
 * optimizer's default hyperparameters with the unit's learning rate, no epochs.
 */
export function untrainedRun(spec: UnitSpec, id: string, status: RunStatus, reason: string, convention = 'unknown'): OptimizerRun {
  const hyperparameters = effectiveHyperparameters(spec);
  return {
    id, optimizer: spec.optimizer, impl: spec.impl, seed: spec.seed, learningRate: hyperparameters.learningRate,
    hyperparameters, convention, status, reason, epochs: [], totalSeconds: 0, samplesPerSecond: null, ...tuningFields(spec),
  };
}

export { unitId } from './unitId.js';
