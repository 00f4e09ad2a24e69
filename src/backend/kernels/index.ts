import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch_mat_mul.js';
import { conv2DConfig } from './conv2d.js';
import { equalConfig } from './equal.js';
import { conv2DBackpropFilterConfig } from './conv2d_backprop_filter.js';
import { conv2DBackpropInputConfig } from './conv2d_backprop_input.js';
import { gatherV2Config } from './gather_v2.js';
import { fusedLstmConfig, fusedLstmGradConfig } from './lstm.js';
import { castConfig, identityConfig, transposeConfig } from './identity.js';
import { maxPoolGradConfig } from './max_pool_grad.js';
import { sumConfig } from './sum.js';
import { MissingWasmKernelError } from '../errors.js';
import { unsortedSegmentSumConfig } from './unsorted_segment_sum.js';

/**
 * Kernels tfjs-backend-wasm 4.22 lacks but training needs (Conv2DBackpropFilter, UnsortedSegmentSum), a
 * replacement for one it has that is too slow and that the replacement covers completely (MaxPoolGrad), and
 * the fused LSTM's forward and backward passes (optbench's own kernels, used by src/train/kerasLstm.ts).
 */
const standaloneKernels: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig, unsortedSegmentSumConfig, maxPoolGradConfig, fusedLstmConfig, fusedLstmGradConfig,
];

/** Faster versions of wasm kernels for the common cases; each delegates the rest to the original it wraps. */
const wrappingKernels: Readonly<Record<string, (original: KernelFunc) => KernelConfig>> = {
  BatchMatMul: batchMatMulConfig,
  Cast: castConfig,
  Conv2D: conv2DConfig,
  Equal: equalConfig,
  Conv2DBackpropInput: conv2DBackpropInputConfig,
  GatherV2: gatherV2Config,
  Identity: identityConfig,
  Sum: sumConfig,
  Transpose: transposeConfig,
};

const ownKernelFuncs = new WeakSet<KernelFunc>();

function install(config: KernelConfig): void {
  if (getKernel(config.kernelName, 'wasm') !== undefined) unregisterKernel(config.kernelName, 'wasm');
  registerKernel(config);
  ownKernelFuncs.add(config.kernelFunc);
}

const isOurs = (kernelName: string) => {
  const current = getKernel(kernelName, 'wasm');
  return current !== undefined && ownKernelFuncs.has(current.kernelFunc);
};

/**
 * Registers the training kernels for the 'wasm' backend and replaces its slow gradient kernels. Idempotent.
 * Call after importing '@tensorflow/tfjs-backend-wasm' (the kernels delegate to its Conv2D, Transpose, ScatterNd...).
 */
export function registerWasmTrainingKernels(): void {
  for (const config of standaloneKernels) {
    if (!isOurs(config.kernelName)) install(config);
  }
  for (const [kernelName, wrap] of Object.entries(wrappingKernels)) {
    if (isOurs(kernelName)) continue;
    const original = getKernel(kernelName, 'wasm');
    if (original === undefined) throw new MissingWasmKernelError(kernelName);
    install(wrap(original.kernelFunc));
  }
}
