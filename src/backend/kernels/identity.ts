import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Identity (tf.clone) that shares the input's storage, as the cpu backend's does and as wasm's own Reshape
 * already does, instead of copying it. The tape clones every tensor a gradient keeps (each conv layer's input
 * and output, 3 × 2.8M values for Fashion's first layer, 8M for IMDB's embedding output per step), and tensors
 * are never written in place (kernels write only the outputs they allocate; a variable's assign swaps its
 * storage), so sharing is invisible except in time and memory. Strings go to wasm's own kernel.
 */
export function identityConfig(original: KernelFunc): KernelConfig {
  const identity = (args: { inputs: { x: TensorInfo }; backend: BackendWasm }) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return original(args as unknown as Parameters<KernelFunc>[0]);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName: Identity, backendName: 'wasm', kernelFunc: identity as unknown as KernelFunc };
}
