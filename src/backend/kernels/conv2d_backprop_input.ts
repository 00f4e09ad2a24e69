import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { windowsInsideInput } from './conv_geometry.js';
import { convGeometry, heapOffset, simdKernels } from './simd/module.js';
import { release, reshape, runWasmKernel, slice, transpose } from './wasm_ops.js';

interface Conv2DBackpropInputArgs {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}

/**
 * Spreads dy's rows and columns `stride` apart with zeros in between (the "input dilation" of a transposed
 * convolution), as a reshape to [N, OH, 1, OW, 1, C], a zero pad to [N, OH, sH, OW, sW, C] and a reshape back.
 */
function dilateRowsAndColumns(backend: BackendWasm, dy: TensorInfo, strideHeight: number, strideWidth: number): TensorInfo {
  const [n, outHeight, outWidth, channels] = dy.shape;
  const split = reshape(backend, dy, [n, outHeight, 1, outWidth, 1, channels]);
  const padded = runWasmKernel(
    backend,
    'PadV2',
    { x: split },
    { paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]], constantValue: 0 },
  );
  const dilated = reshape(backend, padded, [n, outHeight * strideHeight, outWidth * strideWidth, channels]);
  release(backend, split, padded);
  return dilated;
}

/**
 * For convolutions whose windows lie inside the input: dx = col2im(dY·Wᵀ), summed into dx block by block as
 * it is computed (`conv2d_backprop_input_valid` of simd/training_kernels.c) — exactly the multiply-adds
 * needed, with no dilation, padding or flipped filter. Its inner loop runs over Cout, so it is at its best
 * for wide layers (Fashion conv2, Cout 64: 52 ms with XNNPACK → 24 ms; see docs/performance.md).
 */
function viaCol2im(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const kernels = simdKernels(backend);
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const packed = backend.makeOutput([Math.ceil(taps / 8) * 8 * info.outChannels], 'float32');
  kernels.pack_filter_for_input_gradient({ w: heapOffset(backend, filter), packed: heapOffset(backend, packed), taps, outChannels: info.outChannels });
  const dx = backend.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  kernels.conv2d_backprop_input_valid({
    dy: heapOffset(backend, dy), packedFilter: heapOffset(backend, packed), dx: heapOffset(backend, dx), ...convGeometry(info),
  });
  release(backend, packed);
  return dx;
}

/** The filter rotated by 180° with its in/out channels swapped: [KH, KW, Cout, Cin], the transposed convolution's. */
function rotatedFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const flipped = runWasmKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const flippedSwapped = transpose(backend, flipped, [0, 1, 3, 2]);
  release(backend, flipped);
  return flippedSwapped;
}

/**
 * Padding that a stride-1 transposed convolution adds to dy, relative to the work needed (dx positions per
 * dy position): up to this, computing dx as a 'valid' convolution of the zero-padded dy (whose inner loop
 * runs over KH·KW·Cout taps) beats col2im (inner loop over Cout). Measured at batch 128: IMDB's Conv1D
 * (500/494 = 1.01; Cout 32) 253 → 166 ms; Fashion conv2 (169/121 = 1.40; Cout 64) 24 → 34 ms the other way.
 */
const MAX_PADDING_OVERHEAD = 1.15;

export type InputGradientFormulation = 'padded forward' | 'col2im' | 'transposed convolution' | 'original kernel';

/**
 * Windows inside the input: the SIMD formulations (the padded forward for stride 1, little padding and Cin a
 * multiple of 4, which the direct forward Conv2D needs; else col2im). Otherwise XNNPACK's transposed
 * convolution, or wasm's own kernel for channels-first data and paddings wider than the kernel.
 */
