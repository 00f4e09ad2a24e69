import type { backend_util } from '@tensorflow/tfjs-core';

/**
 * True when every window of the convolution lies inside the input (no padding was needed, as with 'valid'),
 * so its gradients can read and write x's layout in place with no bounds checks.
 */
export function windowsInsideInput(info: backend_util.Conv2DInfo): boolean {
  return (
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    (info.outHeight - 1) * info.strideHeight + info.filterHeight <= info.inHeight &&
    (info.outWidth - 1) * info.strideWidth + info.filterWidth <= info.inWidth
  );
}
