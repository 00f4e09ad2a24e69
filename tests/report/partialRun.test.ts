/**
 * Partial runs (interrupted, still running, or merged without every shard) report honestly: finished units
 * are drawn, planned-but-unfinished ones are listed as such, and nothing draws empty axes.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NOT_FINISHED } from '../../src/results/completion.js';
import { claims as bostonClaims } from '../../experiments/claims/boston.js';
import { NO_CHARTS } from '../../src/report/content.js';
import { writeReport } from '../../src/report/index.js';
import type { PlannedUnitRecord, RunResults } from '../../src/results/schema.js';
import { makeResults, makeUnit, writeRun, type UnitFixture } from '../fixtures/results/makeResults.js';

const STUDY = ['adadelta', 'adagrad', 'adam', 'adamax', 'ftrl', 'nadam', 'rmsprop', 'sgd'];
const planned = (optimizer: string): PlannedUnitRecord => ({ id: makeUnit({ optimizer }).id, optimizer, impl: 'builtin', seed: 1 });

/** A run of the eight study optimizers interrupted after the first `finished`. */
function interrupted(finished: number, extra: Partial<RunResults> = {}): RunResults {
  const units: UnitFixture[] = STUDY.slice(0, finished).map((optimizer, i) => ({ optimizer, start: 2, end: 0.5 + i * 0.1 }));
  return makeResults(units, { status: 'partial', finishedAt: null, plannedUnits: STUDY.map(planned), ...extra });
}

const root = () => mkdtemp(path.join(tmpdir(), 'optbench-partial-'));

describe('the report of a partial run', () => {
  it('draws the finished units, lists the unfinished ones as planned, not finished, and scores only what finished', async () => {
    const dir = await writeRun(await root(), interrupted(3));
    const files = await writeReport(dir, { claims: bostonClaims });
    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).toContain('> This run is partial: 3 of 8 finished units. Only finished units are drawn and scored.');
    expect(markdown).toContain('> Planned, not finished: Adamax, Ftrl, Nadam, RMSprop, SGD.');
    expect(markdown).toContain(`| Nadam | ${NOT_FINISHED} | — | — | — | — |`);
    // The Boston claim about Adam's and RMSprop's rank cannot be judged while RMSprop has not finished.
    expect(markdown).toContain(`RMSprop is ${NOT_FINISHED} in this run.`);
    expect(markdown).not.toContain('is not in this run');
    const loss = JSON.parse(await readFile(path.join(dir, 'loss.vl.json'), 'utf8'));
    expect(loss.layer[0].data.values.map((r: { series: string }) => r.series)).toEqual(expect.arrayContaining(['Adadelta', 'Adagrad', 'Adam']));
    const index = await readFile(files.index, 'utf8');
    expect(index).toContain('partial: 3 of 8 finished');
  });

  it('has no charts, and so no empty axes, before any unit finished', async () => {
    const dir = await writeRun(await root(), interrupted(0));
    const files = await writeReport(dir, { claims: bostonClaims });
    expect(files.charts).toEqual([]);
    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).toContain(NO_CHARTS);
    expect(markdown).not.toMatch(/0\.000000/);
    const html = await readFile(files.html, 'utf8');
    expect(html).not.toContain('data-chart=');
    expect(await readFile(files.index, 'utf8')).toContain('partial: 0 of 8 finished');
  });
});
