import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/kernels/index.js';
import { FUSED_LSTM, FUSED_LSTM_GRAD } from '../../src/backend/kernels/lstm.js';
import '../../src/backend/select.js'; // the tfjs bundle's gradients and chained methods (orthogonal initializer)
import { hasFusedLstm, KerasLstm, lstmFromOps, lstmLastState } from '../../src/train/kerasLstm.js';
import { train } from '../../src/train/loop.js';

type LstmArgs = Parameters<typeof tfl.layers.lstm>[0];

interface Values {
  shape: number[];
  values: Float32Array;
}

/** Seeded values, generated once and uploaded to each backend, so both see identical inputs. */
function seeded(shape: number[], seed: number, scale = 1): Values {
  const t = tf.randomNormal(shape, 0, scale, 'float32', seed);
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return { shape, values };
}

interface LstmCase {
  batch: number;
  timesteps: number;
  features: number;
  units: number;
  /** Standard deviation of the weights (large: gates saturate, pre-activations reach the exp clamp). */
  weightScale?: number;
}

function caseValues({ batch, timesteps, features, units, weightScale = 0.3 }: LstmCase) {
  return {
    x: seeded([batch, timesteps, features], 1),
    kernel: seeded([features, 4 * units], 2, weightScale),
    recurrentKernel: seeded([units, 4 * units], 3, weightScale),
    bias: seeded([4 * units], 4, weightScale),
    weight: seeded([batch, units], 5),
  };
}

/** h_T and the gradients of Σ(h_T · r) wrt x, kernel, recurrent kernel and bias (r makes dy non-trivial). */
function outputAndGradients(values: ReturnType<typeof caseValues>, lstm: typeof lstmLastState): tf.Tensor[] {
  const t = (v: Values) => tf.tensor(v.values, v.shape);
  const [x, kernel, recurrentKernel, bias, weight] = [values.x, values.kernel, values.recurrentKernel, values.bias, values.weight].map(t);
  const f = (a: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
    lstm(a as tf.Tensor3D, k as tf.Tensor2D, r as tf.Tensor2D, b as tf.Tensor1D);
  const output = f(x, kernel, recurrentKernel, bias);
  const grads = tf.grads((a, k, r, b) => tf.sum(tf.mul(f(a, k, r, b), weight)))([x, kernel, recurrentKernel, bias]);
  return [output, ...grads];
}

async function on(backend: 'wasm' | 'cpu', compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const results = tf.tidy(compute);
  const values = results.map((r) => r.dataSync() as Float32Array);
  tf.dispose(results);
  return values;
}

/** max |actual − reference| over max |reference|, per tensor (0 when both are exactly zero). */
function relativeErrors(actual: Float32Array[], reference: Float32Array[], zero: readonly number[] = []): number[] {
  return reference.map((ref, i) => {
    expect(actual[i].length).toBe(ref.length);
    let maxRef = 0;
    let maxDiff = 0;
    for (let j = 0; j < ref.length; j++) {
      maxRef = Math.max(maxRef, Math.abs(ref[j]));
      maxDiff = Math.max(maxDiff, Math.abs(actual[i][j] - ref[j]));
    }
    if (zero.includes(i)) {
      expect([maxRef, maxDiff]).toEqual([0, 0]);
      return 0;
    }
    expect(maxRef).toBeGreaterThan(0); // a vanishing gradient would make the comparison vacuous
    return maxDiff / maxRef;
  });
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

describe('the fused LSTM on wasm against the LSTM from tfjs ops on cpu', () => {
  const cases: [string, LstmCase][] = [
    // The study's shape with the batch cut from 128 to 4: every batch row runs the same code, and the
    // cpu reference (240 unrolled timesteps) would take most of a minute at 128.
    ['the study\'s shape (240 × 14, units 32; batch 4)', { batch: 4, timesteps: 240, features: 14, units: 32 }],
    ['one timestep', { batch: 4, timesteps: 1, features: 3, units: 8 }],
    ['units not a multiple of 4, odd batch', { batch: 5, timesteps: 9, features: 2, units: 7 }],
    ['batch 1, units 1', { batch: 1, timesteps: 6, features: 5, units: 1 }],
    ['batch 1, units 6', { batch: 1, timesteps: 3, features: 1, units: 6 }],
    ['saturated gates (pre-activations in the tens)', { batch: 3, timesteps: 12, features: 6, units: 8, weightScale: 8 }],
    ['tiny pre-activations (tanh\'s polynomial range)', { batch: 3, timesteps: 12, features: 6, units: 8, weightScale: 0.01 }],
  ];
  it.each(cases)('%s: output and every gradient within 1e-4 relative', async (_, shape) => {
    const values = caseValues(shape);
    const reference = await on('cpu', () => outputAndGradients(values, lstmFromOps));
    const fused = await on('wasm', () => {
      expect(hasFusedLstm()).toBe(true);
      return outputAndGradients(values, lstmLastState);
    });
    // With one timestep h_{t-1} is the zero initial state: the recurrent kernel's gradient is exactly zero.
    const errors = relativeErrors(fused, reference, shape.timesteps === 1 ? [3] : []);
    expect(errors).toHaveLength(5); // h_T, dx, dKernel, dRecurrentKernel, dBias
    for (const error of errors) expect(error).toBeLessThanOrEqual(1e-4);
  });
});

/** A model of one LSTM layer (ours or tfjs-layers') and a Dense head, seeded like the temperature model. */
function lstmModel(layer: 'ours' | LstmArgs, inputShape: [number, number], units: number): tfl.Sequential {
  const kernelInitializer = tfl.initializers.glorotUniform({ seed: 11 });
  const recurrentInitializer = tfl.initializers.orthogonal({ seed: 12 });
  const recurrent = layer === 'ours'
    ? new KerasLstm({ inputShape, units, kernelInitializer, recurrentInitializer })
    : tfl.layers.lstm({ ...layer, inputShape, units, kernelInitializer, recurrentInitializer });
  return tfl.sequential({ layers: [recurrent, tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 13 }) })] });
}

