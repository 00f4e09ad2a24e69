import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/kernels/index.js';
import { MIN_XNNPACK_PRODUCT, planMatMul } from '../../src/backend/kernels/batch_mat_mul.js';
import { usesDirectConvolution } from '../../src/backend/kernels/conv2d.js';
import { filterGradientFormulation, MAX_PATCH_VALUES } from '../../src/backend/kernels/conv2d_backprop_filter.js';
import { UnsupportedConvLayoutError } from '../../src/backend/errors.js';
import { inputGradientFormulation } from '../../src/backend/kernels/conv2d_backprop_input.js';
import type { Findings } from '../../experiments/claims/index.js';
import { EXPERIMENTS } from '../../experiments/index.js';
import '../../src/backend/select.js'; // the tfjs bundle's chained tensor methods (the LSTM's orthogonal initializer)
import type { ModelExperiment } from '../../src/train/definition.js';
import { train } from '../../src/train/loop.js';
import { SeededRandom } from '../../src/common/random.js';
import { syntheticSplit } from '../../src/bench/synthetic.js';

type BackendName = 'wasm' | 'cpu';

/** Seeded values, generated once and uploaded to each backend, so both see identical inputs. */
function seededValues(shape: number[], seed: number): { shape: number[]; values: Float32Array } {
  const t = tf.randomNormal(shape, 0, 1, 'float32', seed);
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return { shape, values };
}

/** Runs `compute` on a backend and downloads every result, leaving no tensors behind. */
async function on(backend: BackendName, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const results = tf.tidy(compute);
  const values = results.map((r) => r.dataSync() as Float32Array);
  tf.dispose(results);
  return values;
}

/** Max |wasm − cpu| must be within 1e-4 relative to the reference magnitude (at least 1). */
async function expectWasmMatchesCpu(compute: () => tf.Tensor[]): Promise<void> {
  const reference = await on('cpu', compute);
  const actual = await on('wasm', compute);
  expect(actual.length).toBe(reference.length);
  reference.forEach((ref, i) => {
    const got = actual[i];
    expect(got.length).toBe(ref.length);
    let maxRef = 0;
    let maxDiff = 0;
    for (let j = 0; j < ref.length; j++) {
      maxRef = Math.max(maxRef, Math.abs(ref[j]));
      maxDiff = Math.max(maxDiff, Math.abs(got[j] - ref[j]));
    }
    expect(maxRef).toBeGreaterThan(0); // a vanishing gradient would make the comparison vacuous
    expect(maxDiff).toBeLessThanOrEqual(1e-4 * Math.max(1, maxRef));
  });
}

/** f(x, w) and the gradients of Σ(f(x, w) · r) wrt x and w: r makes dy a non-trivial seeded tensor. */
function weightedSumGradients(
  f: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor,
  x: { shape: number[]; values: Float32Array },
  w: { shape: number[]; values: Float32Array },
  outputSeed: number,
): () => tf.Tensor[] {
  return () => {
    const xt = tf.tensor(x.values, x.shape);
    const wt = tf.tensor(w.values, w.shape);
    const output = f(xt, wt);
    const r = tf.tensor(seededValues(output.shape, outputSeed).values, output.shape);
    return [output, ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([xt, wt])];
  };
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  registerWasmTrainingKernels(); // idempotent: a second call must not wrap the overrides twice
});

