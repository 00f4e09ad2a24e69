/**
 * Judges a run against a baseline, optimizer group by optimizer group. Settings first: every difference
 * from the baseline's settings and environment is listed, and one not accepted fails. Then the curves:
 * a seed that the baseline holds and the run reproduces under the same environment and settings is
 * replayed exactly (any difference is a change); the other seeds are judged statistically against all
 * of the baseline's seeds. A change fails in either direction: an improvement nobody asked for is as
 * much a surprise as a regression (`--allow-improvement` accepts it). See docs/convergence-check.md.
 */
import type { OptimizerRun, RunResults } from '../results/schema.js';
import { curvesOf, STATISTICAL_MIN_SEEDS, type Baseline, type GroupBaseline, type SeedBaseline, type SeedCurves } from './baseline.js';
import { curveInfo, defaultCurve, groupUnits, outcomeOf, type CurveName, type UnitGroup } from './curves.js';
import { BaselineMismatchError, MissingCurveError } from './errors.js';
import { replaySeed, type SeedReplay } from './replay.js';
import { isAccepted, settingDifferences, unrecordedEnvironment, type SettingDifference } from './settings.js';
import { bonferroniLevel, detectableDifference, FALSE_ALARM_RATE, mean, std, tTest, type TTest } from './stats.js';

export type ConvergenceVerdict = 'ok' | 'worse' | 'better' | 'changed' | 'missing' | 'new' | 'unjudged';
type Mode = 'replay' | 'statistical';
const JUDGED_NUMBERS = ['final', 'auc'] as const;
export type JudgedNumber = (typeof JUDGED_NUMBERS)[number];

/** A number of the judged curve: the baseline's and the run's (seed means), and how much worse the run is. */
export interface Comparison {
  baseline: number;
  run: number;
  /** Positive = worse (direction-aware), relative to |baseline|; null when the baseline is 0. */
  worsening: number | null;
}

export interface GroupCheck {
  key: string;
  optimizer: string;
  verdict: ConvergenceVerdict;
  /** How the curves were judged: seeds replayed exactly, seeds judged statistically (both for a mixed run). */
  modes: Mode[];
  /** Sentences saying why the verdict is what it is. */
  reasons: string[];
  /** Settings of this optimizer that differ from the baseline's (also in CheckReport.differences). */
  differences: SettingDifference[];
  replays: SeedReplay[];
  /** Present when some seeds were judged statistically. */
  statistical?: { runSeeds: number[]; baselineSeeds: number[]; final: TTest | null; auc: TTest | null };
  /** The judged curve's final value and AUC, for the table. */
  final?: Comparison;
  auc?: Comparison;
  /**
   * The smallest change the statistical mode could detect with the run's number of seeds, relative to the
   * baseline's mean (null: it cannot judge this group). Replay detects any change.
   */
  sensitivity: Record<JudgedNumber, number | null>;
}

export interface CheckReport {
  experiment: string;
  profile: string;
  backend: string;
  curve: CurveName;
  curveLabel: string;
  lowerIsBetter: boolean;
  runId: string;
  runSeeds: number[];
  baselineRunId: string;
  baselineSeeds: number[];
  epochsCompared: number;
  falseAlarmRate: number;
  /** Why replay did not apply where it did not (environment or settings differ, seeds not in the baseline). */
  replayBlockers: string[];
  differences: SettingDifference[];
  /** Things a reader must know to trust the verdicts: unrecorded environment, a partial run. */
  notes: string[];
  groups: GroupCheck[];
  allowImprovement: boolean;
  failed: boolean;
}

export interface CheckOptions {
  /** The curve judged for direction and statistically; default validation loss (training loss without validation data). */
  curve?: CurveName;
  /** Difference keys (or prefixes) the user asked for: they are listed but do not fail. `*` accepts all. */
  accept?: readonly string[];
  /** A significant improvement passes instead of failing. */
  allowImprovement?: boolean;
}

/** The first `epochs` values of a curve as a finite series, or null when it is incomplete. */
function series(curves: SeedCurves, curve: CurveName, epochs: number): number[] | null {
  const values = curves[curve]?.slice(0, epochs);
  if (!values || values.length < epochs || values.some((v) => v === null)) return null;
  return values as number[];
}

const numberOf = (values: number[], which: JudgedNumber) => (which === 'final' ? values[values.length - 1] : mean(values));

function comparison(baseline: number, run: number, lowerIsBetter: boolean): Comparison {
  const worse = lowerIsBetter ? run - baseline : baseline - run;
  return { baseline, run, worsening: baseline === 0 ? null : worse / Math.abs(baseline) };
}

