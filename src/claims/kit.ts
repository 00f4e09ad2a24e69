/**
 * Predicate builders for the study's findings. Each builder returns a Claim whose score() states the
 * verdict and the numbers behind it. Shared rules, so every claim reads the same numbers as the report:
 *
 * - An optimizer's numbers are those of its primary series (summary.ts): the tfjs built-in if it ran,
 *   else the from-scratch one, at the registry default learning rate if it ran; seeds are averaged.
 * - "Final" means the last epoch, as in the study (`history[...][EPOCHS - 1]`).
 * - A claim about an optimizer that is missing from the run or did not run ok is 'inconclusive'.
 * - Claims about "the others" / "most optimizers" use the optimizers that ran ok.
 */
import type { RunResults, SurfaceTrajectory } from '../results/schema.js';
import type { Claim, ClaimScore, ClaimVerdict } from './claim.js';
import { primarySeries, primarySeriesAll, summarizeRun, type RunSummary, type OptimizerSeries } from '../results/summary.js';

/** A per-epoch quantity of a series. 'valMetric' follows settings.metric.higherIsBetter; losses are lower-better. */
export type Measure = 'loss' | 'valLoss' | 'valMetric';

interface ClaimText {
  id: string;
  statement: string;
}

const MEASURE_NAMES: Record<Measure, string> = { loss: 'train loss', valLoss: 'validation loss', valMetric: 'validation metric' };

/** Four significant digits: enough to compare, short enough to read in a sentence. */
export function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

const verdictOf = (holds: boolean): ClaimVerdict => (holds ? 'reproduced' : 'not-reproduced');
const inconclusive = (evidence: string): ClaimScore => ({ verdict: 'inconclusive', evidence });

function curveOf(series: OptimizerSeries, measure: Measure): number[] | null {
  const values = series.curve.map((e) => (measure === 'loss' ? e.loss.mean : (e[measure]?.mean ?? null)));
  return values.length > 0 && values.every((v): v is number => v !== null) ? values : null;
}

function higherIsBetter(results: RunResults, measure: Measure): boolean {
  return measure === 'valMetric' && results.settings.metric?.higherIsBetter === true;
}

/** The ok primary series of every optimizer that has the measure, with its curve. */
function okCurves(summary: RunSummary, measure: Measure): { series: OptimizerSeries; curve: number[] }[] {
  return primarySeriesAll(summary)
    .filter((s) => s.status === 'ok')
    .flatMap((series) => {
      const curve = curveOf(series, measure);
      return curve ? [{ series, curve }] : [];
    });
}

/**
 * Wraps a judge with the shared rule: every optimizer the claim names must have run ok, and (for curve
 * claims) have the measure; otherwise the verdict is inconclusive and says why.
 */
function defineClaim(
  text: ClaimText & { criterion: string; optimizers: string[] },
  judge: (results: RunResults, summary: RunSummary, named: Map<string, OptimizerSeries>) => ClaimScore,
): Claim {
  return {
    ...text,
    score(results) {
      const summary = summarizeRun(results);
      const named = new Map<string, OptimizerSeries>();
      for (const optimizer of text.optimizers) {
        const series = primarySeries(summary, optimizer);
        if (!series) return inconclusive(`${optimizer} is not in this run.`);
        if (series.status !== 'ok') return inconclusive(`${series.name} did not run ok (${series.reason ?? series.status}).`);
        named.set(optimizer, series);
      }
      return judge(results, summary, named);
    },
  };
}

function requireCurve(series: OptimizerSeries, measure: Measure): number[] | ClaimScore {
  return curveOf(series, measure) ?? inconclusive(`${series.name} has no ${MEASURE_NAMES[measure]} per epoch.`);
}

const isScore = (value: unknown): value is ClaimScore => typeof value === 'object' && value !== null && 'verdict' in value;

/**
 * The named optimizers have the best final value: each is within `tolerance` (relative) of the best
 * ok optimizer, or ranks within the top `topK` (default: as many as are named).
 */
