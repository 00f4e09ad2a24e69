/**
 * Predicate builders for the study's findings. Each builder returns a Claim whose score() states the
 * verdict and the numbers behind it. Shared rules, so every claim reads the same numbers as the report:
 *
 * - An optimizer's numbers are those of its primary series (summary.ts): the tfjs built-in if it ran,
 *   else the from-scratch one, at the registry default learning rate if it ran; seeds are averaged.
 * - "Final" means the last epoch, as in the study (`history[...][EPOCHS - 1]`).
 * - A claim about an optimizer that is missing from the run or did not run ok is 'inconclusive'.
 * - Claims about "the others" / "most optimizers" use the optimizers that ran ok.
 * - "Faster" claims count epochs (or steps) to a target: equal counts are a tie, which is inconclusive.
 * - A claim that `needs` a run length says "inconclusive: run too short" on a shorter run, whatever its
 *   predicate reads there (shown in the evidence): a short run can neither confirm nor refute it.
 * - Every threshold is fixed before the study runs are scored; each carries its reason where it is set.
 */
import { formatNumber, maxOf, minOf } from '../common/numbers.js';
import type { RunResults, SurfaceTrajectory } from '../results/schema.js';
import { completionOf, completionText, NOT_FINISHED } from '../results/completion.js';
import type { Claim, ClaimScore, StudyClaim, ClaimVerdict } from './claim.js';
import { primarySeries, primarySeriesAll, summarizeRun, type RunSummary, type OptimizerSeries } from '../results/summary.js';

/** A per-epoch quantity of a series. 'valMetric' follows settings.metric.higherIsBetter; losses are lower-better. */
export type Measure = 'loss' | 'valLoss' | 'valMetric';

/**
 * The shortest run on which a claim's effect can show, and why. `epochs` for model experiments, `steps`
 * for optimizer steps (model experiments: epochs × batches per epoch; surfaces: steps per trajectory).
 */
export interface RunLength {
  epochs?: number;
  steps?: number;
  why: string;
}

interface ClaimText {
  id: string;
  statement: string;
  /** Shorter runs score 'inconclusive: run too short'. */
  needs?: RunLength;
}

const MEASURE_NAMES: Record<Measure, string> = { loss: 'train loss', valLoss: 'validation loss', valMetric: 'validation metric' };

const verdictOf = (holds: boolean): ClaimVerdict => (holds ? 'reproduced' : 'not-reproduced');
const inconclusive = (evidence: string, qualifier?: string): ClaimScore => ({ verdict: 'inconclusive', evidence, ...(qualifier ? { qualifier } : {}) });

/** A faster-than comparison of two counts (epochs or steps): fewer is faster, equal is a tie. */
function fasterVerdict(mine: number, theirs: number, evidence: string): ClaimScore {
  if (mine === theirs) return inconclusive(`${evidence} A tie: the run cannot tell which is faster.`, 'tie');
  return { verdict: verdictOf(mine < theirs), evidence };
}

/** Epochs and optimizer steps of a run; a surface run (no samples) has one step per epoch. */
export function lengthOf(results: RunResults): { epochs: number; steps: number } {
  const { epochs, trainSamples, batchSize } = results.settings;
  return { epochs, steps: trainSamples > 0 ? epochs * Math.ceil(trainSamples / batchSize) : epochs };
}

function needsText(needs: RunLength): string {
  const parts = [needs.epochs ? `${needs.epochs} epochs` : '', needs.steps ? `${needs.steps} steps` : ''].filter(Boolean);
  return `Needs a run of at least ${parts.join(' and ')}: ${needs.why}`;
}

/** What the run lacks of `needs`, or null when it is long enough. */
function shortfall(results: RunResults, needs: RunLength | undefined): string | null {
  if (!needs) return null;
  const have = lengthOf(results);
  const missing = [
    needs.epochs && have.epochs < needs.epochs ? `${have.epochs} epochs (needs ${needs.epochs})` : '',
    needs.steps && have.steps < needs.steps ? `${have.steps} steps (needs ${needs.steps})` : '',
  ].filter(Boolean);
  return missing.length ? `this run has ${missing.join(' and ')}` : null;
}

