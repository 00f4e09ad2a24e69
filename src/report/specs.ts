/**
 * Vega-Lite specs of the report's charts, built from the run summary. Every chart that shows
 * optimizers uses the same colour (per optimizer) and dash (per implementation) scales, and lists
 * optimizers that did not run ok in its legend as "<name> — <status>" without plotting their values.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { BaselineValue, RunResults, SurfaceTrajectory } from '../results/schema.js';
import { formatNumber, maxOf, minOf } from '../common/numbers.js';
import { CONTOUR_COLOR, IMPL_DASH, optimizerPalette } from './colors.js';
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

/**
 * Colour and dash encodings keyed by legend label, shared by all optimizer charts; `dash` overrides a series'
 * dash. Colours come from the whole run (`summary.all`), so a chart that leaves an optimizer out keeps the others'.
 */
function seriesEncoding(summary: RunSummary, series: OptimizerSeries[], dash: (series: OptimizerSeries) => number[] | undefined = () => undefined, legendOffset?: number) {
  const domain = series.map(legendLabel);
  const color = optimizerPalette(summary.all.map((s) => s.optimizer));
  // Line-shaped legend symbols, so the dash of from-scratch implementations shows in the legend too.
  const legend = { symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolSize: 400, labelLimit: 320, ...(legendOffset ? { offset: legendOffset } : {}) };
  return {
    color: { field: 'series', type: 'nominal' as const, title: 'optimizer', scale: { domain, range: series.map((s) => color(s.optimizer)) }, sort: domain, legend },
    strokeDash: {
      field: 'series', type: 'nominal' as const, title: 'optimizer', scale: { domain, range: series.map((s) => dash(s) ?? [...IMPL_DASH[s.impl]]) }, sort: domain, legend,
    },
  };
}

/**
 * Log scale when every value is positive and either the values span more than two orders of magnitude, or
 * the typical final value sits in the bottom fifth of a linear axis (a few poor optimizers squeezing the good
 * ones into a strip, as on Boston) and a log axis would lift it.
 */
export function valueScale(values: number[], finals: number[] = []): { type: 'log' } | { type: 'linear'; zero: false } {
  const [min, max] = [minOf(values), maxOf(values)];
  if (!(min > 0) || !(max > min)) return { type: 'linear', zero: false };
  const sorted = [...finals].sort((a, b) => a - b);
  const typical = sorted[Math.floor((sorted.length - 1) / 2)];
  const linearPosition = (typical - min) / (max - min);
  const logPosition = Math.log(typical / min) / Math.log(max / min);
  const squeezed = sorted.length > 1 && linearPosition < 0.2 && logPosition > linearPosition;
  return max / min > 100 || squeezed ? { type: 'log' } : { type: 'linear', zero: false };
}

/** Custom Vega format: axes and tooltips show numbers through formatNumber (registered by render.ts and html.ts). */
export const NUMBER_FORMAT_TYPE = 'optbenchNumber';
const numberFormat = { format: '', formatType: NUMBER_FORMAT_TYPE };
const CONFIG = { customFormatTypes: true };

/** Most points a curve is drawn with; longer curves are thinned to their min/max envelope. */
export const MAX_CURVE_POINTS = 400;

/**
 * At most ~maxPoints of `points`, keeping the first, the last, and each bucket's lowest and highest value in
 * order, so spikes and the curve's envelope survive (a 50,000-epoch curve is drawn from 400 points).
 */
export function downsampleEnvelope<T>(points: T[], value: (point: T) => number, maxPoints = MAX_CURVE_POINTS): T[] {
  if (points.length <= maxPoints) return points;
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const size = (points.length - 2) / buckets;
  const kept: T[] = [points[0]];
  for (let b = 0; b < buckets; b++) {
    const [from, to] = [1 + Math.floor(b * size), 1 + Math.floor((b + 1) * size)];
    let [low, high] = [from, from];
    for (let i = from; i < to; i++) {
      if (value(points[i]) < value(points[low])) low = i;
      if (value(points[i]) > value(points[high])) high = i;
    }
    if (to === from) continue;
    kept.push(points[Math.min(low, high)]);
    if (low !== high) kept.push(points[Math.max(low, high)]);
  }
  kept.push(points[points.length - 1]);
  return kept;
}

/** Curves with at most this many points get a marker per point: a marker shows a line hidden under another. */
const MARKED_POINTS = 40;
/** Two curves closer than this share of the axis everywhere are drawn as lying on one another. */
const COINCIDENT = 0.005;
/** Dash of a line that lies on an earlier one, so the earlier one shows through its gaps. */
const COINCIDENT_DASH = [2, 4];
/** Vertical room of an end label, in pixels. */
const LABEL_GAP = 12;

