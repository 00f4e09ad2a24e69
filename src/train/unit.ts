/**
 * A run unit: one (optimizer, implementation, seed, learning rate) trained once on an experiment.
 * It builds a fresh model and optimizer, trains through the shared loop and releases every tensor,
 * whatever happens.
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeUnit } from '../results/runDirectory.js';
import { effectiveHyperparameters, tuningFields, untrainedRun, type UnitSpec } from '../results/units.js';
import type { OptimizerRun } from '../results/schema.js';
import { OptimizerUnavailableError } from './errors.js';
import { getOptimizerSpec } from '../optimizers/registry.js';
import type { ResolvedHyperparameters } from '../optimizers/hyperparameters.js';
import type { ModelExperiment, Profile } from './definition.js';
import type { LoadedData } from '../data/types.js';
import { holdoutData } from './holdout.js';
import { train, type TrainProgress } from './loop.js';
import { SeededRandom, deriveSeed } from '../common/random.js';

export interface ResolvedOptimizer {
  create: () => tf.Optimizer;
  hyperparameters: ResolvedHyperparameters;
  convention: string;
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
      learningRate: resolved.hyperparameters.learningRate,
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