export function bestFinal(options: ClaimText & { optimizers: string[]; measure?: Measure; tolerance?: number; topK?: number }): Claim {
  const { measure = 'valLoss', tolerance = 0.02, optimizers } = options;
  const topK = options.topK ?? optimizers.length;
  return defineClaim(
    {
      ...options,
      criterion: `Final ${MEASURE_NAMES[measure]} of ${optimizers.join(', ')} ranks in the top ${topK} of the optimizers that ran ok, or is within ${tolerance * 100}% of the best.`,
      optimizers,
    },
    (results, summary) => {
      const higher = higherIsBetter(results, measure);
      const ranked = okCurves(summary, measure)
        .map(({ series, curve }) => ({ series, final: curve.at(-1)! }))
        .sort((a, b) => (higher ? b.final - a.final : a.final - b.final));
      const best = ranked[0];
      if (!best) return inconclusive(`No optimizer has a ${MEASURE_NAMES[measure]}.`);
      const parts = optimizers.map((optimizer) => {
        const rank = ranked.findIndex((r) => r.series.optimizer === optimizer);
        if (rank < 0) return { ok: false, text: `${optimizer} has no ${MEASURE_NAMES[measure]}` };
        const { final, series } = ranked[rank];
        const gap = Math.abs(final - best.final) / Math.abs(best.final);
        return { ok: rank < topK || gap <= tolerance, text: `${series.name} ${formatNumber(final)} (rank ${rank + 1} of ${ranked.length})` };
      });
      return {
        verdict: verdictOf(parts.every((p) => p.ok)),
        evidence: `Final ${MEASURE_NAMES[measure]}: ${parts.map((p) => p.text).join('; ')}; best ${best.series.name} ${formatNumber(best.final)}.`,
      };
    },
  );
}

/** The optimizer does not converge: final train loss ≥ `ratio` × its first-epoch train loss. */
export function doesNotConverge(options: ClaimText & { optimizer: string; ratio?: number }): Claim {
  const { optimizer, ratio = 0.8 } = options;
  return defineClaim(
    { ...options, criterion: `Final train loss of ${optimizer} is at least ${ratio} × its epoch-1 train loss.`, optimizers: [optimizer] },
    (_results, _summary, named) => {
      const series = named.get(optimizer)!;
      const curve = requireCurve(series, 'loss');
      if (isScore(curve)) return curve;
      const [first, last] = [curve[0], curve.at(-1)!];
      return {
        verdict: verdictOf(last >= ratio * first),
        evidence: `${series.name}: train loss ${formatNumber(first)} at epoch 1, ${formatNumber(last)} at epoch ${curve.length} (ratio ${formatNumber(last / first)}, threshold ${ratio}).`,
      };
    },
  );
}

/** The optimizer ends short of the best: its final value is worse than the best other ok optimizer's by ≥ `factor`. */
export function fallsShortOfBest(options: ClaimText & { optimizer: string; factor: number; measure?: Measure }): Claim {
  const { optimizer, factor, measure = 'valLoss' } = options;
  return defineClaim(
    {
      ...options,
      criterion: `Final ${MEASURE_NAMES[measure]} of ${optimizer} is at least ${factor} × the best other optimizer's (worse by that factor).`,
      optimizers: [optimizer],
    },
    (results, summary, named) => {
      const series = named.get(optimizer)!;
      const own = requireCurve(series, measure);
      if (isScore(own)) return own;
      const higher = higherIsBetter(results, measure);
      const others = okCurves(summary, measure).filter((c) => c.series.optimizer !== optimizer);
      if (others.length === 0) return inconclusive(`No other optimizer ran ok to compare ${series.name} with.`);
      const best = others.reduce((a, b) => ((higher ? b.curve.at(-1)! > a.curve.at(-1)! : b.curve.at(-1)! < a.curve.at(-1)!) ? b : a));
      const [mine, theirs] = [own.at(-1)!, best.curve.at(-1)!];
      const worseBy = higher ? theirs / mine : mine / theirs;
      return {
        verdict: verdictOf(worseBy >= factor),
        evidence: `Final ${MEASURE_NAMES[measure]}: ${series.name} ${formatNumber(mine)}, best other ${best.series.name} ${formatNumber(theirs)} (factor ${formatNumber(worseBy)}, threshold ${factor}).`,
      };
    },
  );
}

