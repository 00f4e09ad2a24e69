/**
 * A run unit: one (optimizer, implementation, seed, learning rate) trained once on an experiment.
 * It builds a fresh model and optimizer, trains through the shared loop and releases every tensor,
 * whatever happens.
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeUnit } from '../results/runDirectory.js';
import { effectiveHyperparameters, tuningFields, untrainedRun, type UnitSpec } from '../results/units.js';
import type { OptimizerRun } from '../results/schema.js';
import { CheckpointError, OptimizerUnavailableError, TrainingStoppedError } from './errors.js';
import { getOptimizerSpec } from '../optimizers/registry.js';
import type { ResolvedHyperparameters } from '../optimizers/hyperparameters.js';
import type { ModelExperiment, Profile } from './definition.js';
import type { LoadedData } from '../data/types.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { OptimizerStateError } from '../optimizers/errors.js';
import { restoreOptimizerState, saveOptimizerState } from '../optimizers/state.js';
import { checkpointFile, readCheckpoint, removeCheckpoint, writeCheckpoint, type LoopState, type UnitCheckpoint } from './checkpoint.js';
import { holdoutData } from './holdout.js';
import { train, type TrainProgress } from './loop.js';
import { SeededDropout } from './seededDropout.js';
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
 * Trains one unit with `execute` and records it in the run directory, then removes its checkpoint. A unit
 * that throws (other than being stopped) is recorded as failed (one optimizer failing must not stop the others), and tensors it left behind are named in its
 * reason. Used in-process and by worker processes alike.
 */
export async function trainAndRecord(runDir: string, spec: UnitSpec, id: string, execute: () => Promise<OptimizerRun>): Promise<OptimizerRun> {
  const tensorsBefore = tf.memory().numTensors;
  let run: OptimizerRun;
  try {
    run = await execute();
  } catch (error) {
    // A stopped unit is not a failed one: its checkpoint stays for --resume.
    if (error instanceof TrainingStoppedError) throw error;
    run = untrainedRun(spec, id, 'failed', failureReason(error));
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) run.reason = `${run.reason ? `${run.reason}; ` : ''}${leaked} tensors leaked by this unit`;
  writeUnit(runDir, run);
  // Recorded: the checkpoint has served (removed after the record, so a crash in between loses nothing).
  removeCheckpoint(runDir, id);
  return run;
}

/** What a unit is trained with beyond its data: progress, checkpoints, a way to stop it. */
export interface UnitContext {
  onProgress?: (event: TrainProgress) => void;
  /** Save a checkpoint in this run directory after every epoch, and resume from the one found there. */
  checkpointDir?: string;
  /** Warnings (a damaged checkpoint discarded). */
  log?: (line: string) => void;
  /** Checked between batches: true stops training with TrainingStoppedError. */
  shouldStop?: () => boolean;
}

/** The model's SeededDropout layers, whose generators a checkpoint saves. */
function dropoutLayers(model: LayersModel): SeededDropout[] {
  return model.layers.filter((layer): layer is SeededDropout => layer instanceof SeededDropout);
}

/** The unit's checkpoint to resume from, or null; a damaged one is removed with a warning. */
function usableCheckpoint(runDir: string, spec: UnitSpec, id: string, profile: Profile, log: (line: string) => void): UnitCheckpoint | null {
  try {
    return readCheckpoint(runDir, id, { spec, epochs: profile.epochs, batchSize: profile.batchSize });
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    discard(runDir, id, error, log);
    return null;
  }
}

function discard(runDir: string, id: string, error: CheckpointError, log: (line: string) => void): void {
  log(`warning: ${error.message}; discarded it, [${id}] starts again from epoch 1`);
  removeCheckpoint(runDir, id);
}

