/**
 * Vega-Lite specs of the report's charts, built from the run summary. Every chart that shows
 * optimizers uses the same colour (per optimizer) and dash (per implementation) scales, and lists
 * optimizers that did not run ok in its legend as "<name> — <status>" without plotting their values.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { BaselineValue, RunResults, SurfaceTrajectory } from '../results/schema.js';
import { IMPL_DASH, optimizerColor } from './colors.js';
import { formatNumber } from '../claims/kit.js';
import { rankingLoss, type Band, type EpochAggregate, type RunSummary, type OptimizerSeries } from '../results/summary.js';
import { contourLines, type Range, type SurfaceFunction } from './surfaceGrid.js';

export interface Chart {
  /** File stem: `<id>.vl.json`, `<id>.svg`, `<id>.png`. */
  id: string;
  title: string;
  spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Name of the layer drawing one line per optimizer: its marks carry the class `${SERIES_LINES}_marks`. */
export const SERIES_LINES = 'series';
const WIDTH = 640;
const HEIGHT = 320;
const SURFACE_SIZE = 420;
/** Reasons can be whole stack traces; a chart subtitle gets the first line, shortened. */
const MAX_REASON = 90;

export function legendLabel(series: OptimizerSeries): string {
  return series.status === 'ok' ? series.label : `${series.label} — ${series.status}`;
}

function shortReason(series: OptimizerSeries): string {
  const reason = (series.reason ?? series.status).split('\n')[0];
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
}

/** Explains the dashes, when there are any. */
function dashNote(series: OptimizerSeries[]): string[] {
  return series.some((s) => s.impl === 'scratch') ? ['Dashed: from-scratch implementation (src/optimizers)'] : [];
}

function notPlottedNote(series: OptimizerSeries[]): string[] {
  const bad = series.filter((s) => s.status !== 'ok');
  return bad.map((s) => `Not plotted: ${s.label} (${shortReason(s)})`);
}

function title(text: string, subtitle: string[]) {
  return subtitle.length > 0 ? { text, subtitle, anchor: 'start' as const } : { text, anchor: 'start' as const };
}

/** Colour and dash encodings keyed by legend label, shared by all optimizer charts. */
function seriesEncoding(series: OptimizerSeries[]) {
  const domain = series.map(legendLabel);
  // Line-shaped legend symbols, so the dash of from-scratch implementations shows in the legend too.
  const legend = { symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 400, labelLimit: 320 };
  return {
    color: { field: 'series', type: 'nominal' as const, title: 'optimizer', scale: { domain, range: series.map((s) => optimizerColor(s.optimizer)) }, sort: domain, legend },
    strokeDash: {
      field: 'series', type: 'nominal' as const, title: 'optimizer', scale: { domain, range: series.map((s) => [...IMPL_DASH[s.impl]]) }, sort: domain, legend,
    },
  };
}

/** Log scale when the plotted values span more than two orders of magnitude (a poor optimizer next to good ones). */
function valueScale(values: number[]): { type: 'log' | 'linear'; zero: false } {
  const min = Math.min(...values);
  return { type: min > 0 && Math.max(...values) / min > 100 ? 'log' : 'linear', zero: false };
}

function referenceLayers(lines: BaselineValue[]) {
  if (lines.length === 0) return [];
  const data = { values: lines.map((l) => ({ name: l.name, description: l.description, value: l.valLoss })) };
  const y = { field: 'value', type: 'quantitative' as const };
  return [
    {
      data,
      mark: { type: 'rule' as const, color: '#333', strokeDash: [2, 2], strokeWidth: 1.5 },
      encoding: { y, tooltip: [{ field: 'name', title: 'reference' }, { field: 'description' }, { field: 'value', format: '.4~g' }] },
    },
    { data, mark: { type: 'text' as const, align: 'left' as const, dx: 4, dy: -6, color: '#333', x: 0 }, encoding: { y, text: { field: 'name' } } },
  ];
}

