/**
 * Judges a run against a baseline, optimizer group by optimizer group: ok, regressed, improved,
 * missing or new, with the numbers behind each verdict. The rule is derived in docs/convergence-check.md.
 */
import type { OptimizerRun, RunResults } from '../results/schema.js';
import { comparedSettings, seedCurves, type Baseline, type CurveBaseline, type GroupBaseline } from './baseline.js';
import { CURVES, finalAndArea, groupUnits, outcomeOf, type CurveName, type UnitGroup } from './curves.js';
import { BaselineMismatchError, MissingCurveError } from './errors.js';
import { band, mean, TOLERANCE, type Summary } from './stats.js';

export type ConvergenceVerdict = 'ok' | 'regressed' | 'improved' | 'missing' | 'new';

/** One value of the run (seed mean) against the baseline's seeds. */
export interface Deviation {
  baselineMean: number;
  band: number;
  observed: number;
  /** observed − baseline mean, signed so that a positive value is worse (direction-aware). */
  worsening: number;
  /** worsening / |baseline mean|; null when the mean is 0. */
  relative: number | null;
  judgement: 'worse' | 'better' | 'within';
}

export interface GroupCheck {
  key: string;
  optimizer: string;
  verdict: ConvergenceVerdict;
  /** Why, when the verdict is not read from the numbers alone (diverged seeds, not in the run, …). */
  note?: string;
  learningRate: { run: number | null; baseline: number | null };
  seeds: { runOk: number[]; runBroken: number[]; baselineOk: number[]; baselineBroken: number[] };
  /** Present when both the run and the baseline have seeds that trained to the end. */
  final?: Deviation;
  auc?: Deviation;
  /** The epoch whose seed mean is furthest on the worse side, measured in bands. */
  worstEpoch?: Deviation & { epoch: number };
}

export interface CheckReport {
  experiment: string;
  profile: string;
  backend: string;
  curve: CurveName;
  runId: string;
  runSeeds: number[];
  baselineRunId: string;
  baselineSeeds: number[];
  epochsCompared: number;
  tolerance: typeof TOLERANCE;
  /** Things a reader must know to trust the verdicts: forced mismatches, version changes, a partial run. */
  notes: string[];
  groups: GroupCheck[];
  regressed: boolean;
}

/** Differences that make a comparison meaningless; `forcible` ones may be overridden with --force. */
export function comparabilityProblems(results: RunResults, baseline: Baseline): { fatal: string[]; forcible: string[] } {
  const fatal: string[] = [];
  if (results.experiment !== baseline.experiment) fatal.push(`the run is experiment '${results.experiment}', the baseline '${baseline.experiment}'`);
  if (results.profile !== baseline.profile) fatal.push(`the run used profile '${results.profile}', the baseline '${baseline.profile}'`);
  const forcible: string[] = [];
  if (results.environment.backend !== baseline.backend) {
    forcible.push(`the run used backend '${results.environment.backend}', the baseline '${baseline.backend}' (backends differ numerically)`);
  }
  const runSettings = comparedSettings(results.settings);
  for (const [key, value] of Object.entries(baseline.settings) as [keyof typeof runSettings, unknown][]) {
    if (runSettings[key] !== value) forcible.push(`settings.${key} is ${JSON.stringify(runSettings[key])} in the run, ${JSON.stringify(value)} in the baseline`);
  }
  return { fatal, forcible };
}

function deviation(summary: Pick<Summary, 'mean' | 'std'>, observed: number, curve: CurveName): Deviation {
  const width = band(summary);
  const worsening = CURVES[curve].lowerIsBetter ? observed - summary.mean : summary.mean - observed;
  return {
    baselineMean: summary.mean, band: width, observed, worsening,
    relative: summary.mean === 0 ? null : worsening / Math.abs(summary.mean),
    judgement: worsening > width ? 'worse' : worsening < -width ? 'better' : 'within',
  };
}

/**
 * The baseline's final value and AUC over the first `epochs` epochs. Over all of them they are stored;
 * over fewer (a forced comparison with a shorter run) the final value is that epoch's spread, and the
 * AUC's std is bounded by the mean of the per-epoch stds (std of a mean ≤ mean of the stds), which
 * widens the band rather than narrowing it.
 */
function baselineOver(curve: CurveBaseline, epochs: number): { final: Pick<Summary, 'mean' | 'std'>; auc: Pick<Summary, 'mean' | 'std'> } {
  if (epochs === curve.epochs.length) return curve;
  const first = curve.epochs.slice(0, epochs);
  return { final: curve.epochs[epochs - 1], auc: { mean: mean(first.map((s) => s.mean)), std: mean(first.map((s) => s.std)) } };
}

function numbers(results: RunResults, ok: OptimizerRun[], curve: CurveName, base: CurveBaseline, epochs: number): Pick<GroupCheck, 'final' | 'auc' | 'worstEpoch'> {
  const curves = seedCurves(results, ok, curve).map((values) => values.slice(0, epochs));
  const ends = curves.map(finalAndArea);
  const expected = baselineOver(base, epochs);
  const perEpoch = base.epochs.slice(0, epochs).map((summary, i) => ({ epoch: i + 1, ...deviation(summary, mean(curves.map((c) => c[i])), curve) }));
  return {
    final: deviation(expected.final, mean(ends.map((end) => end.final)), curve),
    auc: deviation(expected.auc, mean(ends.map((end) => end.auc)), curve),
    worstEpoch: perEpoch.reduce((worst, e) => (e.worsening / e.band > worst.worsening / worst.band ? e : worst)),
  };
}