describe('conv2d and its gradients on wasm match cpu', () => {
  const cases = [
    { batch: 3, size: [9, 9], inC: 1, outC: 4, k: 3, stride: 1, pad: 'valid' },
    { batch: 2, size: [8, 10], inC: 3, outC: 5, k: 3, stride: 1, pad: 'same' },
    { batch: 2, size: [9, 9], inC: 4, outC: 2, k: 3, stride: 2, pad: 'valid' },
    { batch: 2, size: [10, 8], inC: 2, outC: 6, k: 3, stride: 2, pad: 'valid' },
    { batch: 3, size: [7, 7], inC: 5, outC: 3, k: 2, stride: 2, pad: 'same' },
    { batch: 2, size: [8, 8], inC: 3, outC: 4, k: 4, stride: 2, pad: 'same' },
    { batch: 2, size: [11, 6], inC: 6, outC: 8, k: 5, stride: 1, pad: 'same' },
    { batch: 2, size: [5, 5], inC: 2, outC: 3, k: 1, stride: 2, pad: 'valid' },
    // Patches no longer than the output channels: the filter gradient is a patch product, not a convolution.
    { batch: 3, size: [9, 9], inC: 1, outC: 12, k: 3, stride: 2, pad: 'same' },
    { batch: 2, size: [10, 8], inC: 1, outC: 9, k: 3, stride: 2, pad: 'valid' },
    { batch: 2, size: [7, 9], inC: 2, outC: 20, k: 3, stride: 1, pad: 'same' },
    // The SIMD kernels' blocks: 8 adjacent taps (Cin 8, 16), 8- and 4-wide output-channel blocks (Cout 12),
    // position groups with a remainder (odd sizes), strided windows, and a wide stride-1 layer whose input
    // gradient is the padded forward convolution.
    { batch: 3, size: [7, 9], inC: 16, outC: 12, k: 3, stride: 1, pad: 'valid' },
    { batch: 2, size: [9, 8], inC: 8, outC: 8, k: 2, stride: 2, pad: 'valid' },
    { batch: 1, size: [30, 40], inC: 8, outC: 16, k: 2, stride: 1, pad: 'valid' },
    { batch: 1, size: [6, 7], inC: 12, outC: 4, k: 3, stride: 3, pad: 'valid' },
  ] as const;
  const infoOf = (c: (typeof cases)[number]) =>
    backend_util.computeConv2DInfo([c.batch, c.size[0], c.size[1], c.inC], [c.k, c.k, c.inC, c.outC], c.stride, 1, c.pad);
  const paths = (c: (typeof cases)[number]) =>
    `forward ${usesDirectConvolution(infoOf(c), 'NHWC') ? 'direct' : 'XNNPACK'}, ` +
    `filter gradient by ${filterGradientFormulation(infoOf(c))}, input gradient by ${inputGradientFormulation(infoOf(c), 'NHWC')}`;

  it('cover every formulation of the forward convolution and both gradients', () => {
    expect(new Set(cases.map((c) => usesDirectConvolution(infoOf(c), 'NHWC')))).toEqual(new Set([true, false]));
    expect(new Set(cases.map((c) => filterGradientFormulation(infoOf(c))))).toEqual(new Set(['direct product', 'patch product', 'convolution']));
    expect(new Set(cases.map((c) => inputGradientFormulation(infoOf(c), 'NHWC')))).toEqual(
      new Set(['padded forward', 'col2im', 'transposed convolution']),
    );
  });

  for (const c of cases) {
    it(`${c.size.join('x')}x${c.inC} → ${c.outC}, kernel ${c.k}, stride ${c.stride}, '${c.pad}' (${paths(c)})`, async () => {
      await expectWasmMatchesCpu(
        weightedSumGradients(
          (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad),
          seededValues([c.batch, ...c.size, c.inC], 1),
          seededValues([c.k, c.k, c.inC, c.outC], 2),
          3,
        ),
      );
    });
  }

  it('explicit padding wider than the kernel (handled by the original input-gradient kernel)', async () => {
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [3, 2], [1, 3], [0, 0]];
    await expectWasmMatchesCpu(
      weightedSumGradients((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, pad), seededValues([2, 6, 7, 3], 4), seededValues([2, 2, 3, 4], 5), 6),
    );
  });
});