/** Loss (or another per-epoch band) per epoch: mean line per series, min–max band when seeds > 1. */
export function curveChart(options: {
  id: string;
  title: string;
  yTitle: string;
  summary: RunSummary;
  pick: (epoch: EpochAggregate) => Band | null;
  referenceLines?: BaselineValue[];
}): Chart {
  const { summary, pick } = options;
  const series = summary.compared;
  const rows = series.flatMap((s) =>
    s.curve.flatMap((e) => {
      const b = pick(e);
      return b ? [{ series: legendLabel(s), epoch: e.epoch, mean: b.mean, min: b.min, max: b.max }] : [];
    }),
  );
  const references = options.referenceLines ?? [];
  const scale = valueScale([...rows.flatMap((r) => [r.min, r.max]), ...references.map((r) => r.valLoss)]);
  const multiSeed = summary.seedCount > 1;
  const x = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 }, scale: { zero: false, nice: false } };
  const y = { field: 'mean', type: 'quantitative' as const, title: options.yTitle, scale };
  const encoding = seriesEncoding(series);
  const tooltip = [
    { field: 'series', title: 'optimizer' },
    { field: 'epoch' },
    { field: 'mean', title: multiSeed ? `${options.yTitle} (mean)` : options.yTitle, format: '.4~g' },
    ...(multiSeed ? [{ field: 'min', format: '.4~g' }, { field: 'max', format: '.4~g' }] : []),
  ];
  const subtitle = [
    ...(multiSeed ? [`Mean of ${summary.seedCount} seeds; band: min–max`] : []),
    ...(scale.type === 'log' ? ['Log scale'] : []),
    ...dashNote(series),
    ...notPlottedNote(series),
  ];
  return {
    id: options.id,
    title: options.title,
    spec: {
      $schema: SCHEMA,
      title: title(options.title, subtitle),
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          data: { values: rows },
          layer: [
            ...(multiSeed
              ? [
                  // The band fills by a copy of the series field: Vega-Lite merges legends of the same field, and
                  // a hidden band legend would then hide the lines' legend too.
                  {
                    transform: [{ calculate: 'datum.series', as: 'band' }],
                    mark: { type: 'area' as const, opacity: 0.15 },
                    encoding: { x, y: { ...y, field: 'min' }, y2: { field: 'max' }, fill: { ...encoding.color, field: 'band', legend: null } },
                  },
                ]
              : []),
            { name: SERIES_LINES, mark: { type: 'line' as const, strokeWidth: 2, point: { filled: true, size: 18 } }, encoding: { x, y, ...encoding, tooltip } },
          ],
        },
        ...referenceLayers(references),
      ],
    },
  };
}

interface BarRow {
  series: string;
  value: number | null;
  label: string;
}

/** Horizontal bars in the given order; rows without a value show their label (e.g. "diverged") instead of a bar. */
function barChart(id: string, chartTitle: string, xTitle: string, series: OptimizerSeries[], rows: BarRow[], subtitle: string[]): Chart {
  const encoding = seriesEncoding(series);
  const order = rows.map((r) => r.series);
  const y = { field: 'series', type: 'nominal' as const, title: null, sort: order };
  return {
    id,
    title: chartTitle,
    spec: {
      $schema: SCHEMA,
      title: title(chartTitle, subtitle),
      width: WIDTH,
      data: { values: rows.map((r) => ({ ...r, position: r.value ?? 0 })) },
      encoding: { y },
      layer: [
        {
          transform: [{ filter: 'datum.value !== null' }],
          mark: { type: 'bar' as const },
          encoding: {
            x: { field: 'value', type: 'quantitative' as const, title: xTitle },
            color: { ...encoding.color, legend: null },
            tooltip: [{ field: 'series', title: 'optimizer' }, { field: 'value', title: xTitle, format: '.4~g' }],
          },
        },
        {
          mark: { type: 'text' as const, align: 'left' as const, dx: 4 },
          encoding: { x: { field: 'position', type: 'quantitative' as const }, text: { field: 'label' } },
        },
      ],
    },
  };
}

