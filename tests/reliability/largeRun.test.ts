/**
 * Issue 17, class 5 (scale): a run of 50,000 epochs. `report` died with "Maximum call stack size exceeded"
 * (Math.min(...values) over the curve); report, check and merge must handle it, and charts draw long curves
 * from a bounded number of points.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/common/numbers.js';
import { buildBaseline } from '../../src/check/baseline.js';
import { checkRun } from '../../src/check/compare.js';
import { renderCheckMarkdown } from '../../src/check/markdown.js';
import { writeReport } from '../../src/report/index.js';
import { MAX_CURVE_POINTS, SERIES_LINES } from '../../src/report/specs.js';
import { mergeRuns } from '../../src/results/merge.js';
import { makeResults, writeRun } from '../fixtures/results/makeResults.js';
import { tempDirs } from './helpers.js';

const EPOCHS = 50_000;
const dirs = tempDirs('large-run');
afterAll(() => dirs.cleanup());

/** A slowly decaying loss with a single spike at epoch 30,001, which downsampling must keep. */
function longCurve(start: number, end: number): number[] {
  return Array.from({ length: EPOCHS }, (_, i) => (i === 30_000 ? 40 : end + (start - end) * Math.exp(-i / 5000)));
}

function longRun(seeds: number[]) {
  return makeResults(
    seeds.flatMap((seed) => [
      { optimizer: 'adam', seed, loss: longCurve(2, 0.5 + seed * 0.001) },
      { optimizer: 'sgd', seed, loss: longCurve(2, 0.9 + seed * 0.001) },
    ]),
    { runId: `2024-05-01T10-00-00Z-long${seeds.length}`, settings: { ...makeResults([]).settings, epochs: EPOCHS } },
  );
}

describe(`a run of ${EPOCHS.toLocaleString('en-US')} epochs`, () => {
  it('is reported: every chart drawn from a bounded number of points, the spike kept', async () => {
    const runDir = await writeRun(dirs.make(), longRun([1]));
    const files = await writeReport(runDir);
    const markdown = await readFile(files.markdown, 'utf8');
    const adamFinal = 1.1 * (0.501 + (2 - 0.501) * Math.exp(-(EPOCHS - 1) / 5000)); // makeResults: val loss = 1.1 × train
    expect(markdown).toContain(`**Lowest final validation loss: Adam (${formatNumber(adamFinal)})**`);

    const spec = JSON.parse(await readFile(path.join(runDir, 'loss.vl.json'), 'utf8'));
    expect(spec.title.subtitle).toContain(`Long curves drawn from at most ${MAX_CURVE_POINTS} points each (every stretch's lowest and highest value kept)`);
    const lines = spec.layer.flatMap((layer: any) => layer.layer ?? [layer]).find((layer: any) => layer.name === SERIES_LINES);
    expect(lines).toBeDefined();
    const rows: { series: string; epoch: number; mean: number }[] = spec.layer[0].data.values;
    for (const series of ['Adam', 'SGD']) {
      const own = rows.filter((r) => r.series === series);
      expect(own.length).toBeLessThanOrEqual(MAX_CURVE_POINTS);
      expect(own[0].epoch).toBe(1);
      expect(own.at(-1)!.epoch).toBe(EPOCHS);
      expect(own.some((r) => r.epoch === 30_001 && r.mean === 40)).toBe(true);
    }
    const svg = await readFile(path.join(runDir, 'loss.svg'), 'utf8');
    expect(svg).toContain(`${SERIES_LINES}_marks`);
  });

  it('is checked against a baseline of the same length and merged', async () => {
    const baselineRun = longRun([1, 2, 3]);
    const report = checkRun(baselineRun, buildBaseline(baselineRun), { curve: 'loss' });
    expect(report.failed).toBe(false);
    expect(report.epochsCompared).toBe(EPOCHS);
    expect(renderCheckMarkdown(report)).toContain('no change');

    const root = dirs.make();
    const first = await writeRun(root, longRun([1]));
    const merged = mergeRuns([first]);
    expect(merged.results.runs.map((run) => run.epochs.length)).toEqual([EPOCHS, EPOCHS]);
  });
});
