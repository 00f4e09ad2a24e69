/**
 * Turns a run's units into the series a reader compares: one series per (optimizer, implementation,
 * learning rate), its seeds aggregated per epoch (mean, min, max). Charts, tables and claims all read
 * these series, so they agree on what "Adam's final validation loss" is.
 */
import { maxOf, minOf } from '../common/numbers.js';
import { OPTIMIZERS } from '../optimizers/registry.js';
import type { EpochRecord, OptimizerImpl, OptimizerRun, RunResults, RunStatus } from './schema.js';

export interface Band {
  mean: number;
  min: number;
  max: number;
}

export interface EpochAggregate {
  epoch: number;
  loss: Band;
  valLoss: Band | null;
  metric: Band | null;
  valMetric: Band | null;
  seconds: Band;
}

export interface FinalValues {
  loss: number;
  valLoss: number | null;
  metric: number | null;
  valMetric: number | null;
}

export interface OptimizerSeries {
  /** Unique within a run: `optimizer@impl@learningRate`. */
  key: string;
  optimizer: string;
  impl: OptimizerImpl;
  learningRate: number;
  /** Optimizer and implementation, e.g. "Adam (scratch)": the row of a table or heatmap. */
  name: string;
  /** `name` plus the learning rate when the run swept it: the legend entry of a curve. */
  label: string;
  /** 'ok' only when every seed ran ok; otherwise the most serious status among the seeds. */
  status: RunStatus;
  reason?: string;
  convention: string;
  runs: OptimizerRun[];
  /** Per-epoch aggregate over the seeds; empty unless status is 'ok'. */
  curve: EpochAggregate[];
  /** Mean over seeds at the last epoch; null unless status is 'ok' and there are epochs. */
  final: FinalValues | null;
  secondsPerEpoch: number | null;
}

export interface RunSummary {
  /** Every (optimizer, impl, learning rate), in the order the units appear in results.json. */
  all: OptimizerSeries[];
  /** One series per (optimizer, impl) at its representative learning rate (see representative()). */
  compared: OptimizerSeries[];
  learningRates: number[];
  /** Some optimizer ran at several learning rates (a sweep), not merely each at its own rate. */
  swept: boolean;
  seedCount: number;
  hasValidation: boolean;
}

const STATUS_SEVERITY: RunStatus[] = ['failed', 'diverged', 'unavailable', 'skipped'];

function band(values: number[]): Band {
  return { mean: values.reduce((sum, v) => sum + v, 0) / values.length, min: minOf(values), max: maxOf(values) };
}

function optionalBand(records: EpochRecord[], pick: (r: EpochRecord) => number | null): Band | null {
  const values = records.map(pick);
  return values.every((v): v is number => v !== null) ? band(values) : null;
}

function aggregateCurve(runs: OptimizerRun[]): EpochAggregate[] {
  const epochs = minOf(runs.map((run) => run.epochs.length));
  const curve: EpochAggregate[] = [];
  for (let i = 0; i < epochs; i++) {
    const records = runs.map((run) => run.epochs[i]);
    curve.push({
      epoch: records[0].epoch,
      loss: band(records.map((r) => r.loss)),
      valLoss: optionalBand(records, (r) => r.valLoss),
      metric: optionalBand(records, (r) => r.metric),
      valMetric: optionalBand(records, (r) => r.valMetric),
      seconds: band(records.map((r) => r.seconds)),
    });
  }
  return curve;
}

function seriesStatus(runs: OptimizerRun[]): { status: RunStatus; reason?: string } {
  const bad = runs.filter((run) => run.status !== 'ok');
  if (bad.length === 0) return { status: 'ok' };
  const worst = STATUS_SEVERITY.find((status) => bad.some((run) => run.status === status)) ?? bad[0].status;
  const first = bad.find((run) => run.status === worst)!;
  const seeds = runs.length > 1 ? ` in ${bad.length} of ${runs.length} seeds (seed ${first.seed})` : '';
  return { status: worst, reason: `${worst}${seeds}${first.reason ? `: ${first.reason}` : ''}` };
}