/** The metric a reader picks an optimizer by: final validation metric, else final validation/train loss. */
export function finalMetric(results: RunResults): { title: string; higherIsBetter: boolean; of: (s: OptimizerSeries) => number | null } {
  const metric = results.settings.metric;
  const hasValMetric = results.runs.some((r) => r.epochs.some((e) => e.valMetric !== null));
  if (metric && hasValMetric) {
    return { title: `final validation ${metric.name}`, higherIsBetter: metric.higherIsBetter, of: (s) => s.final?.valMetric ?? null };
  }
  return { title: 'final validation loss', higherIsBetter: false, of: rankingLoss };
}

export function finalMetricChart(results: RunResults, summary: RunSummary): Chart {
  const metric = finalMetric(results);
  const direction = metric.higherIsBetter ? 'higher is better' : 'lower is better';
  const rows = summary.compared
    .map((s) => ({ series: legendLabel(s), value: metric.of(s), label: s.status === 'ok' ? formatNumber(metric.of(s) ?? NaN) : s.status }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) return (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0);
      return metric.higherIsBetter ? b.value - a.value : a.value - b.value;
    });
  return barChart('final-metric', `${capitalize(metric.title)} (${direction})`, metric.title, summary.compared, rows, notPlottedNote(summary.compared));
}

export function epochTimeChart(summary: RunSummary): Chart {
  const rows = summary.compared
    .map((s) => ({ series: legendLabel(s), value: s.secondsPerEpoch, label: s.secondsPerEpoch === null ? s.status : `${formatNumber(s.secondsPerEpoch)} s` }))
    .sort((a, b) => (a.value ?? Infinity) - (b.value ?? Infinity));
  const seeds = summary.seedCount > 1 ? ` and ${summary.seedCount} seeds` : '';
  return barChart('epoch-time', 'Time per epoch (seconds)', 'seconds per epoch', summary.compared, rows, [`Mean over epochs${seeds}`]);
}

/** Optimizer × learning rate, coloured by final validation loss (training loss without validation). */
export function learningRateHeatmap(summary: RunSummary): Chart {
  const rows = summary.all.map((s) => ({
    optimizer: s.name,
    learningRate: String(s.learningRate),
    value: s.status === 'ok' ? rankingLoss(s) : null,
    label: s.status === 'ok' ? formatNumber(rankingLoss(s) ?? NaN) : s.status,
  }));
  const values = rows.flatMap((r) => (r.value === null ? [] : [r.value]));
  const scale = valueScale(values);
  // Dark cells (low loss) get white text; the split is the geometric or arithmetic middle of the scale.
  const middle = scale.type === 'log' ? Math.sqrt(Math.min(...values) * Math.max(...values)) : (Math.min(...values) + Math.max(...values)) / 2;
  const lossName = summary.hasValidation ? 'final validation loss' : 'final train loss';
  const x = { field: 'learningRate', type: 'ordinal' as const, title: 'learning rate', sort: summary.learningRates.map(String), axis: { labelAngle: 0 } };
  const y = { field: 'optimizer', type: 'nominal' as const, title: null, sort: [...new Set(rows.map((r) => r.optimizer))] };
  return {
    id: 'lr-heatmap',
    title: 'Learning-rate sweep',
    spec: {
      $schema: SCHEMA,
      title: title(`Learning-rate sweep: ${lossName}`, ['Darker is better; grey cells did not run ok']),
      width: WIDTH,
      height: { step: 32 },
      data: { values: rows },
      encoding: { x, y },
      layer: [
        { transform: [{ filter: 'datum.value === null' }], mark: { type: 'rect' as const, color: '#d9d9d9' } },
        {
          transform: [{ filter: 'datum.value !== null' }],
          mark: { type: 'rect' as const },
          encoding: {
            color: { field: 'value', type: 'quantitative' as const, title: lossName, scale: { type: scale.type, scheme: 'blues', reverse: true }, legend: { titleLimit: 300 } },
            tooltip: [{ field: 'optimizer' }, { field: 'learningRate', title: 'learning rate' }, { field: 'value', title: lossName, format: '.4~g' }],
          },
        },
        {
          mark: { type: 'text' as const, fontSize: 11 },
          encoding: {
            text: { field: 'label' },
            color: { condition: { test: `datum.value !== null && datum.value < ${middle}`, value: 'white' }, value: 'black' },
          },
        },
      ],
    },
  };
}