const VERDICT_SEVERITY: ConvergenceVerdict[] = ['ok', 'unjudged', 'better', 'changed', 'worse'];
const worst = (verdicts: ConvergenceVerdict[]): ConvergenceVerdict => verdicts.reduce((a, b) => (VERDICT_SEVERITY.indexOf(b) > VERDICT_SEVERITY.indexOf(a) ? b : a), 'ok');

const fmt = (value: number | null) => (value === null ? 'none' : String(Number(value.toPrecision(6))));
const pct = (relative: number) => `${relative >= 0 ? '+' : '−'}${Math.abs(relative * 100).toFixed(relative !== 0 && Math.abs(relative) < 0.001 ? 4 : 1)}%`;

/** "seed 2 diverged (loss became NaN at epoch 3)" for each unit. */
const describeUnits = (units: OptimizerRun[]) => units.map((unit) => `seed ${unit.seed} ${unit.status}${unit.reason ? ` (${unit.reason})` : ''}`).join('; ');

interface Context {
  results: RunResults;
  baseline: Baseline;
  curve: CurveName;
  lowerIsBetter: boolean;
  epochs: number;
  /** Why replay cannot vouch for a difference for every group (environment, run settings); empty = it can. */
  globalBlockers: string[];
}

interface Pending {
  check: GroupCheck;
  base: GroupBaseline;
  /** Units judged statistically. */
  pool: OptimizerRun[];
}

/** Direction of a replayed seed's change, read from the judged curve (status first: a divergence is worse). */
function replayDirection(replay: SeedReplay, seedBase: SeedBaseline, run: SeedCurves, context: Context): { verdict: ConvergenceVerdict; reason: string } {
  const { curve, epochs, lowerIsBetter } = context;
  const label = curveInfo(curve, context.results.settings.metric).label;
  const where = replay.divergence
    ? `first differs at epoch ${replay.divergence.epoch}: ${replay.divergence.curves.map((c) => `${curveInfo(c.curve, context.results.settings.metric).label} ${fmt(c.baseline)} → ${fmt(c.run)}${c.baseline !== null && c.run !== null && c.baseline !== 0 ? ` (${pct((c.run - c.baseline) / Math.abs(c.baseline))})` : ''}`).join(', ')}` +
      (replay.divergence.unchanged.length ? `; identical throughout: ${replay.divergence.unchanged.map((c) => curveInfo(c, context.results.settings.metric).label).join(', ')}` : '')
    : '';
  const { baseline: before, run: after } = replay.status;
  if (before !== after) {
    const verdict = after === 'ok' ? 'better' : before === 'ok' ? 'worse' : 'changed';
    return { verdict, reason: `seed ${replay.seed} replayed: status ${before} → ${after}${where ? `; ${where}` : ''}` };
  }
  const baseValues = series(seedBase.curves, curve, epochs);
  const runValues = series(run, curve, epochs);
  let verdict: ConvergenceVerdict = 'changed';
  let size = '';
  if (baseValues && runValues) {
    const judged = JUDGED_NUMBERS.map((which) => comparison(numberOf(baseValues, which), numberOf(runValues, which), lowerIsBetter));
    // Worse when it ends worse or gets there more slowly (the study ranks optimizers by speed too).
    const signs = judged.map((c) => Math.sign(c.worsening ?? (lowerIsBetter ? c.run - c.baseline : c.baseline - c.run)));
    verdict = signs.some((s) => s > 0) ? 'worse' : signs.some((s) => s < 0) ? 'better' : 'changed';
    const how = (c: Comparison) => `${fmt(c.baseline)} → ${fmt(c.run)}${c.worsening ? ` (${Math.abs(c.worsening * 100).toFixed(1)}% ${c.worsening > 0 ? 'worse' : 'better'})` : ''}`;
    size = `; ${label}: final ${how(judged[0])}, AUC ${how(judged[1])}`;
  }
  return { verdict, reason: `seed ${replay.seed} replayed exactly differs: ${where}${size}` };
}

