/**
 * Report views of a --tune run (results.tuning): defaults vs tuned side by side (final test loss, metric
 * and rank of each optimizer, and how the ranking moved), the learning-rate sensitivity curves (final
 * held-out validation loss against the rate, one line per optimizer, the default and the choice marked)
 * and the grid itself. Every number is read from results.json; nothing here re-trains or re-chooses.
 */
import type { TopLevelSpec } from 'vega-lite';
import { formatNumber, maxOf, minOf } from '../common/numbers.js';
import { phaseView } from '../results/phases.js';
import type { RunResults, TuningChoice } from '../results/schema.js';
import { optimizerPalette } from './colors.js';
import type { Table } from './content.js';
import { finalMetric, type Chart } from './specs.js';
import { primarySeriesAll, rankingLoss, summarizeRun, type OptimizerSeries } from '../results/summary.js';

export interface RankedOptimizer {
  optimizer: string;
  name: string;
  learningRate: number;
  /** Final test loss (validation loss of the final units), mean over seeds; null unless every seed ran ok. */
  loss: number | null;
  metric: number | null;
  /** 1 = lowest final loss among the optimizers that ran ok; null when it did not. */
  rank: number | null;
  status: string;
}

export interface TuningComparison {
  rows: { default: RankedOptimizer; tuned: RankedOptimizer | null; choice: TuningChoice | undefined }[];
  /** Kendall's τ between the two rankings over optimizers ranked in both; null with fewer than two. */
  kendallTau: number | null;
  metricTitle: string;
  metricHigherIsBetter: boolean;
}

function ranked(results: RunResults): Map<string, RankedOptimizer> {
  const metric = finalMetric(results);
  const series = primarySeriesAll(summarizeRun(results));
  const order = series.filter((s) => rankingLoss(s) !== null).sort((a, b) => rankingLoss(a)! - rankingLoss(b)!);
  return new Map(series.map((s: OptimizerSeries) => [s.optimizer, {
    optimizer: s.optimizer, name: s.name, learningRate: s.learningRate, loss: rankingLoss(s), metric: metric.of(s),
    rank: order.includes(s) ? order.indexOf(s) + 1 : null, status: s.status === 'ok' ? 'ok' : (s.reason ?? s.status),
  }]));
}

/** Kendall's τ-a of two rankings of the same items (1 = same order, −1 = reversed). */
export function kendallTau(a: number[], b: number[]): number | null {
  if (a.length < 2) return null;
  let sum = 0;
  for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) sum += Math.sign(a[i] - a[j]) * Math.sign(b[i] - b[j]);
  return sum / ((a.length * (a.length - 1)) / 2);
}

export function compareDefaultsAndTuned(results: RunResults): TuningComparison {
  const defaults = ranked(phaseView(results, 'default'));
  const tuned = ranked(phaseView(results, 'tuned'));
  const rows = [...defaults.values()].map((d) => ({
    default: d,
    tuned: tuned.get(d.optimizer) ?? null,
    choice: results.tuning?.choices.find((c) => c.optimizer === d.optimizer),
  }));
  const both = rows.filter((r) => r.default.rank !== null && r.tuned?.rank != null);
  const metric = finalMetric(phaseView(results, 'default'));
  return {
    rows,
    kendallTau: kendallTau(both.map((r) => r.default.rank!), both.map((r) => r.tuned!.rank!)),
    metricTitle: metric.title === 'final validation loss' ? '' : metric.title.replace('final validation', 'final test'),
    metricHigherIsBetter: metric.higherIsBetter,
  };
}

/**
 * A log scale fitted to the values, a little padded: Vega's "nice" log domain rounds out to whole decades,
 * which squeezed losses of 0.45–2.3 into a third of a 0.1–10 axis.
 */
function logScale(values: number[]): { type: 'log'; domain: [number, number]; nice: false } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const [low, high] = positive.length ? [minOf(positive), maxOf(positive)] : [0.1, 10];
  return { type: 'log', domain: [low / 1.15, high * 1.15], nice: false };
}

const text = (value: number | null) => (value === null ? '—' : formatNumber(value));

function rankChange(row: TuningComparison['rows'][number]): string {
  const before = row.default.rank;
  const after = row.tuned?.rank ?? null;
  if (before === null || after === null) return '—';
  if (before === after) return '=';
  return before > after ? `↑ ${before - after}` : `↓ ${after - before}`;
}

function chosenText(choice: TuningChoice | undefined): string {
  if (!choice) return '—';
  if (choice.chosen === null) return 'none (no grid rate trained ok)';
  return `${formatNumber(choice.chosen)}${choice.atEdge ? ` (${choice.atEdge} edge of the grid)` : ''}`;
}

