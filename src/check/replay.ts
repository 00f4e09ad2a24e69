/**
 * Exact replay: a seed run again under the baseline's environment (backend, packages, kernels) and
 * settings reproduces the baseline's curves bit for bit (measured: docs/convergence-check.md), so any
 * difference beyond REPLAY_TOLERANCE is a change, located at the first epoch where it shows.
 */
import type { RunStatus } from '../results/schema.js';
import type { SeedBaseline, SeedCurves } from './baseline.js';
import { CURVE_NAMES, type CurveName } from './curves.js';

/**
 * Largest relative difference |a − b| / max(|a|, |b|) still counted as equal. Repeated runs on one
 * machine, in a fresh clone and with 2 workers differed by exactly 0 in every value; the tolerance is one
 * float32 rounding step (2⁻²⁴ ≈ 6e-8), below any change a kernel or an optimizer makes to a float32 training
 * value, and there only so that a platform whose float64 epoch averaging rounds differently is not a change.
 */
export const REPLAY_TOLERANCE = 2 ** -24;

function valuesDiffer(a: number | null | undefined, b: number | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) !== (b ?? null);
  if (a === b) return false;
  return Math.abs(a - b) > REPLAY_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** Where a replayed seed first departs from its baseline. */
export interface Divergence {
  /** 1-based. */
  epoch: number;
  /** Every curve that differs at that epoch, with both values. */
  curves: { curve: CurveName; baseline: number | null; run: number | null }[];
  /** Curves identical over every compared epoch (e.g. training identical, validation changed). */
  unchanged: CurveName[];
}

export interface SeedReplay {
  seed: number;
  identical: boolean;
  status: { baseline: RunStatus; run: RunStatus };
  divergence?: Divergence;
  /** Number of epochs compared: the common ones (a forced comparison may have fewer). */
  epochs: number;
}

/**
 * Compares a seed's curves with its baseline over the first `epochs` epochs (the run's and baseline's
 * lengths otherwise: a diverged unit stops early, which differs from a baseline that went on).
 */
export function replaySeed(seed: number, baseline: SeedBaseline, status: RunStatus, run: SeedCurves, epochs: number): SeedReplay {
  const curves = CURVE_NAMES.filter((curve) => baseline.curves[curve] || run[curve]);
  const lengthOf = (values: (number | null)[] | undefined) => Math.min(values?.length ?? 0, epochs);
  const longest = Math.max(0, ...curves.flatMap((curve) => [lengthOf(baseline.curves[curve]), lengthOf(run[curve])]));
  let divergence: Divergence | undefined;
  for (let i = 0; i < longest && !divergence; i++) {
    const differing = curves
      .filter((curve) => i < epochs && valuesDiffer(baseline.curves[curve]?.[i], run[curve]?.[i]))
      .map((curve) => ({ curve, baseline: baseline.curves[curve]?.[i] ?? null, run: run[curve]?.[i] ?? null }));
    if (differing.length) {
      const unchanged = curves.filter((curve) => {
        const length = Math.max(lengthOf(baseline.curves[curve]), lengthOf(run[curve]));
        return Array.from({ length }, (_, j) => j).every((j) => !valuesDiffer(baseline.curves[curve]?.[j], run[curve]?.[j]));
      });
      divergence = { epoch: i + 1, curves: differing, unchanged };
    }
  }
  const statusChanged = baseline.status !== status;
  return {
    seed, identical: !divergence && !statusChanged, status: { baseline: baseline.status, run: status }, epochs: longest,
    ...(divergence ? { divergence } : {}),
  };
}
