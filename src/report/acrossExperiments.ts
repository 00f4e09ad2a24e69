/**
 * The cross-experiment view (AlgoPerf-style): how many training steps each optimizer needs to reach a
 * target validation loss on each experiment, and the performance profile over experiments
 * (Dolan & Moré 2002): ρ_o(τ) = share of experiments on which optimizer o reaches the target within τ times
 * the steps of the fastest optimizer there.
 *
 * Target per experiment: the best final validation loss among the optimizers of that run, relaxed by 10 %.
 * AlgoPerf fixes each workload's target from tuned baselines; this study has none, so the target comes
 * from the run itself, and the slack lets optimizers that end within seed noise of the best (up to 7 % on
 * the quick baselines, see src/claims/tuning.ts) count as reaching it. Read from the study's units (a --tune
 * run's default-rate units).
 *
 * Like the study scorecard (study.ts), it is built per profile from the newest run of each model experiment
 * under a reports root, and rewritten with the index, so `experiment all`, `merge` and `report` all refresh
 * it: `<root>/across/report.md` and `report.html`, linked from `<root>/index.html`.
 */
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { formatNumber, maxOf, minOf } from '../common/numbers.js';
import { writeFileAtomic } from '../common/atomicWrite.js';
import { studyView } from '../results/phases.js';
import type { RunResults } from '../results/schema.js';
import { optimizerPalette } from './colors.js';
import type { Table } from './content.js';
import { chartScripts, escapeHtml, figureHtml, pageShell, table as htmlTable } from './html.js';
import { escapeMarkdown, table as markdownTable } from './markdown.js';
import { renderSvg, svgToPng } from './render.js';
import { profileCaveat } from './scoring.js';
import type { Chart } from './specs.js';
import { newestPerExperiment, profilesOf, type StudyRun } from './study.js';
import { primarySeriesAll, rankingLoss, summarizeRun } from '../results/summary.js';

/** Relative slack on the best final loss that defines the target. */
export const TARGET_SLACK = 0.1;
/** The view's folder under the reports root. */
export const ACROSS_DIR = 'across';
export const ACROSS_FILES = { markdown: path.join(ACROSS_DIR, 'report.md'), html: path.join(ACROSS_DIR, 'report.html') } as const;

export interface TimeToTarget {
  experiment: string;
  target: number;
  /** Steps are counted at epoch ends: the resolution of every count. */
  stepsPerEpoch: number;
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
  return { experiment: results.experiment, target, stepsPerEpoch, steps, labels };
}

const optimizersOf = (times: TimeToTarget[]) => [...new Set(times.flatMap((t) => [...t.steps.keys()]))];
const labelOf = (times: TimeToTarget[], optimizer: string) => times.map((t) => t.labels.get(optimizer)).find(Boolean) ?? optimizer;

/** ρ_o(τ) at each τ where some optimizer's profile steps; optimizers in first-seen order. */
export function performanceProfile(times: TimeToTarget[]): { optimizer: string; tau: number; share: number }[] {
  const optimizers = optimizersOf(times);
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
  return {
    headers: ['optimizer', ...times.map((t) => `${t.experiment}: steps to val loss ≤ ${formatNumber(t.target)} (${t.stepsPerEpoch} per epoch)`)],
    rows: optimizersOf(times).map((o) => [{ text: labelOf(times, o) }, ...times.map((t) => {
      const steps = t.steps.get(o);
      const reached = [...t.steps.values()].filter((s): s is number => s !== null);
      return steps === undefined ? { text: '—' } : steps === null ? { text: 'not reached' } : { text: String(steps), best: steps === minOf(reached) };
    })]),
  };
}