describe('Conv2DBackpropFilter on wasm', () => {
  it('sums a batch whose patch matrix is built in parts', async () => {
    // The smallest such case: 9·batch·size² just above MAX_PATCH_VALUES (two parts: 291 images, then 9), and the
    // fewest output channels that still choose the patch product (9 = KH·KW·Cin). The earlier 350 × 40² × 16 did
    // 4.6× the work, 33 s alone and over its time limit at load 8.
    const [batch, size, outC] = [300, 40, 9];
    expect(9 * batch * size ** 2).toBeGreaterThan(MAX_PATCH_VALUES);
    expect(9 * (batch - 9) * size ** 2).toBeLessThanOrEqual(MAX_PATCH_VALUES); // a second, smaller part
    const info = backend_util.computeConv2DInfo([batch, size, size, 1], [3, 3, 1, outC], 1, 1, 'same');
    expect(filterGradientFormulation(info)).toBe('patch product');
    const x = seededValues([batch, size, size, 1], 22);
    const w = seededValues([3, 3, 1, outC], 23);
    const dy = seededValues([batch, size, size, outC], 24); // once, not once per backend
    await expectWasmMatchesCpu(() => {
      const xt = tf.tensor4d(x.values, x.shape as [number, number, number, number]);
      const wt = tf.tensor4d(w.values, w.shape as [number, number, number, number]);
      const dyt = tf.tensor(dy.values, dy.shape);
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: wt.shape };
      return [tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, attrs as never) as tf.Tensor];
    });
  });

  it('rejects channels-first data with a typed error, like the wasm forward Conv2D', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 5, 5]);
    const dy = tf.zeros([1, 3, 3, 3]);
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] };
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never)).toThrow(UnsupportedConvLayoutError);
    tf.dispose([x, dy]);
  });
});

describe('conv1d and its gradients on wasm match cpu', () => {
  // Width 41: little enough padding overhead (41/35) for col2im; 160: the padded forward convolution (as IMDB).
  for (const [stride, width] of [[1, 41], [2, 41], [1, 160]]) {
    it(`stride ${stride}, width ${width}`, async () => {
      await expectWasmMatchesCpu(
        weightedSumGradients(
          (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, stride, 'valid'),
          seededValues([3, width, 16], 7),
          seededValues([7, 16, 8], 8),
          9,
        ),
      );
    });
  }
});

/** Seeded values rounded to a few integers, so that windows hold tied maxima (as ReLU outputs often do). */
function tiedValues(shape: number[], seed: number): { shape: number[]; values: Float32Array } {
  const { values } = seededValues(shape, seed);
  return { shape, values: values.map((v) => Math.max(0, Math.round(v))) };
}

