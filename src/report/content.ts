/**
 * What a report says, independent of its format: report.md and report.html both render this, so the
 * two always carry the same facts, tables and verdicts.
 */
import { formatNumber, maxOf, minOf } from '../common/numbers.js';
import type { RunResults } from '../results/schema.js';
import type { Claim, ClaimVerdict } from '../claims/claim.js';
import { completionOf, completionText, NOT_FINISHED } from '../results/completion.js';
import { rankingLoss, type RunSummary, type OptimizerSeries } from '../results/summary.js';
import { dataNotes } from './dataNotes.js';
import { profileCaveat, scoreClaim, type ScoredClaim } from './scoring.js';
import { finalMetric, type Chart } from './specs.js';

export interface Cell {
  text: string;
  best?: boolean;
  /** Styling hint for HTML, e.g. the verdict colour. */
  tone?: ClaimVerdict;
}

export interface Table {
  headers: string[];
  rows: Cell[][];
}

export type { ScoredClaim } from './scoring.js';

/** A section beyond the standard ones (e.g. a --tune run's defaults-vs-tuned view), after the results. */
export interface ReportSection {
  title: string;
  paragraphs: string[];
  tables: Table[];
}

export interface ReportContent {
  title: string;
  subtitle: string;
  /** The answer first: which optimizer did best, by which measure (agrees with the results table's ★). */
  headline: string[];
  /** Partial runs: how much finished and which planned units have not (empty for a complete run). */
  completion: string[];
  facts: { label: string; value: string }[];
  results: Table;
  /** How to read the results table. */
  resultsNote: string;
  conventions: Table;
  charts: Chart[];
  scorecard: ScoredClaim[];
  sections?: ReportSection[];
  /** Shown with the scorecard's tally, e.g. that a quick profile's verdicts are indicative only. */
  scorecardCaveat?: string;
}

/** What the Charts section says when no unit has finished with a curve to draw. */
export const NO_CHARTS = 'No charts: no optimizer has finished with values to draw yet.';

/** Marks every common font has (DejaVu, system UI fonts), unlike emoji. */
export const VERDICT_TEXT: Record<ClaimVerdict, string> = { reproduced: '✓ reproduced', 'not-reproduced': '✗ not reproduced', inconclusive: '? inconclusive' };

/** Scores every claim on the seed mean and per seed (see scoring.ts). */
export function scoreClaims(claims: Claim[], results: RunResults): ScoredClaim[] {
  return claims.map((claim) => scoreClaim(claim, results));
}

function statusText(series: OptimizerSeries): string {
  if (series.status === 'skipped') return `${NOT_FINISHED}${series.reason ? ` (${series.reason})` : ''}`;
  return series.status === 'ok' ? 'ok' : (series.reason ?? series.status);
}

/** Rows for planned units that have no result at all yet (a partial run), after the finished ones. */
function unfinishedRows(results: RunResults, columns: number): Cell[][] {
  return completionOf(results)
    .unfinished.filter((unit) => !results.runs.some((run) => run.id === unit.id))
    .map((unit) => [{ text: unit.label }, { text: NOT_FINISHED }, ...Array.from({ length: columns }, () => ({ text: '—' }))]);
}

/** Marks the best of a column (lowest, or highest when higherIsBetter); nothing when all values are equal. */
function column(values: (number | null)[], higherIsBetter: boolean, format: (v: number) => string = formatNumber): Cell[] {
  const present = values.filter((v): v is number => v !== null);
  const best = new Set(present).size > 1 ? (higherIsBetter ? maxOf(present) : minOf(present)) : null;
  return values.map((v) => (v === null ? { text: '—' } : { text: format(v), best: v === best }));
}

function modelResultsTable(results: RunResults, summary: RunSummary): Table {
  const series = summary.compared;
  const metric = finalMetric(results);
  const columns: { header: string; cells: Cell[] }[] = [
    { header: 'final loss', cells: column(series.map((s) => s.final?.loss ?? null), false) },
    ...(summary.hasValidation ? [{ header: 'final val loss', cells: column(series.map((s) => s.final?.valLoss ?? null), false) }] : []),
    ...(metric.title !== 'final validation loss'
      ? [{ header: metric.title.replace('final validation', 'final val'), cells: column(series.map(metric.of), metric.higherIsBetter) }]
      : []),
    { header: 's / epoch', cells: column(series.map((s) => s.secondsPerEpoch), false) },
  ];
  return {
    headers: ['optimizer', 'status', ...columns.map((c) => c.header)],
    rows: [...series.map((s, i) => [{ text: s.label }, { text: statusText(s) }, ...columns.map((c) => c.cells[i])]), ...unfinishedRows(results, columns.length)],
  };
}

