import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import type { EpochRecord } from '../../src/results/schema.js';
import { runUnit } from '../../src/train/unit.js';
import { tinyExperiment } from '../helpers/tinyExperiment.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

async function runTiny(seed: number, optimizer = 'adam', learningRate?: number, epochs = 3) {
  const experiment = tinyExperiment({ epochs });
  const profile = experiment.profiles.quick;
  const data = await experiment.loadData({ cacheDir: '', log: () => {} }, profile);
  const tensorCounts: number[] = [];
  const run = await runUnit(experiment, profile, data, { optimizer, impl: 'builtin', seed, learningRate }, optimizer, {
    onProgress: (event) => {
      if (event.kind === 'epoch') tensorCounts.push(tf.memory().numTensors);
    },
  });
  return { run, tensorCounts };
}

const curve = (epochs: EpochRecord[]) => epochs.map(({ seconds: _, ...values }) => values);

describe('the shared training loop', () => {
  it('gives identical curves for the same seed on the same backend', async () => {
    const first = await runTiny(7);
    const second = await runTiny(7);
    expect(first.run.status).toBe('ok');
    expect(first.run.epochs).toHaveLength(3);
    expect(curve(second.run.epochs)).toEqual(curve(first.run.epochs));
  });

  it('gives different curves for different seeds (weights, dropout and order are seeded)', async () => {
    const a = await runTiny(7);
    const b = await runTiny(8);
    expect(curve(b.run.epochs)).not.toEqual(curve(a.run.epochs));
  });

  it('learns: Adam lowers the training loss of a linear target', async () => {
    const { run } = await runTiny(3, 'adam', 0.01, 8);
    expect(run.epochs.at(-1)!.loss).toBeLessThan(run.epochs[0].loss * 0.5);
    expect(run.epochs.every((e) => e.valLoss !== null && Number.isFinite(e.valLoss))).toBe(true);
    expect(run.samplesPerSecond).toBeGreaterThan(0);
  });

  it('leaks no tensors across steps, epochs and units', async () => {
    const before = tf.memory().numTensors;
    const { tensorCounts } = await runTiny(5, 'adam', undefined, 4);
    // Model weights and optimizer slots exist during training; their count must not grow per epoch.
    expect(new Set(tensorCounts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('marks a run whose loss turns non-finite as diverged and stops it', async () => {
    const before = tf.memory().numTensors;
    const { run } = await runTiny(1, 'sgd', 1e6, 5);
    expect(run.status).toBe('diverged');
    expect(run.reason).toMatch(/became (NaN|Infinity)/);
    expect(run.epochs.length).toBeLessThan(5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('releases every tensor when a training step throws (failed units do not grow memory)', async () => {
    const experiment = tinyExperiment();
    const profile = experiment.profiles.quick;
    const data = await experiment.loadData({ cacheDir: '', log: () => {} }, profile);
    const build = experiment.buildModel;
    let calls = 0;
    experiment.buildModel = (seeds, p) => {
      const model = build(seeds, p);
      const apply = model.apply.bind(model);
      model.apply = ((x, kwargs) => {
        if (++calls === 3) throw new Error('injected failure in the forward pass');
        return apply(x, kwargs);
      }) as typeof model.apply;
      return model;
    };
    const before = tf.memory().numTensors;
    await expect(runUnit(experiment, profile, data, { optimizer: 'adam', impl: 'builtin', seed: 1 }, 'adam'))
      .rejects.toThrow(/injected failure/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
