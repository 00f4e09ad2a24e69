import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/kernels/index.js';
import {
  SIMD_KERNEL_SIGNATURES, SIMD_KERNELS_BUILDS, SimdKernelsBuildError, relaxedSimdAvailable, simdKernels, simdKernelsBuild,
} from '../../src/backend/kernels/simd/module.js';
import '../../src/backend/select.js'; // gradients (the union tfjs bundle)

/** Section ids of a wasm binary, in order (https://webassembly.github.io/spec/core/binary/modules.html). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8; // magic + version
  while (at < bytes.length) {
    const id = bytes[at++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
    }
    ids.push(id);
    at += size;
  }
  return ids;
}

/** Bytes in the backend's heap now (the emscripten module's view of its memory). */
const heapBytes = (backend: BackendWasm) => (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.length;

const DATA_SECTION = 11;
const DATA_COUNT_SECTION = 12;
const START_SECTION = 8;

// Compiling the relaxed build needs relaxed SIMD, which relaxedSimdAvailable switches on for Node 20.
describe.each(Object.entries(SIMD_KERNELS_BUILDS))('the compiled SIMD training kernels, %s build', (_build, file) => {
  const bytes = new Uint8Array(readFileSync(file));
  expect(relaxedSimdAvailable()).toBe(true);
  const module = new WebAssembly.Module(bytes);

  it('import only the backend memory, so they work on its tensors in place', () => {
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  it('carry no data segments and no start function, which would write into the shared heap on instantiation', () => {
    const ids = sectionIds(bytes);
    expect(ids.length).toBeGreaterThan(3); // parsed: type, function, code... sections
    expect(ids).not.toContain(DATA_SECTION);
    expect(ids).not.toContain(DATA_COUNT_SECTION);
    expect(ids).not.toContain(START_SECTION);
  });

  it('export the stack pointer for the loader and every kernel the TypeScript side calls', () => {
    const exported = WebAssembly.Module.exports(module).map((e) => `${e.kind} ${e.name}`);
    expect(exported).toEqual(
      expect.arrayContaining([
        'global __stack_pointer',
        'function max_pool_grad',
        'function conv2d_backprop_filter_valid',
        'function pack_filter_for_input_gradient',
        'function conv2d_backprop_input_valid',
        'function conv2d_valid',
        'function lstm_forward',
        'function lstm_backward',
      ]),
    );
  });

  it('take as many arguments as the signature table in simd/module.ts names, kernel by kernel', () => {
    const instance = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 16 }) } });
    const arity = Object.fromEntries(Object.keys(SIMD_KERNEL_SIGNATURES).map((name) => [name, (instance.exports[name] as (...args: number[]) => void).length]));
    const named = Object.fromEntries(Object.entries(SIMD_KERNEL_SIGNATURES).map(([name, args]) => [name, args.length]));
    expect(arity).toEqual(named);
    expect(named.lstm_backward).toBe(16);
  });
});

describe('the SIMD kernels bound to the wasm backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });

  it('get one instance per backend heap, with a 16-byte-aligned stack inside that heap', () => {
    const backend = tf.backend() as BackendWasm;
    const kernels = simdKernels(backend);
    expect(simdKernels(backend)).toBe(kernels);
    const stackTop = (kernels as unknown as { __stack_pointer: WebAssembly.Global }).__stack_pointer.value as number;
    // clang addresses stack slots as `sp | offset`: a stack top that is only 8-byte aligned makes slots alias.
    expect(stackTop % 16).toBe(0);
    expect(stackTop).toBeGreaterThan(0);
    expect(stackTop).toBeLessThanOrEqual(heapBytes(backend));
  });

  it('still see every tensor after the heap grows past its size at instantiation', () => {
    const backend = tf.backend() as BackendWasm;
    simdKernels(backend);
    const sizeBefore = heapBytes(backend);
    const filler = tf.zeros([sizeBefore / 4 + 1024]); // more than the whole heap: it must grow
    try {
      expect(heapBytes(backend)).toBeGreaterThan(sizeBefore);
      const x = tf.tensor4d([1, 5, 3, 2, -1, 4, 0, 6], [1, 2, 4, 1]);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(x);
      expect(Array.from(dx.dataSync())).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
      tf.dispose([x, dx]);
    } finally {
      filler.dispose();
    }
  });

  it('load the relaxed-SIMD build where the runtime has relaxed SIMD: its fused multiply-adds round once, so sums differ in the last bits', () => {
    expect(simdKernelsBuild()).toBe('relaxed');
    const backend = tf.backend() as BackendWasm;
    const memory = (backend.wasm as unknown as { asm: { memory: WebAssembly.Memory } }).asm.memory;
    const x = tf.randomNormal([1, 1, 64, 32], 0, 1, 'float32', 7);
    const w = tf.randomNormal([1, 3, 32, 8], 0, 1, 'float32', 8);
    const outputs = Object.values(SIMD_KERNELS_BUILDS).map((file) => {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { memory } });
      const out = tf.zeros([1, 1, 62, 8]);
      const at = (t: tf.Tensor) => backend.getMemoryOffset(t.dataId);
      (instance.exports.conv2d_valid as (...args: number[]) => void)(at(x), at(w), at(out), 1, 1, 64, 32, 1, 62, 8, 1, 1, 1, 3);
      const values = Array.from(out.dataSync());
      out.dispose();
      return values;
    });
    const [relaxed, baseline] = outputs;
    expect(relaxed).not.toEqual(baseline);
    relaxed.forEach((v, i) => expect(Math.abs(v - baseline[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(baseline[i]))));
    tf.dispose([x, w]);
  });

  it('refuse an OPTBENCH_WASM_KERNELS value that names no build, saying which ones exist', () => {
    expect(new SimdKernelsBuildError('fast').message).toMatch(/OPTBENCH_WASM_KERNELS=fast names no kernel build.*relaxed or baseline/);
  });
});
