/**
 * The statistical mode: does the run's seed distribution differ from the baseline's? A pooled two-sample
 * t-test on each number judged (final value, AUC), every seed of both sides counted, with a Bonferroni
 * correction over all the numbers judged in one check, so the whole check raises a false alarm with
 * probability at most FALSE_ALARM_RATE when nothing changed (seed values normal with a common spread).
 * Derivation and sensitivity figures in docs/convergence-check.md.
 */
import jstat from 'jstat';

const { studentt } = jstat.jStat;

/** Family-wise: the chance that an unchanged code base fails one check (one experiment) in statistical mode. */
export const FALSE_ALARM_RATE = 0.01;

export const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

const sumOfSquares = (values: number[]) => {
  const m = mean(values);
  return values.reduce((sum, v) => sum + (v - m) ** 2, 0);
};

/** Sample standard deviation (n − 1); 0 for one value. */
export const std = (values: number[]): number => (values.length > 1 ? Math.sqrt(sumOfSquares(values) / (values.length - 1)) : 0);

export interface TTest {
  baselineMean: number;
  runMean: number;
  /** runMean − baselineMean. */
  difference: number;
  /** Pooled standard deviation of one seed's value. */
  pooledStd: number;
  degreesOfFreedom: number;
  /** Two-sided p-value of the difference. */
  p: number;
  /** The Bonferroni-corrected two-sided level a single test is held to. */
  level: number;
  /** |difference| at or beyond which the test rejects: the smallest change this test can detect. */
  detectable: number;
  significant: boolean;
}

/**
 * The critical |difference| for `runSeeds` run seeds against baseline seeds with pooled spread `pooledStd`
 * and `degreesOfFreedom`, at two-sided level `level`.
 */
export function detectableDifference(pooledStd: number, degreesOfFreedom: number, baselineSeeds: number, runSeeds: number, level: number): number {
  return studentt.inv(1 - level / 2, degreesOfFreedom) * pooledStd * Math.sqrt(1 / baselineSeeds + 1 / runSeeds);
}

/**
 * Pooled two-sample t-test of `run` against `baseline` at two-sided level `level`. Null when it cannot be
 * made: fewer than 2 baseline values, no run value, or no spread at all (every seed agrees: a
 * deterministic experiment, which only exact replay can guard).
 */
export function tTest(baseline: number[], run: number[], level: number): TTest | null {
  const degreesOfFreedom = baseline.length + run.length - 2;
  if (baseline.length < 2 || run.length < 1) return null;
  const pooledStd = Math.sqrt((sumOfSquares(baseline) + (run.length > 1 ? sumOfSquares(run) : 0)) / degreesOfFreedom);
  if (!(pooledStd > 0)) return null;
  const baselineMean = mean(baseline);
  const runMean = mean(run);
  const difference = runMean - baselineMean;
  const t = difference / (pooledStd * Math.sqrt(1 / baseline.length + 1 / run.length));
  const p = 2 * (1 - studentt.cdf(Math.abs(t), degreesOfFreedom));
  const detectable = detectableDifference(pooledStd, degreesOfFreedom, baseline.length, run.length, level);
  return { baselineMean, runMean, difference, pooledStd, degreesOfFreedom, p, level, detectable, significant: p < level };
}

/** The level each of `tests` tests is held to so that the check as a whole keeps FALSE_ALARM_RATE. */
export const bonferroniLevel = (tests: number, rate = FALSE_ALARM_RATE): number => rate / Math.max(1, tests);
