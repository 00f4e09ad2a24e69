import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * training_kernels.c compiled twice (committed; rebuilt and compared by `npm run build:kernels -- --check`):
 * `relaxed` with WebAssembly relaxed SIMD's fused multiply-add in every product (one rounding per step, and ~15 %
 * faster convolutions here), `baseline` with a multiply and an add (plain SIMD128) for runtimes without relaxed
 * SIMD. The two give slightly different sums, so a run records which one it used (simdKernelsDigest).
 */
export const SIMD_KERNELS_BUILDS = {
  relaxed: new URL('./training_kernels.relaxed.wasm', import.meta.url),
  baseline: new URL('./training_kernels.wasm', import.meta.url),
} as const;
export type SimdKernelsBuild = keyof typeof SIMD_KERNELS_BUILDS;

/** Set to `baseline` to load the plain SIMD128 build even where relaxed SIMD is available (tests, comparisons). */
export const SIMD_KERNELS_BUILD_VARIABLE = 'OPTBENCH_WASM_KERNELS';

/** f32x4.relaxed_madd of three zero vectors: a module that compiles only where relaxed SIMD is enabled. */
const RELAXED_SIMD_PROBE = (() => {
  const zeros = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const body = [0x00, ...zeros, ...zeros, ...zeros, 0xfd, 0x85, 0x02, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
    0x03, 0x02, 0x01, 0x00, // function section
    0x0a, body.length + 2, 0x01, body.length, ...body, // code section
  ]);
})();

/**
 * Whether this runtime runs relaxed SIMD. Node 22+ (V8 ≥ 11.4) ships it; Node 20's V8 11.3 has it behind
 * --experimental-wasm-relaxed-simd, which V8 reads when it compiles a module, so it is switched on here for
 * this process (it only admits the new instructions; nothing else compiles differently).
 */
export function relaxedSimdAvailable(): boolean {
  if (WebAssembly.validate(RELAXED_SIMD_PROBE)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** Thrown when OPTBENCH_WASM_KERNELS names no build. */
export class SimdKernelsBuildError extends Error {
  override readonly name = 'SimdKernelsBuildError';
  constructor(value: string) {
    super(`${SIMD_KERNELS_BUILD_VARIABLE}=${value} names no kernel build: unset it (the relaxed-SIMD build where the runtime has it) or set it to ${Object.keys(SIMD_KERNELS_BUILDS).join(' or ')}.`);
  }
}

let chosenBuild: SimdKernelsBuild | undefined;

/** The build this process loads: relaxed where the runtime has relaxed SIMD, unless OPTBENCH_WASM_KERNELS says baseline. */
export function simdKernelsBuild(): SimdKernelsBuild {
  if (chosenBuild) return chosenBuild;
  const requested = process.env[SIMD_KERNELS_BUILD_VARIABLE];
  if (requested !== undefined && requested !== '' && !(requested in SIMD_KERNELS_BUILDS)) throw new SimdKernelsBuildError(requested);
  chosenBuild = requested === 'baseline' || !relaxedSimdAvailable() ? 'baseline' : 'relaxed';
  return chosenBuild;
}

/** The file of the build this process loads. */
export function simdKernelsFile(): URL {
  return SIMD_KERNELS_BUILDS[simdKernelsBuild()];
}

/** Stack for the C code's locals (a few hundred bytes are used), malloc'ed from the backend's heap. */
const STACK_BYTES = 64 * 1024;

/** Thrown when the committed training_kernels.wasm is missing or does not export what the kernels call. */
export class SimdKernelsLoadError extends Error {
  override readonly name = 'SimdKernelsLoadError';
  constructor(detail: string, fix = 'Reinstall optbench, or rebuild them with `npm run build:kernels` (needs clang 16 and its lld).') {
    super(`Cannot load the wasm training kernels (${simdKernelsFile().pathname}): ${detail}. ${fix}`);
  }
}

/** A byte offset into the backend's heap (a tensor's values, from `heapOffset`), never a count. */
export type HeapOffset = number & { readonly __heapOffset: unique symbol };

/** A convolution's geometry as the C kernels take it, in their argument order. */
const CONV_GEOMETRY = [
  'batch', 'inHeight', 'inWidth', 'inChannels', 'outHeight', 'outWidth', 'outChannels', 'strideHeight', 'strideWidth',
  'filterHeight', 'filterWidth',
] as const;

/**
 * Every export of training_kernels.c, its arguments named in the C order, written once: `name*` is a pointer
 * (a HeapOffset), any other name an int. The `SimdKernels` interface, the list of exports the loader checks and
 * the positional call are all derived from this table; the loader also checks each export's arity against it.
 */
export const SIMD_KERNEL_SIGNATURES = {
  max_pool_grad: [
    'x*', 'dy*', 'dx*', 'batch', 'inHeight', 'inWidth', 'channels', 'outHeight', 'outWidth', 'strideHeight', 'strideWidth',
    'filterHeight', 'filterWidth', 'padTop', 'padLeft',
  ],
  conv2d_valid: ['x*', 'w*', 'out*', ...CONV_GEOMETRY],
  conv2d_backprop_filter_valid: ['x*', 'dy*', 'dw*', ...CONV_GEOMETRY],
  pack_filter_for_input_gradient: ['w*', 'packed*', 'taps', 'outChannels'],
  conv2d_backprop_input_valid: ['dy*', 'packedFilter*', 'dx*', ...CONV_GEOMETRY],
  gather_rows: ['x*', 'ids*', 'out*', 'count', 'rowValues'],
  scatter_add_rows: ['x*', 'ids*', 'out*', 'count', 'rowValues', 'outRows'],
  lstm_forward: [
    'x*', 'kernel*', 'recurrentKernel*', 'bias*', 'hLast*', 'gates*', 'cells*', 'hiddens*', 'batch', 'timesteps', 'features',
    'units',
  ],
  lstm_backward: [
    'dy*', 'x*', 'kernel*', 'recurrentKernel*', 'gates*', 'cells*', 'hiddens*', 'dx*', 'dKernel*', 'dRecurrentKernel*',
    'dBias*', 'scratch*', 'batch', 'timesteps', 'features', 'units',
  ],
} as const satisfies Record<string, readonly string[]>;

type ArgumentName<S extends string> = S extends `${infer Name}*` ? Name : S;
type ArgumentType<S extends string> = S extends `${string}*` ? HeapOffset : number;
/** A kernel's arguments as one object, keyed by the names in SIMD_KERNEL_SIGNATURES (order is the table's business). */
export type KernelArguments<Signature extends readonly string[]> = {
  [S in Signature[number] as ArgumentName<S>]: ArgumentType<S>;
};
export type KernelName = keyof typeof SIMD_KERNEL_SIGNATURES;

/** The exports of training_kernels.c, each called with its arguments by name. */
export type SimdKernels = { [K in KernelName]: (args: KernelArguments<(typeof SIMD_KERNEL_SIGNATURES)[K]>) => void };

export type ConvGeometry = KernelArguments<typeof CONV_GEOMETRY>;

export function convGeometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize, inHeight: info.inHeight, inWidth: info.inWidth, inChannels: info.inChannels, outHeight: info.outHeight,
    outWidth: info.outWidth, outChannels: info.outChannels, strideHeight: info.strideHeight, strideWidth: info.strideWidth,
    filterHeight: info.filterHeight, filterWidth: info.filterWidth,
  };
}