type Position = (value: number) => number;

/**
 * The y axis of a curve chart: the values' range plus 4% each side (in log units on a log scale), fixed rather
 * than rounded out by Vega, so end labels can be placed in axis units; `at` maps a value to 0 (bottom)..1 (top).
 */
function curveAxis(scale: { type: 'log' | 'linear' }, values: number[]): { domain: [number, number]; at: Position; back: Position } {
  const lin = scale.type === 'log' ? Math.log : (v: number) => v;
  const unlin = scale.type === 'log' ? Math.exp : (v: number) => v;
  const [low, high] = values.length ? [lin(minOf(values)), lin(maxOf(values))] : [0, 1];
  const pad = (high - low) * 0.04 || Math.abs(low) * 0.04 || 1;
  const [lo, hi] = [low - pad, high + pad];
  return { domain: [unlin(lo), unlin(hi)], at: (v) => (lin(v) - lo) / (hi - lo), back: (p) => unlin(lo + p * (hi - lo)) };
}

/** Labels' heights (0..1) pushed apart to at least `gap`, from the bottom up, then back down to stay ≤ 1. */
function spreadLabels(positions: number[], gap: number): number[] {
  const order = positions.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  for (let k = 1; k < order.length; k++) order[k].p = Math.max(order[k].p, order[k - 1].p + gap);
  const overflow = (order.at(-1)?.p ?? 0) - 1;
  if (overflow > 0) for (const o of order) o.p -= overflow;
  const spread = new Array<number>(positions.length);
  for (const o of order) spread[o.i] = o.p;
  return spread;
}