/** The profile's answer in words: who is fastest most often, who reaches every target, who reaches none. */
export function profileSummary(times: TimeToTarget[]): string {
  const profile = performanceProfile(times);
  const optimizers = optimizersOf(times);
  // ρ(1): the share of experiments on which the optimizer is (one of) the fastest.
  const fastestShare = new Map(optimizers.map((o) => [o, profile.find((p) => p.optimizer === o && p.tau === 1)?.share ?? 0]));
  const top = maxOf(fastestShare.values());
  const names = (list: string[]) => list.map((o) => labelOf(times, o)).join(', ');
  const fastest = optimizers.filter((o) => fastestShare.get(o) === top && top > 0);
  const everywhere = optimizers.filter((o) => times.every((t) => t.steps.get(o) != null));
  const nowhere = optimizers.filter((o) => times.every((t) => t.steps.get(o) == null));
  const count = (share: number) => `${Math.round(share * times.length)} of ${times.length}`;
  return [
    fastest.length ? `Fastest to the target on the most experiments: ${names(fastest)} (${count(top)}, ties included).` : '',
    `Reached the target on every experiment: ${everywhere.length ? names(everywhere) : 'none'}.`,
    nowhere.length ? `Reached it on none: ${names(nowhere)}.` : '',
  ].filter(Boolean).join(' ');
}

/** Ticks at the shares a profile can take (k of n experiments), or quarters when there are many. */
const shareTicks = (experiments: number) => Array.from({ length: experiments <= 8 ? experiments + 1 : 5 }, (_, k) => k / (experiments <= 8 ? experiments : 4));

/** Vertical gap, in shares, between the strands of optimizers whose profiles coincide. */
const STRAND_GAP = 0.01;

/**
 * The profile as step lines running to the axis' end. Optimizers whose profiles coincide (on a few
 * experiments, often) are drawn as parallel strands STRAND_GAP apart instead of on top of each other, and
 * every line is named at its end: the legend alone cannot tell which colours hide under another.
 */
export function performanceProfileChart(times: TimeToTarget[], id = 'performance-profile'): Chart {
  const points = performanceProfile(times);
  const optimizers = optimizersOf(times);
  const color = optimizerPalette(optimizers);
  const domain = optimizers.map((o) => labelOf(times, o));
  const sharesOf = (o: string) => points.filter((p) => p.optimizer === o).map((p) => p.share);
  // A log axis needs some width: when every optimizer that reaches a target is the fastest there, τ is only 1.
  const maxTau = Math.max(2, maxOf(points.map((p) => p.tau)));
  const groups = new Map<string, string[]>();
  for (const o of optimizers) {
    const key = JSON.stringify(sharesOf(o));
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const offset = new Map<string, number>();
  for (const group of groups.values()) group.forEach((o, i) => offset.set(o, (i - (group.length - 1) / 2) * STRAND_GAP));
  const rows = optimizers.flatMap((o) => {
    const own = points.filter((p) => p.optimizer === o);
    const last = own.at(-1)!;
    return [...own, ...(last.tau < maxTau ? [{ ...last, tau: maxTau, end: true }] : [])]
      .map((p) => ({ optimizer: labelOf(times, o), tau: p.tau, share: p.share, drawnAt: p.share + offset.get(o)!, step: !('end' in p) }));
  });
  // One label per final share, naming every optimizer that ends there (strands included).
  const finals = new Map<number, string[]>();
  for (const o of optimizers) {
    const final = sharesOf(o).at(-1)!;
    finals.set(final, [...(finals.get(final) ?? []), labelOf(times, o)]);
  }
  const endLabels = [...finals].map(([share, names]) => ({ share, names: names.join(', ') }));
  const labelWidth = 12 + 6.5 * maxOf(endLabels.map((l) => l.names.length));
  const nowhere = optimizers.filter((o) => times.every((t) => t.steps.get(o) == null)).map((o) => labelOf(times, o));
  const title = 'Performance profile: steps to the target validation loss';
  const spread = (optimizers.length * STRAND_GAP) / 2;
  const x = { field: 'tau', type: 'quantitative' as const, title: 'τ (steps / fastest optimizer\'s steps)', scale: { type: 'log' as const, domain: [1, maxTau], nice: false } };
  const y = { field: 'drawnAt', type: 'quantitative' as const, title: 'share of experiments', scale: { domain: [-spread, 1 + spread], nice: false }, axis: { values: shareTicks(times.length), format: '.0%' } };
  const colorEncoding = { field: 'optimizer', type: 'nominal' as const, title: 'optimizer', scale: { domain, range: optimizers.map(color) }, sort: domain, legend: { offset: labelWidth, symbolType: 'stroke', symbolStrokeWidth: 2.5 } };
  const tooltip = [{ field: 'optimizer' }, { field: 'tau', title: 'τ', format: '.3~g' }, { field: 'share', title: 'share', format: '.2~f' }];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title,
      subtitle: [
        // Short lines: the PNG is as wide as Vega's estimate of the longest, which runs wider than the text.
        `Share of the ${times.length} experiments on which an optimizer reaches the target`,
        'within τ × the fastest optimizer\'s steps; higher and further left is better',
        ...(groups.size < optimizers.length ? ['Coinciding profiles are drawn as parallel strands, named at their end'] : []),
        ...(nowhere.length ? [`Never reached a target (drawn along 0): ${nowhere.join(', ')}`] : []),
      ],
      anchor: 'start',
    },
    width: 640, height: 320,
    layer: [
      {
        data: { values: rows },
        layer: [
          { mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 }, encoding: { x, y, color: colorEncoding, tooltip } },
          { transform: [{ filter: 'datum.step' }], mark: { type: 'point', filled: true, size: 24 }, encoding: { x, y, color: colorEncoding, tooltip } },
        ],
      },
      {
        data: { values: endLabels.map((l) => ({ ...l, tau: maxTau })) },
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 6, fontSize: 11 },
        encoding: { x, y: { ...y, field: 'share' }, text: { field: 'names' } },
      },
    ],
  };
  return { id, title, spec };
}

