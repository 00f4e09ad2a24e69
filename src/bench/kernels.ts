/**
 * tinybench micro-benchmarks of the kernels that dominate the study's training steps, on the models' shapes,
 * on the active backend. The pure-JS cpu backend takes seconds per convolution at the training batch sizes,
 * so it runs the convolutions at batch 16 (`convBatch`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Bench } from 'tinybench';

export interface KernelBenchResult {
  name: string;
  backend: string;
  medianMs: number;
  samples: number;
}

interface KernelCase {
  name: string;
  /** Only on these backends (all when absent): formulations kept for comparison, cheap only on wasm. */
  backends?: string[];
  /** Builds inputs on the active backend; returns the call to time and the tensors to dispose afterwards. */
  setup(): { run: () => tf.Tensor | tf.Tensor[]; inputs: tf.Tensor[] };
}

const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

function convCases(name: string, xShape: number[], filterShape: number[]): KernelCase[] {
  const shapes = `${name} x[${xShape}] * w[${filterShape}]`;
  const setup = () => {
    const x = normal(xShape, 1) as tf.Tensor4D;
    const filter = normal(filterShape, 2) as tf.Tensor4D;
    const dy = tf.tidy(() => normal(tf.conv2d(x, filter, 1, 'valid').shape, 3));
    return { x, filter, dy };
  };
  const kernel = (kernelName: string, inputs: (t: ReturnType<typeof setup>) => tf.NamedTensorMap, attrs: object): KernelCase => ({
    name: `${kernelName} ${shapes}`,
    setup() {
      const tensors = setup();
      const named = inputs(tensors);
      // A fresh dy per call, as in training: XNNPACK caches what it packed per tensor, so reusing one dy
      // would hide the per-step packing cost (the copy costs ~1 ms of the time shown).
      const fresh = (): tf.NamedTensorMap => ('dy' in named ? { ...named, dy: tf.add(named.dy, 0) } : named);
      return { run: () => tf.tidy(() => tf.engine().runKernel(kernelName, fresh(), attrs as never) as tf.Tensor), inputs: Object.values(tensors) };
    },
  });
  const common = { strides: 1, pad: 'valid', dataFormat: 'NHWC' };
  return [
    kernel('Conv2D', ({ x, filter }) => ({ x, filter }), { ...common, dilations: 1 }),
    kernel('Conv2DBackpropFilter', ({ x, dy }) => ({ x, dy }), { ...common, filterShape }),
    kernel('Conv2DBackpropInput', ({ dy, filter }) => ({ dy, filter }), { ...common, inputShape: xShape }),
  ];
}

function maxPoolGradCase(name: string, xShape: number[], window: [number, number]): KernelCase {
  return {
    name: `MaxPoolGrad ${name} x[${xShape}] window ${window.join('x')}`,
    setup() {
      const input = tf.tidy(() => tf.relu(normal(xShape, 4))) as tf.Tensor4D;
      const output = tf.maxPool(input, window, window, 'valid');
      const dy = normal(output.shape, 5);
      const attrs = { filterSize: window, strides: window, pad: 'valid' };
      return { run: () => tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, attrs as never) as tf.Tensor, inputs: [input, output, dy] };
    },
  };
}

function simpleCase(name: string, shapes: number[][], run: (...inputs: tf.Tensor[]) => tf.Tensor, backends?: string[]): KernelCase {
  return {
    name,
    backends,
    setup() {
      const inputs = shapes.map((shape, i) => normal(shape, 10 + i));
      return { run: () => run(...inputs), inputs };
    },
  };
}

