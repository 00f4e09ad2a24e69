/**
 * Time-series windows as in Chollet, Deep Learning with Python (1st ed.) §6.3: a chronological
 * train/validation/test split, standardisation with training statistics, and samples made of
 * `lookback` rows taken every `step` rows, with the target `delay` rows after the window's anchor.
 */
import { WindowOptionError } from './errors.js';

/** A row-major multivariate series: `values[row * columns + column]`. */
export interface Series {
  values: Float32Array;
  columns: number;
}

/** Rows [start, end). */
export interface RowRange {
  start: number;
  end: number;
}

export interface SplitSizes {
  /** Rows of the training split, from the first row (Chollet: 200,000). */
  trainRows: number;
  /** Rows of the validation split, right after training (Chollet: 100,000). The test split is the rest. */
  validationRows: number;
}

export const CHOLLET_SPLIT: SplitSizes = { trainRows: 200_000, validationRows: 100_000 };

export interface WindowSpec {
  /** How many rows back a sample reaches (Chollet: 1440 = 10 days of 10-minute rows). */
  lookback: number;
  /** Take every `step`-th row of the lookback (Chollet: 6 → hourly, 240 timesteps). */
  step: number;
  /** How far after the anchor the target is (Chollet: 144 = 24 h). */
  delay: number;
  /** Distance between consecutive anchors; > 1 keeps fewer, less overlapping windows. */
  stride: number;
}

export const CHOLLET_WINDOW: WindowSpec = { lookback: 1440, step: 6, delay: 144, stride: 1 };

/** Column means and (population) standard deviations. */
export interface ColumnStats {
  mean: Float64Array;
  std: Float64Array;
}

/** Samples `x` [count, timesteps, columns] and targets `y` [count]. */
export interface Windows {
  x: Float32Array;
  y: Float32Array;
  count: number;
  timesteps: number;
  columns: number;
}

/** Refuse window arrays above 1 GiB: at stride 1 Jena's training windows alone would need 2.7 GB. */
const MAX_WINDOW_BYTES = 2 ** 30;

/** Train = the first `trainRows`, validation = the next `validationRows`, test = all the rest. */
export function chronologicalSplit(totalRows: number, sizes: SplitSizes): Record<'train' | 'validation' | 'test', RowRange> {
  requirePositiveInteger('trainRows', sizes.trainRows);
  requirePositiveInteger('validationRows', sizes.validationRows);
  const validationEnd = sizes.trainRows + sizes.validationRows;
  if (validationEnd >= totalRows) {
    throw new WindowOptionError(
      `trainRows (${sizes.trainRows}) + validationRows (${sizes.validationRows}) = ${validationEnd} leaves ` +
        `no test rows in a series of ${totalRows} rows; lower them.`,
    );
  }
  return {
    train: { start: 0, end: sizes.trainRows },
    validation: { start: sizes.trainRows, end: validationEnd },
    test: { start: validationEnd, end: totalRows },
  };
}

/** Mean and population standard deviation (numpy's default, as Chollet uses) of each column over `range`. */
export function columnStats(series: Series, range: RowRange): ColumnStats {
  const { values, columns } = series;
  const rows = range.end - range.start;
  if (rows <= 0) throw new WindowOptionError(`Cannot compute statistics over an empty row range [${range.start}, ${range.end}).`);
  const mean = new Float64Array(columns);
  const std = new Float64Array(columns);
  for (let row = range.start; row < range.end; row++) {
    for (let c = 0; c < columns; c++) mean[c] += values[row * columns + c];
  }
  for (let c = 0; c < columns; c++) mean[c] /= rows;
  for (let row = range.start; row < range.end; row++) {
    for (let c = 0; c < columns; c++) std[c] += (values[row * columns + c] - mean[c]) ** 2;
  }
  for (let c = 0; c < columns; c++) std[c] = Math.sqrt(std[c] / rows);
  return { mean, std };
}

/**
 * (value − mean) / std for every row of the series. A constant column (std 0) is only centred, so it
 * becomes zeros rather than NaN.
 */
export function standardize(series: Series, stats: ColumnStats): Series {
  const { values, columns } = series;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % columns;
    out[i] = (values[i] - stats.mean[c]) / (stats.std[c] || 1);
  }
  return { values: out, columns };
}