/** Binds an export to named arguments: the table gives the positional order. */
function namedCall(name: KernelName, exported: (...args: number[]) => void): (args: Record<string, number>) => void {
  const order = SIMD_KERNEL_SIGNATURES[name].map((argument) => argument.replace(/\*$/, ''));
  return (args) => exported(...order.map((argument) => args[argument]));
}

interface EmscriptenHeap {
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
}

let compiled: WebAssembly.Module | undefined;

/**
 * sha256 of the kernel build this process loads (simdKernelsFile): recorded with every wasm run, since the
 * curves are reproducible bit for bit only with the same kernels (the convergence check's exact replay, and a
 * resumed run's checkpoints).
 */
export function simdKernelsDigest(): string {
  return digestOf(simdKernelsFile());
}

/** sha256 of each committed build, whichever this process loads. */
export function simdKernelsBuildDigests(): Record<SimdKernelsBuild, string> {
  return { relaxed: digestOf(SIMD_KERNELS_BUILDS.relaxed), baseline: digestOf(SIMD_KERNELS_BUILDS.baseline) };
}

function digestOf(file: URL): string {
  try {
    return `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
  } catch (error) {
    throw new SimdKernelsLoadError((error as Error).message);
  }
}

/** One instance per backend heap: a re-created wasm backend has a new memory and needs its own. */
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

function compile(): WebAssembly.Module {
  if (compiled) return compiled;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(simdKernelsFile()));
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
  const kernels = {} as Record<KernelName, (args: Record<string, number>) => void>;
  for (const name of Object.keys(SIMD_KERNEL_SIGNATURES) as KernelName[]) {
    const exported = exports[name];
    if (typeof exported !== 'function') throw new SimdKernelsLoadError(`it does not export ${name}`);
    if (exported.length !== SIMD_KERNEL_SIGNATURES[name].length) {
      throw new SimdKernelsLoadError(`its ${name} takes ${exported.length} arguments where simd/module.ts passes ${SIMD_KERNEL_SIGNATURES[name].length}`);
    }
    kernels[name] = namedCall(name, exported as (...args: number[]) => void);
  }
  const stackPointer = exports.__stack_pointer;
  if (!(stackPointer instanceof WebAssembly.Global)) throw new SimdKernelsLoadError('it does not export __stack_pointer');
  const stackBottom = heap._malloc(STACK_BYTES);
  // The stack grows down, and its top must be 16-byte aligned: clang addresses stack slots with `sp | offset`
  // where it knows sp's low bits are zero (malloc only guarantees 8, and then slots alias).
  stackPointer.value = (stackBottom + STACK_BYTES) & ~15;
  // The stack pointer stays reachable on the bound kernels (not part of SimdKernels) so tests can check its alignment.
  const bound = Object.assign(kernels, { __stack_pointer: stackPointer }) as unknown as SimdKernels;
  instances.set(memory, bound);
  return bound;
}

/** Byte offset of a tensor's values in the backend's heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): HeapOffset {
  return backend.getMemoryOffset(info.dataId) as HeapOffset;
}