/** Defaults vs tuned, one row per optimizer, ranked by final test loss in each. */
export function comparisonTable(comparison: TuningComparison): Table {
  const metric = comparison.metricTitle;
  const bestOf = (values: (number | null)[], higher: boolean) => {
    const present = values.filter((v): v is number => v !== null);
    return present.length > 1 ? (higher ? maxOf(present) : minOf(present)) : null;
  };
  const columns = (pick: (r: TuningComparison['rows'][number]) => RankedOptimizer | null) => {
    const rows = comparison.rows.map(pick);
    const bestLoss = bestOf(rows.map((r) => r?.loss ?? null), false);
    const bestMetric = bestOf(rows.map((r) => r?.metric ?? null), comparison.metricHigherIsBetter);
    return rows.map((r) => [
      { text: r ? formatNumber(r.learningRate) : '—' },
      { text: r?.loss == null ? (r?.status ?? '—') : formatNumber(r.loss), best: r?.loss != null && r.loss === bestLoss },
      ...(metric ? [{ text: text(r?.metric ?? null), best: r?.metric != null && r.metric === bestMetric }] : []),
      { text: r?.rank == null ? '—' : String(r.rank) },
    ]);
  };
  const defaults = columns((r) => r.default);
  const tuned = columns((r) => r.tuned);
  return {
    headers: [
      'optimizer', 'default lr', 'default: final test loss', ...(metric ? [`default: ${metric}`] : []), 'default: rank',
      'chosen lr', 'tuned: final test loss', ...(metric ? [`tuned: ${metric}`] : []), 'tuned: rank', 'rank change',
    ],
    rows: comparison.rows.map((row, i) => [
      { text: row.default.name }, ...defaults[i], { text: chosenText(row.choice) }, ...tuned[i].slice(1), { text: rankChange(row) },
    ]),
  };
}

/** One sentence on how the ranking moved. */
export function rankingNote(comparison: TuningComparison): string {
  const moved = comparison.rows
    .filter((r) => r.default.rank !== null && r.tuned?.rank != null && r.default.rank !== r.tuned.rank)
    .map((r) => `${r.default.name} ${r.default.rank} → ${r.tuned!.rank}`);
  const tau = comparison.kendallTau === null ? '' : ` Kendall's τ between the two rankings: ${formatNumber(comparison.kendallTau)} (1 = unchanged, −1 = reversed).`;
  const best = (pick: (r: TuningComparison['rows'][number]) => RankedOptimizer | null | undefined) =>
    comparison.rows.find((r) => pick(r)?.rank === 1) ? pick(comparison.rows.find((r) => pick(r)?.rank === 1)!)!.name : 'none';
  // The choice is made on the held-out split: it need not carry over to the test set, and the note says where not.
  const worse = comparison.rows
    // Worse as printed: Ftrl's 2.303 → 2.303 (a change in the sixth digit) is not news.
    .filter((r) => r.default.loss !== null && r.tuned?.loss != null && r.tuned.loss > r.default.loss && formatNumber(r.tuned.loss) !== formatNumber(r.default.loss))
    .map((r) => `${r.default.name} (${formatNumber(r.default.loss!)} → ${formatNumber(r.tuned!.loss!)})`);
  return `Best at the defaults: ${best((r) => r.default)}; best tuned: ${best((r) => r.tuned)}. `
    + `${moved.length ? `Ranks that moved: ${moved.join(', ')}.` : 'No rank moved.'}${tau}`
    + `${worse.length ? ` Worse on the test set at the tuned rate than at the default: ${worse.join(', ')}.` : ''}`;
}

/** The grid: each optimizer's rates with their final held-out validation loss; ★ marks the choice. */
export function gridTable(results: RunResults): Table {
  const choices = results.tuning?.choices ?? [];
  const points = Math.max(0, ...choices.map((c) => c.grid.length));
  return {
    headers: ['optimizer', 'default lr', ...Array.from({ length: points }, (_, i) => `rate ${i + 1}: held-out val loss`)],
    rows: choices.map((c) => [
      { text: nameOf(results, c.optimizer) },
      { text: formatNumber(c.defaultLearningRate) },
      ...Array.from({ length: points }, (_, i) => {
        if (i >= c.grid.length) return { text: '' };
        const loss = c.gridLoss[i];
        return { text: `${formatNumber(c.grid[i])}${c.grid[i] === c.defaultLearningRate ? ' (default)' : ''}: ${loss === null ? 'diverged/failed' : formatNumber(loss)}`, best: c.grid[i] === c.chosen };
      }),
    ]),
  };
}

function nameOf(results: RunResults, optimizer: string): string {
  const series = primarySeriesAll(summarizeRun(phaseView(results, 'default'))).find((s) => s.optimizer === optimizer);
  return series?.name ?? results.userOptimizers?.find((u) => u.name === optimizer)?.label ?? optimizer;
}

/**
 * Final held-out validation loss against the learning rate, one line per optimizer, log–log; a diamond
 * marks each optimizer's default rate and a ring the chosen one. Rates that diverged are left out of the
 * lines and named in the subtitle.
 */
