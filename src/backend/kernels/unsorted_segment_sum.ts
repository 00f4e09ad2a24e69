import {
  UnsortedSegmentSum,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type UnsortedSegmentSumAttrs,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, reshape, runWasmKernel, slice } from './wasm_ops.js';

/**
 * out[s, ...] = Σ_{i: segmentIds[i] = s} x[i, ...]. This is exactly ScatterNd with the ids as 1-element
 * indices (ScatterNd accumulates duplicates), a single pass over x in wasm — far cheaper than a one-hot
 * matmul (numIds × numSegments) or a sort followed by a segment reduction (see src/bench/kernels.ts).
 *
 * Ids outside [0, numSegments) are dropped, as on the cpu backend. ScatterNd would write out of bounds
 * for them, so they are redirected to an extra scratch segment that is sliced off.
 */
function unsortedSegmentSum({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs;
  const sliceShape = x.shape.slice(segmentIds.shape.length);
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const allInRange = ids.every((id) => id >= 0 && id < numSegments);
  const indexShape = [...segmentIds.shape, 1];
  if (allInRange) {
    const indices = reshape(backend, segmentIds, indexShape);
    const out = runWasmKernel(backend, 'ScatterNd', { indices, updates: x }, { shape: [numSegments, ...sliceShape] });
    release(backend, indices);
    return out;
  }
  const redirected = Int32Array.from(ids, (id) => (id >= 0 && id < numSegments ? id : numSegments));
  const indices = backend.makeOutput(indexShape, 'int32', undefined, redirected);
  const withScratch = runWasmKernel(backend, 'ScatterNd', { indices, updates: x }, { shape: [numSegments + 1, ...sliceShape] });
  const out = slice(backend, withScratch, [0, ...sliceShape.map(() => 0)], [numSegments, ...sliceShape]);
  release(backend, indices, withScratch);
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