/**
 * The optimizer has not flattened out ("converges linearly"): over the last `tailFraction` of the epochs
 * its train loss still fell by at least `minDropPct`%.
 */
export function stillDescending(options: ClaimText & { optimizer: string; tailFraction?: number; minDropPct?: number }): Claim {
  const { optimizer, tailFraction = 0.25, minDropPct = 2 } = options;
  return defineClaim(
    {
      ...options,
      criterion: `Train loss of ${optimizer} falls by at least ${minDropPct}% over the last ${tailFraction * 100}% of the epochs.`,
      optimizers: [optimizer],
    },
    (_results, _summary, named) => {
      const series = named.get(optimizer)!;
      const curve = requireCurve(series, 'loss');
      if (isScore(curve)) return curve;
      const tailStart = Math.max(0, curve.length - 1 - Math.max(1, Math.round(curve.length * tailFraction)));
      const [from, to] = [curve[tailStart], curve.at(-1)!];
      const dropPct = ((from - to) / from) * 100;
      return {
        verdict: verdictOf(dropPct >= minDropPct),
        evidence: `${series.name}: train loss ${formatNumber(from)} at epoch ${tailStart + 1} → ${formatNumber(to)} at epoch ${curve.length} (${formatNumber(dropPct)}% drop).`,
      };
    },
  );
}

/** First epoch (1-based) whose value is at or below `target`; Infinity when never reached. */
function epochsToReach(curve: number[], target: number): number {
  const index = curve.findIndex((value) => value <= target);
  return index < 0 ? Infinity : index + 1;
}

/** A loss level "near the best": the lowest value any of the curves reached, raised by `withinPct`%. */
function targetNearBest(curves: number[][], withinPct: number): number {
  return Math.min(...curves.flat()) * (1 + withinPct / 100);
}

const TARGET_TEXT = (measure: Measure, withinPct: number) =>
  `the target is the lowest ${MEASURE_NAMES[measure]} reached by any of them plus ${withinPct}%`;

/** The optimizer reaches a loss near the best in the fewest epochs of all ok optimizers (ties count). */
export function reachesTargetFirst(options: ClaimText & { optimizer: string; measure?: 'loss' | 'valLoss'; withinPct?: number }): Claim {
  const { optimizer, measure = 'loss', withinPct = 10 } = options;
  return defineClaim(
    {
      ...options,
      criterion: `${optimizer} needs no more epochs than any other ok optimizer to reach the target; ${TARGET_TEXT(measure, withinPct)}.`,
      optimizers: [optimizer],
    },
    (_results, summary, named) => {
      const series = named.get(optimizer)!;
      const curve = requireCurve(series, measure);
      if (isScore(curve)) return curve;
      const all = okCurves(summary, measure);
      const target = targetNearBest(all.map((c) => c.curve), withinPct);
      const epochs = all.map((c) => ({ name: c.series.name, mine: c.series === series, epochs: epochsToReach(c.curve, target) }));
      const own = epochs.find((e) => e.mine)!.epochs;
      const fastestOther = Math.min(...epochs.filter((e) => !e.mine).map((e) => e.epochs));
      return {
        verdict: verdictOf(Number.isFinite(own) && own <= fastestOther),
        evidence: `Epochs to reach ${MEASURE_NAMES[measure]} ≤ ${formatNumber(target)}: ${epochs.map((e) => `${e.name} ${e.epochs}`).join(', ')}.`,
      };
    },
  );
}

/** `slow` needs more epochs than `fast` to reach a loss near the better of the two. */
export function convergesSlowerThan(options: ClaimText & { slow: string; fast: string; measure?: 'loss' | 'valLoss'; withinPct?: number }): Claim {
  const { slow, fast, measure = 'loss', withinPct = 10 } = options;
  return defineClaim(
    {
      ...options,
      criterion: `${slow} needs more epochs than ${fast} to reach the target; ${TARGET_TEXT(measure, withinPct)}.`,
      optimizers: [slow, fast],
    },
    (_results, _summary, named) => {
      const curves = [named.get(slow)!, named.get(fast)!].map((s) => requireCurve(s, measure));
      const failure = curves.find(isScore);
      if (failure) return failure;
      const [slowCurve, fastCurve] = curves as number[][];
      const target = targetNearBest([slowCurve, fastCurve], withinPct);
      const [slowEpochs, fastEpochs] = [epochsToReach(slowCurve, target), epochsToReach(fastCurve, target)];
      return {
        verdict: verdictOf(slowEpochs > fastEpochs),
        evidence: `Epochs to reach ${MEASURE_NAMES[measure]} ≤ ${formatNumber(target)}: ${named.get(slow)!.name} ${slowEpochs}, ${named.get(fast)!.name} ${fastEpochs}.`,
      };
    },
  );
}