/** Puts the checkpoint's state into the freshly built model and optimizer; CheckpointError if it does not fit. */
function restore(checkpoint: UnitCheckpoint, file: string, model: LayersModel, optimizer: tf.Optimizer): void {
  const weights = model.getWeights();
  const dropouts = dropoutLayers(model);
  const shapes = (list: { shape: number[] }[]) => JSON.stringify(list.map((w) => w.shape));
  if (shapes(weights) !== shapes(checkpoint.weights) || dropouts.length !== checkpoint.dropout.length) {
    throw new CheckpointError(file, 'its model has other weights than this experiment\'s');
  }
  const saved = checkpoint.weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
  try {
    model.setWeights(saved);
  } finally {
    tf.dispose(saved);
  }
  dropouts.forEach((layer, i) => layer.restoreGeneratorState(checkpoint.dropout[i]));
  try {
    restoreOptimizerState(optimizer, checkpoint.optimizer, model.trainableWeights.map((w) => (w.read() as tf.Variable).name));
  } catch (error) {
    if (error instanceof OptimizerStateError) throw new CheckpointError(file, error.message);
    throw error;
  }
}

function capture(base: Pick<UnitCheckpoint, 'unitId' | 'spec' | 'epochs' | 'batchSize'>, elapsedSeconds: number, loop: LoopState, model: LayersModel, optimizer: tf.Optimizer): UnitCheckpoint {
  return {
    ...base, elapsedSeconds, loop,
    dropout: dropoutLayers(model).map((layer) => layer.saveGeneratorState()),
    weights: model.getWeights().map((w) => ({ shape: [...w.shape], dtype: w.dtype as 'float32' | 'int32', values: w.dataSync() as Float32Array | Int32Array })),
    optimizer: saveOptimizerState(optimizer),
  };
}

export async function runUnit(
  experiment: ModelExperiment,
  profile: Profile,
  data: LoadedData,
  spec: UnitSpec,
  id: string,
  context: UnitContext = {},
): Promise<OptimizerRun> {
  const base = { id, optimizer: spec.optimizer, impl: spec.impl, seed: spec.seed, ...tuningFields(spec) };
  const resolved = resolveOrUnavailable(spec, id);
  if (!('create' in resolved)) return resolved;
  const started = performance.now();
  const seeds = new SeededRandom(deriveSeed(spec.seed, 'model'));
  const unitData = spec.holdout ? holdoutData(data, spec.holdout) : data;
  const model = experiment.buildModel(seeds, profile);
  const optimizer = resolved.create();
  const { checkpointDir } = context;
  try {
    let checkpoint = checkpointDir ? usableCheckpoint(checkpointDir, spec, id, profile, context.log ?? (() => {})) : null;
    if (checkpoint && checkpointDir) {
      try {
        restore(checkpoint, checkpointFile(checkpointDir, id), model, optimizer);
      } catch (error) {
        // Part of it may have been applied (weights, dropout): train a freshly built model instead.
        if (!(error instanceof CheckpointError)) throw error;
        discard(checkpointDir, id, error, context.log ?? (() => {}));
        return await runUnit(experiment, profile, data, spec, id, context);
      }
    }
    const previousSeconds = checkpoint?.elapsedSeconds ?? 0;
    const identity = { unitId: id, spec, epochs: profile.epochs, batchSize: profile.batchSize };
    const outcome = await train({
      model, optimizer, train: unitData.train, validation: unitData.validation,
      loss: experiment.loss, metric: experiment.metric.name,
      epochs: profile.epochs, batchSize: profile.batchSize, seed: spec.seed, onProgress: context.onProgress,
      shouldStop: context.shouldStop,
      ...(checkpoint ? { resume: checkpoint.loop } : {}),
      ...(checkpointDir ? {
        onEpochEnd: (loop: LoopState) => {
          checkpoint = capture(identity, previousSeconds + (performance.now() - started) / 1000, loop, model, optimizer);
          writeCheckpoint(checkpointDir, checkpoint);
        },
      } : {}),
    });
    return {
      ...base,
      learningRate: resolved.hyperparameters.learningRate,
      hyperparameters: resolved.hyperparameters,
      convention: resolved.convention,
      status: outcome.status,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      epochs: outcome.epochs,
      totalSeconds: previousSeconds + (performance.now() - started) / 1000,
      samplesPerSecond: outcome.trainSeconds > 0 ? outcome.samplesTrained / outcome.trainSeconds : null,
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