export function inputGradientFormulation(info: backend_util.Conv2DInfo, dataFormat: string): InputGradientFormulation {
  if (dataFormat !== 'NHWC') return 'original kernel';
  if (windowsInsideInput(info)) {
    const stride1 = info.strideHeight === 1 && info.strideWidth === 1;
    const paddingOverhead = (info.inHeight * info.inWidth) / (info.outHeight * info.outWidth);
    return stride1 && paddingOverhead <= MAX_PADDING_OVERHEAD && info.inChannels % 4 === 0 ? 'padded forward' : 'col2im';
  }
  const widerThanKernel = info.filterHeight - 1 - info.padInfo.top < 0 || info.filterWidth - 1 - info.padInfo.left < 0;
  return widerThanKernel ? 'original kernel' : 'transposed convolution';
}

/**
 * dx = valid convolution of dy zero-padded by (kernel − 1) on every side with the filter rotated by 180° and
 * its in/out channels swapped; that Conv2D runs on the direct SIMD kernel (conv2d.ts).
 */
function viaPaddedForward(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const rows = info.filterHeight - 1;
  const cols = info.filterWidth - 1;
  const padded = runWasmKernel(backend, 'PadV2', { x: dy }, { paddings: [[0, 0], [rows, rows], [cols, cols], [0, 0]], constantValue: 0 });
  const flippedSwapped = rotatedFilter(backend, filter);
  const dx = runWasmKernel(
    backend,
    'Conv2D',
    { x: padded, filter: flippedSwapped },
    { strides: [1, 1], dilations: [1, 1], pad: 'valid', dataFormat: 'NHWC' },
  );
  release(backend, padded, flippedSwapped);
  return dx;
}

/** Conv2DBackpropInput in the formulation that inputGradientFormulation picks for the layer. */
function makeConv2DBackpropInput(original: KernelFunc) {
  return function conv2DBackpropInput(args: Conv2DBackpropInputArgs): TensorInfo {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    switch (inputGradientFormulation(info, dataFormat)) {
      case 'padded forward':
        return viaPaddedForward(backend, dy, filter, info);
      case 'col2im':
        return viaCol2im(backend, dy, filter, info);
      case 'original kernel':
        return original(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
      case 'transposed convolution':
        return viaTransposedConvolution(backend, dy, filter, info);
    }
  };
}

/**
 * dx is the forward convolution of dy (dilated by the stride) with the filter rotated by 180° and its
 * in/out channels swapped, padded by (kernel − 1 − forward padding) — the standard transposed-convolution
 * identity, on XNNPACK (wasm's own Conv2DBackpropInput is a scalar C++ loop).
 */
function viaTransposedConvolution(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const padTop = info.filterHeight - 1 - info.padInfo.top;
  const padLeft = info.filterWidth - 1 - info.padInfo.left;
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  const dilated = strided ? dilateRowsAndColumns(backend, dy, info.strideHeight, info.strideWidth) : dy;
  // The last dx row reads dilated rows up to inHeight + forward top padding − 1; rows past that are
  // windows that lay entirely in the forward padding and contribute nothing, so they are cropped.
  const rowsNeeded = info.inHeight + info.padInfo.top;
  const colsNeeded = info.inWidth + info.padInfo.left;
  const [n, rows, cols, outChannels] = dilated.shape;
  const cropped = rows > rowsNeeded || cols > colsNeeded;
  const source = cropped
    ? slice(backend, dilated, [0, 0, 0, 0], [n, Math.min(rows, rowsNeeded), Math.min(cols, colsNeeded), outChannels])
    : dilated;
  const flippedSwapped = rotatedFilter(backend, filter);
  const dx = runWasmKernel(
    backend,
    'Conv2D',
    { x: source, filter: flippedSwapped },
    {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [padTop, Math.max(0, rowsNeeded - rows)],
        [padLeft, Math.max(0, colsNeeded - cols)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
  release(backend, flippedSwapped);
  if (cropped) release(backend, source);
  if (strided) release(backend, dilated);
  return dx;
}

export function conv2DBackpropInputConfig(original: KernelFunc): KernelConfig {
  return {
    kernelName: Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: makeConv2DBackpropInput(original) as unknown as KernelFunc,
  };
}
