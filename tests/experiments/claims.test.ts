/**
 * The claim sets of experiments/claims against runs shaped like the study's findings (reproduced) and
 * like their opposite (not reproduced), so a claim set that cannot tell the two apart fails here.
 */
import { describe, expect, it } from 'vitest';
import type { Claim } from '../../src/claims/claim.js';
import type { RunResults } from '../../src/results/schema.js';
import { claims as boston } from '../../experiments/claims/boston.js';
import { claims as fashion } from '../../experiments/claims/fashion.js';
import { claims as imdb } from '../../experiments/claims/imdb.js';
import { experimentNamed } from '../../experiments/index.js';
import { claims as surfaces } from '../../experiments/claims/surfaces.js';
import { claims as temperature } from '../../experiments/claims/temperature.js';
import { decay, makeResults, type UnitFixture } from '../fixtures/results/makeResults.js';

const verdicts = (claims: Claim[], results: RunResults) => Object.fromEntries(claims.map((c) => [c.id, c.score(results).verdict]));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('claim sets', () => {
  it('belong to their experiment, with unique ids', () => {
    expect(experimentNamed('boston')?.claims).toBe(boston);
    expect(experimentNamed('surfaces')?.claims).toBe(surfaces);
    expect(experimentNamed('constructor')).toBeUndefined();
    const ids = [boston, fashion, imdb, temperature, surfaces].flat().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('boston: reproduced on study-shaped curves', () => {
    const zigzag = range(20).map((i) => (2.8 + 17 * Math.exp(-0.5 * i)) * (1 + 0.1 * Math.sin(2.5 * i)));
    const units: UnitFixture[] = [
      { optimizer: 'adadelta', loss: range(20).map((i) => 22 - 0.01 * i) },
      { optimizer: 'adagrad', loss: range(20).map((i) => 21 - 0.35 * i) },
      { optimizer: 'ftrl', loss: range(20).map((i) => 21.5 - 0.3 * i) },
      { optimizer: 'adam', loss: decay(20, 2.6, 20, 0.35) },
      { optimizer: 'adamax', loss: decay(20, 2.9, 20, 0.25) },
      { optimizer: 'nadam', loss: decay(20, 2.7, 20, 0.33) },
      { optimizer: 'rmsprop', loss: decay(20, 2.4, 20, 0.4) },
      { optimizer: 'sgd', loss: zigzag },
    ];
    expect(Object.values(verdicts(boston, makeResults(units)))).toEqual(boston.map(() => 'reproduced'));
  });

  it('boston: not reproduced when the roles are reversed', () => {
    // Adadelta, Adagrad and Ftrl converge fast to the best loss; the rest end worse, RMSprop worst; SGD smooth.
    const good = ['adadelta', 'adagrad', 'ftrl'].map((optimizer) => ({ optimizer, loss: decay(20, 1, 20, 0.8) }));
    const rest = ['adam', 'adamax', 'nadam', 'sgd', 'rmsprop'].map((optimizer, i) => ({ optimizer, loss: decay(20, 3 + 0.2 * i, 20, 0.4) }));
    const results = makeResults([...good, ...rest]);
    expect(Object.values(verdicts(boston, results))).toEqual(boston.map(() => 'not-reproduced'));
  });

  it('fashion: Adam best by accuracy, RMSprop fastest, Adadelta and Ftrl poor', () => {
    const unit = (optimizer: string, end: number, rate: number, accuracy: number): UnitFixture => ({
      optimizer, loss: decay(2.3, end, 15, rate), valMetric: decay(0.1, accuracy, 15, rate),
    });
    const results = makeResults([
      unit('adadelta', 1.5, 0.1, 0.6), unit('ftrl', 1.8, 0.1, 0.5), unit('adam', 0.25, 0.5, 0.91),
      unit('rmsprop', 0.26, 0.9, 0.9), unit('sgd', 0.4, 0.3, 0.86),
    ]);
    expect(verdicts(fashion, results)).toEqual(Object.fromEntries(fashion.map((c) => [c.id, 'reproduced'])));
  });

  it('imdb: overfitting in most, RMSprop lowest train loss, Adam near-best validation loss first', () => {
    const overfit = (optimizer: string, trainEnd: number, valMinEpoch: number): UnitFixture => ({
      optimizer,
      loss: decay(0.7, trainEnd, 10, 0.5),
      valLoss: range(10).map((i) => 0.3 + 0.02 * (i - valMinEpoch) ** 2),
    });
    const results = makeResults([overfit('adam', 0.1, 2), overfit('rmsprop', 0.05, 4), overfit('nadam', 0.12, 5), overfit('sgd', 0.3, 6)]);
    expect(verdicts(imdb, results)).toEqual(Object.fromEntries(imdb.map((c) => [c.id, 'reproduced'])));
  });

  it('temperature: Ftrl and Nadam far off, Adagrad a little, Adam and RMSprop best; inconclusive when Nadam fails', () => {
    const units: UnitFixture[] = [
      { optimizer: 'ftrl', end: 0.6 }, { optimizer: 'nadam', end: 0.5 }, { optimizer: 'adagrad', end: 0.33 },
      { optimizer: 'adam', end: 0.29 }, { optimizer: 'rmsprop', end: 0.3 }, { optimizer: 'sgd', end: 0.32 },
    ];
    expect(Object.values(verdicts(temperature, makeResults(units)))).toEqual(temperature.map(() => 'reproduced'));
    const nadamFailed = units.map((u) => (u.optimizer === 'nadam' ? { ...u, status: 'failed' as const } : u));
    expect(verdicts(temperature, makeResults(nadamFailed))['temperature-nadam-misses-minimum']).toBe('inconclusive');
  });
});