describe('max-pool gradients on wasm match cpu, ties included', () => {
  const cases: { name: string; shape: number[]; filter: [number, number]; stride: [number, number]; pad: 'valid' | 'same' }[] = [
    { name: "2x2 stride 2 'valid', odd size (last row dropped)", shape: [3, 7, 9, 4], filter: [2, 2], stride: [2, 2], pad: 'valid' },
    { name: "3x3 stride 2 'same' (overlapping windows)", shape: [2, 8, 7, 3], filter: [3, 3], stride: [2, 2], pad: 'same' },
    { name: '1x5 stride 5 (MaxPool1D)', shape: [2, 1, 23, 6], filter: [1, 5], stride: [1, 5], pad: 'valid' },
  ];
  for (const c of cases) {
    for (const [valuesName, values] of [['distinct', seededValues], ['tied', tiedValues]] as const) {
      it(`${c.name}, ${valuesName} values`, async () => {
        const x = values(c.shape, 17);
        await expectWasmMatchesCpu(() => {
          const xt = tf.tensor4d(x.values, x.shape as [number, number, number, number]);
          const pool = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.filter, c.stride, c.pad);
          const outShape = pool(xt).shape;
          const r = tf.tensor(seededValues(outShape, 18).values, outShape);
          return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), r)))(xt)];
        });
      });
    }
  }

  it('windows of only NaN or -Infinity pass nothing; NaN never wins a window', async () => {
    const x = seededValues([2, 6, 6, 5], 21);
    x.values.forEach((_, i) => {
      if (i % 7 === 0) x.values[i] = Number.NaN;
      if (i % 5 === 0) x.values[i] = Number.NEGATIVE_INFINITY;
    });
    x.values.fill(Number.NaN, 0, 12 * 5); // the first two rows of image 0: whole windows of NaN
    await expectWasmMatchesCpu(() => {
      const xt = tf.tensor4d(x.values, x.shape as [number, number, number, number]);
      const pool = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid');
      const r = tf.tensor(seededValues([2, 3, 3, 5], 22).values, [2, 3, 3, 5]);
      return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a), r)))(xt)];
    });
  });

  it('with explicit padding and ceil rounding (tfjs-core drops the rounding in the gradient, so run the kernel)', async () => {
    const x = tiedValues([2, 8, 8, 3], 19);
    const attrs = { filterSize: 3, strides: 2, pad: 1, dimRoundingMode: 'ceil' } as const;
    await expectWasmMatchesCpu(() => {
      const input = tf.tensor4d(x.values, x.shape as [number, number, number, number]);
      const output = tf.maxPool(input, attrs.filterSize, attrs.strides, attrs.pad, attrs.dimRoundingMode);
      const outShape: number[] = output.shape;
      const dy = tf.tensor(seededValues(outShape, 20).values, outShape);
      return [tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, { ...attrs }) as tf.Tensor];
    });
  });
});

describe('equal with broadcasting on wasm matches cpu', () => {
  const cases: { a: number[]; b: number[]; dtype: 'float32' | 'int32' }[] = [
    { a: [16, 9, 8], b: [16, 1, 8], dtype: 'float32' }, // a global max pooling's gradient mask
    { a: [3, 1, 5], b: [4, 1], dtype: 'float32' },
    { a: [2, 3], b: [3], dtype: 'int32' },
    { a: [5], b: [2, 1], dtype: 'int32' },
    { a: [2, 1, 4], b: [1, 3, 1], dtype: 'float32' },
    { a: [4, 4], b: [4, 4], dtype: 'float32' }, // same shapes: the original kernel
  ];
  for (const c of cases) {
    it(`[${c.a}] == [${c.b}] (${c.dtype})`, async () => {
      // Two values, so that both outcomes occur.
      const values = (shape: number[], seed: number) => seededValues(shape, seed).values.map((v) => (v > 0 ? 1 : 0));
      const [a, b] = [values(c.a, 30), values(c.b, 31)];
      await expectWasmMatchesCpu(() => [tf.cast(tf.equal(tf.tensor(a, c.a, c.dtype), tf.tensor(b, c.b, c.dtype)), 'float32')]);
    });
  }
});

