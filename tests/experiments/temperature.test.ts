import * as tf from '@tensorflow/tfjs-core';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { temperature, temperatureData } from '../../experiments/temperature.js';
import { FUSED_LSTM, FUSED_LSTM_GRAD } from '../../src/backend/kernels/lstm.js';
import { selectBackend } from '../../src/backend/select.js';
import { parseJenaCsv, prepareJenaData } from '../../src/data/jena.js';
import type { Profile } from '../../src/train/definition.js';
import { KerasLstm } from '../../src/train/kerasLstm.js';
import { SeededRandom } from '../../src/common/random.js';
import { runUnit } from '../../src/train/unit.js';
import { jenaCsv, jenaRow, plausibleValues } from '../fixtures/jena.js';

/** A small profile over a generated series: 2-day windows sampled hourly, 6 h ahead. */
const smallProfile: Profile = {
  epochs: 3, batchSize: 16, rationale: 'test', options: { lookback: 288, step: 6, delay: 36, stride: 12 },
};

async function generatedData() {
  const rows = Array.from({ length: 3000 }, (_, row) => jenaRow(row, plausibleValues(row)));
  const table = await parseJenaCsv(Readable.from([Buffer.from(jenaCsv(rows), 'utf8')]), 'generated.csv');
  return prepareJenaData(table, { trainRows: 1800, validationRows: 600, lookback: 288, step: 6, delay: 36, stride: 12 });
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('temperature experiment on a generated Jena series', () => {
  it('cuts windows per batch with the right shapes and targets', async () => {
    const data = await generatedData();
    const loaded = temperatureData(data, smallProfile);
    expect(loaded.train.size).toBe(data.anchors.train.length);
    const batch = loaded.train.take(Int32Array.from([0, 2]));
    expect(batch.x.shape).toEqual([2, 48, 14]);
    expect(batch.y.shape).toEqual([2, 1]);
    const anchor = data.anchors.train[2];
    const expectedTarget = data.series.values[(anchor + 36) * 14 + data.targetColumn];
    expect((await batch.y.data())[1]).toBeCloseTo(expectedTarget, 6);
    tf.dispose([batch.x, batch.y]);
    expect(loaded.referenceLines?.[0].valLoss).toBeCloseTo(data.notes.naiveBaseline.validation.mae, 9);
  });

  it('builds Keras 2.x\'s LSTM (our layer), not tfjs-layers\' hard-sigmoid one', () => {
    const model = temperature.buildModel(new SeededRandom(1), smallProfile);
    try {
      expect(model.layers[0]).toBeInstanceOf(KerasLstm);
      expect(model.layers[0].outputShape).toEqual([null, 32]);
    } finally {
      model.dispose();
    }
  });

  it('trains the LSTM through the shared loop, one fused forward and backward call per step: Adam lowers the loss, nothing leaks', async () => {
    const data = await generatedData();
    const loaded = temperatureData(data, smallProfile);
    const before = tf.memory().numTensors;
    let run: Awaited<ReturnType<typeof runUnit>> | undefined;
    const profile = await tf.profile(async () => {
      run = await runUnit(temperature, smallProfile, loaded, { optimizer: 'adam', impl: 'builtin', seed: 1, learningRate: 0.01 }, 'adam');
    });
    if (!run) throw new Error('runUnit did not finish');
    const trainingSteps = smallProfile.epochs * Math.ceil(loaded.train.size / smallProfile.batchSize);
    const calls = (name: string) => profile.kernels.filter((k) => k.name === name).length;
    expect(calls(FUSED_LSTM_GRAD)).toBe(trainingSteps);
    expect(calls(FUSED_LSTM)).toBeGreaterThanOrEqual(trainingSteps); // plus the validation batches
    expect(run.status).toBe('ok');
    expect(run.epochs).toHaveLength(3);
    expect(run.epochs[2].loss).toBeLessThan(run.epochs[0].loss);
    expect(tf.memory().numTensors).toBe(before);
  });
});
