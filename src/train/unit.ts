/**
 * A run unit: one (optimizer, implementation, seed, learning rate) trained once on an experiment.
 * It builds a fresh model and optimizer, trains through the shared loop and releases every tensor,
 * whatever happens.
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeUnit } from '../results/runDirectory.js';
import type { HoldoutSplit, OptimizerRun, OptimizerImpl, RunStatus, TuningPhase } from '../results/schema.js';
import { getOptimizerSpec, type Hyperparameters } from '../optimizers/registry.js';
import type { LoadedData, ModelExperiment, Profile } from './definition.js';
import { holdoutData } from './holdout.js';
import { train, type TrainProgress } from './loop.js';
import { SeededRandom, deriveSeed } from './random.js';

export interface UnitSpec {
  optimizer: string;
  impl: OptimizerImpl;
  seed: number;
  /** Overrides the optimizer's default learning rate when set. */
  learningRate?: number;
  /** Overrides of other defaults, e.g. `{ convention: 'tfjs' }` for a from-scratch optimizer. */
  hyperparameters?: Hyperparameters;
  /** Part of a --tune run (src/tune/), recorded with the unit. */
  phase?: TuningPhase;
  /** Train on the training data minus this held-out part and validate on it (a tuning grid unit). */
  holdout?: HoldoutSplit;
}

/** The unit's tuning fields, as its record carries them. */
function tuningFields(spec: UnitSpec): Pick<OptimizerRun, 'phase' | 'holdout'> {
  return { ...(spec.phase ? { phase: spec.phase } : {}), ...(spec.holdout ? { holdout: spec.holdout } : {}) };
}

/** The optimizer's defaults with the unit's overrides applied. */
function effectiveHyperparameters(spec: UnitSpec): Hyperparameters {
  const hyperparameters: Hyperparameters = { ...getOptimizerSpec(spec.optimizer).defaults, ...spec.hyperparameters };
  if (spec.learningRate !== undefined) hyperparameters.learningRate = spec.learningRate;
  return hyperparameters;
}

export interface ResolvedOptimizer {
  create: () => tf.Optimizer;
  hyperparameters: Hyperparameters;
  convention: string;
}

export class OptimizerUnavailableError extends Error {
  constructor(readonly optimizer: string, readonly impl: OptimizerImpl, alternatives: OptimizerImpl[]) {
    super(`optimizer '${optimizer}' has no ${impl} implementation`
      + (alternatives.length ? ` (available: --impl ${alternatives.join(' or ')})` : ''));
    this.name = 'OptimizerUnavailableError';
  }
}

/** The optimizer factory, its effective hyperparameters and convention for a unit. */
export function resolveOptimizer(spec: UnitSpec): ResolvedOptimizer {
  const entry = getOptimizerSpec(spec.optimizer);
  const hyperparameters = effectiveHyperparameters(spec);
  const factory = spec.impl === 'builtin' ? entry.builtin : entry.scratch;
  if (!factory) {
    const alternatives = (['builtin', 'scratch'] as const).filter((impl) => (impl === 'builtin' ? entry.builtin : entry.scratch));
    throw new OptimizerUnavailableError(spec.optimizer, spec.impl, alternatives);
  }
  const convention = spec.impl === 'builtin' ? entry.builtinConvention : (entry.scratchConvention?.(hyperparameters) ?? 'scratch');
  return { create: () => factory(hyperparameters), hyperparameters, convention };
}

/**
 * The record of a unit that trained nothing (no implementation, crashed, missing from a merge): the
 * optimizer's default hyperparameters with the unit's learning rate, no epochs.
 */
export function untrainedRun(spec: UnitSpec, id: string, status: RunStatus, reason: string, convention = 'unknown'): OptimizerRun {
  const hyperparameters = effectiveHyperparameters(spec);
  return {
    id, optimizer: spec.optimizer, impl: spec.impl, seed: spec.seed, learningRate: Number(hyperparameters.learningRate),
    hyperparameters, convention, status, reason, epochs: [], totalSeconds: 0, samplesPerSecond: null, ...tuningFields(spec),
  };
}

/**
 * The unit's optimizer, or, when it has no implementation of the requested kind, the unit's record
 * with status 'unavailable' (the run goes on without it).
 */
export function resolveOrUnavailable(spec: UnitSpec, id: string): ResolvedOptimizer | OptimizerRun {
  try {
    return resolveOptimizer(spec);
  } catch (error) {
    if (!(error instanceof OptimizerUnavailableError)) throw error;
    return untrainedRun(spec, id, 'unavailable', error.message, 'none');
  }
}

/** The reason recorded for a unit whose training threw. */
export function failureReason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Trains one unit with `execute` and records it in the run directory. A unit that throws is recorded as
 * failed (one optimizer failing must not stop the others), and tensors it left behind are named in its
 * reason. Used in-process and by worker processes alike.
 */
export async function trainAndRecord(runDir: string, spec: UnitSpec, id: string, execute: () => Promise<OptimizerRun>): Promise<OptimizerRun> {
  const tensorsBefore = tf.memory().numTensors;
  let run: OptimizerRun;
  try {
    run = await execute();
  } catch (error) {
    run = untrainedRun(spec, id, 'failed', failureReason(error));
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) run.reason = `${run.reason ? `${run.reason}; ` : ''}${leaked} tensors leaked by this unit`;
  writeUnit(runDir, run);
  return run;
}

/** A unit's id within a run: readable, unique, stable across machines (used for shards and resume). */
export function unitId(spec: UnitSpec, varying: { impl: boolean; seed: boolean; learningRate: boolean }): string {
  let id = spec.optimizer;
  if (varying.impl) id += `@${spec.impl}`;
  const qualifiers: string[] = [];
  if (varying.seed) qualifiers.push(`seed=${spec.seed}`);
  if (varying.learningRate && spec.learningRate !== undefined) qualifiers.push(`lr=${spec.learningRate}`);
  return qualifiers.length ? `${id}#${qualifiers.join(',')}` : id;
}

export async function runUnit(
  experiment: ModelExperiment,
  profile: Profile,
  data: LoadedData,
  spec: UnitSpec,
  id: string,
  onProgress?: (event: TrainProgress) => void,
): Promise<OptimizerRun> {
  const base = { id, optimizer: spec.optimizer, impl: spec.impl, seed: spec.seed, ...tuningFields(spec) };
  const resolved = resolveOrUnavailable(spec, id);
  if (!('create' in resolved)) return resolved;
  const started = performance.now();
  const seeds = new SeededRandom(deriveSeed(spec.seed, 'model'));
  const unitData = spec.holdout ? holdoutData(data, spec.holdout) : data;
  const model = experiment.buildModel(seeds, profile);
  const optimizer = resolved.create();
  try {
    const outcome = await train({
      model, optimizer, train: unitData.train, validation: unitData.validation,
      loss: experiment.loss, metric: experiment.metric.name,
      epochs: profile.epochs, batchSize: profile.batchSize, seed: spec.seed, onProgress,
    });
    return {
      ...base,
      learningRate: Number(resolved.hyperparameters.learningRate),
      hyperparameters: resolved.hyperparameters,
      convention: resolved.convention,
      status: outcome.status,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      epochs: outcome.epochs,
      totalSeconds: (performance.now() - started) / 1000,
      samplesPerSecond: outcome.trainSeconds > 0 ? outcome.samplesTrained / outcome.trainSeconds : null,
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