describe('matrix products on wasm match cpu', () => {
  // Sizes above MIN_XNNPACK_PRODUCT multiply-adds, except the cases marked for the original kernel.
  const cases: { name: string; a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
    { name: 'Aᵀ·B (weight gradient)', a: [64, 40], b: [64, 48], transposeA: true, transposeB: false },
    { name: 'A·Bᵀ (input gradient)', a: [48, 64], b: [40, 64], transposeA: false, transposeB: true },
    { name: 'A·Bᵀ with a wide B (computed as (B·Aᵀ)ᵀ)', a: [8, 64], b: [200, 64], transposeA: false, transposeB: true },
    { name: 'Aᵀ·Bᵀ (computed as (B·A)ᵀ)', a: [64, 12], b: [160, 64], transposeA: true, transposeB: true },
    { name: 'rank 3, batch 1', a: [1, 64, 40], b: [1, 48, 64], transposeA: true, transposeB: true },
    { name: 'rank 3, batch 2 (original kernel)', a: [2, 7, 4], b: [2, 7, 3], transposeA: true, transposeB: false },
    { name: 'small (original kernel)', a: [7, 4], b: [7, 3], transposeA: true, transposeB: false },
    { name: 'untransposed (original kernel)', a: [6, 4], b: [4, 3], transposeA: false, transposeB: false },
  ];
  const dims = (c: (typeof cases)[number]) => {
    const [m, k] = c.transposeA ? c.a.slice(-2).reverse() : c.a.slice(-2);
    return { m, k, n: c.transposeB ? c.b.at(-2)! : c.b.at(-1)! };
  };
  const onXnnpack = (c: (typeof cases)[number]) => {
    const { m, k, n } = dims(c);
    const batch = c.a.slice(0, -2).reduce((product, size) => product * size, 1);
    return (c.transposeA || c.transposeB) && batch === 1 && m * k * n >= MIN_XNNPACK_PRODUCT;
  };

  it('cover both operand orders of the XNNPACK path', () => {
    const swapped = cases.filter(onXnnpack).map((c) => {
      const { m, k, n } = dims(c);
      return planMatMul(m, k, n, c.transposeA, c.transposeB).swapped;
    });
    expect(new Set(swapped)).toEqual(new Set([true, false]));
  });

  for (const c of cases) {
    it(c.name, async () => {
      const a = seededValues(c.a, 30);
      const b = seededValues(c.b, 31);
      await expectWasmMatchesCpu(() => [tf.matMul(tf.tensor(a.values, a.shape), tf.tensor(b.values, b.shape), c.transposeA, c.transposeB)]);
    });
  }

  it('gradients of a dense layer', async () => {
    await expectWasmMatchesCpu(
      weightedSumGradients((x, w) => tf.relu(tf.matMul(x, w)), seededValues([64, 40], 32), seededValues([40, 48], 33), 34),
    );
  });
});

describe('gather on wasm matches cpu', () => {
  it('along an inner axis with batch dims', async () => {
    const x = seededValues([3, 5, 4, 6], 20);
    const ids = Int32Array.from([4, 0, 4, 2, 1, 1, 3, 0, 2]);
    await expectWasmMatchesCpu(() => [tf.gather(tf.tensor(x.values, x.shape), tf.tensor(ids, [3, 3], 'int32'), 1, 1)]);
  });

  it('int32 rows along axis 0', async () => {
    const rows = Int32Array.from({ length: 40 }, (_, i) => i * 3 - 17);
    const ids = Int32Array.from([9, 0, 9, 3]);
    await expectWasmMatchesCpu(() => [tf.cast(tf.gather(tf.tensor(rows, [10, 4], 'int32'), tf.tensor1d(ids, 'int32')), 'float32')]);
  });

  it('rejects an out-of-range index like the original kernel', async () => {
    await tf.setBackend('wasm');
    expect(() => tf.gather(tf.zeros([4, 2]), tf.tensor1d([1, 4], 'int32'))).toThrow(/not in \[0, 3\]/);
  });
});

describe('sums on wasm match cpu', () => {
  const cases: { name: string; axis: number[]; keepDims: boolean }[] = [
    { name: 'over the leading axes (bias gradient)', axis: [0, 1, 2], keepDims: false },
    { name: 'over the leading axes, unordered, keeping dims', axis: [1, 0], keepDims: true },
    { name: 'over inner axes (original kernel)', axis: [1, 3], keepDims: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const x = seededValues([16, 9, 7, 5], 21);
      await expectWasmMatchesCpu(() => [tf.sum(tf.tensor(x.values, x.shape), c.axis, c.keepDims)]);
    });
  }
});

