import {
  backend_util,
  MaxPoolGrad,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from './simd/module.js';

interface MaxPoolGradArgs {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
}

/**
 * Routes each window's gradient to the first maximum of that window (scan order, strictly greater wins, as
 * the cpu kernel does), accumulating where windows overlap: `max_pool_grad` of simd/training_kernels.c, four
 * channels at a time, on the backend's heap in place.
 *
 * Why not wasm's own: its MaxPoolGrad loops over every input pixel and, for each, over every window that
 * could contain it (~80 ms for 128×26×26×32, the Fashion CNN's first pool); MaxPoolWithArgmax returns index 0
 * for windows whose maximum is ≤ 0 (a tfjs-backend-wasm 4.22 bug that ReLU outputs hit); a formulation with
 * Equal/Multiply on [N, OH, kh, OW, kw, C] views was ~20× slower still; and a JS loop over heap views took
 * 31 ms for that pool (SIMD: see docs/performance.md).
 */
function maxPoolGrad({ inputs, backend, attrs }: MaxPoolGradArgs): TensorInfo {
  const { dy, input } = inputs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const out = backend.makeOutput(input.shape, 'float32');
  simdKernels(backend).max_pool_grad({
    x: heapOffset(backend, input), dy: heapOffset(backend, dy), dx: heapOffset(backend, out),
    batch: info.batchSize, inHeight: info.inHeight, inWidth: info.inWidth, channels: info.inChannels,
    outHeight: info.outHeight, outWidth: info.outWidth, strideHeight: info.strideHeight, strideWidth: info.strideWidth,
    filterHeight: info.effectiveFilterHeight, filterWidth: info.effectiveFilterWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left,
  });
  return out;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
