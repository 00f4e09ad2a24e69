import { describe, expect, it } from 'vitest';
import { bestFinal } from '../../src/claims/kit.js';
import type { Claim, StudyClaim } from '../../src/claims/claim.js';
import { profileCaveat, scoreClaim, scoreStudyClaim, seedRun } from '../../src/report/scoring.js';
import { makeResults, type UnitFixture } from '../fixtures/results/makeResults.js';

const text = { id: 'rmsprop-best', statement: 'RMSprop is best.' };

/** RMSprop wins on seeds 1 and 2 and on the mean; Adam wins seed 3. */
const units: UnitFixture[] = [
  { optimizer: 'rmsprop', seed: 1, end: 0.3 }, { optimizer: 'adam', seed: 1, end: 0.5 },
  { optimizer: 'rmsprop', seed: 2, end: 0.3 }, { optimizer: 'adam', seed: 2, end: 0.5 },
  { optimizer: 'rmsprop', seed: 3, end: 0.45 }, { optimizer: 'adam', seed: 3, end: 0.35 },
];

describe('scoreClaim', () => {
  const claim = bestFinal({ ...text, optimizers: ['rmsprop'], tolerance: 0 });
  it('scores the seed mean and tallies each seed alone', () => {
    const scored = scoreClaim(claim, makeResults(units));
    expect(scored.verdict).toBe('reproduced');
    expect(scored.seeds).toEqual({ total: 3, reproduced: 2, notReproduced: 1, inconclusive: 0 });
  });
  it('has no per-seed tally for a single seed', () => {
    expect(scoreClaim(claim, makeResults(units.filter((u) => u.seed === 1))).seeds).toBeUndefined();
  });
  it('turns a claim that throws into an inconclusive verdict with the error', () => {
    const broken: Claim = { id: 'x', statement: 'x', criterion: 'x', optimizers: [], score: () => { throw new Error('boom'); } };
    expect(scoreClaim(broken, makeResults(units))).toMatchObject({ verdict: 'inconclusive', evidence: 'Could not be scored: boom' });
  });
  it('restricts a run to one seed\'s units', () => {
    const one = seedRun(makeResults(units), 3);
    expect(one.seeds).toEqual([3]);
    expect(one.runs.map((r) => r.seed)).toEqual([3, 3]);
  });
});

describe('scoreStudyClaim', () => {
  it('tallies the seeds every experiment ran', () => {
    const seen: number[][] = [];
    const claim: StudyClaim = {
      id: 's', statement: 's', criterion: 's',
      score: (runs) => {
        seen.push(runs.map((r) => r.runs.length));
        return { verdict: runs.every((r) => r.runs.length === 2) ? 'reproduced' : 'not-reproduced', evidence: '' };
      },
    };
    const first = makeResults(units);
    const second = makeResults(units.filter((u) => u.seed !== 3), { experiment: 'imdb' });
    // Seeds 1 and 2 are shared: each is scored on both runs cut to that seed (2 units each).
    expect(scoreStudyClaim(claim, [first, second]).seeds).toEqual({ total: 2, reproduced: 2, notReproduced: 0, inconclusive: 0 });
    expect(seen[0]).toEqual([6, 4]);
  });
});

describe('profileCaveat', () => {
  it('marks the quick profile as indicative only, and no other', () => {
    expect(profileCaveat('quick')).toMatch(/^Indicative only/);
    expect(profileCaveat('study')).toBeUndefined();
    expect(profileCaveat('full')).toBeUndefined();
  });
});
