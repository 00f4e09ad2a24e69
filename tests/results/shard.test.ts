import { describe, expect, it } from 'vitest';
import { planUnits, type RunPlan } from '../../src/train/plan.js';
import { parseShard, selectShard } from '../../src/results/shard.js';
import { InvalidShardError } from '../../src/results/errors.js';
import type { ExperimentDefinition } from '../../src/train/definition.js';
import { tinyExperiment } from '../helpers/tinyExperiment.js';

/** The plan of a sweep: 3 optimizers × 2 impls × 3 seeds × 2 rates = 36 units. */
function sweepUnits() {
  const experiment = tinyExperiment();
  const plan: RunPlan<ExperimentDefinition> = {
    experiment, profileName: 'quick', profile: experiment.profiles.quick,
    optimizers: ['adam', 'sgd', 'rmsprop'], implsFor: () => ['builtin', 'scratch'], seeds: [1, 2, 3], learningRates: [0.01, 0.1],
  };
  return planUnits(plan).map((unit) => unit.id);
}

describe('parseShard', () => {
  it('reads i/n', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });

  it.each(['0/3', '4/3', '1/0', '2', 'a/b', '1/2/3', '-1/2', '1.5/3'])('refuses %s with a typed error saying what it takes', (text) => {
    expect(() => parseShard(text)).toThrow(InvalidShardError);
    expect(() => parseShard(text)).toThrow(/--shard takes i\/n with 1 ≤ i ≤ n/);
  });
});

describe('selectShard', () => {
  const units = sweepUnits();

  it.each([1, 2, 3, 5, 7, 36, 40])('partitions the plan into %i balanced shards: every unit in exactly one, sizes within 1', (count) => {
    const shards = Array.from({ length: count }, (_, i) => selectShard(units, { index: i + 1, count }));
    expect(shards.flat().sort()).toEqual([...units].sort());
    expect(new Set(shards.flat()).size).toBe(units.length);
    const sizes = shards.map((shard) => shard.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('keeps plan order within a shard and picks the same units from an independently built plan (as on another machine)', () => {
    const shard = selectShard(units, { index: 2, count: 3 });
    expect(shard).toEqual(units.filter((id) => shard.includes(id)));
    expect(selectShard(sweepUnits(), { index: 2, count: 3 })).toEqual(shard);
  });

  it('spreads each optimizer over the shards rather than giving one shard all of an optimizer', () => {
    for (let index = 1; index <= 3; index++) {
      const optimizers = new Set(selectShard(units, { index, count: 3 }).map((id) => id.split(/[@#]/)[0]));
      expect([...optimizers].sort()).toEqual(['adam', 'rmsprop', 'sgd']);
    }
  });
});
