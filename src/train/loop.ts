/**
 * The one training loop every optimizer of every model experiment goes through.
 *
 * It does what Keras's `fit` does for the study (mini-batches in a shuffled order each epoch, training
 * loss/metric averaged over the epoch's batches, validation loss/metric on the whole validation split
 * after each epoch) but shuffles with the project's seeded generator, so a run is reproducible, and
 * stops an optimizer whose loss turns NaN/Inf instead of training on garbage.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { EpochRecord } from '../results/schema.js';
import type { LossName, MetricName } from './definition.js';
import type { Split } from '../data/types.js';
import { LOSSES, METRICS } from './losses.js';
import { SeededRandom, deriveSeed } from '../common/random.js';
import type { LoopState } from './checkpoint.js';
import { TrainingStoppedError } from './errors.js';
import { range } from './splits.js';

/** Batches of at most this many samples when evaluating (bounded memory for big inputs, e.g. IMDB). */
const EVALUATION_BATCH_SIZE = 256;

export type TrainProgress =
  /** Training begins (or resumes) at `epoch`; an epoch has `batches` batches. */
  | { kind: 'start'; epoch: number; epochs: number; batches: number }
  /** `samples` samples of the epoch trained so far. */
  /**
   * `at`: when the batch finished, in ms since the Unix epoch on the training process's clock. A worker's
   * events reach the parent in bursts when either side is busy, so rates timed on arrival come out absurd.
   */
  | { kind: 'batch'; epoch: number; batch: number; batches: number; samples: number; at?: number }
  | { kind: 'epoch'; record: EpochRecord };


export interface TrainInput {
  model: LayersModel;
  optimizer: tf.Optimizer;
  train: Split;
  validation: Split | null;
  loss: LossName;
  metric: MetricName | null;
  epochs: number;
  batchSize: number;
  /** Seed of the shuffling order (the model's initial weights are seeded when it is built). */
  seed: number;
  onProgress?: (event: TrainProgress) => void;
  /** Continue from this state (a checkpoint's) instead of from epoch 1. */
  resume?: LoopState;
  /** Called after every finished epoch that training goes on from (checkpoints). */
  onEpochEnd?: (state: LoopState) => void;
  /** Checked between batches; when it returns true, training throws TrainingStoppedError. */
  shouldStop?: () => boolean;
}

export interface TrainOutcome {
  epochs: EpochRecord[];
  status: 'ok' | 'diverged';
  reason?: string;
  /** Seconds spent in training steps only (no validation), for samples/s. */
  trainSeconds: number;
  samplesTrained: number;
}

interface Totals {
  loss: number;
  metric: number;
  samples: number;
}