export function sensitivityChart(results: RunResults): Chart {
  const choices = results.tuning?.choices ?? [];
  const rows = choices.flatMap((c) => c.grid.flatMap((rate, i) => (c.gridLoss[i] === null ? [] : [{
    optimizer: nameOf(results, c.optimizer), rate, loss: c.gridLoss[i],
    marker: rate === c.chosen ? 'chosen' : rate === c.defaultLearningRate ? 'default' : 'grid',
    isDefault: rate === c.defaultLearningRate, isChosen: rate === c.chosen,
  }])));
  const failed = choices.flatMap((c) => c.grid.filter((_, i) => c.gridLoss[i] === null).map((rate) => `${nameOf(results, c.optimizer)} at ${rate}`));
  const domain = choices.map((c) => nameOf(results, c.optimizer));
  const palette = optimizerPalette(results.runs.map((r) => r.optimizer));
  const color = { field: 'optimizer', type: 'nominal' as const, title: 'optimizer', scale: { domain, range: choices.map((c) => palette(c.optimizer)) }, sort: domain };
  const x = { field: 'rate', type: 'quantitative' as const, title: 'learning rate', scale: logScale(rows.map((r) => r.rate)) };
  const y = { field: 'loss', type: 'quantitative' as const, title: `final held-out validation loss (${results.settings.loss})`, scale: logScale(rows.map((r) => r.loss!)) };
  const tooltip = [{ field: 'optimizer' }, { field: 'rate', title: 'learning rate' }, { field: 'loss', title: 'held-out val loss', format: '.4~g' }];
  const subtitle = [
    'Diamond: the optimizer\'s default rate; ring: the rate chosen (lowest held-out loss). Chosen on training data only.',
    ...(failed.length ? [`Diverged or failed, not plotted: ${failed.join(', ')}`.slice(0, 200)] : []),
  ];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Learning-rate sensitivity (tuning grid)', subtitle, anchor: 'start' },
    width: 640, height: 320,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', point: { filled: true, size: 30 } }, encoding: { x, y, color, tooltip } },
      { transform: [{ filter: 'datum.isDefault' }], mark: { type: 'point', shape: 'diamond', filled: true, size: 160 }, encoding: { x, y, color, tooltip } },
      { transform: [{ filter: 'datum.isChosen' }], mark: { type: 'point', shape: 'circle', filled: false, size: 420, strokeWidth: 2 }, encoding: { x, y, color, tooltip } },
    ],
  };
  return { id: 'lr-sensitivity', title: 'Learning-rate sensitivity (tuning grid)', spec };
}

/**
 * Final test loss at the default and at the chosen rate: a dumbbell per optimizer (two points joined by a
 * rule) on a log axis, where losses that differ by orders of magnitude stay readable.
 */
export function defaultsVsTunedChart(comparison: TuningComparison, lossName: string): Chart {
  const pairs = comparison.rows.filter((r) => r.default.loss !== null && r.tuned?.loss != null)
    .map((r) => ({ optimizer: r.default.name, atDefault: r.default.loss!, tuned: r.tuned!.loss! }));
  const points = comparison.rows.flatMap((r) => [
    ...(r.default.loss === null ? [] : [{ optimizer: r.default.name, setting: 'default rate', loss: r.default.loss, rate: r.default.learningRate }]),
    ...(r.tuned?.loss == null ? [] : [{ optimizer: r.default.name, setting: 'tuned rate', loss: r.tuned.loss, rate: r.tuned.learningRate }]),
  ]);
  const y = { field: 'optimizer', type: 'nominal' as const, title: null, sort: comparison.rows.map((r) => r.default.name) };
  const scale = logScale(points.map((p) => p.loss));
  const x = { field: 'loss', type: 'quantitative' as const, title: `final test loss (${lossName})`, scale };
  const color = { field: 'setting', type: 'nominal' as const, title: null, scale: { domain: ['default rate', 'tuned rate'], range: ['#8c959f', '#1f77b4'] } };
  const tooltip = [{ field: 'optimizer' }, { field: 'setting' }, { field: 'rate', title: 'learning rate' }, { field: 'loss', title: 'final test loss', format: '.4~g' }];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Final test loss: default vs tuned learning rate', subtitle: ['Mean over the final seeds; lower is better. Ring: default rate; dot: tuned rate (inside the ring when they tie)'], anchor: 'start' },
    width: 640,
    layer: [
      {
        data: { values: pairs },
        mark: { type: 'rule', color: '#9aa4ae' },
        encoding: { y, x: { field: 'atDefault', type: 'quantitative', scale }, x2: { field: 'tuned' } },
      },
      {
        data: { values: points },
        layer: [
          { transform: [{ filter: "datum.setting === 'default rate'" }], mark: { type: 'point', filled: false, size: 170, strokeWidth: 2 }, encoding: { y, x, color, tooltip } },
          { transform: [{ filter: "datum.setting === 'tuned rate'" }], mark: { type: 'point', filled: true, size: 70 }, encoding: { y, x, color, tooltip } },
        ],
      },
    ],
  };
  return { id: 'defaults-vs-tuned', title: 'Final test loss: default vs tuned learning rate', spec };
}
