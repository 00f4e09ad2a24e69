/**
 * Chooses the tfjs backend: native TensorFlow (`@tensorflow/tfjs-node`, optional) when it loads, else
 * wasm with the project's training kernels. The pure-JS `cpu` backend is ~100x slower than wasm for
 * convolutions, so it runs only when asked for explicitly.
 */
import * as tf from '@tensorflow/tfjs-core';
// The union package's Node bundle registers the chained tensor methods (tensor.flatten(), ...) and all
// gradients; tfjs-core's Node bundle does neither, and tfjs-layers needs them (e.g. the orthogonal
// initializer of LSTM's recurrent kernel calls rMat.flatten()).
import '@tensorflow/tfjs';
import { BackendUnavailableError } from './errors.js';

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  name: BackendName;
  /** Why this backend runs, in words for the console and the report. */
  reason: string;
  /** Version of the backend package that provides it. */
  packageVersion: string;
  /** Digests of optbench's own kernel builds the backend runs (wasm: the SIMD training kernels). */
  kernels?: Record<string, string>;
}

/** How to get the native backend, said wherever wasm runs because it is missing (console and report). */
export const NATIVE_INSTALL = 'For native TensorFlow (multi-threaded): `npm install @tensorflow/tfjs-node` (an optional dependency; '
  + 'its install downloads libtensorflow from storage.googleapis.com, so it needs network access and a supported platform: Linux or macOS, x64 or arm64).';
/** How to repair an installed native backend that does not load. */
export const NATIVE_REPAIR = 'To repair it: `npm rebuild @tensorflow/tfjs-node` on a Node version it supports (see its README), or pass --backend wasm to silence this.';

type NativeLoad = { ok: true; version: string } | { ok: false; installed: boolean; detail: string };

/** How the native package is imported; injectable so tests can simulate a broken install. */
export type NativeImporter = () => Promise<unknown>;
// A variable specifier: the optional package may be absent, so the type checker must not resolve it.
const NATIVE_PACKAGE = '@tensorflow/tfjs-node';
const importNative: NativeImporter = () => import(NATIVE_PACKAGE);

async function loadNative(importer: NativeImporter): Promise<NativeLoad> {
  try {
    const native = (await importer()) as { version?: Record<string, string> };
    return { ok: true, version: native.version?.['tfjs-node'] ?? 'unknown' };
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    // Only "the package itself is absent" means not installed; a missing binding or libtensorflow
    // inside an installed package is a broken install, which the user should hear about.
    const notInstalled = err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes("package '@tensorflow/tfjs-node'");
    return { ok: false, installed: !notInstalled, detail: err.message.split('\n')[0] };
  }
}

async function activate(name: 'tensorflow' | 'wasm' | 'cpu'): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new BackendUnavailableError(name, 'tf.setBackend() refused it');
  await tf.ready();
}

async function activateWasm(): Promise<Pick<BackendChoice, 'packageVersion' | 'kernels'>> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { registerWasmTrainingKernels } = await import('./kernels/index.js');
  const { simdKernelsDigest } = await import('./kernels/simd/module.js');
  // After activation: the wrapped wasm kernels rely on their originals' one-time setup at backend init.
  await activate('wasm');
  registerWasmTrainingKernels();
  return { packageVersion: wasm.version_wasm, kernels: { 'training_kernels.wasm': simdKernelsDigest() } };
}

/**
 * Activates a backend. `requested` undefined = the fastest available (tensorflow, else wasm).
 * An explicit request that cannot be met is an error, never a silent fallback.
 */
export async function selectBackend(requested?: BackendName, importer: NativeImporter = importNative): Promise<BackendChoice> {
  if (requested === 'cpu') {
    const cpu = await import('@tensorflow/tfjs-backend-cpu');
    await activate('cpu');
    return { name: 'cpu', reason: 'requested with --backend cpu (pure JS, ~100x slower than wasm for convolutions)', packageVersion: cpu.version_cpu };
  }
  if (requested === 'wasm') {
    return { name: 'wasm', reason: 'requested with --backend wasm', ...await activateWasm() };
  }
  const native = await loadNative(importer);
  if (native.ok) {
    await activate('tensorflow');
    return { name: 'tensorflow', reason: '@tensorflow/tfjs-node loaded (native TensorFlow)', packageVersion: native.version };
  }
  if (requested === 'tensorflow') {
    throw new BackendUnavailableError('tensorflow', native.installed
      ? `@tensorflow/tfjs-node is installed but failed to load (${native.detail}). Reinstall it (npm rebuild @tensorflow/tfjs-node) on a supported Node version, or use --backend wasm.`
      : '@tensorflow/tfjs-node is not installed (it is an optional dependency whose install downloads libtensorflow). Run `npm install @tensorflow/tfjs-node`, or use --backend wasm.');
  }
  const why = native.installed
    ? `@tensorflow/tfjs-node is installed but failed to load (${native.detail}); falling back to wasm. ${NATIVE_REPAIR}`
    : `@tensorflow/tfjs-node is not installed; using wasm (WebAssembly + XNNPACK, with optbench training kernels). ${NATIVE_INSTALL}`;
  return { name: 'wasm', reason: why, ...await activateWasm() };
}