function trainableVariables(model: LayersModel): tf.Variable[] {
  // LayerVariable.read() returns the underlying tf.Variable that optimizers update.
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

/** One optimizer step on one batch; returns the batch's loss and metric. */
function trainStep(input: TrainInput, variables: tf.Variable[], x: tf.Tensor, y: tf.Tensor): { loss: number; metric: number } {
  const lossFn = LOSSES[input.loss];
  const metricFn = input.metric ? METRICS[input.metric] : null;
  let metricTensor: tf.Scalar | null = null;
  // optimizer.minimize() without its leak: when applyGradients throws (a from-scratch optimizer's bug, a
  // shape mismatch), minimize never disposes the gradients and the loss it computed.
  let computed: { value: tf.Scalar; grads: tf.NamedTensorMap } | null = null;
  try {
    computed = input.optimizer.computeGradients(() => {
      const prediction = input.model.apply(x, { training: true }) as tf.Tensor;
      // Keras reports the training metric from the same forward pass as the loss.
      if (metricFn) metricTensor = tf.keep(metricFn(y, prediction));
      return lossFn(y, prediction);
    }, variables);
    const { grads } = computed;
    // In the variables' order, as minimize passes them.
    input.optimizer.applyGradients(variables.map((variable) => ({ name: variable.name, tensor: grads[variable.name] })));
    const loss = computed.value.dataSync()[0];
    const held = metricTensor as tf.Scalar | null;
    return { loss, metric: held ? held.dataSync()[0] : Number.NaN };
  } finally {
    if (computed) tf.dispose([computed.value, ...Object.values(computed.grads)]);
    (metricTensor as tf.Scalar | null)?.dispose();
  }
}

/** Loss and metric over a whole split, in evaluation mode (no dropout). */
export function evaluate(model: LayersModel, split: Split, loss: LossName, metric: MetricName | null): { loss: number; metric: number | null } {
  const totals: Totals = { loss: 0, metric: 0, samples: 0 };
  const order = range(split.size);
  for (let start = 0; start < split.size; start += EVALUATION_BATCH_SIZE) {
    const indices = order.subarray(start, Math.min(start + EVALUATION_BATCH_SIZE, split.size));
    const batch = split.take(indices);
    let batchLoss: number;
    let batchMetric: number;
    try {
      [batchLoss, batchMetric] = tf.tidy(() => {
        const prediction = model.apply(batch.x, { training: false }) as tf.Tensor;
        const l = LOSSES[loss](batch.y, prediction).dataSync()[0];
        const m = metric ? METRICS[metric](batch.y, prediction).dataSync()[0] : 0;
        return [l, m];
      });
    } finally {
      batch.x.dispose();
      batch.y.dispose();
    }
    totals.loss += batchLoss * indices.length;
    totals.metric += batchMetric * indices.length;
    totals.samples += indices.length;
  }
  return { loss: totals.loss / totals.samples, metric: metric ? totals.metric / totals.samples : null };
}

export async function train(input: TrainInput): Promise<TrainOutcome> {
  if (!(input.batchSize >= 1)) throw new RangeError(`batch size must be a positive integer, got ${input.batchSize}`);
  if (!(input.epochs >= 1)) throw new RangeError(`epochs must be a positive integer, got ${input.epochs}`);
  const variables = trainableVariables(input.model);
  const shuffler = new SeededRandom(deriveSeed(input.seed, 'shuffle'));
  // Shuffled in place every epoch: epoch k's order depends on every earlier one, so a resume restores it.
  const order = range(input.train.size);
  const batches = Math.ceil(input.train.size / input.batchSize);
  const { resume } = input;
  if (resume) {
    if (resume.order.length !== order.length) throw new RangeError(`the saved sample order has ${resume.order.length} samples, the training split ${order.length}`);
    shuffler.restoreState(resume.shuffleState);
    order.set(resume.order);
  }
  const records: EpochRecord[] = resume ? [...resume.records] : [];
  let trainSeconds = resume?.trainSeconds ?? 0;
  let samplesTrained = resume?.samplesTrained ?? 0;
  const firstEpoch = (resume?.epoch ?? 0) + 1;
  input.onProgress?.({ kind: 'start', epoch: firstEpoch, epochs: input.epochs, batches });

  for (let epoch = firstEpoch; epoch <= input.epochs; epoch++) {
    const epochStart = performance.now();
    shuffler.shuffle(order);
    const totals: Totals = { loss: 0, metric: 0, samples: 0 };
    for (let b = 0; b < batches; b++) {
      const indices = order.subarray(b * input.batchSize, Math.min((b + 1) * input.batchSize, input.train.size));
      const stepStart = performance.now();
      const batch = input.train.take(indices);
      let step: { loss: number; metric: number };
      try {
        step = trainStep(input, variables, batch.x, batch.y);
      } finally {
        batch.x.dispose();
        batch.y.dispose();
      }
      trainSeconds += (performance.now() - stepStart) / 1000;
      samplesTrained += indices.length;
      if (!Number.isFinite(step.loss)) {
        return {
          epochs: records, status: 'diverged', trainSeconds, samplesTrained,
          reason: `training loss became ${step.loss} at epoch ${epoch}, batch ${b + 1} of ${batches}`,
        };
      }
      totals.loss += step.loss * indices.length;
      totals.metric += step.metric * indices.length;
      totals.samples += indices.length;
      input.onProgress?.({ kind: 'batch', epoch, batch: b + 1, batches, samples: totals.samples, at: performance.timeOrigin + performance.now() });
      // Let timers (progress redraw, signals, worker messages) run between steps.
      await new Promise((resolve) => setImmediate(resolve));
      if (input.shouldStop?.()) throw new TrainingStoppedError();
    }
    const validation = input.validation ? evaluate(input.model, input.validation, input.loss, input.metric) : null;
    const record: EpochRecord = {
      epoch,
      loss: totals.loss / totals.samples,
      metric: input.metric ? totals.metric / totals.samples : null,
      valLoss: validation?.loss ?? null,
      valMetric: validation?.metric ?? null,
      seconds: (performance.now() - epochStart) / 1000,
    };
    records.push(record);
    if (validation && !Number.isFinite(validation.loss)) {
      input.onProgress?.({ kind: 'epoch', record });
      return { epochs: records, status: 'diverged', trainSeconds, samplesTrained, reason: `validation loss became ${validation.loss} at epoch ${epoch}` };
    }
    // Saved before the epoch is announced: an epoch reported done is never lost to an interrupt.
    if (epoch < input.epochs) input.onEpochEnd?.({ epoch, records, trainSeconds, samplesTrained, shuffleState: shuffler.saveState(), order });
    input.onProgress?.({ kind: 'epoch', record });
  }
  return { epochs: records, status: 'ok', trainSeconds, samplesTrained };
}
