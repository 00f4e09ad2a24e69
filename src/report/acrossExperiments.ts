/**
 * The cross-experiment view of `all` (AlgoPerf-style): how many training steps each optimizer needs to
 * reach a target validation loss on each experiment, and the performance profile over experiments
 * (Dolan & Moré 2002): ρ_o(τ) = share of experiments on which optimizer o reaches the target within τ times
 * the steps of the fastest optimizer there.
 *
 * Target per experiment: the best final validation loss among the optimizers of that run, relaxed by 10 %.
 * AlgoPerf fixes each workload's target from tuned baselines; this study has none, so the target comes
 * from the run itself, and the slack lets optimizers that end within seed noise of the best (up to 7 % on
 * the quick baselines, see src/claims/tuning.ts) count as reaching it. Read from the study's units (a --tune
 * run's default-rate units).
 */
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { formatNumber, minOf } from '../common/numbers.js';
import { writeFileAtomic } from '../common/atomicWrite.js';
import { studyView } from '../results/phases.js';
import type { RunResults } from '../results/schema.js';
import { optimizerPalette } from './colors.js';
import type { Table } from './content.js';
import { escapeMarkdown, table } from './markdown.js';
import { renderSvg, svgToPng } from './render.js';
import type { Chart } from './specs.js';
import { primarySeriesAll, rankingLoss, summarizeRun } from '../results/summary.js';

/** Relative slack on the best final loss that defines the target. */
export const TARGET_SLACK = 0.1;

export interface TimeToTarget {
  experiment: string;
  target: number;
  /** Per optimizer (registry name): steps to the first epoch at or below the target; null = never reached. */
  steps: Map<string, number | null>;
  labels: Map<string, string>;
}

export function timeToTarget(run: RunResults): TimeToTarget | null {
  const results = studyView(run);
  const series = primarySeriesAll(summarizeRun(results)).filter((s) => s.status === 'ok' && s.curve.every((e) => e.valLoss !== null));
  const finals = series.map(rankingLoss).filter((l): l is number => l !== null);
  if (finals.length === 0) return null;
  const target = minOf(finals) * (1 + TARGET_SLACK);
  const stepsPerEpoch = Math.ceil(results.settings.trainSamples / results.settings.batchSize);
  const steps = new Map<string, number | null>();
  const labels = new Map<string, string>();
  for (const s of primarySeriesAll(summarizeRun(results))) {
    const reached = s.status === 'ok' ? s.curve.find((e) => e.valLoss !== null && e.valLoss.mean <= target) : undefined;
    steps.set(s.optimizer, reached ? reached.epoch * stepsPerEpoch : null);
    labels.set(s.optimizer, s.name);
  }
  return { experiment: results.experiment, target, steps, labels };
}

/** ρ_o(τ) at each τ where some optimizer's profile steps; optimizers in first-seen order. */
export function performanceProfile(times: TimeToTarget[]): { optimizer: string; tau: number; share: number }[] {
  const optimizers = [...new Set(times.flatMap((t) => [...t.steps.keys()]))];
  const ratios = new Map<string, number[]>(optimizers.map((o) => [o, []]));
  for (const t of times) {
    const reached = [...t.steps.values()].filter((s): s is number => s !== null);
    const fastest = minOf(reached);
    for (const o of optimizers) {
      const steps = t.steps.get(o);
      ratios.get(o)!.push(steps === null || steps === undefined ? Number.POSITIVE_INFINITY : steps / fastest);
    }
  }
  const taus = [...new Set([...ratios.values()].flat().filter(Number.isFinite))].sort((a, b) => a - b);
  return optimizers.flatMap((o) => taus.map((tau) => ({ optimizer: o, tau, share: ratios.get(o)!.filter((r) => r <= tau).length / times.length })));
}

export function timeToTargetTable(times: TimeToTarget[]): Table {
  const optimizers = [...new Set(times.flatMap((t) => [...t.steps.keys()]))];
  const label = (o: string) => times.map((t) => t.labels.get(o)).find(Boolean) ?? o;
  return {
    headers: ['optimizer', ...times.map((t) => `${t.experiment}: steps to val loss ≤ ${formatNumber(t.target)}`)],
    rows: optimizers.map((o) => [{ text: label(o) }, ...times.map((t) => {
      const steps = t.steps.get(o);
      const reached = [...t.steps.values()].filter((s): s is number => s !== null);
      return steps === undefined ? { text: '—' } : steps === null ? { text: 'not reached' } : { text: String(steps), best: steps === minOf(reached) };
    })]),
  };
}

export function performanceProfileChart(times: TimeToTarget[]): Chart {
  const points = performanceProfile(times);
  const optimizers = [...new Set(points.map((p) => p.optimizer))];
  const label = (o: string) => times.map((t) => t.labels.get(o)).find(Boolean) ?? o;
  const rows = points.map((p) => ({ ...p, optimizer: label(p.optimizer) }));
  const domain = optimizers.map(label);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Performance profile: steps to the target validation loss',
      subtitle: [`Share of the ${times.length} experiments on which an optimizer reaches the target within τ × the fastest optimizer's steps; higher and further left is better`],
      anchor: 'start',
    },
    width: 640, height: 320,
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after', point: true },
    encoding: {
      x: { field: 'tau', type: 'quantitative', title: 'τ (steps / fastest optimizer\'s steps)', scale: { type: 'log' } },
      y: { field: 'share', type: 'quantitative', title: 'share of experiments', scale: { domain: [0, 1] } },
      color: { field: 'optimizer', type: 'nominal', title: 'optimizer', scale: { domain, range: optimizers.map(optimizerPalette(optimizers)) }, sort: domain },
      tooltip: [{ field: 'optimizer' }, { field: 'tau', title: 'τ', format: '.3~g' }, { field: 'share', format: '.2~f' }],
    },
  };
  return { id: 'performance-profile', title: 'Performance profile: steps to the target validation loss', spec };
}

/**
 * Writes `<dir>/report.md` with the time-to-target table and the performance profile chart (spec, SVG,
 * PNG) for the runs of `all`. Returns the markdown file.
 */
export async function writeAcrossExperimentsReport(runs: { runDir: string; results: RunResults }[], dir: string): Promise<string> {
  const times = runs.map((r) => timeToTarget(r.results)).filter((t): t is TimeToTarget => t !== null);
  const chart = performanceProfileChart(times);
  const svg = await renderSvg(chart.spec);
  await writeFileAtomic(path.join(dir, `${chart.id}.vl.json`), `${JSON.stringify(chart.spec)}\n`);
  await writeFileAtomic(path.join(dir, `${chart.id}.svg`), svg);
  await writeFileAtomic(path.join(dir, `${chart.id}.png`), svgToPng(svg));
  const markdown = path.join(dir, 'report.md');
  await writeFileAtomic(markdown, [
    '# Across experiments: time to target and performance profile',
    escapeMarkdown(`Runs: ${runs.map((r) => path.relative(dir, r.runDir)).join(', ')}.`),
    escapeMarkdown(`Target per experiment: the best final validation loss of its optimizers + ${TARGET_SLACK * 100}%; steps = epochs to reach it × steps per epoch. ★ marks the fastest.`),
    table(timeToTargetTable(times)),
    `![${escapeMarkdown(chart.title)}](${chart.id}.png)`,
  ].join('\n\n') + '\n');
  return markdown;
}
