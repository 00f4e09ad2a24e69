import { describe, expect, it } from 'vitest';
import { CHOLLET_WINDOW, chronologicalSplit, columnStats, extractWindows, naiveBaselineMae, standardize, timestepsOf, windowAnchors, type Series, type WindowSpec } from '../../src/data/windows.js';
import { WindowOptionError } from '../../src/data/errors.js';

/** `rows` rows of `columns` columns where value = row · 10 + column, so every value names its cell. */
function labelledSeries(rows: number, columns: number): Series {
  return { values: Float32Array.from({ length: rows * columns }, (_, i) => Math.floor(i / columns) * 10 + (i % columns)), columns };
}

describe('chronologicalSplit', () => {
  it('takes train first, validation next and leaves the rest for test', () => {
    expect(chronologicalSplit(10, { trainRows: 5, validationRows: 3 })).toEqual({
      train: { start: 0, end: 5 },
      validation: { start: 5, end: 8 },
      test: { start: 8, end: 10 },
    });
  });

  it('refuses sizes that leave no test rows', () => {
    expect(() => chronologicalSplit(8, { trainRows: 5, validationRows: 3 })).toThrow(WindowOptionError);
    expect(() => chronologicalSplit(8, { trainRows: 5, validationRows: 3 })).toThrow(/leaves no test rows/);
  });
});

describe('columnStats and standardize', () => {
  // Rows 0-3 are "training"; rows 4-5 are far away and must not move the statistics.
  const series: Series = { values: Float32Array.from([1, 7, 2, 7, 3, 7, 4, 7, 100, 7, 200, 7]), columns: 2 };

  it('uses only the rows of the given range (population std, like numpy)', () => {
    const stats = columnStats(series, { start: 0, end: 4 });
    expect(Array.from(stats.mean)).toEqual([2.5, 7]);
    expect(stats.std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(stats.std[1]).toBe(0);
  });

  it('applies the training statistics to every row and maps a constant column to 0, not NaN', () => {
    const standardized = standardize(series, columnStats(series, { start: 0, end: 4 }));
    const std = Math.sqrt(1.25);
    const expected = [1, 2, 3, 4, 100, 200].map((v) => Math.fround((v - 2.5) / std));
    expect(Array.from({ length: 6 }, (_, row) => standardized.values[row * 2])).toEqual(expected);
    expect(Array.from({ length: 6 }, (_, row) => standardized.values[row * 2 + 1])).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('windowAnchors', () => {
  const spec: WindowSpec = { lookback: 6, step: 2, delay: 3, stride: 1 };

  it('keeps each window and its target inside the range', () => {
    // first anchor 0 + 6; last anchor 16, whose target row 19 is the range's last row.
    expect(Array.from(windowAnchors({ start: 0, end: 20 }, spec))).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(Array.from(windowAnchors({ start: 10, end: 20 }, spec))).toEqual([16]);
    expect(windowAnchors({ start: 10, end: 19 }, spec)).toHaveLength(0);
  });

  it('spaces anchors by the stride', () => {
    expect(Array.from(windowAnchors({ start: 0, end: 20 }, { ...spec, stride: 4 }))).toEqual([6, 10, 14]);
  });

  it('rejects non-positive or fractional settings', () => {
    expect(() => windowAnchors({ start: 0, end: 20 }, { ...spec, step: 0 })).toThrow(/step must be a positive integer; got 0/);
    expect(() => windowAnchors({ start: 0, end: 20 }, { ...spec, stride: 1.5 })).toThrow(WindowOptionError);
  });
});

describe('extractWindows', () => {
  it('copies every step-th row of the lookback and the target delay rows after the anchor', () => {
    const windows = extractWindows(labelledSeries(20, 2), 1, [6, 7], { lookback: 6, step: 2, delay: 3, stride: 1 });
    expect(windows).toMatchObject({ count: 2, timesteps: 3, columns: 2 });
    expect(Array.from(windows.x)).toEqual([
      ...[0, 1, 20, 21, 40, 41], // anchor 6: rows 0, 2, 4
      ...[10, 11, 30, 31, 50, 51], // anchor 7: rows 1, 3, 5
    ]);
    expect(Array.from(windows.y)).toEqual([91, 101]); // column 1 of rows 9 and 10
  });

  it('rounds the number of timesteps up when the lookback is not a multiple of the step', () => {
    const windows = extractWindows(labelledSeries(20, 1), 0, [5], { lookback: 5, step: 2, delay: 1, stride: 1 });
    expect(Array.from(windows.x)).toEqual([0, 20, 40]); // rows 0, 2, 4 as in range(i - 5, i, 2)
  });

  it("has Chollet's shape: 240 hourly timesteps of 14 features, target 24 h after the anchor", () => {
    expect(timestepsOf(CHOLLET_WINDOW)).toBe(240);
    const series = labelledSeries(1600, 14);
    const windows = extractWindows(series, 1, [1440, 1441], CHOLLET_WINDOW);
    expect(windows.x).toHaveLength(2 * 240 * 14);
    expect(windows.x[0]).toBe(0); // first timestep = row 0
    expect(windows.x[239 * 14]).toBe(1434 * 10); // last timestep = row 1434
    expect(windows.x[240 * 14]).toBe(1 * 10); // second window starts at row 1
    expect(Array.from(windows.y)).toEqual([1584 * 10 + 1, 1585 * 10 + 1]);
  });

  it('refuses anchors whose rows fall outside the series', () => {
    const spec = { lookback: 6, step: 2, delay: 3, stride: 1 };
    expect(() => extractWindows(labelledSeries(20, 1), 0, [5], spec)).toThrow(/Anchor 5 needs rows -1/);
    expect(() => extractWindows(labelledSeries(20, 1), 0, [17], spec)).toThrow(WindowOptionError);
  });

  it('refuses a window array above 1 GiB with advice instead of failing to allocate', () => {
    const tooMany = new Int32Array(100_000); // 100k × 240 × 14 float32 = 1.25 GiB
    expect(() => extractWindows(labelledSeries(1600, 14), 1, tooMany, CHOLLET_WINDOW)).toThrow(/raise the window stride/);
  });
});

describe('naiveBaselineMae', () => {
  // value = row², so predicting row a + 2 from row a − 2 is off by exactly 8a.
  const squares: Series = { values: Float32Array.from({ length: 11 }, (_, row) => row * row), columns: 1 };
  const spec: WindowSpec = { lookback: 4, step: 2, delay: 2, stride: 1 };

  it('is the mean |target − last timestep| over the anchors', () => {
    const anchors = windowAnchors({ start: 0, end: 11 }, spec);
    expect(Array.from(anchors)).toEqual([4, 5, 6, 7, 8]);
    expect(naiveBaselineMae(squares, 0, anchors, spec)).toBe((32 + 40 + 48 + 56 + 64) / 5);
  });

  it('agrees with the last timestep of the extracted windows', () => {
    const anchors = windowAnchors({ start: 0, end: 11 }, spec);
    const windows = extractWindows(squares, 0, anchors, spec);
    const fromWindows =
      Array.from(windows.y, (target, n) => Math.abs(windows.x[n * windows.timesteps + windows.timesteps - 1] - target)).reduce(
        (a, b) => a + b,
      ) / windows.count;
    expect(naiveBaselineMae(squares, 0, anchors, spec)).toBe(fromWindows);
  });

  it('needs at least one anchor', () => {
    expect(() => naiveBaselineMae(squares, 0, [], spec)).toThrow(WindowOptionError);
  });
});