interface OverfitCheck {
  overfits: boolean;
  text: string;
}

/**
 * Overfitting: the validation-loss minimum comes before the last epoch, the final validation loss is at
 * least `minRisePct`% above that minimum, and the train loss still fell after it.
 */
function checkOverfitting(series: OptimizerSeries, minRisePct: number): OverfitCheck | null {
  const val = curveOf(series, 'valLoss');
  const train = curveOf(series, 'loss');
  if (!val || !train) return null;
  const best = val.indexOf(Math.min(...val));
  const risePct = ((val.at(-1)! - val[best]) / val[best]) * 100;
  const trainFalls = train.at(-1)! < train[best];
  return {
    overfits: best < val.length - 1 && risePct >= minRisePct && trainFalls,
    text: `${series.name}: val loss lowest at epoch ${best + 1} (${formatNumber(val[best])}), final ${formatNumber(val.at(-1)!)} (+${formatNumber(risePct)}%), train loss ${trainFalls ? 'still falling' : 'not falling'}`,
  };
}

const OVERFIT_CRITERION = (minRisePct: number) =>
  `the validation-loss minimum is before the last epoch, the final validation loss is at least ${minRisePct}% above it, and the train loss at the last epoch is below its value at that minimum`;

export function overfits(options: ClaimText & { optimizer: string; minRisePct?: number }): Claim {
  const { optimizer, minRisePct = 5 } = options;
  return defineClaim(
    { ...options, criterion: `For ${optimizer}: ${OVERFIT_CRITERION(minRisePct)}.`, optimizers: [optimizer] },
    (_results, _summary, named) => {
      const series = named.get(optimizer)!;
      const check = checkOverfitting(series, minRisePct);
      if (!check) return inconclusive(`${series.name} has no train and validation loss per epoch.`);
      return { verdict: verdictOf(check.overfits), evidence: `${check.text}.` };
    },
  );
}

/** Overfitting (as in overfits()) shows in at least `minShare` of the optimizers that ran ok (at least `minOptimizers` of them). */
export function overfitsInMost(options: ClaimText & { minShare?: number; minRisePct?: number; minOptimizers?: number }): Claim {
  const { minShare = 0.75, minRisePct = 5, minOptimizers = 3 } = options;
  return defineClaim(
    {
      ...options,
      criterion: `In at least ${minShare * 100}% of the optimizers that ran ok (at least ${minOptimizers} needed): ${OVERFIT_CRITERION(minRisePct)}.`,
      optimizers: [],
    },
    (_results, summary) => {
      const checks = primarySeriesAll(summary)
        .filter((s) => s.status === 'ok')
        .flatMap((s) => checkOverfitting(s, minRisePct) ?? []);
      if (checks.length < minOptimizers) return inconclusive(`Only ${checks.length} optimizers ran ok with validation data; need ${minOptimizers}.`);
      const count = checks.filter((c) => c.overfits).length;
      return {
        verdict: verdictOf(count / checks.length >= minShare),
        evidence: `${count} of ${checks.length} optimizers overfit. ${checks.map((c) => c.text).join('; ')}.`,
      };
    },
  );
}

