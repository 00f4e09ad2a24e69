/**
 * A --tune run's report: defaults vs tuned side by side with the ranking change, the sensitivity chart
 * and the grid, the tuning claims in the scorecard, and the study's own tables built from the default
 * units only. Constructed results; nothing is trained.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport, type ReportFiles } from '../../src/report/index.js';
import { compareDefaultsAndTuned, kendallTau, rankingNote } from '../../src/report/tuning.js';
import type { OptimizerRun, RunResults, TuningChoice, TuningPhase } from '../../src/results/schema.js';
import { writeResults } from '../../src/results/runDirectory.js';
import { results as makeResults, unit } from '../check/fixtures.js';

const GRID = [0.0001, 0.001, 0.01];

function run(optimizer: string, phase: TuningPhase, finalLoss: number, learningRate: number): OptimizerRun {
  return { ...unit({ optimizer, seed: 1, valLoss: [finalLoss * 2, finalLoss], learningRate }), id: `${optimizer}#${phase},lr=${learningRate}`, phase };
}

/** Adam beats SGD at the defaults; tuned, SGD (at 0.01) beats Adam (at 0.0001) and Adadelta climbs from last to second. */
function tunedRun(): RunResults {
  const choices: TuningChoice[] = [
    { optimizer: 'adam', impl: 'builtin', defaultLearningRate: 0.001, grid: GRID, gridLoss: [0.5, 0.6, null], chosen: 0.0001, atEdge: 'lower' },
    { optimizer: 'sgd', impl: 'builtin', defaultLearningRate: 0.001, grid: GRID, gridLoss: [0.9, 0.7, 0.4], chosen: 0.01, atEdge: 'upper' },
    { optimizer: 'adadelta', impl: 'builtin', defaultLearningRate: 0.001, grid: GRID, gridLoss: [2, 1.5, 0.45], chosen: 0.01, atEdge: 'upper' },
  ];
  return makeResults([
    ...choices.flatMap((c) => c.grid.map((rate, i) => ({ ...run(c.optimizer, 'grid', c.gridLoss[i] ?? 1, rate), ...(c.gridLoss[i] === null ? { status: 'diverged' as const, epochs: [] } : {}) }))),
    run('adam', 'default', 0.5, 0.001), run('sgd', 'default', 0.7, 0.001), run('adadelta', 'default', 1.5, 0.001),
    run('adam', 'tuned', 0.45, 0.0001), run('sgd', 'tuned', 0.38, 0.01), run('adadelta', 'tuned', 0.44, 0.01),
  ], {
    tuning: { protocol: 'The protocol in words.', holdout: { fraction: 0.2, seed: 1, trainSamples: 4000, validationSamples: 1000, heldOutSha256: 'ab'.repeat(32) }, gridSeeds: [1], finalSeeds: [1], gridPoints: 3, gridRatio: 10, choices },
  });
}

