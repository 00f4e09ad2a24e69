/**
 * What a report says, independent of its format: report.md and report.html both render this, so the
 * two always carry the same facts, tables and verdicts.
 */
import type { RunResults } from '../results/schema.js';
import type { Claim, ClaimVerdict } from '../claims/claim.js';
import { formatNumber } from '../claims/kit.js';
import { profileCaveat, scoreClaim, type ScoredClaim } from './scoring.js';
import { finalMetric, type Chart } from './specs.js';
import { primarySeriesAll, rankingLoss, type RunSummary, type OptimizerSeries } from '../results/summary.js';

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

export interface ReportContent {
  title: string;
  subtitle: string;
  facts: { label: string; value: string }[];
  results: Table;
  /** How to read the results table. */
  resultsNote: string;
  conventions: Table;
  charts: Chart[];
  scorecard: ScoredClaim[];
  /** Shown with the scorecard's tally, e.g. that a quick profile's verdicts are indicative only. */
  scorecardCaveat?: string;
}

/** Marks every common font has (DejaVu, system UI fonts), unlike emoji. */
export const VERDICT_TEXT: Record<ClaimVerdict, string> = { reproduced: '✓ reproduced', 'not-reproduced': '✗ not reproduced', inconclusive: '? inconclusive' };

/** Scores every claim on the seed mean and per seed (see scoring.ts). */
export function scoreClaims(claims: Claim[], results: RunResults): ScoredClaim[] {
  return claims.map((claim) => scoreClaim(claim, results));
}

function statusText(series: OptimizerSeries): string {
  return series.status === 'ok' ? 'ok' : (series.reason ?? series.status);
}

/** Marks the best of a column (lowest, or highest when higherIsBetter); nothing when all values are equal. */
function column(values: (number | null)[], higherIsBetter: boolean, format: (v: number) => string = formatNumber): Cell[] {
  const present = values.filter((v): v is number => v !== null);
  const best = new Set(present).size > 1 ? (higherIsBetter ? Math.max(...present) : Math.min(...present)) : null;
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
    { header: 's / epoch', cells: column(series.map((s) => s.secondsPerEpoch), false, (v) => v.toFixed(2)) },
  ];
  return {
    headers: ['optimizer', 'status', ...columns.map((c) => c.header)],
    rows: series.map((s, i) => [{ text: s.label }, { text: statusText(s) }, ...columns.map((c) => c.cells[i])]),
  };
}

function surfaceResultsTable(results: RunResults, summary: RunSummary): Table {
  const surfaces = [...new Set(results.runs.flatMap((r) => r.trajectories ?? []).map((t) => t.surface))];
  const series = summary.compared;
  const columns = surfaces.map((surface) => {
    const worst = series.map((s) => {
      const found = s.runs.flatMap((r) => r.trajectories ?? []).filter((t) => t.surface === surface);
      if (s.status !== 'ok' || found.length === 0) return null;
      return found.some((t) => t.status !== 'ok') ? Infinity : Math.max(...found.map((t) => t.finalDistanceToMinimum));
    });
    return { header: `${surface}: distance to minimum (worst start)`, cells: column(worst, false, (v) => (Number.isFinite(v) ? formatNumber(v) : 'diverged')) };
  });
  return {
    headers: ['optimizer', 'status', ...columns.map((c) => c.header)],
    rows: series.map((s, i) => [{ text: s.label }, { text: statusText(s) }, ...columns.map((c) => c.cells[i])]),
  };
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

const MAX_NOTE = 300;

/** Data notes are free-form: strings as they are, anything else as JSON, cut short (results.json has it all). */
function noteText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_NOTE ? `${text.slice(0, MAX_NOTE - 1)}… (in full in results.json)` : text;
}

const isSurfaces = (results: RunResults) => results.runs.some((r) => r.trajectories !== undefined);

function facts(results: RunResults, summary: RunSummary): { label: string; value: string }[] {
  const { environment: env, settings } = results;
  const best = primarySeriesAll(summary)
    .filter((s) => rankingLoss(s) !== null)
    .sort((a, b) => rankingLoss(a)! - rankingLoss(b)!)[0];
  return [
    { label: 'Experiment', value: `${results.title} (${results.experiment})` },
    { label: 'Run', value: `${results.runId} — ${results.status}, started ${results.startedAt}, ${duration(results.startedAt, results.finishedAt)}` },
    ...(best ? [{ label: 'Lowest final loss', value: `${best.label} (${formatNumber(rankingLoss(best)!)})` }] : []),
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
    ...Object.entries(settings.data ?? {}).map(([key, value]) => ({ label: `Data: ${key}`, value: noteText(value) })),
    ...results.referenceLines.map((l) => ({ label: `Reference: ${l.name}`, value: `${l.description} (validation loss ${formatNumber(l.valLoss)})` })),
  ];
}

export function buildContent(results: RunResults, summary: RunSummary, charts: Chart[], claims: Claim[]): ReportContent {
  return {
    title: results.title,
    subtitle: `${results.experiment} · run ${results.runId}`,
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