/** Replays the seeds it can; returns the units left for the statistical mode. */
function judgeReplays(group: UnitGroup, base: GroupBaseline, check: GroupCheck, context: Context): OptimizerRun[] {
  // An optimizer setting nobody asked for to change leaves the baseline the expectation: replay shows its effect.
  const blockers = [...context.globalBlockers, ...check.differences.filter((d) => d.accepted).map((d) => `${d.key} differs (accepted)`)];
  const pool: OptimizerRun[] = [];
  const verdicts: ConvergenceVerdict[] = [];
  for (const unit of group.units.filter((u) => outcomeOf(u) !== 'absent')) {
    // A deterministic experiment (the surfaces) gives every seed the same curves: any baseline seed is its replay.
    const seedBase = base.seeds[String(unit.seed)] ?? (context.results.deterministic ? Object.values(base.seeds)[0] : undefined);
    if (!seedBase || context.baseline.environment.backend !== context.results.environment.backend) {
      pool.push(unit);
      continue;
    }
    const curves = curvesOf(unit);
    const replay = replaySeed(unit.seed, seedBase, unit.status, curves, context.epochs);
    if (replay.identical) {
      check.replays.push(replay);
      continue;
    }
    if (blockers.length) {
      // Not identical, but the run is not the baseline's computation: whether it changed is a statistical question.
      check.reasons.push(`seed ${unit.seed} differs from the baseline's seed ${unit.seed}, which replay cannot judge because ${blockers.join(', ')}: judged statistically`);
      pool.push(unit);
      continue;
    }
    check.replays.push(replay);
    const { verdict, reason } = replayDirection(replay, seedBase, curves, context);
    verdicts.push(verdict);
    check.reasons.push(reason);
  }
  if (check.replays.length) check.modes.push('replay');
  check.verdict = worst([check.verdict, ...verdicts]);
  return pool;
}

/** The baseline's judged numbers over its seeds that trained to the end. */
function baselineNumbers(base: GroupBaseline, context: Context): Record<JudgedNumber, number[]> {
  const curves = Object.values(base.seeds).filter((seed) => seed.status === 'ok').map((seed) => series(seed.curves, context.curve, context.epochs));
  if (curves.some((values) => values === null)) throw new MissingCurveError(`the baseline (run ${context.baseline.source.runId})`, context.curve);
  const complete = curves as number[][];
  return { final: complete.map((c) => numberOf(c, 'final')), auc: complete.map((c) => numberOf(c, 'auc')) };
}

function runNumbers(units: OptimizerRun[], context: Context): Record<JudgedNumber, number[]> {
  const curves = units.map((unit) => {
    const values = series(curvesOf(unit), context.curve, context.epochs);
    if (!values) throw new MissingCurveError(`unit '${unit.id}'`, context.curve);
    return values;
  });
  return { final: curves.map((c) => numberOf(c, 'final')), auc: curves.map((c) => numberOf(c, 'auc')) };
}

function judgeStatistically({ check, base, pool }: Pending, context: Context, level: number): void {
  if (pool.length === 0) return;
  check.modes.push('statistical');
  const ok = pool.filter((unit) => unit.status === 'ok');
  const broken = pool.filter((unit) => outcomeOf(unit) === 'broken');
  const baseSeeds = Object.entries(base.seeds);
  const baseOk = baseSeeds.filter(([, seed]) => seed.status === 'ok').map(([seed]) => Number(seed));
  const share = (brokenCount: number, total: number) => (total ? brokenCount / total : 0);
  const runShare = share(broken.length, pool.length);
  const baseShare = share(baseSeeds.length - baseOk.length, baseSeeds.length);
  const brokenNote = `${broken.length ? describeUnits(broken) : 'no seed diverged or failed'} (baseline: ${baseSeeds.length - baseOk.length} of ${baseSeeds.length} seeds diverged or failed)`;
  if (runShare > baseShare) {
    check.verdict = worst([check.verdict, 'worse']);
    check.reasons.push(`more seeds diverge or fail: ${brokenNote}`);
    return;
  }
  if (ok.length === 0) return;
  if (baseOk.length === 0) {
    check.verdict = worst([check.verdict, 'better']);
    check.reasons.push(`trains to the end now; every baseline seed diverged or failed`);
    return;
  }
  const baseNumbers = baselineNumbers(base, context);
  const runValues = runNumbers(ok, context);
  const tests = Object.fromEntries(JUDGED_NUMBERS.map((which) => [which, tTest(baseNumbers[which], runValues[which], level)])) as Record<JudgedNumber, TTest | null>;
  check.statistical = { runSeeds: ok.map((unit) => unit.seed), baselineSeeds: baseOk, ...tests };
  if (!tests.final && !tests.auc) {
    const why = baseOk.length < 2
      ? `the baseline has ${baseOk.length} seed that trained (the statistical mode needs ${STATISTICAL_MIN_SEEDS} or more)`
      : 'every seed gives the same value (a deterministic experiment: only exact replay can guard it)';
    const identical = JUDGED_NUMBERS.every((which) => runValues[which].every((v) => v === mean(baseNumbers[which])));
    if (!identical) {
      check.verdict = worst([check.verdict, 'unjudged']);
      check.reasons.push(`not judged statistically: ${why}`);
    }
    return;
  }
  const label = curveInfo(context.curve, context.results.settings.metric).label;
  for (const which of JUDGED_NUMBERS) {
    const test = tests[which];
    if (!test?.significant) continue;
    const worse = context.lowerIsBetter ? test.difference > 0 : test.difference < 0;
    check.verdict = worst([check.verdict, worse ? 'worse' : 'better']);
    check.reasons.push(`${which === 'final' ? 'final' : 'AUC of the'} ${label}: seed mean ${fmt(test.runMean)} against the baseline's ${fmt(test.baselineMean)} ` +
      `(${baseOk.length} seeds), a difference of ${fmt(Math.abs(test.difference))} where chance alone stays below ${fmt(test.detectable)} ` +
      `(p = ${test.p.toPrecision(2)} < ${test.level.toPrecision(2)}, t-test over seeds, Bonferroni over the check)`);
  }
}