const TRAJECTORY_POINTS = 150;

/** Six significant digits: more than a chart or tooltip shows, a third of the JSON of a full double. */
const significant = (value: number) => Number(value.toPrecision(6));

/** At most TRAJECTORY_POINTS evenly spaced points, always keeping the last one. */
function thin<T>(points: T[]): T[] {
  if (points.length <= TRAJECTORY_POINTS) return points;
  const stride = (points.length - 1) / (TRAJECTORY_POINTS - 1);
  return Array.from({ length: TRAJECTORY_POINTS }, (_, i) => points[Math.round(i * stride)]);
}

function paddedRange(values: number[]): Range {
  const [min, max] = [Math.min(...values), Math.max(...values)];
  const pad = max > min ? (max - min) * 0.1 : 1;
  return [min - pad, max + pad];
}

/** What the report needs to know about a cost surface (the surfaces experiment's definitions provide it). */
export interface SurfaceInfo {
  name: string;
  title: string;
  f: SurfaceFunction;
  minima: [number, number][];
  domain: { x: Range; y: Range };
}

/**
 * Contour lines of the surface under every optimizer's trajectories, in the surface's plot window
 * (or around the trajectories when the surface is unknown, without contours).
 */
export function surfaceChart(surfaceName: string, summary: RunSummary, surface: SurfaceInfo | undefined): Chart {
  const trajectoriesOf = (s: OptimizerSeries) => s.runs.flatMap((r) => r.trajectories ?? []).filter((t) => t.surface === surfaceName);
  const series = summary.compared.filter((s) => trajectoriesOf(s).length > 0);
  const plotted = (t: SurfaceTrajectory) => t.status === 'ok';
  const rows = series
    .filter((s) => s.status === 'ok')
    .flatMap((s) =>
      trajectoriesOf(s)
        .filter(plotted)
        .flatMap((t) => thin(t.points).map((p) => ({ series: legendLabel(s), start: t.start.join(','), step: p.step, x: significant(p.x), y: significant(p.y), f: significant(p.f) }))),
    );
  const all = series.flatMap(trajectoriesOf);
  const starts = [...new Map(all.map((t) => [t.start.join(','), { x: t.start[0], y: t.start[1] }])).values()];
  const minima = surface
    ? surface.minima.map(([x, y]) => ({ x, y }))
    : [...new Map(all.map((t) => [t.nearestMinimum.join(','), { x: t.nearestMinimum[0], y: t.nearestMinimum[1] }])).values()];
  const extent = [...rows, ...starts, ...minima];
  const xRange = surface?.domain.x ?? paddedRange(extent.map((p) => p.x));
  const yRange = surface?.domain.y ?? paddedRange(extent.map((p) => p.y));
  const x = { field: 'x', type: 'quantitative' as const, title: 'x', scale: { domain: xRange, nice: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: 'y', scale: { domain: yRange, nice: false } };
  const encoding = seriesEncoding(series);
  const unplotted = series
    .filter((s) => s.status === 'ok')
    .flatMap((s) => trajectoriesOf(s).filter((t) => !plotted(t)).map((t) => `${s.label} from (${t.start.join(', ')}) ${t.status}`));
  const chartTitle = surface?.title ?? surfaceName;
  const subtitle = [
    'Circles: starts; crosses: minima',
    ...dashNote(series),
    ...(surface ? [] : [`Contours unavailable: '${surfaceName}' is not a known surface`]),
    ...notPlottedNote(series),
    ...unplotted.map((text) => `Not plotted: ${text}`),
  ];
  return {
    id: `surface-${surfaceName.replace(/[^a-z0-9-]+/gi, '-')}`,
    title: chartTitle,
    spec: {
      $schema: SCHEMA,
      title: title(chartTitle, subtitle),
      width: SURFACE_SIZE,
      height: SURFACE_SIZE,
      layer: [
        ...(surface
          ? [
              {
                data: { values: contourLines(surface.f, xRange, yRange) },
                mark: { type: 'line' as const, color: '#bdbdbd', strokeWidth: 0.8, clip: true },
                encoding: { x, y, detail: { field: 'line', type: 'nominal' as const }, order: { field: 'order', type: 'quantitative' as const } },
              },
            ]
          : []),
        {
          data: { values: rows },
          layer: [
            {
              name: SERIES_LINES,
              mark: { type: 'line' as const, strokeWidth: 2, clip: true },
              encoding: { x, y, ...encoding, detail: { field: 'start', type: 'nominal' as const }, order: { field: 'step', type: 'quantitative' as const } },
            },
            {
              mark: { type: 'point' as const, filled: true, size: 12, clip: true },
              encoding: {
                x, y, color: encoding.color,
                tooltip: [{ field: 'series', title: 'optimizer' }, { field: 'step' }, { field: 'x', format: '.4~g' }, { field: 'y', format: '.4~g' }, { field: 'f', format: '.4~g' }],
              },
            },
          ],
        },
        { data: { values: starts }, mark: { type: 'point' as const, shape: 'circle', size: 70, color: 'black', strokeWidth: 2, clip: true }, encoding: { x, y } },
        { data: { values: minima }, mark: { type: 'point' as const, shape: 'cross', size: 90, color: 'black', filled: true, clip: true }, encoding: { x, y } },
      ],
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Vega-Lite copies titles and labels into Vega expressions without escaping line terminators, so a
 * newline or U+2028 in a name from results.json (loss, metric, optimizer) made the whole report fail:
 * every string in a spec is kept on one line.
 */
function oneLine<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/[\r\n\u2028\u2029]+/g, ' ') as T;
  if (Array.isArray(value)) return value.map(oneLine) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, oneLine(child)])) as T;
  return value;
}