/** Epochs at which the value rose by more than `noisePct`% over the previous epoch. */
function countIncreases(curve: number[], noisePct: number): number {
  return curve.slice(1).filter((value, i) => value > curve[i] * (1 + noisePct / 100)).length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The optimizer's curve goes "back and forth": it rises (by more than `noisePct`%) at least
 * `minIncreases` times, and more often than the median of the other ok optimizers.
 */
export function irregular(options: ClaimText & { optimizer: string; measure?: 'loss' | 'valLoss'; minIncreases?: number; noisePct?: number }): Claim {
  const { optimizer, measure = 'valLoss', minIncreases = 3, noisePct = 0.5 } = options;
  return defineClaim(
    {
      ...options,
      criterion: `${optimizer}'s ${MEASURE_NAMES[measure]} rises (by > ${noisePct}% epoch over epoch) at least ${minIncreases} times and more often than the median of the other optimizers.`,
      optimizers: [optimizer],
    },
    (_results, summary, named) => {
      const series = named.get(optimizer)!;
      const own = requireCurve(series, measure);
      if (isScore(own)) return own;
      const others = okCurves(summary, measure).filter((c) => c.series !== series);
      if (others.length === 0) return inconclusive(`No other optimizer ran ok to compare ${series.name} with.`);
      const count = countIncreases(own, noisePct);
      const typical = median(others.map((c) => countIncreases(c.curve, noisePct)));
      return {
        verdict: verdictOf(count >= minIncreases && count > typical),
        evidence: `${series.name}'s ${MEASURE_NAMES[measure]} rose in ${count} of ${own.length - 1} epochs; median of the others ${formatNumber(typical)}.`,
      };
    },
  );
}

/** Every part must hold; a failing part decides over an inconclusive one. */
export function allOf(options: ClaimText & { parts: Claim[] }): Claim {
  const { parts } = options;
  return {
    id: options.id,
    statement: options.statement,
    criterion: parts.map((p) => p.criterion).join(' AND '),
    optimizers: [...new Set(parts.flatMap((p) => p.optimizers))],
    score(results) {
      const scores = parts.map((p) => p.score(results));
      const verdict: ClaimVerdict = scores.some((s) => s.verdict === 'not-reproduced')
        ? 'not-reproduced'
        : scores.some((s) => s.verdict === 'inconclusive')
          ? 'inconclusive'
          : 'reproduced';
      return { verdict, evidence: [...new Set(scores.map((s) => s.evidence))].join(' ') };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Cost-surface claims (the surfaces experiment): judged on the trajectories of each optimizer's primary series.

function trajectoriesOn(series: OptimizerSeries, surface: string): SurfaceTrajectory[] {
  return series.runs.flatMap((run) => run.trajectories ?? []).filter((t) => t.surface === surface);
}

function requireTrajectories(series: OptimizerSeries, surface: string): SurfaceTrajectory[] | ClaimScore {
  const found = trajectoriesOn(series, surface);
  return found.length > 0 ? found : inconclusive(`${series.name} has no trajectory on '${surface}'.`);
}

const startText = (t: SurfaceTrajectory) => `from (${t.start.map(formatNumber).join(', ')})`;

/** Every trajectory of the named optimizers on the surface ends within `maxDistance` of a minimum. */
export function surfaceConverges(options: ClaimText & { surface: string; optimizers: string[]; maxDistance?: number }): Claim {
  const { surface, optimizers, maxDistance = 0.1 } = options;
  return defineClaim(
    { ...options, criterion: `On '${surface}', every trajectory of ${optimizers.join(', ')} ends within ${maxDistance} of a minimum without diverging.`, optimizers },
    (_results, _summary, named) => {
      const texts: string[] = [];
      let holds = true;
      for (const series of named.values()) {
        const found = requireTrajectories(series, surface);
        if (isScore(found)) return found;
        for (const t of found) {
          holds &&= t.status === 'ok' && t.finalDistanceToMinimum <= maxDistance;
          texts.push(`${series.name} ${startText(t)}: ${t.status === 'ok' ? `distance ${formatNumber(t.finalDistanceToMinimum)}` : t.status}`);
        }
      }
      return { verdict: verdictOf(holds), evidence: `${texts.join('; ')}.` };
    },
  );
}

/** The optimizer does not get to a minimum on the surface: every trajectory ends ≥ `minDistance` away (or diverges). */
export function surfaceMisses(options: ClaimText & { surface: string; optimizer: string; minDistance?: number }): Claim {
  const { surface, optimizer, minDistance = 0.5 } = options;
  return defineClaim(
    { ...options, criterion: `On '${surface}', every trajectory of ${optimizer} ends at least ${minDistance} from the nearest minimum, or diverges.`, optimizers: [optimizer] },
    (_results, _summary, named) => {
      const series = named.get(optimizer)!;
      const found = requireTrajectories(series, surface);
      if (isScore(found)) return found;
      const holds = found.every((t) => t.status !== 'ok' || t.finalDistanceToMinimum >= minDistance);
      const texts = found.map((t) => `${startText(t)}: ${t.status === 'ok' ? `distance ${formatNumber(t.finalDistanceToMinimum)}` : t.status}`);
      return { verdict: verdictOf(holds), evidence: `${series.name} ${texts.join('; ')}.` };
    },
  );
}

/** Largest climb of f after a low point, as a fraction of the total descent from the start to the lowest f. */
function reboundFraction(t: SurfaceTrajectory): number {
  let lowest = Infinity;
  let rebound = 0;
  for (const p of t.points) {
    lowest = Math.min(lowest, p.f);
    rebound = Math.max(rebound, p.f - lowest);
  }
  const descent = (t.points[0]?.f ?? 0) - lowest;
  return descent > 0 ? rebound / descent : 0;
}

/**
 * The named optimizers overshoot ("find it hard to brake"): on every start, the trajectory diverges or f
 * climbs back up after a low point by at least `minRebound` of the descent so far.
 */
export function surfaceOvershoots(options: ClaimText & { surface: string; optimizers: string[]; minRebound?: number }): Claim {
  const { surface, optimizers, minRebound = 0.05 } = options;
  return defineClaim(
    {
      ...options,
      criterion: `On '${surface}', every trajectory of ${optimizers.join(', ')} diverges, or its f climbs back by at least ${minRebound * 100}% of the descent from the start to its lowest f.`,
      optimizers,
    },
    (_results, _summary, named) => {
      const texts: string[] = [];
      let holds = true;
      for (const series of named.values()) {
        const found = requireTrajectories(series, surface);
        if (isScore(found)) return found;
        for (const t of found) {
          const rebound = reboundFraction(t);
          holds &&= t.status === 'diverged' || rebound >= minRebound;
          texts.push(`${series.name} ${startText(t)}: ${t.status === 'diverged' ? 'diverged' : `rebound ${formatNumber(rebound * 100)}%`}`);
        }
      }
      return { verdict: verdictOf(holds), evidence: `${texts.join('; ')}.` };
    },
  );
}

/** Steps until f first falls to `level` or below; Infinity when it never does. */
function stepsToLevel(t: SurfaceTrajectory, level: number): number {
  return t.points.find((p) => p.f <= level)?.step ?? Infinity;
}

/**
 * The named optimizers leave the saddle fastest: the slowest of them needs fewer steps than the median
 * of the other optimizers for f to fall to `level` (below the saddle's value), worst start per optimizer.
 */
export function surfaceEscapesFaster(options: ClaimText & { surface: string; optimizers: string[]; level: number }): Claim {
  const { surface, optimizers, level } = options;
  return defineClaim(
    {
      ...options,
      criterion: `On '${surface}', the slowest of ${optimizers.join(', ')} needs fewer steps than the median of the other optimizers for f to fall to ${level}.`,
      optimizers,
    },
    (_results, summary) => {
      const steps = primarySeriesAll(summary)
        .filter((s) => s.status === 'ok' && trajectoriesOn(s, surface).length > 0)
        .map((s) => ({ series: s, steps: Math.max(...trajectoriesOn(s, surface).map((t) => stepsToLevel(t, level))) }));
      const mine = steps.filter((s) => optimizers.includes(s.series.optimizer));
      const others = steps.filter((s) => !optimizers.includes(s.series.optimizer));
      if (mine.length < optimizers.length) return inconclusive(`Not all of ${optimizers.join(', ')} have a trajectory on '${surface}'.`);
      if (others.length === 0) return inconclusive(`No other optimizer has a trajectory on '${surface}'.`);
      const slowest = Math.max(...mine.map((s) => s.steps));
      const typical = median(others.map((s) => s.steps));
      return {
        verdict: verdictOf(slowest < typical),
        evidence: `Steps for f to fall to ${level}: ${steps.map((s) => `${s.series.name} ${s.steps}`).join(', ')}; median of the others ${formatNumber(typical)}.`,
      };
    },
  );
}
