/**
 * What the loop's numbers mean, pinned so a change of meaning fails here and not only in the convergence
 * check: each epoch visits every training sample once in a freshly shuffled order; the epoch's training
 * loss and metric are per-sample averages (a short last batch weighs by its size, not as a whole batch);
 * validation covers the whole split, also past one evaluation batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import type { Split } from '../../src/data/types.js';
import { train } from '../../src/train/loop.js';
import { arraySplit } from '../../src/train/splits.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** A split of one feature (always 1) and the given targets, recording the indices of every batch taken. */
function recordingSplit(targets: number[]): Split & { batches: number[][] } {
  const inner = arraySplit(new Float32Array(targets.length).fill(1), [1], Float32Array.from(targets), [1]);
  const batches: number[][] = [];
  return {
    size: inner.size,
    batches,
    take(indices) {
      batches.push([...indices]);
      return inner.take(indices);
    },
  };
}

/** y = 0·x: with SGD at learning rate 0 the prediction stays 0, so a sample's squared error is its target². */
function zeroModel(): tfl.LayersModel {
  return tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'zeros', useBias: false })] });
}

async function trainFrozen(trainTargets: number[], validationTargets: number[] | null, batchSize: number, epochs: number) {
  const trainSplit = recordingSplit(trainTargets);
  const validation = validationTargets ? recordingSplit(validationTargets) : null;
  const model = zeroModel();
  const optimizer = tf.train.sgd(0);
  try {
    const outcome = await train({
      model, optimizer, train: trainSplit, validation, loss: 'meanSquaredError', metric: 'meanAbsoluteError', epochs, batchSize, seed: 11,
    });
    return { outcome, trainSplit, validation };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('the training loop\'s semantics', () => {
  it('visits every training sample once per epoch, in a new shuffled order each epoch', async () => {
    const { trainSplit } = await trainFrozen(range(40).map((i) => i / 10), null, 8, 3);
    expect(trainSplit.batches).toHaveLength(3 * 5);
    const epochs = [0, 1, 2].map((e) => trainSplit.batches.slice(e * 5, (e + 1) * 5).flat());
    for (const order of epochs) expect([...order].sort((a, b) => a - b)).toEqual(range(40));
    expect(epochs[0]).not.toEqual(range(40));
    expect(epochs[1]).not.toEqual(epochs[0]);
    expect(epochs[2]).not.toEqual(epochs[1]);
  });

  it('averages the training loss and metric per sample: a short last batch counts by its size', async () => {
    // 10 samples in batches of 4, 4 and 2; the two largest targets can only share a batch with others,
    // so a mean of batch means would differ from the mean over samples whatever the order.
    const targets = [1, 1, 1, 1, 1, 1, 1, 1, 10, 10];
    const { outcome, trainSplit } = await trainFrozen(targets, null, 4, 2);
    expect(trainSplit.batches.slice(0, 3).map((batch) => batch.length)).toEqual([4, 4, 2]);
    for (const record of outcome.epochs) {
      expect(record.loss).toBeCloseTo(mean(targets.map((y) => y * y)), 4); // (8 + 200) / 10 = 20.8
      expect(record.metric).toBeCloseTo(mean(targets), 5); // mean absolute error = 2.8
    }
    const perBatch = mean(trainSplit.batches.slice(0, 3).map((batch) => mean(batch.map((i) => targets[i] ** 2))));
    expect(Math.abs(perBatch - outcome.epochs[0].loss)).toBeGreaterThan(1);
  });

  it('evaluates validation on the whole split, past one evaluation batch of 256', async () => {
    // The last 44 of 300 samples are the only non-zero targets: a validation that stops early reads 0.
    const targets = range(300).map((i) => (i >= 256 ? 3 : 0));
    const { outcome, validation } = await trainFrozen([1, 2, 3, 4], targets, 2, 2);
    const seen = validation!.batches.slice(0, validation!.batches.length / 2).flat();
    expect([...seen].sort((a, b) => a - b)).toEqual(range(300));
    for (const record of outcome.epochs) {
      expect(record.valLoss).toBeCloseTo((44 * 9) / 300, 5);
      expect(record.valMetric).toBeCloseTo((44 * 3) / 300, 5);
    }
  });
});
