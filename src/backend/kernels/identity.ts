import { Cast, Identity, Transpose, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/*
 * Kernels that leave the values as they are share the input's storage, as the cpu backend's do and as wasm's
 * own Reshape already does, instead of copying it. Tensors are never written in place (kernels write only the
 * outputs they allocate; a variable's assign swaps its storage), so sharing is invisible except in time and
 * memory. Strings stay outside wasm's heap and go to the original kernels.
 */

function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

type Args<Attrs = object> = { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: Attrs };
const callOriginal = (original: KernelFunc, args: Args<unknown>) => original(args as unknown as Parameters<KernelFunc>[0]);

/**
 * Identity (tf.clone): the tape clones every tensor a gradient keeps — each conv layer's input and output,
 * 3 × 2.8M values for Fashion's first layer and 8M for IMDB's embedding output per step.
 */
export function identityConfig(original: KernelFunc): KernelConfig {
  const identity = (args: Args) => (args.inputs.x.dtype === 'string' ? callOriginal(original, args) : share(args.backend, args.inputs.x));
  return { kernelName: Identity, backendName: 'wasm', kernelFunc: identity as unknown as KernelFunc };
}

/** Cast to the dtype it already has (ReLU's gradient casts its float32 step mask to float32). */
export function castConfig(original: KernelFunc): KernelConfig {
  const cast = (args: Args<{ dtype: string }>) => {
    const { x } = args.inputs;
    return x.dtype === args.attrs.dtype && x.dtype !== 'string' ? share(args.backend, x) : callOriginal(original, args);
  };
  return { kernelName: Cast, backendName: 'wasm', kernelFunc: cast as unknown as KernelFunc };
}

/** Transpose by the identity permutation (the gradient of a gather along axis 0 transposes by [0, 1] twice). */
export function transposeConfig(original: KernelFunc): KernelConfig {
  const transpose = (args: Args<{ perm: number[] }>) => {
    const { x } = args.inputs;
    const unchanged = args.attrs.perm.every((axis, i) => axis === i);
    return unchanged && x.dtype !== 'string' ? share(args.backend, x) : callOriginal(original, args);
  };
  return { kernelName: Transpose, backendName: 'wasm', kernelFunc: transpose as unknown as KernelFunc };
}