function referenceLayers(lines: BaselineValue[]) {
  if (lines.length === 0) return [];
  const data = { values: lines.map((l) => ({ name: l.name, description: l.description, value: l.valLoss })) };
  const y = { field: 'value', type: 'quantitative' as const };
  return [
    {
      data,
      mark: { type: 'rule' as const, color: '#333', strokeDash: [2, 2], strokeWidth: 1.5 },
      encoding: { y, tooltip: [{ field: 'name', title: 'reference' }, { field: 'description' }, { field: 'value', ...numberFormat }] },
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
  const drawn = series.map((s) => {
    const points = s.curve.flatMap((e) => {
      const b = pick(e);
      return b ? [{ series: legendLabel(s), epoch: e.epoch, mean: b.mean, min: b.min, max: b.max }] : [];
    });
    return { series: s, points: downsampleEnvelope(points, (p) => p.mean), total: points.length };
  });
  const rows = drawn.flatMap((d) => d.points);
  const references = options.referenceLines ?? [];
  const plottedValues = [...rows.flatMap((r) => [r.min, r.max]), ...references.map((r) => r.valLoss)];
  const finals = drawn.flatMap((d) => (d.points.length ? [d.points[d.points.length - 1].mean] : []));
  const scale = valueScale(plottedValues, finals);
  const multiSeed = summary.seedCount > 1;
  const thinned = drawn.some((d) => d.points.length < d.total);
  const marked = rows.length > 0 && drawn.every((d) => d.points.length <= MARKED_POINTS);
  const position = curveAxis(scale, plottedValues);

  // A line that lies on an earlier one (within COINCIDENT of the axis at every epoch) is drawn dotted on top.
  const coincident = new Map<string, string>();
  drawn.forEach((d, i) => {
    const under = drawn.slice(0, i).find((e) =>
      !coincident.has(e.series.label) && e.points.length === d.points.length && d.points.length > 0
      && d.points.every((p, k) => Math.abs(position.at(p.mean) - position.at(e.points[k].mean)) <= COINCIDENT));
    if (under) coincident.set(d.series.label, under.series.label);
  });
  // The legend moves right of the end labels (≈ 6.5 px per character at 11 px).
  const labelWidth = 12 + 6.5 * maxOf(drawn.map((d) => d.series.label.length));
  const encoding = seriesEncoding(summary, series, (s) => (coincident.has(s.label) ? COINCIDENT_DASH : undefined), labelWidth);

  // Each line is named at its end; labels are pushed apart so close finals stay readable.
  const ends = drawn.filter((d) => d.points.length > 0).map((d) => d.points[d.points.length - 1]);
  const labelHeights = spreadLabels(ends.map((last) => position.at(last.mean)), LABEL_GAP / HEIGHT);
  const endLabels = ends.map((last, i) => ({ series: last.series, name: drawn.find((d) => legendLabel(d.series) === last.series)!.series.label, epoch: last.epoch, at: position.back(labelHeights[i]) }));

  const x = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 }, scale: { zero: false, nice: false } };
  const y = { field: 'mean', type: 'quantitative' as const, title: options.yTitle, scale: { ...scale, domain: position.domain, nice: false }, axis: numberFormat };
  const tooltip = [
    { field: 'series', title: 'optimizer' },
    { field: 'epoch' },
    { field: 'mean', title: multiSeed ? `${options.yTitle} (mean)` : options.yTitle, ...numberFormat },
    ...(multiSeed ? [{ field: 'min', ...numberFormat }, { field: 'max', ...numberFormat }] : []),
  ];
  const subtitle = [
    ...(multiSeed ? [`Mean of ${summary.seedCount} seeds; band: min–max`] : []),
    ...(scale.type === 'log' ? ['Log scale'] : []),
    ...(thinned ? [`Long curves drawn from at most ${MAX_CURVE_POINTS} points each (every stretch's lowest and highest value kept)`] : []),
    ...dashNote(series),
    ...[...coincident].map(([top, under]) => `Dotted: ${top} lies on ${under}`),
    ...notPlottedNote(series),
  ];
  return {
    id: options.id,
    title: options.title,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
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
            {
              name: SERIES_LINES,
              mark: { type: 'line' as const, strokeWidth: 2, ...(marked ? { point: { filled: true, size: 18 } } : {}) },
              encoding: { x, y, ...encoding, tooltip },
            },
          ],
        },
        {
          data: { values: endLabels },
          mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 6, fontSize: 11 },
          encoding: { x, y: { ...y, field: 'at' }, text: { field: 'name' }, color: encoding.color },
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
function barChart(id: string, chartTitle: string, xTitle: string, summary: RunSummary, rows: BarRow[], subtitle: string[]): Chart {
  const encoding = seriesEncoding(summary, summary.compared);
  const order = rows.map((r) => r.series);
  const y = { field: 'series', type: 'nominal' as const, title: null, sort: order };
  return {
    id,
    title: chartTitle,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      title: title(chartTitle, subtitle),
      width: WIDTH,
      data: { values: rows.map((r) => ({ ...r, position: r.value ?? 0 })) },
      encoding: { y },
      layer: [
        {
          transform: [{ filter: 'datum.value !== null' }],
          mark: { type: 'bar' as const },
          encoding: {
            x: { field: 'value', type: 'quantitative' as const, title: xTitle, axis: numberFormat },
            color: { ...encoding.color, legend: null },
            tooltip: [{ field: 'series', title: 'optimizer' }, { field: 'value', title: xTitle, ...numberFormat }],
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
  return barChart('final-metric', `${capitalize(metric.title)} (${direction})`, metric.title, summary, rows, notPlottedNote(summary.compared));
}

export function epochTimeChart(summary: RunSummary): Chart {
  const rows = summary.compared
    .map((s) => ({ series: legendLabel(s), value: s.secondsPerEpoch, label: s.secondsPerEpoch === null ? s.status : `${formatNumber(s.secondsPerEpoch)} s` }))
    .sort((a, b) => (a.value ?? Infinity) - (b.value ?? Infinity));
  const seeds = summary.seedCount > 1 ? ` and ${summary.seedCount} seeds` : '';
  return barChart('epoch-time', 'Time per epoch (seconds)', 'seconds per epoch', summary, rows, [`Mean over epochs${seeds}`]);
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
  const middle = scale.type === 'log' ? Math.sqrt(minOf(values) * maxOf(values)) : (minOf(values) + maxOf(values)) / 2;
  const lossName = summary.hasValidation ? 'final validation loss' : 'final train loss';
  const x = { field: 'learningRate', type: 'ordinal' as const, title: 'learning rate', sort: summary.learningRates.map(String), axis: { labelAngle: 0 } };
  const y = { field: 'optimizer', type: 'nominal' as const, title: null, sort: [...new Set(rows.map((r) => r.optimizer))] };
  return {
    id: 'lr-heatmap',
    title: 'Learning-rate sweep',
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
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
            color: { field: 'value', type: 'quantitative' as const, title: lossName, scale: { type: scale.type, scheme: 'blues', reverse: true }, legend: { titleLimit: 300, ...numberFormat } },
            tooltip: [{ field: 'optimizer' }, { field: 'learningRate', title: 'learning rate' }, { field: 'value', title: lossName, ...numberFormat }],
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

/** Trajectories up to this many points are drawn whole. */
const TRAJECTORY_POINTS = 150;
/** Most points a thinned trajectory is drawn with. */
const MAX_TRAJECTORY_POINTS = 400;
/** A thinned trajectory keeps a point once it lies this share of the path's own extent from the last kept one. */
const TRAJECTORY_RESOLUTION = 1 / 300;

/** Six significant digits: more than a chart or tooltip shows, a third of the JSON of a full double. */
const significant = (value: number) => Number(value.toPrecision(6));

/**
 * A long trajectory thinned by distance along the path, not by step number: an optimizer makes its big moves
 * (an overshoot, a swing across a valley) in a few early steps and then creeps for thousands, so evenly spaced
 * steps would cut the swings that the surface findings are about. A point is kept once it lies
 * TRAJECTORY_RESOLUTION of the path's extent from the last kept one (so the drawn path is within that of the
 * real one); the first and last points are always kept, and the resolution coarsens only as far as needed for the
 * path to fit in MAX_TRAJECTORY_POINTS.
 */
export function thinTrajectory<T extends { x: number; y: number }>(points: T[]): T[] {
  if (points.length <= TRAJECTORY_POINTS) return points;
  const extent = (values: number[]) => maxOf(values) - minOf(values) || 1;
  const width = extent(points.map((p) => p.x));
  const height = extent(points.map((p) => p.y));
  const thinnedAt = (resolution: number) => {
    const kept = [points[0]];
    for (let i = 1; i < points.length - 1; i++) {
      const last = kept[kept.length - 1];
      if (Math.hypot((points[i].x - last.x) / width, (points[i].y - last.y) / height) >= resolution) kept.push(points[i]);
    }
    kept.push(points[points.length - 1]);
    return kept;
  };
  let fits = thinnedAt(TRAJECTORY_RESOLUTION);
  if (fits.length <= MAX_TRAJECTORY_POINTS) return fits;
  // A path that wanders over its whole extent: the finest resolution that fits, found by bisection.
  let [tooFine, coarse] = [TRAJECTORY_RESOLUTION, TRAJECTORY_RESOLUTION * 2];
  while ((fits = thinnedAt(coarse)).length > MAX_TRAJECTORY_POINTS) [tooFine, coarse] = [coarse, coarse * 2];
  for (let i = 0; i < 12; i++) {
    const middle = (tooFine + coarse) / 2;
    const candidate = thinnedAt(middle);
    if (candidate.length <= MAX_TRAJECTORY_POINTS) [fits, coarse] = [candidate, middle];
    else tooFine = middle;
  }
  return fits;
}

function paddedRange(values: number[]): Range {
  const [min, max] = [minOf(values), maxOf(values)];
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
        .flatMap((t) => thinTrajectory(t.points).map((p) => ({ series: legendLabel(s), start: t.start.join(','), step: p.step, x: significant(p.x), y: significant(p.y), f: significant(p.f) }))),
    );
  const all = series.flatMap(trajectoriesOf);
  const starts = [...new Map(all.map((t) => [t.start.join(','), { x: t.start[0], y: t.start[1] }])).values()];
  const minima = surface
    ? surface.minima.map(([x, y]) => ({ x, y }))
    : [...new Map(all.map((t) => [t.nearestMinimum.join(','), { x: t.nearestMinimum[0], y: t.nearestMinimum[1] }])).values()];
  const extent = [...rows, ...starts, ...minima];
  const xRange = surface?.domain.x ?? paddedRange(extent.map((p) => p.x));
  const yRange = surface?.domain.y ?? paddedRange(extent.map((p) => p.y));
  // No grid: the contours are the background, and grey grid lines would read as more contours.
  const x = { field: 'x', type: 'quantitative' as const, title: 'x', scale: { domain: xRange, nice: false }, axis: { grid: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: 'y', scale: { domain: yRange, nice: false }, axis: { grid: false } };
  const encoding = seriesEncoding(summary, series);
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
      config: CONFIG,
      title: title(chartTitle, subtitle),
      width: SURFACE_SIZE,
      height: SURFACE_SIZE,
      layer: [
        ...(surface
          ? [
              {
                data: { values: contourLines(surface.f, xRange, yRange) },
                mark: { type: 'line' as const, color: CONTOUR_COLOR, strokeWidth: 0.7, clip: true },
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
                tooltip: [{ field: 'series', title: 'optimizer' }, { field: 'step' }, { field: 'x', ...numberFormat }, { field: 'y', ...numberFormat }, { field: 'f', ...numberFormat }],
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
  // No empty axes: a run where nothing has finished ok yet (a partial run) gets no charts at all.
  if (!summary.compared.some((s) => s.status === 'ok' && s.curve.length > 0)) return [];
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
