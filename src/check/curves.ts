/**
 * What the check compares: units of a run grouped by optimizer (seeds pooled), and the loss curves
 * read from them.
 */
import type { OptimizerImpl, OptimizerRun, RunResults } from '../results/schema.js';
import { unitId } from '../results/unitId.js';
import { MissingCurveError } from './errors.js';

export const CURVE_NAMES = ['valLoss', 'loss'] as const;
export type CurveName = (typeof CURVE_NAMES)[number];

/** Both curves are losses; the direction is explicit so every comparison is written "worse = …". */
export const CURVES: Record<CurveName, { label: string; lowerIsBetter: boolean }> = {
  valLoss: { label: 'validation loss', lowerIsBetter: true },
  loss: { label: 'training loss', lowerIsBetter: true },
};

/** A unit that trained to the end, one whose training broke (a convergence failure), or one that never ran. */
export type UnitOutcome = 'ok' | 'broken' | 'absent';

export function outcomeOf(run: OptimizerRun): UnitOutcome {
  if (run.status === 'ok') return 'ok';
  return run.status === 'diverged' || run.status === 'failed' ? 'broken' : 'absent';
}

/** The units of one optimizer (and implementation, and learning rate in a sweep) over all seeds. */
export interface UnitGroup {
  key: string;
  optimizer: string;
  impl: OptimizerImpl;
  /** Undefined only when no unit of the group recorded one (each failed before resolving its optimizer). */
  learningRate: number | undefined;
  units: OptimizerRun[];
}

/** A unit that failed before its optimizer was built records NaN: it ran at the optimizer's default. */
const learningRateOf = (run: OptimizerRun): number | undefined => (Number.isFinite(run.learningRate) ? run.learningRate : undefined);

/**
 * Groups a run's units by their id without the seed. The implementation and learning rate are part of
 * the key only when the run varies them (as in unit ids): a run at another learning rate than the
 * baseline is then judged against it — a changed hyperparameter is a change the check should catch.
 */
export function groupUnits(results: RunResults): Map<string, UnitGroup> {
  const variesWithin = (keyOf: (run: OptimizerRun) => string, valueOf: (run: OptimizerRun) => unknown) => {
    const seen = new Map<string, unknown>();
    return results.runs.some((run) => {
      const key = keyOf(run);
      const value = valueOf(run);
      if (value === undefined) return false;
      if (seen.has(key) && seen.get(key) !== value) return true;
      seen.set(key, value);
      return false;
    });
  };
  const varying = {
    seed: false,
    impl: variesWithin((run) => run.optimizer, (run) => run.impl),
    learningRate: variesWithin((run) => `${run.optimizer}@${run.impl}`, learningRateOf),
  };
  const groups = new Map<string, UnitGroup>();
  for (const run of results.runs) {
    const key = unitId({ optimizer: run.optimizer, impl: run.impl, seed: run.seed, learningRate: learningRateOf(run) }, varying);
    const group = groups.get(key) ?? { key, optimizer: run.optimizer, impl: run.impl, learningRate: undefined, units: [] };
    group.learningRate ??= learningRateOf(run);
    group.units.push(run);
    groups.set(key, group);
  }
  return groups;
}

/** A curve's values over epochs; a unit that trained to the end has one finite value per epoch. */
export function curveOf(run: OptimizerRun, curve: CurveName): number[] {
  const values = run.epochs.map((record) => record[curve]);
  if (values.length === 0 || values.some((v) => v === null || !Number.isFinite(v))) {
    throw new MissingCurveError(`unit '${run.id}'`, curve);
  }
  return values as number[];
}

/** Whether every unit has the curve (validation loss is null throughout for an experiment without validation). */
export function hasCurve(runs: OptimizerRun[], curve: CurveName): boolean {
  return runs.length > 0 && runs.every((run) => run.epochs.length > 0 && run.epochs.every((record) => record[curve] !== null));
}

/** The value at the last epoch and the area under the curve, taken as the mean over epochs. */
export function finalAndArea(values: number[]): { final: number; auc: number } {
  return { final: values[values.length - 1], auc: values.reduce((sum, v) => sum + v, 0) / values.length };
}
