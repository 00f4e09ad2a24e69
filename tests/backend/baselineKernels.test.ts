import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it, vi } from 'vitest';

// The fallback for runtimes without relaxed SIMD, chosen here by the variable (before any kernel module loads).
vi.hoisted(() => {
  process.env.OPTBENCH_WASM_KERNELS = 'baseline';
});

const { registerWasmTrainingKernels } = await import('../../src/backend/kernels/index.js');
const { SIMD_KERNELS_BUILDS, simdKernelsBuild, simdKernelsDigest } = await import('../../src/backend/kernels/simd/module.js');
await import('../../src/backend/select.js');

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

/** conv2d and both its gradients (dy seeded), on `backend`. */
async function convAndGradients(backend: 'wasm' | 'cpu', inC: number, outC: number, stride: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const results = tf.tidy(() => {
    const x = tf.randomNormal([2, 9, 11, inC], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 3, inC, outC], 0, 1, 'float32', 2);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'valid');
    const r = tf.randomNormal(f(x, w).shape, 0, 1, 'float32', 3);
    return [f(x, w), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), r)))([x, w])];
  });
  const values = results.map((t) => t.dataSync() as Float32Array);
  tf.dispose(results);
  return values;
}

describe('the baseline (plain SIMD128) kernel build', () => {
  it('is the one loaded when OPTBENCH_WASM_KERNELS=baseline, and the one a run records', () => {
    expect(simdKernelsBuild()).toBe('baseline');
    const sha = createHash('sha256').update(readFileSync(SIMD_KERNELS_BUILDS.baseline)).digest('hex');
    expect(simdKernelsDigest()).toBe(`sha256:${sha}`);
  });

  // Stride 1 with Cin 8: direct forward, direct filter product, padded-forward input gradient; stride 2: col2im.
  it.each([[8, 8, 1], [4, 12, 2]])('computes conv2d and its gradients as cpu does (Cin %i, Cout %i, stride %i)', async (inC, outC, stride) => {
    const reference = await convAndGradients('cpu', inC, outC, stride);
    const actual = await convAndGradients('wasm', inC, outC, stride);
    reference.forEach((ref, i) => {
      const scale = Math.max(1, ...ref.map(Math.abs));
      const diff = Math.max(...actual[i].map((v, j) => Math.abs(v - ref[j])));
      expect(diff).toBeLessThanOrEqual(1e-4 * scale);
    });
  });
});
