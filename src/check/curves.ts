/**
 * What the check compares: units of a run grouped by optimizer (seeds pooled), and the loss curves
 * read from them.
 */
import type { OptimizerImpl, OptimizerRun, RunResults, RunSettings } from '../results/schema.js';
import { unitId } from '../results/units.js';

/** The four curves of a model run (the surfaces record only `loss`: mean distance to the nearest minimum). */
export const CURVE_NAMES = ['valLoss', 'loss', 'valMetric', 'metric'] as const;
export type CurveName = (typeof CURVE_NAMES)[number];

const CURVE_LABELS: Record<CurveName, string> = {
  valLoss: 'validation loss', loss: 'training loss', valMetric: 'validation metric', metric: 'training metric',
};

/** A curve's label (the metric's name when known) and direction, so every comparison is written "worse = …". */
export function curveInfo(curve: CurveName, metric: RunSettings['metric']): { label: string; lowerIsBetter: boolean } {
  if (curve === 'valLoss' || curve === 'loss') return { label: CURVE_LABELS[curve], lowerIsBetter: true };
  return {
    label: metric ? `${curve === 'valMetric' ? 'validation' : 'training'} ${metric.name}` : CURVE_LABELS[curve],
    lowerIsBetter: !(metric?.higherIsBetter ?? false),
  };
}

/** The curve judged when none is asked for: the validation loss, or the training loss of a run without validation data. */
export function defaultCurve(settings: Pick<RunSettings, 'validationSamples'>): CurveName {
  return settings.validationSamples > 0 ? 'valLoss' : 'loss';
}

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
