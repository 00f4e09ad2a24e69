/** Seed statistics of a curve value, and the tolerance band the check derives from them. */

import { maxOf, minOf } from '../common/numbers.js';

/** Spread of one value over seeds. `std` is the sample standard deviation (n − 1), 0 for one seed. */
export interface Summary {
  mean: number;
  std: number;
  min: number;
  max: number;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize() needs at least one value');
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return {
    mean,
    std: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0,
    min: minOf(values),
    max: maxOf(values),
  };
}

export const mean = (values: number[]): number => summarize(values).mean;

/**
 * How far a seed-mean may move before it counts: k standard deviations of the baseline's seeds, but
 * never less than a relative floor (3 seeds can show almost no spread by chance) nor an absolute floor
 * (a deterministic backend and a loss near 0 give std = 0 and |mean| ≈ 0). See docs/convergence-check.md.
 */
export const TOLERANCE = { k: 3, relativeFloor: 0.02, absoluteFloor: 1e-4 } as const;

export function band(summary: Pick<Summary, 'mean' | 'std'>, tolerance = TOLERANCE): number {
  return Math.max(tolerance.k * summary.std, tolerance.relativeFloor * Math.abs(summary.mean), tolerance.absoluteFloor);
}
