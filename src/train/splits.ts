/** Split implementations over plain typed arrays (row-major, one row per sample). */
import * as tf from '@tensorflow/tfjs-core';
import type { Split } from '../data/types.js';
import { ArraySplitError } from './errors.js';

type Rows = Float32Array | Int32Array;

function rowWidth(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function gatherRows<T extends Rows>(source: T, width: number, indices: Int32Array): T {
  const out = new (source.constructor as { new (n: number): T })(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const start = indices[i] * width;
    out.set(source.subarray(start, start + width), i * width);
  }
  return out;
}

/**
 * A split over typed arrays: `x` holds `size` rows of `xShape`, `y` rows of `yShape`.
 * Batches are copied row by row into fresh tensors (cheap next to a training step).
 */
export function arraySplit(x: Rows, xShape: number[], y: Rows, yShape: number[]): Split {
  const xWidth = rowWidth(xShape);
  const yWidth = rowWidth(yShape);
  const size = x.length / xWidth;
  if (!Number.isInteger(size)) throw new ArraySplitError(`x has ${x.length} values, not a multiple of the row size ${xWidth} (shape ${xShape})`);
  if (y.length !== size * yWidth) throw new ArraySplitError(`y has ${y.length} values; expected ${size} rows of ${yWidth}`);
  const xDtype = x instanceof Int32Array ? 'int32' : 'float32';
  const yDtype = y instanceof Int32Array ? 'int32' : 'float32';
  return {
    size,
    take(indices) {
      for (const i of indices) if (i < 0 || i >= size) throw new ArraySplitError(`index ${i} outside split of size ${size}`);
      return {
        x: tf.tensor(gatherRows(x, xWidth, indices), [indices.length, ...xShape], xDtype),
        y: tf.tensor(gatherRows(y, yWidth, indices), [indices.length, ...yShape], yDtype),
      };
    },
  };
}

/** 0, 1, ..., n-1. */
export function range(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
