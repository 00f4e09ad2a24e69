import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { windowsInsideInput } from './conv_geometry.js';
import { convGeometry, heapOffset, simdKernels } from './simd/module.js';
import { release, reshape, runWasmKernel, slice, transpose } from './wasm_ops.js';
import { UnsupportedConvLayoutError } from '../errors.js';

/**
 * Largest transposed patch matrix built at once (values): bounds the wasm heap used by a big batch (a batch of
 * 128 Fashion images needs 0.8M); larger batches are split and their parts summed.
 */
export const MAX_PATCH_VALUES = 4 * 2 ** 20;

/** Output positions gathered together: their slice of x stays in cache while every patch row reads it. */
const POSITION_TILE = 64;

/**
 * Writes the transposed im2col matrix of images [first, first + count): row (kh, kw, ci), column (n, oh, ow)
 * holds xPadded[n, oh·sH + kh, ow·sW + kw, ci] (0 in the padding). Tiled over output positions: a row-by-row
 * pass would stride through all of x once per row (896 passes over 32 MB for IMDB's first layer).
 */
function fillTransposedPatches(patches: Float32Array, x: Float32Array, info: backend_util.Conv2DInfo, first: number, count: number): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  const columns = count * outHeight * outWidth;
  const rowStride = inWidth * inChannels;
  const imageStride = inHeight * rowStride;
  for (let n = first; n < first + count; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let tileStart = 0; tileStart < outWidth; tileStart += POSITION_TILE) {
        const tileEnd = Math.min(outWidth, tileStart + POSITION_TILE);
        let at = ((n - first) * outHeight + oh) * outWidth + tileStart;
        for (let kh = 0; kh < filterHeight; kh++) {
          const r = oh * strideHeight + kh - padInfo.top;
          for (let kw = 0; kw < filterWidth; kw++) {
            for (let ci = 0; ci < inChannels; ci++, at += columns) {
              if (r < 0 || r >= inHeight) {
                patches.fill(0, at, at + tileEnd - tileStart);
                continue;
              }
              const rowStart = n * imageStride + r * rowStride + ci;
              for (let ow = tileStart, to = at; ow < tileEnd; ow++, to++) {
                const c = ow * strideWidth + kw - padInfo.left;
                patches[to] = c >= 0 && c < inWidth ? x[rowStart + c * inChannels] : 0;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * dW = Pᵀ · dY with P the im2col patch matrix [N·OH·OW, KH·KW·Cin] and dY = dy viewed as [N·OH·OW, Cout]: one
 * XNNPACK matrix product. The packed operand is dY itself and Pᵀ is written directly in the layout the product
 * reads, so nothing is transposed; but Pᵀ holds KH·KW values per input value, so this pays off only when a
 * patch is no longer than Cout (a 3×3 layer on grey images: 9 ≤ 32, 33 → 17 ms at batch 128).
 */
function viaPatchProduct(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, outHeight, outWidth, outChannels } = info;
  const patchRows = info.filterHeight * info.filterWidth * info.inChannels;
  const positionsPerImage = outHeight * outWidth;
  const imagesPerPart = Math.max(1, Math.floor(MAX_PATCH_VALUES / (patchRows * positionsPerImage)));
  const dyRows = reshape(backend, dy, [batchSize * positionsPerImage, outChannels]);
  let sum: TensorInfo | undefined;
  for (let first = 0; first < batchSize; first += imagesPerPart) {
    const count = Math.min(imagesPerPart, batchSize - first);
    const positions = count * positionsPerImage;
    const patches = backend.makeOutput([patchRows, positions], 'float32');
    // Views taken after makeOutput, which may have grown (and so replaced) the heap buffer.
    fillTransposedPatches(backend.typedArrayFromHeap(patches) as Float32Array, backend.typedArrayFromHeap(x) as Float32Array, info, first, count);
    const whole = count === batchSize;
    const dyPart = whole ? dyRows : slice(backend, dyRows, [first * positionsPerImage, 0], [positions, outChannels]);
    const part = runWasmKernel(backend, 'BatchMatMul', { a: patches, b: dyPart }, { transposeA: false, transposeB: false });
    release(backend, patches, ...(whole ? [] : [dyPart]));
    if (sum === undefined) {
      sum = part;
    } else {
      const total = runWasmKernel(backend, 'Add', { a: sum, b: part });
      release(backend, sum, part);
      sum = total;
    }
  }
  const dw = reshape(backend, sum!, [info.filterHeight, info.filterWidth, info.inChannels, outChannels]);
  release(backend, dyRows, sum!);
  return dw;
}

/**
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} xPadded[n, oh·s+kh, ow·s+kw, ci] · dy[n,oh,ow,co]. Read with ci as the batch,
 * n as the input channel and (oh,ow) as filter taps, that is a forward convolution of x viewed as
 * [Cin, H, W, N] with dy viewed as [OH, OW, N, Cout] as the filter, stride 1 and dilation equal to the forward
 * stride (TF/XLA's "backprop filter as convolution"); the output is [Cin, KH, KW, Cout]. XNNPACK packs that
 * filter anew for every dy (~9 ns per value), but nothing here grows with the kernel size.
 */
function viaConvolution(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, padInfo } = info;
  // Padding after the last row/column so that the taps cover exactly what the forward conv read. It is
  // negative when the forward conv never reached the trailing rows (e.g. 'valid' with a stride that does
  // not divide the input); those rows are cropped instead, since a convolution cannot pad negatively.
  const padBottom = (info.outHeight - 1) * info.strideHeight + info.filterHeight - inHeight - padInfo.top;
  const padRight = (info.outWidth - 1) * info.strideWidth + info.filterWidth - inWidth - padInfo.left;
  const cropped = padBottom < 0 || padRight < 0;
  const xUsed = cropped
    ? slice(backend, x, [0, 0, 0, 0], [batchSize, inHeight + Math.min(0, padBottom), inWidth + Math.min(0, padRight), inChannels])
    : x;
  const xAsBatchOfChannels = transpose(backend, xUsed, [3, 1, 2, 0]);
  const dyAsFilter = transpose(backend, dy, [1, 2, 0, 3]);
  const gradByInChannel = runWasmKernel(
    backend,
    'Conv2D',
    { x: xAsBatchOfChannels, filter: dyAsFilter },
    {
      strides: [1, 1],
      dilations: [info.strideHeight, info.strideWidth],
      pad: [
        [0, 0],
        [padInfo.top, Math.max(0, padBottom)],
        [padInfo.left, Math.max(0, padRight)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
  const dw = transpose(backend, gradByInChannel, [1, 2, 0, 3]);
  release(backend, xAsBatchOfChannels, dyAsFilter, gradByInChannel);
  if (cropped) release(backend, xUsed);
  return dw;
}

/**
 * dW = Pᵀ·dY with P's rows read from x where they are and dY as it is: `conv2d_backprop_filter_valid` of
 * simd/training_kernels.c (nothing copied, transposed or packed). For windows inside the input and Cout a
 * multiple of 4 — every layer of the study's models. Measured at batch 128 (see docs/performance.md):
 * Fashion conv1 34 → 5 ms, conv2 66 → ~30 ms, IMDB's Conv1D 325 → ~190 ms.
 */
function viaDirectProduct(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const dw = backend.makeOutput([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], 'float32');
  simdKernels(backend).conv2d_backprop_filter_valid({
    x: heapOffset(backend, x), dy: heapOffset(backend, dy), dw: heapOffset(backend, dw), ...convGeometry(info),
  });
  return dw;
}

export type FilterGradientFormulation = 'direct product' | 'patch product' | 'convolution';

/**
 * The direct SIMD product where it applies. Otherwise XNNPACK, in the formulation that moves fewer values:
 * the patch product moves KH·KW·Cin values per output position (building Pᵀ) where the convolution moves
 * about 2·Cout (transposing and packing dy); measured at batch 128 with padding, the patch product won for
 * 9 vs 32 (33 → 17 ms) and lost for 288 vs 64 (58 → 70 ms) and 896 vs 32 (265 → 475 ms).
 */
export function filterGradientFormulation(info: backend_util.Conv2DInfo): FilterGradientFormulation {
  if (windowsInsideInput(info) && info.outChannels % 4 === 0) return 'direct product';
  return info.filterHeight * info.filterWidth * info.inChannels <= info.outChannels ? 'patch product' : 'convolution';
}

/** See filterGradientFormulation for which formulation runs. */
function conv2DBackpropFilter({
  inputs,
  backend,
  attrs,
}: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC') throw new UnsupportedConvLayoutError(Conv2DBackpropFilter, dataFormat);
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  switch (filterGradientFormulation(info)) {
    case 'direct product':
      return viaDirectProduct(backend, x, dy, info);
    case 'patch product':
      return viaPatchProduct(backend, x, dy, info);
    case 'convolution':
      return viaConvolution(backend, x, dy, info);
  }
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