export interface AcrossView {
  profile: string;
  caveat?: string;
  /** The newest complete run of each model experiment of the profile, with its times. */
  runs: { run: StudyRun; time: TimeToTarget }[];
  /** Experiments of the profile with only partial runs: left out (see buildAcrossViews). */
  partial: string[];
  chart: Chart;
}

/**
 * One view per profile that has at least two experiments with a validation loss to reach; study profile
 * first. Only complete runs count: a partial run's target would be the best of the optimizers finished so
 * far, and the others would count as never reaching it.
 */
export function buildAcrossViews(runs: StudyRun[]): AcrossView[] {
  return profilesOf(runs).flatMap((profile) => {
    const ofProfile = runs.filter((r) => r.results.profile === profile);
    const timed = newestPerExperiment(ofProfile.filter((r) => r.results.status === 'complete'))
      .flatMap((run) => {
        const time = timeToTarget(run.results);
        return time ? [{ run, time }] : [];
      });
    if (timed.length < 2) return [];
    const complete = new Set(timed.map((t) => t.run.results.experiment));
    const partial = [...new Set(ofProfile.filter((r) => timeToTarget(r.results) && !complete.has(r.results.experiment)).map((r) => r.results.experiment))].sort();
    const caveat = profileCaveat(profile);
    return [{ profile, ...(caveat ? { caveat } : {}), runs: timed, partial, chart: performanceProfileChart(timed.map((t) => t.time), `performance-profile-${profile}`) }];
  });
}

const INTRO = 'The newest complete run of each model experiment per profile. Target per experiment: the best final validation loss of its '
  + `optimizers + ${TARGET_SLACK * 100}%; steps = epochs to reach it × steps per epoch, so counts move in whole epochs. ★ marks the fastest. `
  + 'A --tune run counts its default-rate units.';

/** A run's report, from across/. */
const runLink = (run: StudyRun, file: string) => ['..', ...run.relativeDir.split('/'), file].map(encodeURIComponent).join('/');
const seedsText = (run: StudyRun) => `seed${run.results.seeds.length > 1 ? 's' : ''} ${run.results.seeds.join(', ')}`;
const partialText = (view: AcrossView) => (view.partial.length ? ` Left out, no complete run yet: ${view.partial.join(', ')}.` : '');

