import { backend_util, Equal, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface EqualArgs {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
}

/** Strides of `shape` broadcast to `outShape` (0 along broadcast dimensions), aligned to outShape's rank. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const at = outShape.length - shape.length + i;
    strides[at] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/**
 * Equal with broadcasting, as a loop over heap views (the innermost dimension in a tight loop). wasm's own
 * broadcasting comparison computes a multi-index per element: 40–65 ms for the [128, 92, 32] == [128, 1, 32]
 * that the gradient of the IMDB model's global max pooling runs each step (tfjs-core's max gradient is
 * dy · (x == max)); this takes ~1 ms. Same shapes, and strings, go to the original kernel.
 */
function makeEqual(original: KernelFunc) {
  return function equal(args: EqualArgs): TensorInfo {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    const sameShape = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    if (sameShape || a.dtype === 'string' || b.dtype === 'string') {
      return original(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = backend.makeOutput(outShape, 'bool');
    // Views taken after makeOutput, which may have grown (and so replaced) the heap buffer.
    const aValues = backend.typedArrayFromHeap(a);
    const bValues = backend.typedArrayFromHeap(b);
    const result = backend.typedArrayFromHeap(out) as Uint8Array;
    if (result.length === 0) return out;
    const rank = outShape.length;
    const aStrides = broadcastStrides(a.shape, outShape);
    const bStrides = broadcastStrides(b.shape, outShape);
    const inner = outShape[rank - 1];
    const aInner = aStrides[rank - 1];
    const bInner = bStrides[rank - 1];
    const index = new Array<number>(rank).fill(0); // multi-index of the current innermost row
    let aRow = 0;
    let bRow = 0;
    for (let written = 0; written < result.length; written += inner) {
      for (let i = 0, ai = aRow, bi = bRow; i < inner; i++, ai += aInner, bi += bInner) {
        result[written + i] = aValues[ai] === bValues[bi] ? 1 : 0;
      }
      // Advance the outer multi-index like an odometer, moving both row offsets with it.
      for (let d = rank - 2; d >= 0; d--) {
        index[d]++;
        aRow += aStrides[d];
        bRow += bStrides[d];
        if (index[d] < outShape[d]) break;
        aRow -= aStrides[d] * outShape[d];
        bRow -= bStrides[d] * outShape[d];
        index[d] = 0;
      }
    }
    return out;
  };
}

export function equalConfig(original: KernelFunc): KernelConfig {
  return { kernelName: Equal, backendName: 'wasm', kernelFunc: makeEqual(original) as unknown as KernelFunc };
}
