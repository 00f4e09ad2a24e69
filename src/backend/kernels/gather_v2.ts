import {
  backend_util,
  GatherV2,
  util,
  type GatherV2Attrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels, type HeapOffset } from './simd/module.js';

interface GatherV2Args {
  inputs: { x: TensorInfo; indices: TensorInfo };
  backend: BackendWasm;
  attrs: GatherV2Attrs;
}

/**
 * Gathers whole slices inside the wasm heap instead of wasm's Gather, which computes a strided offset per element
 * and is ~50x slower on an embedding lookup (16000 rows of 128 floats: ~170 ms): 4-byte values (float32, int32)
 * by `gather_rows` of simd/training_kernels.c (IMDB's 64000 rows: ~34 → ~5 ms of CPU time against one
 * `TypedArray.set` per row), other dtypes by a native copy per slice. Out-of-range indices and strings go to the
 * original kernel (which reports the bad index).
 */
function makeGatherV2(original: KernelFunc) {
  return function gatherV2(args: GatherV2Args): TensorInfo {
    const { inputs, backend, attrs } = args;
    const { x, indices } = inputs;
    const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
    const axisSize = x.shape[axis];
    // A copy, not a heap view: allocating the output may grow (and so detach) the wasm heap.
    const ids = backend.readSync(indices.dataId) as Int32Array;
    if (x.dtype === 'string' || !ids.every((id) => id >= 0 && id < axisSize)) {
      return original(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const { batchSize, outerSize, dimSize, sliceSize, outputShape } = backend_util.segment_util.collectGatherOpShapeInfo(
      x,
      indices,
      axis,
      attrs.batchDims,
    );
    const idsPerBatch = ids.length / batchSize;
    const out = backend.makeOutput(outputShape, x.dtype);
    if (x.dtype === 'float32' || x.dtype === 'int32') {
      const kernels = simdKernels(backend);
      const [xAt, idsAt, outAt] = [heapOffset(backend, x), heapOffset(backend, indices), heapOffset(backend, out)];
      const bytes = 4;
      for (let b = 0; b < batchSize; b++) {
        for (let o = 0; o < outerSize; o++) {
          kernels.gather_rows({
            x: (xAt + (b * outerSize + o) * dimSize * sliceSize * bytes) as HeapOffset,
            ids: (idsAt + b * idsPerBatch * bytes) as HeapOffset,
            out: (outAt + (b * outerSize + o) * idsPerBatch * sliceSize * bytes) as HeapOffset,
            count: idsPerBatch, rowValues: sliceSize,
          });
        }
      }
      return out;
    }
    // Views taken after makeOutput, which may have grown (and so replaced) the heap buffer.
    const source = backend.typedArrayFromHeap(x);
    const target = backend.typedArrayFromHeap(out);
    let written = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let o = 0; o < outerSize; o++) {
        const rowsStart = (b * outerSize + o) * dimSize * sliceSize;
        for (let i = 0; i < idsPerBatch; i++) {
          const start = rowsStart + ids[b * idsPerBatch + i] * sliceSize;
          target.set(source.subarray(start, start + sliceSize), written);
          written += sliceSize;
        }
      }
    }
    return out;
  };
}

export function gatherV2Config(original: KernelFunc): KernelConfig {
  return { kernelName: GatherV2, backendName: 'wasm', kernelFunc: makeGatherV2(original) as unknown as KernelFunc };
}