function renderMarkdown(views: AcrossView[]): string {
  return `${[
    '# Across experiments: time to target and performance profile',
    escapeMarkdown(INTRO),
    ...views.flatMap((view) => {
      const times = view.runs.map((r) => r.time);
      return [
        `## Profile '${escapeMarkdown(view.profile)}'`,
        ...(view.caveat ? [`**${escapeMarkdown(view.caveat)}**`] : []),
        `**${escapeMarkdown(profileSummary(times))}**`,
        `Runs: ${view.runs.map(({ run }) => `[${escapeMarkdown(run.results.experiment)}](${runLink(run, 'report.md')}) (${escapeMarkdown(seedsText(run))})`).join('; ')}.${escapeMarkdown(partialText(view))}`,
        markdownTable(timeToTargetTable(times)),
        `![${escapeMarkdown(view.chart.title)}](${view.chart.id}.png)`,
      ];
    }),
  ].join('\n\n')}\n`;
}

async function renderHtml(views: AcrossView[]): Promise<string> {
  const sections = views.map((view) => {
    const times = view.runs.map((r) => r.time);
    const runs = view.runs.map(({ run }) => `<a href="${escapeHtml(runLink(run, 'report.html'))}">${escapeHtml(run.results.experiment)}</a> (${escapeHtml(seedsText(run))})`);
    return `<h2>Profile '${escapeHtml(view.profile)}'</h2>
${view.caveat ? `<p><strong>${escapeHtml(view.caveat)}</strong></p>` : ''}
<p class="headline">${escapeHtml(profileSummary(times))}</p>
<p class="note">Runs: ${runs.join('; ')}.${escapeHtml(partialText(view))}</p>
${htmlTable(timeToTargetTable(times))}
${figureHtml(view.chart)}`;
  });
  return pageShell('Across experiments — optbench', `
<nav><a href="../index.html">All runs</a></nav>
<header><h1>Across experiments: time to target and performance profile</h1><p class="subtitle">${escapeHtml(INTRO)}</p></header>
${sections.join('\n')}
${await chartScripts(views.map((v) => v.chart))}`);
}

/**
 * Writes `<root>/across/report.md` and `report.html` with each view's table and performance profile chart
 * (spec, SVG, PNG); returns the HTML file.
 */
export async function writeAcrossExperimentsReport(root: string, views: AcrossView[]): Promise<string> {
  const dir = path.join(root, ACROSS_DIR);
  for (const { chart } of views) {
    const svg = await renderSvg(chart.spec);
    await writeFileAtomic(path.join(dir, `${chart.id}.vl.json`), `${JSON.stringify(chart.spec)}\n`);
    await writeFileAtomic(path.join(dir, `${chart.id}.svg`), svg);
    await writeFileAtomic(path.join(dir, `${chart.id}.png`), svgToPng(svg));
  }
  await writeFileAtomic(path.join(root, ACROSS_FILES.markdown), renderMarkdown(views));
  const html = path.join(root, ACROSS_FILES.html);
  await writeFileAtomic(html, await renderHtml(views));
  return html;
}

/** For reports/index.html: each profile's answer in a line, and the link to the view. */
export function acrossSectionHtml(views: AcrossView[]): string {
  if (!views.length) return '';
  const rows = views.map((view) => [
    { text: view.profile },
    { text: view.runs.map((r) => r.run.results.experiment).join(', ') },
    { text: `${profileSummary(view.runs.map((r) => r.time))}${view.caveat ? ` ${view.caveat}` : ''}` },
  ]);
  return `<h2>Time to target across experiments</h2>
<p class="note">Steps each optimizer needs to reach a target validation loss, per experiment, and the performance profile over experiments (AlgoPerf-style). Details: <a href="${ACROSS_DIR}/report.html">across experiments</a>.</p>
${htmlTable({ headers: ['profile', 'experiments', 'in short'], rows })}`;
}