/** Seed means of the judged numbers for the table: the replayed seeds against their baseline seeds, else all seeds. */
function tableNumbers(pending: Pending, group: UnitGroup, context: Context): void {
  const { check, base, pool } = pending;
  const ok = group.units.filter((unit) => unit.status === 'ok');
  const replayed = new Set(check.replays.map((r) => r.seed));
  const compareSameSeeds = pool.length === 0 && replayed.size > 0 && [...replayed].every((seed) => String(seed) in base.seeds);
  const runUnits = ok.filter((unit) => !compareSameSeeds || replayed.has(unit.seed));
  const baseCurves = Object.entries(base.seeds)
    .filter(([seed, record]) => record.status === 'ok' && (!compareSameSeeds || replayed.has(Number(seed))))
    .map(([, record]) => series(record.curves, context.curve, context.epochs))
    .filter((values): values is number[] => values !== null);
  const runCurves = runUnits.map((unit) => series(curvesOf(unit), context.curve, context.epochs)).filter((values): values is number[] => values !== null);
  if (!baseCurves.length || !runCurves.length) return;
  for (const which of JUDGED_NUMBERS) {
    check[which] = comparison(mean(baseCurves.map((c) => numberOf(c, which))), mean(runCurves.map((c) => numberOf(c, which))), context.lowerIsBetter);
  }
}

/** The smallest change (relative to the baseline mean) the statistical mode could detect with `runSeeds` seeds. */
function sensitivity(base: GroupBaseline, context: Context, runSeeds: number, level: number): Record<JudgedNumber, number | null> {
  const ok = Object.values(base.seeds).filter((seed) => seed.status === 'ok');
  const result: Record<JudgedNumber, number | null> = { final: null, auc: null };
  if (ok.length < 2) return result;
  let numbers: Record<JudgedNumber, number[]>;
  try {
    numbers = baselineNumbers(base, context);
  } catch {
    return result; // the baseline lacks the judged curve: there is no sensitivity to state (the check itself reports it)
  }
  for (const which of JUDGED_NUMBERS) {
    const spread = std(numbers[which]);
    const center = Math.abs(mean(numbers[which]));
    if (spread > 0 && center > 0) result[which] = detectableDifference(spread, ok.length - 1, ok.length, Math.max(1, runSeeds), level) / center;
  }
  return result;
}

function comparableOrThrow(results: RunResults, baseline: Baseline): void {
  const fatal: string[] = [];
  if (results.experiment !== baseline.experiment) fatal.push(`the run is experiment '${results.experiment}', the baseline '${baseline.experiment}'`);
  if (results.profile !== baseline.profile) fatal.push(`the run used profile '${results.profile}', the baseline '${baseline.profile}'`);
  if (fatal.length) throw new BaselineMismatchError(fatal);
}