/** Number of timesteps of one sample: rows anchor − lookback, anchor − lookback + step, … < anchor. */
export function timestepsOf(spec: WindowSpec): number {
  return Math.ceil(spec.lookback / spec.step);
}

/**
 * The anchors of every window lying entirely inside `range`: the lookback starts at or after
 * `range.start` and the target row (anchor + delay) is before `range.end`, so no sample or target
 * leaks across a split boundary. Anchors are `stride` rows apart.
 */
export function windowAnchors(range: RowRange, spec: WindowSpec): Int32Array {
  validateSpec(spec);
  const first = range.start + spec.lookback;
  const lastExclusive = range.end - spec.delay;
  const count = first < lastExclusive ? Math.ceil((lastExclusive - first) / spec.stride) : 0;
  const anchors = new Int32Array(count);
  for (let i = 0; i < count; i++) anchors[i] = first + i * spec.stride;
  return anchors;
}

/**
 * Copies the windows of `anchors` into one Float32Array [anchors.length, timesteps, columns]: sample
 * rows anchor − lookback + k·step for k = 0 … timesteps − 1, target `targetColumn` at anchor + delay
 * (Chollet's generator, without its random sampling).
 */
export function extractWindows(series: Series, targetColumn: number, anchors: ArrayLike<number>, spec: WindowSpec): Windows {
  validateSpec(spec);
  const { values, columns } = series;
  const rows = values.length / columns;
  if (!Number.isInteger(targetColumn) || targetColumn < 0 || targetColumn >= columns) {
    throw new WindowOptionError(`targetColumn ${targetColumn} is not a column of a ${columns}-column series.`);
  }
  const timesteps = timestepsOf(spec);
  const bytes = anchors.length * timesteps * columns * Float32Array.BYTES_PER_ELEMENT;
  if (bytes > MAX_WINDOW_BYTES) {
    throw new WindowOptionError(
      `${anchors.length} windows of ${timesteps}×${columns} values need ${(bytes / 2 ** 30).toFixed(1)} GiB ` +
        `(limit 1 GiB); raise the window stride or extract them batch by batch.`,
    );
  }
  const x = new Float32Array(anchors.length * timesteps * columns);
  const y = new Float32Array(anchors.length);
  for (let n = 0; n < anchors.length; n++) {
    const anchor = anchors[n];
    if (!Number.isInteger(anchor) || anchor - spec.lookback < 0 || anchor + spec.delay >= rows) {
      throw new WindowOptionError(
        `Anchor ${anchor} needs rows ${anchor - spec.lookback} … ${anchor + spec.delay}, outside the series' ${rows} rows.`,
      );
    }
    let out = n * timesteps * columns;
    for (let row = anchor - spec.lookback; row < anchor; row += spec.step) {
      const from = row * columns;
      for (let c = 0; c < columns; c++) x[out++] = values[from + c];
    }
    y[n] = values[(anchor + spec.delay) * columns + targetColumn];
  }
  return { x, y, count: anchors.length, timesteps, columns };
}

/**
 * Chollet's common-sense baseline: predict that the target equals the target column at the window's
 * last timestep (row anchor − step for lookback divisible by step). Returns its mean absolute error over
 * `anchors`, in the units of `series` (multiply by the column's std for degrees when standardised).
 */
export function naiveBaselineMae(series: Series, targetColumn: number, anchors: ArrayLike<number>, spec: WindowSpec): number {
  validateSpec(spec);
  if (anchors.length === 0) throw new WindowOptionError('The naive baseline needs at least one window anchor.');
  const { values, columns } = series;
  const lastOffset = (timestepsOf(spec) - 1) * spec.step - spec.lookback;
  let total = 0;
  for (let n = 0; n < anchors.length; n++) {
    const anchor = anchors[n];
    total += Math.abs(values[(anchor + lastOffset) * columns + targetColumn] - values[(anchor + spec.delay) * columns + targetColumn]);
  }
  return total / anchors.length;
}

function validateSpec(spec: WindowSpec): void {
  requirePositiveInteger('lookback', spec.lookback);
  requirePositiveInteger('step', spec.step);
  requirePositiveInteger('delay', spec.delay);
  requirePositiveInteger('stride', spec.stride);
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new WindowOptionError(`${name} must be a positive integer; got ${value}.`);
  }
}
