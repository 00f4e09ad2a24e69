import { backend_util, Conv2D, type Conv2DAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { windowsInsideInput } from './conv_geometry.js';
import { convGeometry, heapOffset, simdKernels } from './simd/module.js';

interface Conv2DArgs {
  inputs: { x: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DAttrs;
}

/** NHWC, no dilation, windows inside the input (no padding) and Cout a multiple of 4. */
export function usesDirectConvolution(info: backend_util.Conv2DInfo, dataFormat: string): boolean {
  const undilated = info.dilationHeight === 1 && info.dilationWidth === 1;
  return dataFormat === 'NHWC' && undilated && windowsInsideInput(info) && info.outChannels % 4 === 0;
}

/**
 * The forward convolution for windows inside the input (every layer of the study's models), reading x and the
 * filter where they are (`conv2d_valid` of simd/training_kernels.c): XNNPACK would pack the filter again
 * every step, since training makes it a new tensor. Same per-lane summation order as XNNPACK (bit-identical
 * in the parity tests), ~10% faster at the models' shapes. Everything else goes to wasm's own Conv2D.
 */
function makeConv2D(original: KernelFunc) {
  return function conv2D(args: Conv2DArgs): TensorInfo {
    const { inputs, backend, attrs } = args;
    const { x, filter } = inputs;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      strides,
      dilations,
      pad,
      dimRoundingMode,
    );
    if (!usesDirectConvolution(info, dataFormat)) return original(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    const out = backend.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
    simdKernels(backend).conv2d_valid({
      x: heapOffset(backend, x), w: heapOffset(backend, filter), out: heapOffset(backend, out),
      ...convGeometry(info),
    });
    return out;
  };
}

export function conv2DConfig(original: KernelFunc): KernelConfig {
  return { kernelName: Conv2D, backendName: 'wasm', kernelFunc: makeConv2D(original) as unknown as KernelFunc };
}
