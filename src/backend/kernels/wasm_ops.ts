import { getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { MissingWasmKernelError } from '../errors.js';

/**
 * Runs another wasm kernel from inside a kernel, without going through the engine, so the result is a
 * plain TensorInfo owned by the caller (no tape entry, no engine bookkeeping): the caller must either
 * return it or release it with `release`.
 */
export function runWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new MissingWasmKernelError(kernelName);
  return kernel.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

/** Releases intermediates produced by `runWasmKernel` (reshape outputs share storage; refcounts handle that). */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel(backend, 'Transpose', { x }, { perm });
}

export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasmKernel(backend, 'Reshape', { x }, { shape });
}

export function slice(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return runWasmKernel(backend, 'Slice', { x }, { begin, size });
}
