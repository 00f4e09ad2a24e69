/**
 * Partial runs (interrupted, still running, or merged without every shard) report honestly: finished units
 * are drawn, planned-but-unfinished ones are listed as such, and nothing draws empty axes.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { completionOf, completionText, NOT_FINISHED } from '../../src/report/completion.js';
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

describe('completionOf', () => {
  it('counts finished units against the recorded plan and names the rest', () => {
    const completion = completionOf(interrupted(3));
    expect(completion).toMatchObject({ finished: 3, planned: 8 });
    expect(completion.unfinished.map((u) => u.label)).toEqual(['Adamax', 'Ftrl', 'Nadam', 'RMSprop', 'SGD']);
    expect(completionText(interrupted(3))).toBe('3 of 8 finished');
  });

  it("takes a shard's own part of the whole plan", () => {
    const shard = { index: 2, count: 3, plannedUnits: STUDY.map(planned) };
    // Dealt round-robin, shard 2 of 3 holds units 2, 5 and 8 of the plan: Adagrad, Ftrl, SGD.
    const results = makeResults([{ optimizer: 'adagrad' }], { status: 'partial', shard });
    expect(completionOf(results).unfinished.map((u) => u.optimizer)).toEqual(['ftrl', 'sgd']);
    expect(completionText(results)).toBe('1 of 3 finished');
  });

  it("counts a merge's missing ('skipped') units as planned, not finished", () => {
    const results = makeResults([{ optimizer: 'adam' }, { optimizer: 'sgd', status: 'skipped', reason: 'missing: none of the merged run directories has this unit' }], { status: 'partial' });
    expect(completionText(results)).toBe('1 of 2 finished');
  });

  it('says when a partial run did not record its plan (runs written before plannedUnits)', () => {
    const { plannedUnits: _plan, ...old } = interrupted(3);
    expect(completionText(old)).toBe('3 finished (this run did not record its plan)');
    expect(completionText(makeResults([{ optimizer: 'adam' }]))).toBe('1 of 1 finished');
  });
});

describe('the report of a partial run', () => {
  it('draws the finished units, lists the unfinished ones as planned, not finished, and scores only what finished', async () => {
    const dir = await writeRun(await root(), interrupted(3));
    const files = await writeReport(dir);
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
    const files = await writeReport(dir);
    expect(files.charts).toEqual([]);
    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).toContain(NO_CHARTS);
    expect(markdown).not.toMatch(/0\.000000/);
    const html = await readFile(files.html, 'utf8');
    expect(html).not.toContain('data-chart=');
    expect(await readFile(files.index, 'utf8')).toContain('partial: 0 of 8 finished');
  });
});