const share = (broken: number, ok: number) => broken / (broken + ok);

/** "seed 2 diverged (loss became NaN at epoch 3)" for each unit. */
function describeUnits(units: OptimizerRun[]): string {
  return units.map((unit) => `seed ${unit.seed} ${unit.status}${unit.reason ? ` (${unit.reason})` : ''}`).join('; ');
}

function judgeGroup(
  key: string, run: UnitGroup | undefined, base: GroupBaseline | undefined, results: RunResults, baseline: Baseline, curve: CurveName, epochs: number,
): GroupCheck {
  const units = run?.units ?? [];
  const ok = units.filter((unit) => outcomeOf(unit) === 'ok');
  const broken = units.filter((unit) => outcomeOf(unit) === 'broken');
  const check: GroupCheck = {
    key, optimizer: run?.optimizer ?? base!.optimizer, verdict: 'ok',
    learningRate: { run: run?.learningRate ?? null, baseline: base?.learningRate ?? null },
    seeds: { runOk: ok.map((u) => u.seed), runBroken: broken.map((u) => u.seed), baselineOk: base?.okSeeds ?? [], baselineBroken: base?.brokenSeeds ?? [] },
  };
  const notRun = units.filter((unit) => outcomeOf(unit) === 'absent');
  const notRunNote = notRun.length ? `did not run: ${describeUnits(notRun)}` : 'not in the run';
  if (!base) return { ...check, verdict: 'new', note: ok.length + broken.length === 0 ? notRunNote : 'not in the baseline: update the baseline to guard it' };
  if (ok.length + broken.length === 0) return { ...check, verdict: 'missing', note: notRunNote };

  const baseCurve = base.curves[curve];
  if (base.okSeeds.length > 0 && !baseCurve) throw new MissingCurveError(`the baseline (run ${baseline.source.runId}), group '${key}',`, curve);
  const withNumbers = ok.length > 0 && baseCurve ? { ...check, ...numbers(results, ok, curve, baseCurve, epochs) } : check;

  const runShare = share(broken.length, ok.length);
  const baseShare = share(base.brokenSeeds.length, base.okSeeds.length);
  const brokenNote = `${broken.length ? describeUnits(broken) : 'no seed diverged or failed'} — baseline: ${base.brokenSeeds.length} of ${base.brokenSeeds.length + base.okSeeds.length} seeds diverged or failed`;
  if (runShare > baseShare) return { ...withNumbers, verdict: 'regressed', note: brokenNote };
  if (ok.length === 0) return { ...withNumbers, verdict: 'missing', note: `no seed trained to the end, as in the baseline: ${brokenNote}` };
  if (!baseCurve) return { ...withNumbers, verdict: 'improved', note: 'trains to the end now; every baseline seed diverged or failed' };

  const judgements = [withNumbers.final!.judgement, withNumbers.auc!.judgement];
  if (judgements.includes('worse')) return { ...withNumbers, verdict: 'regressed', ...(broken.length ? { note: brokenNote } : {}) };
  if (judgements.includes('better') || runShare < baseShare) return { ...withNumbers, verdict: 'improved', ...(runShare < baseShare ? { note: `fewer seeds diverge or fail: ${brokenNote}` } : {}) };
  return { ...withNumbers, ...(broken.length ? { note: brokenNote } : {}) };
}

function changedVersions(results: RunResults, baseline: Baseline): string[] {
  const run = results.environment.versions;
  return [...new Set([...Object.keys(baseline.versions), ...Object.keys(run)])]
    .filter((name) => baseline.versions[name] !== run[name])
    .map((name) => `${name} ${baseline.versions[name] ?? 'absent'} → ${run[name] ?? 'absent'}`);
}

export interface CheckOptions {
  curve: CurveName;
  /** Compare despite a different backend or settings. */
  force: boolean;
}

export function checkRun(results: RunResults, baseline: Baseline, options: CheckOptions): CheckReport {
  const { fatal, forcible } = comparabilityProblems(results, baseline);
  if (fatal.length) throw new BaselineMismatchError(fatal, false);
  if (forcible.length && !options.force) throw new BaselineMismatchError(forcible, true);

  const epochs = Math.min(results.settings.epochs, baseline.settings.epochs);
  const notes = forcible.map((problem) => `compared despite a mismatch (--force): ${problem}`);
  if (epochs < Math.max(results.settings.epochs, baseline.settings.epochs)) notes.push(`only the first ${epochs} epochs are compared`);
  const versions = changedVersions(results, baseline);
  if (versions.length) notes.push(`versions changed since the baseline: ${versions.join(', ')}`);
  if (results.seeds.join() !== baseline.source.seeds.join()) {
    notes.push(`the run's seeds (${results.seeds.join(', ')}) differ from the baseline's (${baseline.source.seeds.join(', ')}): differences include seed-to-seed noise`);
  }
  if (results.status !== 'complete') notes.push('the run is partial: units that did not finish are reported missing');

  const runGroups = groupUnits(results);
  const keys = [...new Set([...Object.keys(baseline.groups), ...runGroups.keys()])];
  const groups = keys.map((key) => judgeGroup(key, runGroups.get(key), baseline.groups[key], results, baseline, options.curve, epochs));
  return {
    experiment: results.experiment, profile: results.profile, backend: results.environment.backend, curve: options.curve,
    runId: results.runId, runSeeds: results.seeds, baselineRunId: baseline.source.runId, baselineSeeds: baseline.source.seeds,
    epochsCompared: epochs, tolerance: TOLERANCE, notes, groups,
    regressed: groups.some((group) => group.verdict === 'regressed'),
  };
}