export function buildCharts(results: RunResults, summary: RunSummary, surfaces: SurfaceInfo[]): Chart[] {
  return chartsOf(results, summary, surfaces).map((chart) => ({ ...chart, spec: oneLine(chart.spec) }));
}

/** Every chart of a run, in reading order. */
function chartsOf(results: RunResults, summary: RunSummary, surfaces: SurfaceInfo[]): Chart[] {
  const surfaceNames = [...new Set(results.runs.flatMap((r) => r.trajectories ?? []).map((t) => t.surface))];
  if (surfaceNames.length > 0) return surfaceNames.map((name) => surfaceChart(name, summary, surfaces.find((s) => s.name === name)));
  const loss = results.settings.loss;
  return [
    curveChart({ id: 'loss', title: 'Training loss per epoch', yTitle: `train loss (${loss})`, summary, pick: (e) => e.loss }),
    ...(summary.hasValidation
      ? [curveChart({ id: 'val-loss', title: 'Validation loss per epoch', yTitle: `validation loss (${loss})`, summary, pick: (e) => e.valLoss, referenceLines: results.referenceLines })]
      : []),
    finalMetricChart(results, summary),
    epochTimeChart(summary),
    ...(summary.swept ? [learningRateHeatmap(summary)] : []),
  ];
}