export function checkRun(results: RunResults, baseline: Baseline, options: CheckOptions = {}): CheckReport {
  comparableOrThrow(results, baseline);
  const curve = options.curve ?? defaultCurve(results.settings);
  const { label, lowerIsBetter } = curveInfo(curve, results.settings.metric);
  const accept = options.accept ?? [];
  const differences = settingDifferences(results, baseline, accept);
  const epochs = Math.min(results.settings.epochs, baseline.settings.epochs);

  // Replay vouches for a difference only when the run is meant to be the baseline's computation: the same
  // environment (another one changes the numbers for reasons replay cannot tell apart), and no setting
  // changed on purpose (accepted). A setting nobody asked for to change leaves the baseline the expectation,
  // and replay shows what it did. More or fewer epochs still replay the common ones.
  const globalBlockers = differences
    .filter((d) => d.scope === 'environment' || (d.scope === 'settings' && d.accepted && d.key !== 'settings.epochs'))
    .map((d) => `${d.key} differs${d.scope === 'settings' ? ' (accepted)' : ''}`);
  const unrecorded = unrecordedEnvironment(results, baseline);
  if (unrecorded.length) globalBlockers.push(`${unrecorded.join(', ')} not recorded by both`);
  const context: Context = { results, baseline, curve, lowerIsBetter, epochs, globalBlockers };

  const runGroups = groupUnits(results);
  const keys = [...new Set([...Object.keys(baseline.groups), ...runGroups.keys()])];
  const pending: Pending[] = [];
  const groups: GroupCheck[] = [];
  for (const key of keys) {
    const run = runGroups.get(key);
    const base = baseline.groups[key];
    const check: GroupCheck = {
      key, optimizer: run?.optimizer ?? base!.optimizer, verdict: 'ok', modes: [], reasons: [], replays: [],
      differences: differences.filter((d) => d.group === key && d.scope === 'optimizer'), sensitivity: { final: null, auc: null },
    };
    groups.push(check);
    if (!base) {
      check.verdict = 'new';
      check.reasons.push('not in the baseline: update the baseline to guard it');
      continue;
    }
    const trained = run?.units.filter((unit) => outcomeOf(unit) !== 'absent') ?? [];
    if (!run || trained.length === 0) {
      check.verdict = 'missing';
      const absent = run?.units ?? [];
      check.reasons.push(absent.length ? `did not run: ${describeUnits(absent)}` : 'not in the run');
      continue;
    }
    const pool = judgeReplays(run, base, check, context);
    pending.push({ check, base, pool });
  }

  // Bonferroni over every number judged statistically in this check.
  const statisticalGroups = pending.filter((p) => p.pool.some((unit) => unit.status === 'ok')).length;
  const level = bonferroniLevel(JUDGED_NUMBERS.length * Math.max(1, statisticalGroups));
  const sensitivityLevel = bonferroniLevel(JUDGED_NUMBERS.length * Math.max(1, Object.keys(baseline.groups).length));
  for (const entry of pending) {
    judgeStatistically(entry, context, level);
    tableNumbers(entry, runGroups.get(entry.check.key)!, context);
    const runSeeds = runGroups.get(entry.check.key)!.units.filter((unit) => unit.status === 'ok').length;
    entry.check.sensitivity = sensitivity(entry.base, context, runSeeds, statisticalGroups ? level : sensitivityLevel);
  }

  const notes: string[] = [];
  if (unrecorded.length) notes.push(`${unrecorded.join(', ')} not recorded by both the run and the baseline (one was written before it was recorded): seeds identical to the baseline's pass, others are judged statistically`);
  if (results.status !== 'complete') notes.push('the run is partial: units that did not finish are reported missing');
  const replayBlockers = [...globalBlockers];
  const notInBaseline = results.deterministic ? [] : results.seeds.filter((seed) => !baseline.source.seeds.includes(seed));
  if (notInBaseline.length) replayBlockers.push(`seed${notInBaseline.length > 1 ? 's' : ''} ${notInBaseline.join(', ')} not in the baseline`);

  // An environment change under which every seed still replays bit for bit (a kernel build that only added
  // kernels, a package bump that did not touch these ops) evidently changed nothing: listed, not failing.
  const everySeedIdentical = groups.every((g) => g.modes.length === 0 || (g.modes.every((m) => m === 'replay') && g.replays.every((r) => r.identical)))
    && groups.some((g) => g.replays.length > 0);
  for (const difference of differences) {
    if (difference.scope === 'environment' && !difference.accepted && everySeedIdentical) difference.harmless = true;
  }
  const failingVerdicts: ConvergenceVerdict[] = ['worse', 'changed', ...(options.allowImprovement ? [] : ['better' as const])];
  const failed = differences.some((d) => !d.accepted && !d.harmless)
    || groups.some((g) => failingVerdicts.includes(g.verdict))
    || groups.some((g) => (g.verdict === 'missing' || g.verdict === 'new') && !isAccepted(g.key, accept));
  return {
    experiment: results.experiment, profile: results.profile, backend: results.environment.backend, curve, curveLabel: label, lowerIsBetter,
    runId: results.runId, runSeeds: results.seeds, baselineRunId: baseline.source.runId, baselineSeeds: baseline.source.seeds,
    epochsCompared: epochs, falseAlarmRate: FALSE_ALARM_RATE, replayBlockers, differences, notes, groups,
    allowImprovement: options.allowImprovement ?? false, failed,
  };
}
