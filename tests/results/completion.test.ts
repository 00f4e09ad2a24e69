/** How much of a run's plan finished: counted against the recorded plan, a shard's part, or a merge's gaps. */
import { describe, expect, it } from 'vitest';
import { completionOf, completionText } from '../../src/results/completion.js';
import type { PlannedUnitRecord, RunResults } from '../../src/results/schema.js';
import { makeResults, makeUnit, type UnitFixture } from '../fixtures/results/makeResults.js';

const STUDY = ['adadelta', 'adagrad', 'adam', 'adamax', 'ftrl', 'nadam', 'rmsprop', 'sgd'];
const planned = (optimizer: string): PlannedUnitRecord => ({ id: makeUnit({ optimizer }).id, optimizer, impl: 'builtin', seed: 1 });

/** A run of the eight study optimizers interrupted after the first `finished`. */
function interrupted(finished: number, extra: Partial<RunResults> = {}): RunResults {
  const units: UnitFixture[] = STUDY.slice(0, finished).map((optimizer, i) => ({ optimizer, start: 2, end: 0.5 + i * 0.1 }));
  return makeResults(units, { status: 'partial', finishedAt: null, plannedUnits: STUDY.map(planned), ...extra });
}

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