describe('defaults vs tuned', () => {
  it('ranks each phase by final test loss and measures how the ranking moved', () => {
    const comparison = compareDefaultsAndTuned(tunedRun());
    expect(comparison.rows.map((r) => [r.default.optimizer, r.default.rank, r.tuned?.rank, r.choice?.chosen])).toEqual([
      ['adam', 1, 3, 0.0001], ['sgd', 2, 1, 0.01], ['adadelta', 3, 2, 0.01],
    ]);
    expect(comparison.kendallTau).toBeCloseTo(-1 / 3, 12);
    expect(rankingNote(comparison)).toBe("Best at the defaults: Adam; best tuned: SGD. Ranks that moved: Adam 1 → 3, SGD 2 → 1, Adadelta 3 → 2. Kendall's τ between the two rankings: -0.3333 (1 = unchanged, −1 = reversed).");
  });

  it('names the optimizers that did worse on the test set at the tuned rate than at the default', () => {
    const run = tunedRun();
    // Adam's tuned unit now ends above its default one (0.5): the held-out choice did not carry over.
    const worse = { ...run, runs: run.runs.map((u) => (u.id === 'adam#tuned,lr=0.0001' ? { ...u, epochs: u.epochs.map((e) => ({ ...e, valLoss: e.valLoss! * 2 })) } : u)) };
    expect(rankingNote(compareDefaultsAndTuned(worse))).toMatch(/ Worse on the test set at the tuned rate than at the default: Adam \(0\.5 → 0\.9\)\.$/);
    expect(rankingNote(compareDefaultsAndTuned(run))).not.toContain('Worse');
  });

  it('Kendall\'s τ is 1 for the same order and −1 for the reverse', () => {
    expect(kendallTau([1, 2, 3, 4], [1, 2, 3, 4])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(kendallTau([1], [1])).toBeNull();
  });
});

describe('writeReport on a --tune run', () => {
  let root: string;
  let files: ReportFiles;
  let markdown: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'optbench-tuning-report-'));
    const runDir = path.join(root, 'fashion', 'run-under-test');
    writeResults(runDir, tunedRun());
    files = await writeReport(runDir);
    markdown = readFileSync(files.markdown, 'utf8');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('adds the defaults-vs-tuned and grid sections, with the choice at a grid edge flagged', () => {
    expect(markdown).toContain('## Defaults vs tuned learning rates');
    expect(markdown).toContain('The protocol in words.');
    expect(markdown).toContain('1000 of 5000 training samples held out (seed 1');
    // Rates in the report's number format (1e-4, not 0.0001 or 0.0000316228).
    expect(markdown).toContain('| Adam | 0.001 | **0.5** ★ | 1 | 1e-4 (lower edge of the grid) | 0.45 | 3 | ↓ 2 |');
    expect(markdown).toContain('## Tuning grid');
    expect(markdown).toContain('| SGD | 0.001 | 1e-4: 0.9 | 0.001 (default): 0.7 | **0.01: 0.4** ★ |');
    expect(markdown).toContain('0.01: diverged/failed');
  });

  it('draws the sensitivity curves and the defaults-vs-tuned bars', () => {
    expect(files.charts.map((c) => c.id)).toEqual(['loss', 'val-loss', 'final-metric', 'epoch-time', 'lr-sensitivity', 'defaults-vs-tuned']);
    for (const chart of files.charts) expect(existsSync(chart.png)).toBe(true);
    const spec = JSON.parse(readFileSync(files.charts[4].spec, 'utf8'));
    const data = spec.data.values as { optimizer: string; rate: number; isDefault: boolean; isChosen: boolean }[];
    // One point per grid rate that trained (Adam's diverged rate left out), the default and the choice marked.
    expect(data).toHaveLength(8);
    expect(data.filter((d) => d.isDefault).map((d) => d.optimizer)).toEqual(['Adam', 'SGD', 'Adadelta']);
    expect(data.filter((d) => d.isChosen).map((d) => [d.optimizer, d.rate])).toEqual([['Adam', 0.0001], ['SGD', 0.01], ['Adadelta', 0.01]]);
    expect(spec.title.subtitle.join(' ')).toContain('Adam at 0.01');
    // Log axes fitted to the data, not rounded out to whole decades.
    expect(spec.layer[0].encoding.y.scale).toMatchObject({ type: 'log', nice: false });
    const [low, high] = spec.layer[0].encoding.y.scale.domain;
    expect(low).toBeGreaterThan(0.4 / 1.2);
    expect(high).toBeLessThan(2 * 1.2);
  });

  it('scores the tuning claims and keeps the study\'s tables to the default-rate units', () => {
    expect(markdown).toContain('With tuned learning rates the spread between optimizers shrinks.');
    expect(markdown).toContain('The learning rate matters more than the choice of optimizer.');
    const results = markdown.slice(markdown.indexOf('## Results'), markdown.indexOf('## Defaults vs tuned'));
    expect(results.split('\n').filter((line) => /^\| (Adam|SGD|Adadelta) \|/.test(line))).toHaveLength(3);
    expect(results).toContain('| Adadelta | ok | 1.4 | 1.5 |');
  });
});
