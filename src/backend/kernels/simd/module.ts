import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';

/** The compiled training_kernels.c (committed; rebuilt and compared by `npm run build:kernels -- --check`). */
export const SIMD_KERNELS_WASM = new URL('./training_kernels.wasm', import.meta.url);

/** Stack for the C code's locals (a few hundred bytes are used), malloc'ed from the backend's heap. */
const STACK_BYTES = 64 * 1024;

/** Thrown when the committed training_kernels.wasm is missing or does not export what the kernels call. */
export class SimdKernelsLoadError extends Error {
  override readonly name = 'SimdKernelsLoadError';
  constructor(detail: string, fix = 'Reinstall optbench, or rebuild them with `npm run build:kernels` (needs clang and lld).') {
    super(`Cannot load the wasm training kernels (${SIMD_KERNELS_WASM.pathname}): ${detail}. ${fix}`);
  }
}

/**
 * A convolution's geometry as the C kernels take it: batch, inHeight, inWidth, inChannels, outHeight, outWidth,
 * outChannels, strideHeight, strideWidth, filterHeight, filterWidth.
 */
export type ConvGeometry = [number, number, number, number, number, number, number, number, number, number, number];

export function convGeometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.strideHeight, info.strideWidth, info.filterHeight, info.filterWidth,
  ];
}

/** The exports of training_kernels.c; pointers are byte offsets into the backend's heap. */
export interface SimdKernels {
  max_pool_grad(
    x: number, dy: number, dx: number, batch: number, inHeight: number, inWidth: number, channels: number,
    outHeight: number, outWidth: number, strideHeight: number, strideWidth: number, filterHeight: number,
    filterWidth: number, padTop: number, padLeft: number,
  ): void;
  conv2d_valid(x: number, w: number, out: number, tapOffsets: number, ...geometry: ConvGeometry): void;
  conv2d_backprop_filter_valid(x: number, dy: number, dw: number, ...geometry: ConvGeometry): void;
  pack_filter_for_input_gradient(w: number, packed: number, taps: number, outChannels: number): void;
  conv2d_backprop_input_valid(dy: number, packedFilter: number, dx: number, ...geometry: ConvGeometry): void;
}

const EXPORTED_FUNCTIONS: readonly (keyof SimdKernels)[] = [
  'max_pool_grad',
  'conv2d_backprop_filter_valid',
  'pack_filter_for_input_gradient',
  'conv2d_backprop_input_valid',
  'conv2d_valid',
];

interface EmscriptenHeap {
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
}

let compiled: WebAssembly.Module | undefined;
/** One instance per backend heap: a re-created wasm backend has a new memory and needs its own. */
/**
 * sha256 of the committed training_kernels.wasm: recorded with every wasm run, since the curves are
 * reproducible bit for bit only with the same kernels (the convergence check's exact replay).
 */
export function simdKernelsDigest(): string {
  try {
    return `sha256:${createHash('sha256').update(readFileSync(SIMD_KERNELS_WASM)).digest('hex')}`;
  } catch (error) {
    throw new SimdKernelsLoadError((error as Error).message);
  }
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

function compile(): WebAssembly.Module {
  if (compiled) return compiled;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(SIMD_KERNELS_WASM));
  } catch (error) {
    throw new SimdKernelsLoadError((error as Error).message);
  }
  try {
    compiled = new WebAssembly.Module(bytes);
  } catch (error) {
    throw new SimdKernelsLoadError(`this runtime cannot compile it (${(error as Error).message})`, 'It needs WebAssembly SIMD: use Node.js 20 or newer.');
  }
  return compiled;
}

/**
 * The SIMD kernels bound to `backend`'s heap: the module imports the backend's own memory (so it sees every
 * tensor in place, also after the heap grows) and gets a stack malloc'ed from it.
 */
export function simdKernels(backend: BackendWasm): SimdKernels {
  const heap = backend.wasm as unknown as EmscriptenHeap;
  const memory = heap.asm.memory;
  const existing = instances.get(memory);
  if (existing) return existing;
  const instance = new WebAssembly.Instance(compile(), { env: { memory } });
  const exports = instance.exports as Record<string, unknown>;
  for (const name of EXPORTED_FUNCTIONS) {
    if (typeof exports[name] !== 'function') throw new SimdKernelsLoadError(`it does not export ${name}`);
  }
  const stackPointer = exports.__stack_pointer;
  if (!(stackPointer instanceof WebAssembly.Global)) throw new SimdKernelsLoadError('it does not export __stack_pointer');
  const stackBottom = heap._malloc(STACK_BYTES);
  // The stack grows down, and its top must be 16-byte aligned: clang addresses stack slots with `sp | offset`
  // where it knows sp's low bits are zero (malloc only guarantees 8, and then slots alias).
  stackPointer.value = (stackBottom + STACK_BYTES) & ~15;
  const kernels = exports as unknown as SimdKernels;
  instances.set(memory, kernels);
  return kernels;
}

/** Byte offset of a tensor's values in the backend's heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return backend.getMemoryOffset(info.dataId);
}