describe('KerasLstm computes Keras 2.x\'s LSTM', () => {
  it('initialises like tfjs-layers\' LSTM with unit forget bias, and computes what it computes with a sigmoid recurrent activation', async () => {
    await tf.setBackend('cpu');
    const x = seeded([3, 5, 4], 21);
    const keras: LstmArgs = { units: 6, recurrentActivation: 'sigmoid', unitForgetBias: true };
    const ours = lstmModel('ours', [5, 4], 6);
    const theirs = lstmModel(keras, [5, 4], 6);
    const tfjsDefault = lstmModel({ units: 6 }, [5, 4], 6); // hard sigmoid, no unit forget bias
    try {
      const weights = (model: tfl.Sequential) => model.getWeights().map((w) => Array.from(w.dataSync()));
      expect(weights(ours)).toEqual(weights(theirs));
      const bias = weights(ours)[2];
      expect(bias).toEqual([...Array(6).fill(0), ...Array(6).fill(1), ...Array(12).fill(0)]);
      const predict = (model: tfl.Sequential) => tf.tidy(() => Array.from((model.predict(tf.tensor(x.values, x.shape)) as tf.Tensor).dataSync()));
      const [a, b, c] = [predict(ours), predict(theirs), predict(tfjsDefault)];
      a.forEach((value, i) => expect(value).toBeCloseTo(b[i], 6));
      expect(Math.max(...a.map((value, i) => Math.abs(value - c[i])))).toBeGreaterThan(1e-3); // the defaults differ
    } finally {
      [ours, theirs, tfjsDefault].forEach((m) => m.dispose());
      await tf.setBackend('wasm');
    }
  });
});

describe('the fused LSTM in training', () => {
  it('is deterministic and reads nothing it did not write: the same results after the heap is filled with NaN', async () => {
    const values = caseValues({ batch: 3, timesteps: 10, features: 5, units: 7 });
    const first = await on('wasm', () => outputAndGradients(values, lstmLastState));
    // Freed NaN-filled blocks: the kernels' outputs and scratch are allocated where these were.
    tf.dispose(Array.from({ length: 8 }, () => tf.fill([4096], Number.NaN)));
    const second = await on('wasm', () => outputAndGradients(values, lstmLastState));
    expect(second.map((v) => Array.from(v))).toEqual(first.map((v) => Array.from(v)));
    for (const v of second) expect(v.every(Number.isFinite)).toBe(true);
  });

  it('runs as one forward and one backward kernel call per step', async () => {
    await tf.setBackend('wasm');
    const values = caseValues({ batch: 2, timesteps: 30, features: 3, units: 4 });
    const profile = await tf.profile(() => tf.dispose(outputAndGradients(values, lstmLastState)));
    const calls = (name: string) => profile.kernels.filter((k) => k.name === name).length;
    // outputAndGradients runs the LSTM twice: once for the output, once under tf.grads.
    expect([calls(FUSED_LSTM), calls(FUSED_LSTM_GRAD)]).toEqual([2, 1]);
    expect(profile.kernels.length).toBeLessThan(30); // nothing per timestep
  });

  it('trains through the shared loop on wasm: the loss falls and no tensor is left behind', async () => {
    await tf.setBackend('wasm');
    const model = lstmModel('ours', [12, 3], 5);
    const optimizer = tf.train.adam(0.02);
    const samples = 48;
    const x = seeded([samples, 12, 3], 31);
    // A learnable target: the mean of the last timestep's features.
    const y = Float32Array.from({ length: samples }, (_, s) => (x.values[(s * 12 + 11) * 3] + x.values[(s * 12 + 11) * 3 + 1] + x.values[(s * 12 + 11) * 3 + 2]) / 3);
    const split = {
      size: samples,
      take(indices: Int32Array) {
        const rows = Array.from(indices);
        const xs = new Float32Array(rows.length * 36);
        rows.forEach((row, i) => xs.set(x.values.subarray(row * 36, (row + 1) * 36), i * 36));
        return { x: tf.tensor3d(xs, [rows.length, 12, 3]), y: tf.tensor2d(rows.map((row) => y[row]), [rows.length, 1]) };
      },
    };
    const run = (epochs: number) => train({ model, optimizer, train: split, validation: split, loss: 'meanSquaredError', metric: null, epochs, batchSize: 16, seed: 1 });
    try {
      await run(1); // optimizer slots are created on the first step
      const before = tf.memory().numTensors;
      const outcome = await run(6);
      expect(tf.memory().numTensors).toBe(before);
      expect(outcome.status).toBe('ok');
      expect(outcome.epochs[5].loss).toBeLessThan(outcome.epochs[0].loss * 0.8);
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });
});