/** Per surface, each compared series' distance to the nearest minimum from its worst start (Infinity: diverged). */
function surfaceDistances(results: RunResults, summary: RunSummary): { surface: string; worst: (number | null)[] }[] {
  const surfaces = [...new Set(results.runs.flatMap((r) => r.trajectories ?? []).map((t) => t.surface))];
  return surfaces.map((surface) => ({
    surface,
    worst: summary.compared.map((s) => {
      const found = s.runs.flatMap((r) => r.trajectories ?? []).filter((t) => t.surface === surface);
      if (s.status !== 'ok' || found.length === 0) return null;
      return found.some((t) => t.status !== 'ok') ? Infinity : maxOf(found.map((t) => t.finalDistanceToMinimum));
    }),
  }));
}

function surfaceResultsTable(results: RunResults, summary: RunSummary): Table {
  const series = summary.compared;
  const columns = surfaceDistances(results, summary).map(({ surface, worst }) => ({
    header: `${surface}: distance to minimum (worst start)`,
    cells: column(worst, false, (v) => (Number.isFinite(v) ? formatNumber(v) : 'diverged')),
  }));
  return {
    headers: ['optimizer', 'status', ...columns.map((c) => c.header)],
    rows: [...series.map((s, i) => [{ text: s.label }, { text: statusText(s) }, ...columns.map((c) => c.cells[i])]), ...unfinishedRows(results, columns.length)],
  };
}

/** The lowest of `values` (finite, not null) and the series it belongs to. */
function lowest(series: OptimizerSeries[], values: (number | null)[]): { series: OptimizerSeries; value: number } | null {
  let best: { series: OptimizerSeries; value: number } | null = null;
  values.forEach((value, i) => {
    if (value !== null && Number.isFinite(value) && (best === null || value < best.value)) best = { series: series[i], value };
  });
  return best;
}

/**
 * The headline: the optimizer with the lowest final validation loss (training loss when the run has no
 * validation), over the same series and values as the results table's column, so it names the ★ row; for
 * surfaces, the closest to a minimum per surface, as each surface column's ★.
 */
export function headline(results: RunResults, summary: RunSummary): string[] {
  if (isSurfaces(results)) {
    const bests = surfaceDistances(results, summary).flatMap(({ surface, worst }) => {
      const best = lowest(summary.compared, worst);
      return best ? [`${surface}: ${best.series.label} (${formatNumber(best.value)})`] : [];
    });
    return bests.length ? [`Closest to a minimum from the worst start — ${bests.join('; ')}`] : [];
  }
  const measure = summary.hasValidation ? 'final validation loss' : 'final training loss';
  const best = lowest(summary.compared, summary.compared.map(rankingLoss));
  return best ? [`Lowest ${measure}: ${best.series.label} (${formatNumber(best.value)})`] : [];
}

function conventionsTable(summary: RunSummary): Table {
  return {
    headers: ['optimizer', 'implementation', 'convention', 'hyperparameters'],
    rows: summary.all.map((s) => [
      { text: s.label },
      { text: s.impl },
      { text: s.convention },
      { text: Object.entries(s.runs[0].hyperparameters).map(([k, v]) => `${k}=${v}`).join(', ') },
    ]),
  };
}