/** Applies a claim's run-length requirement to a score computed on the run. */
function withinLength(results: RunResults, needs: RunLength | undefined, score: ClaimScore): ClaimScore {
  const short = shortfall(results, needs);
  if (!short) return score;
  const reads = score.verdict === 'inconclusive' ? 'inconclusive' : score.verdict === 'reproduced' ? 'reproduced' : 'not reproduced';
  return inconclusive(`Run too short: ${short}; ${needs!.why} On this run the predicate reads ${reads}: ${score.evidence}`, 'run too short');
}

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
  const { id, statement, needs, optimizers } = text;
  return {
    id,
    statement,
    optimizers,
    criterion: needs ? `${text.criterion} ${needsText(needs)}` : text.criterion,
    score(results) {
      const summary = summarizeRun(results);
      const named = new Map<string, OptimizerSeries>();
      for (const optimizer of optimizers) {
        const series = primarySeries(summary, optimizer);
        const pending = series ? undefined : completionOf(results).unfinished.find((unit) => unit.optimizer === optimizer);
        if (pending || series?.status === 'skipped') return inconclusive(`${series?.name ?? pending!.name} is ${NOT_FINISHED} in this run.`);
        if (!series) return inconclusive(`${optimizer} is not in this run.`);
        if (series.status !== 'ok') return inconclusive(`${series.name} did not run ok (${series.reason ?? series.status}).`);
        named.set(optimizer, series);
      }
      return withinLength(results, needs, judge(results, summary, named));
    },
  };
}

function requireCurve(series: OptimizerSeries, measure: Measure): number[] | ClaimScore {
  return curveOf(series, measure) ?? inconclusive(`${series.name} has no ${MEASURE_NAMES[measure]} per epoch.`);
}

const isScore = (value: unknown): value is ClaimScore => typeof value === 'object' && value !== null && 'verdict' in value;

/** Which value of a curve a claim reads: the last epoch's (as the study's table) or the best epoch's. */
export type Reading = 'final' | 'best';

const READING_NAMES: Record<Reading, string> = { final: 'Final', best: 'Best-epoch' };

function readCurve(curve: number[], at: Reading, higher: boolean): number {
  if (at === 'final') return curve.at(-1)!;
  return higher ? maxOf(curve) : minOf(curve);
}

/** The value each seed of the series has (final or best epoch): the spread behind a seed-mean verdict. */
function seedValues(series: OptimizerSeries, measure: Measure, at: Reading, higher: boolean): number[] {
  return series.runs.flatMap((run) => {
    const curve = run.epochs.map((e) => e[measure]);
    return curve.length > 0 && curve.every((v): v is number => v !== null) ? [readCurve(curve, at, higher)] : [];
  });
}

/** "Adam 0.31–0.34 over 3 seeds"; empty for a single seed, which has no spread. */
function seedSpread(series: OptimizerSeries, measure: Measure, at: Reading, higher: boolean): string {
  const values = seedValues(series, measure, at, higher);
  return values.length > 1 ? `${series.name} ${formatNumber(minOf(values))}–${formatNumber(maxOf(values))} over ${values.length} seeds` : '';
}

/**
 * The named optimizers have the best value (final, or at their best epoch with `at: 'best'`): each is
 * within `tolerance` (relative) of the best ok optimizer, or ranks within the top `topK` (default: as
 * many as are named). A verdict that rests on the tolerance shows the seeds' spread.
 */