function buildSeries(runs: OptimizerRun[], name: string, label: string): OptimizerSeries {
  const [first] = runs;
  const { status, reason } = seriesStatus(runs);
  const curve = status === 'ok' ? aggregateCurve(runs) : [];
  const last = curve.at(-1);
  return {
    key: `${first.optimizer}@${first.impl}@${first.learningRate}`,
    optimizer: first.optimizer,
    impl: first.impl,
    learningRate: first.learningRate,
    name,
    label,
    status,
    reason,
    convention: first.convention,
    runs,
    curve,
    final: last
      ? { loss: last.loss.mean, valLoss: last.valLoss?.mean ?? null, metric: last.metric?.mean ?? null, valMetric: last.valMetric?.mean ?? null }
      : null,
    secondsPerEpoch: curve.length > 0 ? band(curve.map((e) => e.seconds.mean)).mean : null,
  };
}

/** The value a series is ranked by: final validation loss, or training loss when there is no validation. */
export function rankingLoss(series: OptimizerSeries): number | null {
  return series.final ? (series.final.valLoss ?? series.final.loss) : null;
}

/**
 * The learning rate shown in the curves and judged by the claims: the optimizer's registry default (the
 * study's setting) when it ran, otherwise the one with the lowest final loss, otherwise the first.
 */
function representative(candidates: OptimizerSeries[], userOptimizers: RunResults['userOptimizers']): OptimizerSeries {
  const { optimizer } = candidates[0];
  const defaultRate = OPTIMIZERS[optimizer]?.defaults.learningRate ?? userOptimizers?.find((u) => u.name === optimizer)?.defaults.learningRate;
  const atDefault = candidates.find((s) => s.learningRate === defaultRate);
  if (atDefault) return atDefault;
  const ranked = candidates.filter((s) => rankingLoss(s) !== null).sort((a, b) => rankingLoss(a)! - rankingLoss(b)!);
  return ranked[0] ?? candidates[0];
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

/**
 * Summaries already built, per results object: the report and every claim of its scorecard summarize the same
 * run, and a long run (50,000 epochs) takes seconds each time. Results are not changed once read.
 */
const summaries = new WeakMap<RunResults, RunSummary>();

export function summarizeRun(results: RunResults): RunSummary {
  let summary = summaries.get(results);
  if (!summary) {
    summary = buildSummary(results);
    summaries.set(results, summary);
  }
  return summary;
}

function buildSummary(results: RunResults): RunSummary {
  const byOptimizer = groupBy(results.runs, (run) => run.optimizer);
  const all: OptimizerSeries[] = [];
  for (const [optimizer, runs] of byOptimizer) {
    const bothImpls = new Set(runs.map((run) => run.impl)).size > 1;
    const sweptRates = new Set(runs.map((run) => run.learningRate)).size > 1;
    for (const group of groupBy(runs, (run) => `${run.impl}@${run.learningRate}`).values()) {
      const { impl, learningRate } = group[0];
      // A --optimizer-file optimizer is in the registry only in the process that loaded it: results.json has its label.
      const label = OPTIMIZERS[optimizer]?.label ?? results.userOptimizers?.find((u) => u.name === optimizer)?.label ?? optimizer;
      const name = `${label}${bothImpls ? ` (${impl})` : ''}`;
      all.push(buildSeries(group, name, sweptRates ? `${name} lr=${learningRate}` : name));
    }
  }
  const groups = [...groupBy(all, (s) => `${s.optimizer}@${s.impl}`).values()];
  return {
    all,
    compared: groups.map((group) => representative(group, results.userOptimizers)),
    swept: groups.some((group) => group.length > 1),
    learningRates: [...new Set(results.runs.map((run) => run.learningRate))].sort((a, b) => a - b),
    seedCount: new Set(results.runs.map((run) => run.seed)).size,
    hasValidation: results.runs.some((run) => run.epochs.some((e) => e.valLoss !== null)),
  };
}

/** The series a claim about `optimizer` judges: the tfjs built-in when it ran, else the from-scratch one. */
export function primarySeries(summary: RunSummary, optimizer: string): OptimizerSeries | undefined {
  const candidates = summary.compared.filter((s) => s.optimizer === optimizer);
  return candidates.find((s) => s.impl === 'builtin') ?? candidates[0];
}

/** Primary series of every optimizer in the run, in run order. */
export function primarySeriesAll(summary: RunSummary): OptimizerSeries[] {
  return [...new Set(summary.compared.map((s) => s.optimizer))].map((optimizer) => primarySeries(summary, optimizer)!);
}