function duration(startedAt: string, finishedAt: string | null): string {
  if (!finishedAt) return 'not finished';
  const seconds = (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000;
  return seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(0)} s`;
}

const isSurfaces = (results: RunResults) => results.runs.some((r) => r.trajectories !== undefined);

function facts(results: RunResults, summary: RunSummary): { label: string; value: string }[] {
  const { environment: env, settings } = results;
  return [
    { label: 'Experiment', value: `${results.title} (${results.experiment})` },
    { label: 'Run', value: `${results.runId} — ${results.status} (${completionText(results)} units), started ${results.startedAt}, ${duration(results.startedAt, results.finishedAt)}` },
    {
      label: 'Profile',
      value: isSurfaces(results)
        ? `${results.profile}: ${settings.epochs} steps per trajectory`
        : `${results.profile}: ${settings.epochs} epochs, batch size ${settings.batchSize}, ${settings.trainSamples} training / ${settings.validationSamples} validation samples`,
    },
    { label: 'Loss and metric', value: `${settings.loss}${settings.metric ? `; ${settings.metric.name} (${settings.metric.higherIsBetter ? 'higher' : 'lower'} is better)` : ''}` },
    { label: 'Seeds', value: results.seeds.join(', ') },
    ...(summary.swept ? [{ label: 'Learning rates (sweep)', value: summary.learningRates.join(', ') }] : []),
    { label: 'Backend', value: `${env.backend} — ${env.backendReason}` },
    { label: 'Versions', value: Object.entries(env.versions).map(([k, v]) => `${k} ${v}`).join(', ') },
    { label: 'Machine', value: `${env.cpu.model} × ${env.cpu.cores} cores, ${env.platform}/${env.arch}${env.hostname ? `, ${env.hostname}` : ''}` },
    ...dataNotes(settings.data ?? {}),
    ...results.referenceLines.map((l) => ({ label: `Reference: ${l.name}`, value: `${l.description} (validation loss ${formatNumber(l.valLoss)})` })),
  ];
}

/** For a partial run: how much finished, and which planned units have not, by name. */
function completionLines(results: RunResults): string[] {
  const { unfinished } = completionOf(results);
  if (results.status === 'complete' && unfinished.length === 0) return [];
  return [
    `This run is ${results.status}: ${completionText(results)} units. Only finished units are drawn and scored.`,
    ...(unfinished.length ? [`Planned, not finished: ${unfinished.map((u) => u.label).join(', ')}.`] : []),
  ];
}

export function buildContent(results: RunResults, summary: RunSummary, charts: Chart[], claims: Claim[]): ReportContent {
  return {
    title: results.title,
    subtitle: `${results.experiment} · run ${results.runId}`,
    headline: headline(results, summary),
    completion: completionLines(results),
    facts: facts(results, summary),
    results: isSurfaces(results) ? surfaceResultsTable(results, summary) : modelResultsTable(results, summary),
    resultsNote: isSurfaces(results)
      ? 'Distance from the last point of each trajectory to the nearest minimum, worst start per surface; ★ marks the best of each column.'
      : 'Final values are the last epoch, averaged over seeds; ★ marks the best of each column.',
    conventions: conventionsTable(summary),
    charts,
    scorecard: scoreClaims(claims, results),
    ...(profileCaveat(results.profile) ? { scorecardCaveat: profileCaveat(results.profile) } : {}),
  };
}

/** "✓ reproduced — reproduced in 3 of 3 seeds", "? inconclusive: run too short — reproduced in 0 of 3 seeds, inconclusive in 3". */
export function verdictText(claim: ScoredClaim): string {
  const qualifier = claim.qualifier ? `: ${claim.qualifier}` : '';
  const undecided = claim.seeds?.inconclusive ? `, inconclusive in ${claim.seeds.inconclusive}` : '';
  const seeds = claim.seeds ? ` — reproduced in ${claim.seeds.reproduced} of ${claim.seeds.total} seeds${undecided}` : '';
  return `${VERDICT_TEXT[claim.verdict]}${qualifier}${seeds}`;
}

export function scorecardTable(scorecard: ScoredClaim[]): Table {
  return {
    headers: ['finding', 'verdict (seed mean)', 'evidence', 'criterion'],
    rows: scorecard.map((c) => [{ text: c.statement }, { text: verdictText(c), tone: c.verdict }, { text: c.evidence }, { text: c.criterion }]),
  };
}

export function scorecardTally(scorecard: ScoredClaim[], caveat?: string): string {
  const count = (verdict: ClaimVerdict) => scorecard.filter((c) => c.verdict === verdict).length;
  const tally = `${count('reproduced')} of ${scorecard.length} findings reproduced, ${count('not-reproduced')} not reproduced, ${count('inconclusive')} inconclusive.`;
  return caveat ? `${tally} ${caveat}` : tally;
}