export function bestFinal(options: ClaimText & { optimizers: string[]; measure?: Measure; tolerance?: number; topK?: number; at?: Reading }): Claim {
  const { measure = 'valLoss', tolerance = 0.02, optimizers, at = 'final' } = options;
  const topK = options.topK ?? optimizers.length;
  const reading = `${READING_NAMES[at]} ${MEASURE_NAMES[measure]}`;
  return defineClaim(
    {
      ...options,
      criterion: `${reading} of ${optimizers.join(', ')} ranks in the top ${topK} of the optimizers that ran ok, or is within ${tolerance * 100}% of the best.`,
      optimizers,
    },
    (results, summary) => {
      const higher = higherIsBetter(results, measure);
      const ranked = okCurves(summary, measure)
        .map(({ series, curve }) => ({ series, value: readCurve(curve, at, higher) }))
        .sort((a, b) => (higher ? b.value - a.value : a.value - b.value));
      const best = ranked[0];
      if (!best) return inconclusive(`No optimizer has a ${MEASURE_NAMES[measure]}.`);
      let restsOnTolerance = false;
      const parts = optimizers.map((optimizer) => {
        const rank = ranked.findIndex((r) => r.series.optimizer === optimizer);
        if (rank < 0) return { ok: false, text: `${optimizer} has no ${MEASURE_NAMES[measure]}` };
        const { value, series } = ranked[rank];
        const gap = Math.abs(value - best.value) / Math.abs(best.value);
        // Within the tolerance either way (a close second, or a close first) the seeds' spread matters.
        const closeOther = ranked.some((r, i) => i !== rank && Math.abs(r.value - value) / Math.abs(value) <= tolerance);
        restsOnTolerance ||= (rank >= topK && gap <= tolerance) || closeOther;
        return { ok: rank < topK || gap <= tolerance, text: `${series.name} ${formatNumber(value)} (rank ${rank + 1} of ${ranked.length})` };
      });
      // The named optimizers, the best one and those within the tolerance of a named one: the values whose closeness the verdict rests on.
      const named = ranked.filter((r) => optimizers.includes(r.series.optimizer));
      const close = ranked.filter((r) => named.some((n) => Math.abs(r.value - n.value) / Math.abs(n.value) <= tolerance));
      const shown = [...new Set([...named, best, ...close].map((r) => r.series))];
      const spreads = shown.map((s) => seedSpread(s, measure, at, higher)).filter(Boolean);
      const spread = restsOnTolerance ? ` Within the ${tolerance * 100}% tolerance; seed spread: ${spreads.join('; ') || 'one seed'}.` : '';
      return {
        verdict: verdictOf(parts.every((p) => p.ok)),
        evidence: `${reading}: ${parts.map((p) => p.text).join('; ')}; best ${best.series.name} ${formatNumber(best.value)}.${spread}`,
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
  return minOf(curves.flat()) * (1 + withinPct / 100);
}

/** A count of epochs or steps; Infinity (the level was never reached) reads as such. */
const countText = (count: number) => (Number.isFinite(count) ? formatNumber(count) : 'never reached');

const TARGET_TEXT = (measure: Measure, withinPct: number) =>
  `the target is the lowest ${MEASURE_NAMES[measure]} reached by any of them plus ${withinPct}%`;

/**
 * The optimizer reaches a loss near the best in fewer epochs than every other ok optimizer. Sharing the
 * fewest epochs with another is a tie (inconclusive), as in convergesSlowerThan.
 */
export function reachesTargetFirst(options: ClaimText & { optimizer: string; measure?: 'loss' | 'valLoss'; withinPct?: number }): Claim {
  const { optimizer, measure = 'loss', withinPct = 10 } = options;
  return defineClaim(
    {
      ...options,
      criterion: `${optimizer} needs fewer epochs than every other ok optimizer to reach the target (a tie is inconclusive); ${TARGET_TEXT(measure, withinPct)}.`,
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
      const fastestOther = minOf(epochs.filter((e) => !e.mine).map((e) => e.epochs));
      const evidence = `Epochs to reach ${MEASURE_NAMES[measure]} ≤ ${formatNumber(target)}: ${epochs.map((e) => `${e.name} ${countText(e.epochs)}`).join(', ')}.`;
      // The target is reached by someone, so two Infinity counts cannot both be the fastest.
      return fasterVerdict(own, fastestOther, evidence);
    },
  );
}

/** `slow` needs more epochs than `fast` to reach a loss near the better of the two. */
export function convergesSlowerThan(options: ClaimText & { slow: string; fast: string; measure?: 'loss' | 'valLoss'; withinPct?: number }): Claim {
  const { slow, fast, measure = 'loss', withinPct = 10 } = options;
  return defineClaim(
    {
      ...options,
      criterion: `${slow} needs more epochs than ${fast} to reach the target (a tie is inconclusive); ${TARGET_TEXT(measure, withinPct)}.`,
      optimizers: [slow, fast],
    },
    (_results, _summary, named) => {
      const curves = [named.get(slow)!, named.get(fast)!].map((s) => requireCurve(s, measure));
      const failure = curves.find(isScore);
      if (failure) return failure;
      const [slowCurve, fastCurve] = curves as number[][];
      const target = targetNearBest([slowCurve, fastCurve], withinPct);
      const [slowEpochs, fastEpochs] = [epochsToReach(slowCurve, target), epochsToReach(fastCurve, target)];
      return fasterVerdict(fastEpochs, slowEpochs, `Epochs to reach ${MEASURE_NAMES[measure]} ≤ ${formatNumber(target)}: ${named.get(slow)!.name} ${countText(slowEpochs)}, ${named.get(fast)!.name} ${countText(fastEpochs)}.`);
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
  const best = val.indexOf(minOf(val));
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

/** Which optimizers learned at all: their best validation loss went below `maxBestValLoss`. */
export interface LearnedRule {
  maxBestValLoss: number;
  why: string;
}

/**
 * Overfitting (as in overfits()) shows in at least `minShare` of the optimizers that ran ok and, with
 * `learned`, learned something (at least `minOptimizers` of them): an optimizer that never left chance
 * level cannot overfit, so counting it would dilute the share.
 */
export function overfitsInMost(options: ClaimText & { minShare?: number; minRisePct?: number; minOptimizers?: number; learned?: LearnedRule }): Claim {
  const { minShare = 0.75, minRisePct = 5, minOptimizers = 3, learned } = options;
  const among = learned ? `the optimizers that ran ok and learned (best validation loss below ${formatNumber(learned.maxBestValLoss)}: ${learned.why})` : 'the optimizers that ran ok';
  return defineClaim(
    {
      ...options,
      criterion: `In at least ${minShare * 100}% of ${among}, at least ${minOptimizers} needed: ${OVERFIT_CRITERION(minRisePct)}.`,
      optimizers: [],
    },
    (_results, summary) => {
      const ok = primarySeriesAll(summary).filter((s) => s.status === 'ok');
      const learnt = ok.filter((s) => !learned || minOf((curveOf(s, 'valLoss') ?? [Infinity])) < learned.maxBestValLoss);
      const notLearnt = ok.filter((s) => !learnt.includes(s));
      const excluded = notLearnt.length ? ` Did not learn (left out): ${notLearnt.map((s) => s.name).join(', ')}.` : '';
      const checks = learnt.flatMap((s) => checkOverfitting(s, minRisePct) ?? []);
      if (checks.length < minOptimizers) return inconclusive(`Only ${checks.length} optimizers ran ok with validation data${learned ? ' and learned' : ''}; need ${minOptimizers}.${excluded}`);
      const count = checks.filter((c) => c.overfits).length;
      return {
        verdict: verdictOf(count / checks.length >= minShare),
        evidence: `${count} of ${checks.length} optimizers overfit. ${checks.map((c) => c.text).join('; ')}.${excluded}`,
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

/**
 * The named optimizers minimise alike at different speeds: each one's train loss falls by at least
 * `minDropPct`% from epoch 1 to the last, never rising by more than `noisePct`% epoch over epoch (the same
 * steady pattern), while their final train losses spread by at least `minSpreadPct`% (different speeds).
 */
export function minimiseAlike(options: ClaimText & { optimizers: string[]; minDropPct: number; noisePct: number; minSpreadPct: number }): Claim {
  const { optimizers, minDropPct, noisePct, minSpreadPct } = options;
  return defineClaim(
    {
      ...options,
      criterion: `Train loss of each of ${optimizers.join(', ')} falls by at least ${minDropPct}% from epoch 1 to the last without rising by more than `
        + `${noisePct}% epoch over epoch, and the highest of their final train losses is at least ${minSpreadPct}% above the lowest.`,
      optimizers,
    },
    (_results, _summary, named) => {
      const rows: { name: string; first: number; last: number; rises: number }[] = [];
      for (const series of named.values()) {
        const curve = requireCurve(series, 'loss');
        if (isScore(curve)) return curve;
        rows.push({ name: series.name, first: curve[0], last: curve.at(-1)!, rises: countIncreases(curve, noisePct) });
      }
      const dropPct = (r: (typeof rows)[number]) => ((r.first - r.last) / r.first) * 100;
      const steady = rows.every((r) => dropPct(r) >= minDropPct && r.rises === 0);
      const finals = rows.map((r) => r.last);
      const spreadPct = (maxOf(finals) / minOf(finals) - 1) * 100;
      return {
        verdict: verdictOf(steady && spreadPct >= minSpreadPct),
        evidence: `Train loss epoch 1 → last: ${rows.map((r) => `${r.name} ${formatNumber(r.first)} → ${formatNumber(r.last)} (−${formatNumber(dropPct(r))}%${r.rises ? `, rose ${r.rises}×` : ''})`).join('; ')}; `
          + `final spread ${formatNumber(spreadPct)}%.`,
      };
    },
  );
}

/**
 * The named optimizers behave similarly: their final values lie within `withinPct`% of each other (the
 * highest at most that much above the lowest). A tolerance verdict, so the seeds' spread is shown.
 */
export function behaveSimilarly(options: ClaimText & { optimizers: string[]; withinPct: number; measure?: Measure }): Claim {
  const { optimizers, withinPct, measure = 'valLoss' } = options;
  return defineClaim(
    {
      ...options,
      criterion: `Final ${MEASURE_NAMES[measure]} of ${optimizers.join(', ')}: the highest is at most ${withinPct}% above the lowest.`,
      optimizers,
    },
    (results, _summary, named) => {
      const higher = higherIsBetter(results, measure);
      const rows: { series: OptimizerSeries; final: number }[] = [];
      for (const series of named.values()) {
        const curve = requireCurve(series, measure);
        if (isScore(curve)) return curve;
        rows.push({ series, final: curve.at(-1)! });
      }
      const finals = rows.map((r) => r.final);
      const spreadPct = (maxOf(finals) / minOf(finals) - 1) * 100;
      const spread = rows.map((r) => seedSpread(r.series, measure, 'final', higher)).filter(Boolean);
      return {
        verdict: verdictOf(spreadPct <= withinPct),
        evidence: `Final ${MEASURE_NAMES[measure]}: ${rows.map((r) => `${r.series.name} ${formatNumber(r.final)}`).join(', ')}; spread ${formatNumber(spreadPct)}% `
          + `(tolerance ${withinPct}%).${spread.length ? ` Seed spread: ${spread.join('; ')}.` : ''}`,
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
      const qualifier = verdict === 'inconclusive' ? scores.find((s) => s.verdict === 'inconclusive' && s.qualifier)?.qualifier : undefined;
      return { verdict, evidence: [...new Set(scores.map((s) => s.evidence))].join(' '), ...(qualifier ? { qualifier } : {}) };
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

type Vector = [number, number];

const angleDegrees = (a: Vector, b: Vector) => {
  const cos = (a[0] * b[0] + a[1] * b[1]) / (Math.hypot(...a) * Math.hypot(...b));
  return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
};

/** The trajectory's point `step` steps in (its last point if it stopped earlier). */
const pointAt = (t: SurfaceTrajectory, step: number) => t.points[Math.min(step, t.points.length - 1)];

/**
 * Where an optimizer's first steps head on a valley: the angle between its displacement after `firstSteps`
 * steps and the direction of the valley's floor towards the minimum. The named optimizer heads across the
 * floor (angle ≥ `minAngle`°) from every start; the other optimizers' angles are shown for comparison.
 */
export function surfaceHeadsAcrossFloor(options: ClaimText & { surface: string; optimizer: string; floorDirection: Vector; firstSteps: number; minAngle: number }): Claim {
  const { surface, optimizer, floorDirection, firstSteps, minAngle } = options;
  return defineClaim(
    {
      ...options,
      criterion: `On '${surface}', the displacement of ${optimizer}'s first ${firstSteps} steps makes at least ${minAngle}° with the valley floor's direction `
        + `(${floorDirection.join(', ')}) from every start.`,
      optimizers: [optimizer],
    },
    (_results, summary, named) => {
      const angleOf = (t: SurfaceTrajectory) => {
        const end = pointAt(t, firstSteps);
        return angleDegrees([end.x - t.start[0], end.y - t.start[1]], floorDirection);
      };
      const series = named.get(optimizer)!;
      const found = requireTrajectories(series, surface);
      if (isScore(found)) return found;
      const angles = found.map(angleOf);
      const others = primarySeriesAll(summary)
        .filter((s) => s !== series && s.status === 'ok' && trajectoriesOn(s, surface).length > 0)
        .map((s) => `${s.name} ${trajectoriesOn(s, surface).map((t) => formatNumber(angleOf(t))).join('/')}°`);
      return {
        verdict: verdictOf(angles.every((a) => a >= minAngle)),
        evidence: `Angle to the floor after ${firstSteps} steps: ${series.name} ${angles.map((a) => `${formatNumber(a)}°`).join(', ')}`
          + `${others.length ? `; the others ${others.join(', ')}` : ''}.`,
      };
    },
  );
}

/**
 * How far along a valley's floor an optimizer got: the projection of its last point's displacement on
 * the floor direction, as a fraction of the start's distance to `minimum` along the floor. The named
 * optimizer covers less than `maxFraction` of the way from every start (it never gets going).
 */
export function surfaceStaysBehind(options: ClaimText & { surface: string; optimizer: string; floorDirection: Vector; minimum: Vector; maxFraction: number }): Claim {
  const { surface, optimizer, floorDirection, minimum, maxFraction } = options;
  const unit: Vector = [floorDirection[0] / Math.hypot(...floorDirection), floorDirection[1] / Math.hypot(...floorDirection)];
  return defineClaim(
    {
      ...options,
      criterion: `On '${surface}', ${optimizer}'s last point has covered less than ${maxFraction * 100}% of the way along the valley floor from every start to the minimum `
        + `(${minimum.join(', ')}).`,
      optimizers: [optimizer],
    },
    (_results, _summary, named) => {
      const series = named.get(optimizer)!;
      const found = requireTrajectories(series, surface);
      if (isScore(found)) return found;
      const fractions = found.map((t) => {
        const last = t.points.at(-1)!;
        const along = (p: Vector) => (p[0] - t.start[0]) * unit[0] + (p[1] - t.start[1]) * unit[1];
        return along([last.x, last.y]) / along(minimum);
      });
      return {
        verdict: verdictOf(fractions.every((f) => f < maxFraction)),
        evidence: `${series.name} covered ${fractions.map((f) => `${formatNumber(f * 100)}%`).join(', ')} of the way along the floor in ${found[0].points.length - 1} steps.`,
      };
    },
  );
}

/**
 * How far past the minimum a trajectory went: the furthest projection of its points on the axis from its
 * start to `minimum`, beyond the minimum, as a fraction of the start's distance to it (0 = never past).
 */
function overshootPast(t: SurfaceTrajectory, minimum: Vector): number {
  const axis: Vector = [minimum[0] - t.start[0], minimum[1] - t.start[1]];
  const lengthSquared = axis[0] ** 2 + axis[1] ** 2;
  const furthest = maxOf(t.points.map((p) => ((p.x - t.start[0]) * axis[0] + (p.y - t.start[1]) * axis[1]) / lengthSquared));
  return Math.max(0, furthest - 1);
}

/**
 * The named (accelerated) optimizers overshoot: on every start each one's path goes past the minimum by at
 * least `minOvershoot` of the start's distance to it; each of `against` (the same update
 * without acceleration, at the same learning rate) stays short of that, so the overshoot is the
 * acceleration's and not the rate's.
 */
export function surfaceOvershoots(options: ClaimText & { surface: string; optimizers: string[]; against: string[]; minimum: Vector; minOvershoot: number }): Claim {
  const { surface, optimizers, against, minimum, minOvershoot } = options;
  return defineClaim(
    {
      ...options,
      criterion: `On '${surface}', every path of ${optimizers.join(', ')} goes past the minimum (${minimum.join(', ')}) by at least ${minOvershoot * 100}% of the start's `
        + `distance to it along the start–minimum axis; every path of ${against.join(', ')} goes past it by less. (A unit with a diverged path did not run ok: inconclusive.)`,
      optimizers: [...optimizers, ...against],
    },
    (_results, _summary, named) => {
      const texts: string[] = [];
      let holds = true;
      for (const [optimizer, series] of named) {
        const found = requireTrajectories(series, surface);
        if (isScore(found)) return found;
        const accelerated = optimizers.includes(optimizer);
        for (const t of found) {
          const overshoot = overshootPast(t, minimum);
          holds &&= accelerated === overshoot >= minOvershoot;
          texts.push(`${series.name} ${startText(t)}: ${formatNumber(overshoot * 100)}% past`);
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
 * The named optimizers leave the saddle much faster than `against` (the methods the figure compares them
 * with): the slowest of them, times `minFactor`, needs fewer steps than the fastest of `against` for f to
 * fall to `level` (below the saddle's value), worst start per optimizer. Equal counts are a tie.
 */
export function surfaceLeavesFaster(options: ClaimText & { surface: string; optimizers: string[]; against: string[]; level: number; minFactor: number }): Claim {
  const { surface, optimizers, against, level, minFactor } = options;
  return defineClaim(
    {
      ...options,
      criterion: `On '${surface}', the slowest of ${optimizers.join(', ')} needs at most 1/${minFactor} of the steps the fastest of ${against.join(', ')} needs `
        + `for f to fall to ${level} (a tie is inconclusive).`,
      optimizers: [...optimizers, ...against],
    },
    (_results, _summary, named) => {
      const steps = new Map<string, number>();
      for (const [optimizer, series] of named) {
        const found = requireTrajectories(series, surface);
        if (isScore(found)) return found;
        steps.set(optimizer, maxOf(found.map((t) => stepsToLevel(t, level))));
      }
      const slowest = maxOf(optimizers.map((o) => steps.get(o)!));
      const fastestAgainst = minOf(against.map((o) => steps.get(o)!));
      const evidence = `Steps for f to fall to ${level}: ${[...named].map(([o, s]) => `${s.name} ${countText(steps.get(o)!)}`).join(', ')}.`;
      return fasterVerdict(slowest * minFactor, fastestAgainst, evidence);
    },
  );
}

// ---------------------------------------------------------------------------------------------------
// Study-level claims: judged across the runs of several experiments (one run per experiment).

/**
 * The optimizer is a good default across problems: in every model experiment given (surfaces are not
 * problems) its final validation loss ranks in the top `topShare` of the optimizers that ran ok, or is
 * within `tolerance` (relative) of the best; at least `minExperiments` experiments are needed.
 */
export function goodDefaultAcross(options: { id: string; statement: string; optimizer: string; topShare: number; tolerance: number; minExperiments: number; why: string }): StudyClaim {
  const { optimizer, topShare, tolerance, minExperiments } = options;
  return {
    id: options.id,
    statement: options.statement,
    criterion: `In every model experiment, ${optimizer}'s final validation loss ranks in the top ${topShare * 100}% of the optimizers that ran ok, or is within `
      + `${tolerance * 100}% of the best; at least ${minExperiments} experiments needed. ${options.why}`,
    score(runs) {
      const judged = runs.filter((r) => !r.runs.some((u) => u.trajectories !== undefined)).map((results) => {
        // A rank among the units that happen to have finished says nothing about the experiment.
        if (completionOf(results).unfinished.length) {
          return { experiment: results.experiment, ok: null, text: `${results.experiment}: not judged, its run is not finished (${completionText(results)})` };
        }
        const ranked = primarySeriesAll(summarizeRun(results))
          .filter((s) => s.status === 'ok' && s.final)
          .map((s) => ({ series: s, value: s.final!.valLoss ?? s.final!.loss }))
          .sort((a, b) => a.value - b.value);
        const rank = ranked.findIndex((r) => r.series.optimizer === optimizer);
        if (rank < 0) return { experiment: results.experiment, ok: null, text: `${results.experiment}: ${optimizer} did not run ok` };
        const gap = (ranked[rank].value - ranked[0].value) / Math.abs(ranked[0].value);
        const ok = rank < Math.ceil(ranked.length * topShare) || gap <= tolerance;
        return { experiment: results.experiment, ok, text: `${results.experiment}: rank ${rank + 1} of ${ranked.length} (${formatNumber(ranked[rank].value)}, best ${ranked[0].series.name} ${formatNumber(ranked[0].value)})` };
      });
      const evidence = judged.length ? `${judged.map((j) => j.text).join('; ')}.` : 'No model experiment in the study.';
      const scored = judged.filter((j) => j.ok !== null);
      if (scored.length < minExperiments) return inconclusive(`${evidence} ${scored.length} of the ${minExperiments} experiments needed have a result for ${optimizer}.`);
      return { verdict: verdictOf(scored.every((j) => j.ok)), evidence };
    },
  };
}