function embeddingCases(vocabulary: number, ids: number): KernelCase[] {
  const setup = () => ({
    table: normal([vocabulary, 128], 6),
    indices: tf.randomUniform([ids], 0, vocabulary, 'int32', 7) as tf.Tensor1D,
    rows: normal([ids, 128], 8),
  });
  return [
    {
      name: `GatherV2 ${ids} ids of [${vocabulary}, 128] (embedding lookup)`,
      setup() {
        const { table, indices, rows } = setup();
        return { run: () => tf.gather(table, indices), inputs: [table, indices, rows] };
      },
    },
    {
      name: `UnsortedSegmentSum ${ids} × 128 → ${vocabulary} (embedding gradient)`,
      setup() {
        const { table, indices, rows } = setup();
        return { run: () => tf.unsortedSegmentSum(rows, indices, vocabulary), inputs: [table, indices, rows] };
      },
    },
    // Formulations of the embedding gradient that were considered for UnsortedSegmentSum on wasm.
    {
      name: `  alternative: sort ids + SparseSegmentSum (${ids} ids)`,
      backends: ['wasm'],
      setup() {
        const { table, indices, rows } = setup();
        const run = () =>
          tf.tidy(() => {
            // Sort by id (TopK on negated ids gives ascending order with the permutation), then sum runs.
            const { values, indices: order } = tf.topk(tf.neg(tf.cast(indices, 'float32')), ids);
            const sortedIds = tf.cast(tf.neg(values), 'int32');
            const sums = tf.sparse.sparseSegmentSum(rows, order, sortedIds);
            return tf.pad(sums, [[0, vocabulary - sums.shape[0]], [0, 0]]); // rows after the largest id
          });
        return { run, inputs: [table, indices, rows] };
      },
    },
    {
      name: `  alternative: one-hot matmul (${ids / 10} ids, 1/10 of the batch)`,
      backends: ['wasm'],
      setup() {
        const indices = tf.randomUniform([ids / 10], 0, vocabulary, 'int32', 7);
        const rows = normal([ids / 10, 128], 8);
        return { run: () => tf.tidy(() => tf.matMul(tf.oneHot(indices, vocabulary), rows, true, false)), inputs: [indices, rows] };
      },
    },
  ];
}

/** The hot kernels of the Fashion CNN (batch `convBatch`) and IMDB model (batch 32, 500 words). */
function kernelCases(convBatch: number): KernelCase[] {
  return [
    ...convCases('Fashion conv1', [convBatch, 28, 28, 1], [3, 3, 1, 32]),
    ...convCases('Fashion conv2', [convBatch, 13, 13, 32], [3, 3, 32, 64]),
    ...convCases('IMDB conv1', [Math.min(convBatch, 32), 1, 500, 128], [1, 7, 128, 32]),
    maxPoolGradCase('Fashion pool1', [128, 26, 26, 32], [2, 2]),
    maxPoolGradCase('IMDB pool', [32, 1, 494, 32], [1, 5]),
    simpleCase('Transpose [128,26,26,32] → [32,26,26,128]', [[128, 26, 26, 32]], (x) => tf.transpose(x, [3, 1, 2, 0])),
    simpleCase('Sum [128,26,26,32] over N,H,W (bias gradient)', [[128, 26, 26, 32]], (x) => tf.sum(x, [0, 1, 2])),
    simpleCase('Equal [128,92,32] == [128,1,32] (IMDB global max pooling gradient mask)', [[128, 92, 32], [128, 1, 32]], (a, b) => tf.equal(a, b)),
    simpleCase('MatMul [1600,128]ᵀ·[1600,10] (dense weight gradient)', [[1600, 128], [1600, 10]], (a, b) => tf.matMul(a, b, true, false)),
    ...embeddingCases(10000, 16000),
  ];
}

/** Runs every case on the active backend; each case's median over ≥ `minIterations` calls. */
export async function benchmarkKernels(options: { convBatch: number; timeMs: number; minIterations: number }): Promise<KernelBenchResult[]> {
  const backend = tf.getBackend();
  const cases = kernelCases(options.convBatch).filter((c) => c.backends === undefined || c.backends.includes(backend));
  const bench = new Bench({ time: options.timeMs, iterations: options.minIterations, warmupIterations: 1 });
  for (const c of cases) {
    let prepared: ReturnType<KernelCase['setup']> | undefined;
    bench.add(c.name, () => tf.dispose(prepared!.run()), {
      beforeAll() {
        prepared = c.setup();
      },
      afterAll() {
        tf.dispose(prepared!.inputs);
      },
    });
  }
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result;
    const stats = 'latency' in result ? result.latency : undefined;
    return { name: task.name, backend, medianMs: stats?.p50 ?? Number.NaN, samples: stats?.samplesCount ?? 0 };
  });
}