describe('segment sums on wasm match cpu', () => {
  it('embedding lookup (gather) gradient with repeated ids', async () => {
    const params = seededValues([50, 16], 10);
    // 3 × 40 ids drawn from 0..19: many repeats, and rows 20..49 get no gradient.
    const ids = Int32Array.from({ length: 120 }, (_, i) => (i * 7) % 20);
    await expectWasmMatchesCpu(() => {
      const p = tf.tensor(params.values, params.shape);
      const idx = tf.tensor(ids, [3, 40], 'int32');
      const r = tf.tensor(seededValues([3, 40, 16], 11).values, [3, 40, 16]);
      return [tf.grad((q: tf.Tensor) => tf.sum(tf.mul(tf.gather(q, idx), r)))(p)];
    });
  });

  it('adds the rows in the order wasm\'s ScatterNd does, so the sums agree to the bit (rows of 18: vectors and a tail)', async () => {
    await tf.setBackend('wasm');
    const x = seededValues([300, 18], 13);
    const ids = Int32Array.from({ length: 300 }, (_, i) => (i * 11) % 7);
    const [segmentSums, scattered] = await on('wasm', () => {
      const rows = tf.tensor(x.values, x.shape);
      return [tf.unsortedSegmentSum(rows, tf.tensor1d(ids, 'int32'), 9), tf.scatterND(tf.tensor2d(ids, [300, 1], 'int32'), rows, [9, 18])];
    });
    expect(Array.from(segmentSums)).toEqual(Array.from(scattered));
    expect(segmentSums.slice(7 * 18).every((v) => v === 0)).toBe(true); // segments 7 and 8 get no row
  });

  it('drops ids outside [0, numSegments) like the cpu backend', async () => {
    const x = seededValues([6, 4], 12);
    const ids = Int32Array.from([2, -1, 0, 7, 2, 1]);
    await expectWasmMatchesCpu(() => [tf.unsortedSegmentSum(tf.tensor(x.values, x.shape), tf.tensor1d(ids, 'int32'), 3)]);
  });
});

describe('wasm training kernels', () => {
  it('leak no tensors during a gradient computation', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor(seededValues([2, 9, 9, 3], 13).values, [2, 9, 9, 3]);
    const w = tf.tensor(seededValues([3, 3, 3, 4], 14).values, [3, 3, 3, 4]);
    const params = tf.tensor(seededValues([20, 8], 15).values, [20, 8]);
    const ids = tf.tensor1d([1, 5, 1, 19, -1], 'int32');
    const lossOf = (a: tf.Tensor, b: tf.Tensor, p: tf.Tensor) =>
      tf.add(tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')), tf.sum(tf.unsortedSegmentSum(tf.gather(p, tf.abs(ids)), ids, 20)));
    tf.dispose(tf.grads(lossOf)([x, w, params])); // warm-up: first calls may allocate caches
    const before = tf.memory().numTensors;
    const grads = tf.grads(lossOf)([x, w, params]);
    expect(tf.memory().numTensors).toBe(before + grads.length);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, params, ids]);
  });

  // The real experiment models (their quick profiles' shapes) on synthetic batches, through the real loop.
  const modelExperiments = Object.values(EXPERIMENTS).filter((e): e is ModelExperiment & Findings => e.kind === 'model');
  for (const experiment of modelExperiments) {
    it(`trains the ${experiment.name} model on wasm without missing kernels or leaks`, async () => {
      await tf.setBackend('wasm');
      const profile = experiment.profiles.quick;
      const model = experiment.buildModel(new SeededRandom(1), profile);
      const optimizer = tf.train.adam();
      const data = syntheticSplit(model, experiment.loss, 8, 2);
      const epoch = () => train({
        model, optimizer, train: data, validation: null, loss: experiment.loss, metric: experiment.metric.name, epochs: 1, batchSize: 4, seed: 1,
      });
      const first = await epoch(); // creates the optimizer's slot variables
      const before = tf.memory().numTensors;
      const second = await epoch();
      expect(tf.memory().numTensors).toBe(before);
      expect([first.status, second.status]).toEqual(['ok', 'ok']);
      expect(second.epochs[0].loss).not.toBe(first.epochs[0].loss); // the steps changed the weights
      model.dispose();
      optimizer.dispose();
    });
  }
});
