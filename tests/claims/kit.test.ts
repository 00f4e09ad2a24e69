import { describe, expect, it } from 'vitest';
import {
  allOf,
  bestFinal,
  convergesSlowerThan,
  doesNotConverge,
  fallsShortOfBest,
  irregular,
  overfits,
  overfitsInMost,
  reachesTargetFirst,
  stillDescending,
  surfaceConverges,
  surfaceEscapesFaster,
  surfaceMisses,
  surfaceOvershoots,
} from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';
import type { SurfaceTrajectory } from '../../src/results/schema.js';
import { decay, makeResults, type UnitFixture } from '../fixtures/results/makeResults.js';

const text = { id: 'test', statement: 'test claim' };
const verdict = (claim: Claim, units: UnitFixture[]) => claim.score(makeResults(units)).verdict;

describe('bestFinal', () => {
  const claim = bestFinal({ ...text, optimizers: ['rmsprop'] });
  it('reproduces when the optimizer ends with the lowest validation loss', () => {
    expect(verdict(claim, [{ optimizer: 'adam', end: 0.5 }, { optimizer: 'rmsprop', end: 0.3 }])).toBe('reproduced');
  });
  it('does not reproduce when another optimizer is lower by more than the tolerance', () => {
    expect(verdict(claim, [{ optimizer: 'adam', end: 0.3 }, { optimizer: 'rmsprop', end: 0.5 }])).toBe('not-reproduced');
  });
  it('accepts a second place within the tolerance', () => {
    const tolerant = bestFinal({ ...text, optimizers: ['rmsprop'], tolerance: 0.05 });
    // Validation loss is 1.1 × train loss in the fixture, so both scale alike: 0.303 vs 0.3 is 1% apart.
    expect(verdict(tolerant, [{ optimizer: 'adam', end: 0.3 }, { optimizer: 'rmsprop', end: 0.303 }])).toBe('reproduced');
  });
  it('ranks a higher-is-better metric from the top', () => {
    const byAccuracy = bestFinal({ ...text, optimizers: ['adam'], measure: 'valMetric', tolerance: 0 });
    const units = (adam: number, sgd: number): UnitFixture[] => [
      { optimizer: 'adam', valMetric: decay(0.5, adam) },
      { optimizer: 'sgd', valMetric: decay(0.5, sgd) },
    ];
    expect(verdict(byAccuracy, units(0.91, 0.88))).toBe('reproduced');
    expect(verdict(byAccuracy, units(0.88, 0.91))).toBe('not-reproduced');
  });
  it('judges several optimizers by the top k', () => {
    const pair = bestFinal({ ...text, optimizers: ['adam', 'rmsprop'], topK: 2, tolerance: 0 });
    const units = (sgdEnd: number): UnitFixture[] => [
      { optimizer: 'adam', end: 0.3 }, { optimizer: 'rmsprop', end: 0.4 }, { optimizer: 'sgd', end: sgdEnd },
    ];
    expect(verdict(pair, units(0.9))).toBe('reproduced');
    expect(verdict(pair, units(0.35))).toBe('not-reproduced');
  });
  it('is inconclusive when the optimizer did not run ok, or did not run', () => {
    expect(verdict(claim, [{ optimizer: 'adam' }, { optimizer: 'rmsprop', status: 'diverged', reason: 'NaN at epoch 2' }])).toBe('inconclusive');
    expect(verdict(claim, [{ optimizer: 'adam' }])).toBe('inconclusive');
  });
  it('states the numbers behind the verdict', () => {
    const score = claim.score(makeResults([{ optimizer: 'adam', loss: [1, 0.5] }, { optimizer: 'rmsprop', loss: [1, 0.25] }]));
    expect(score.evidence).toContain('RMSprop 0.275 (rank 1 of 2)');
  });
});

describe('doesNotConverge', () => {
  const claim = doesNotConverge({ ...text, optimizer: 'adadelta', ratio: 0.8 });
  it('reproduces when the final train loss stays near the first epoch', () => {
    expect(verdict(claim, [{ optimizer: 'adadelta', loss: [20, 19.8, 19.5] }])).toBe('reproduced');
  });
  it('does not reproduce when the loss falls below the ratio', () => {
    expect(verdict(claim, [{ optimizer: 'adadelta', loss: [20, 10, 5] }])).toBe('not-reproduced');
  });
  it('is inconclusive for a diverged run', () => {
    expect(verdict(claim, [{ optimizer: 'adadelta', status: 'diverged' }])).toBe('inconclusive');
  });
});

describe('fallsShortOfBest', () => {
  const claim = fallsShortOfBest({ ...text, optimizer: 'ftrl', factor: 1.25 });
  it('reproduces when the optimizer ends worse than the best other by the factor', () => {
    expect(verdict(claim, [{ optimizer: 'ftrl', end: 2 }, { optimizer: 'adam', end: 1 }])).toBe('reproduced');
  });
  it('does not reproduce when it ends close to the best', () => {
    expect(verdict(claim, [{ optimizer: 'ftrl', end: 1.1 }, { optimizer: 'adam', end: 1 }])).toBe('not-reproduced');
  });
  it('ignores others that did not run ok', () => {
    const units: UnitFixture[] = [{ optimizer: 'ftrl', end: 2 }, { optimizer: 'adam', status: 'failed', end: 0.1 }, { optimizer: 'sgd', end: 1 }];
    expect(claim.score(makeResults(units)).evidence).toContain('best other SGD');
  });
});

describe('stillDescending', () => {
  const claim = stillDescending({ ...text, optimizer: 'adagrad', tailFraction: 0.25, minDropPct: 2 });
  it('reproduces on a straight-line descent', () => {
    expect(verdict(claim, [{ optimizer: 'adagrad', loss: [20, 19, 18, 17, 16, 15, 14, 13, 12] }])).toBe('reproduced');
  });
  it('does not reproduce on a curve that has flattened', () => {
    expect(verdict(claim, [{ optimizer: 'adagrad', loss: [20, 5, 3, 2.5, 2.4, 2.4, 2.4, 2.4, 2.4] }])).toBe('not-reproduced');
  });
});

describe('reachesTargetFirst and convergesSlowerThan', () => {
  // Both end at 1; RMSprop gets within 10% (≤ 1.1) at epoch 3, Adam at epoch 6.
  const rmsprop = [4, 2, 1.05, 1, 1, 1];
  const adam = [4, 3, 2, 1.5, 1.2, 1];
  const fastest = reachesTargetFirst({ ...text, optimizer: 'rmsprop' });
  const slower = convergesSlowerThan({ ...text, slow: 'adam', fast: 'rmsprop' });
  it('reproduces when the optimizer gets near the best loss in the fewest epochs', () => {
    const units = [{ optimizer: 'rmsprop', loss: rmsprop }, { optimizer: 'adam', loss: adam }];
    expect(verdict(fastest, units)).toBe('reproduced');
    expect(verdict(slower, units)).toBe('reproduced');
    expect(fastest.score(makeResults(units)).evidence).toContain('RMSprop 3, Adam 6');
  });
  it('does not reproduce when the roles are swapped', () => {
    const units = [{ optimizer: 'rmsprop', loss: adam }, { optimizer: 'adam', loss: rmsprop }];
    expect(verdict(fastest, units)).toBe('not-reproduced');
    expect(verdict(slower, units)).toBe('not-reproduced');
  });
  it('does not count an optimizer that never reaches the target as fast', () => {
    const units = [{ optimizer: 'rmsprop', loss: [4, 3, 3, 3, 3, 3] }, { optimizer: 'adam', loss: [4, 3, 3, 3, 3, 3] }, { optimizer: 'sgd', loss: adam }];
    expect(verdict(fastest, units)).toBe('not-reproduced');
  });
});

describe('overfits and overfitsInMost', () => {
  const train = [1, 0.8, 0.6, 0.4, 0.3, 0.2];
  const overfitting = { loss: train, valLoss: [1, 0.8, 0.7, 0.75, 0.85, 0.95] };
  const healthy = { loss: train, valLoss: [1, 0.8, 0.7, 0.6, 0.55, 0.5] };
  it('reproduces when validation loss turns up while train loss keeps falling', () => {
    expect(verdict(overfits({ ...text, optimizer: 'adam' }), [{ optimizer: 'adam', ...overfitting }])).toBe('reproduced');
  });
  it('does not reproduce when validation loss keeps falling', () => {
    expect(verdict(overfits({ ...text, optimizer: 'adam' }), [{ optimizer: 'adam', ...healthy }])).toBe('not-reproduced');
  });
  it('does not call a rise overfitting when the train loss rose too', () => {
    const bothRise = { loss: [1, 0.8, 0.6, 0.7, 0.8, 0.9], valLoss: overfitting.valLoss };
    expect(verdict(overfits({ ...text, optimizer: 'adam' }), [{ optimizer: 'adam', ...bothRise }])).toBe('not-reproduced');
  });
  it('needs the share of optimizers that overfit', () => {
    const most = overfitsInMost({ ...text, minShare: 0.75 });
    const names = ['adam', 'rmsprop', 'sgd', 'nadam'];
    expect(verdict(most, names.map((optimizer, i) => ({ optimizer, ...(i < 3 ? overfitting : healthy) })))).toBe('reproduced');
    expect(verdict(most, names.map((optimizer, i) => ({ optimizer, ...(i < 2 ? overfitting : healthy) })))).toBe('not-reproduced');
  });
  it('is inconclusive with too few optimizers that ran ok', () => {
    const most = overfitsInMost({ ...text });
    expect(verdict(most, [{ optimizer: 'adam', ...overfitting }, { optimizer: 'sgd', status: 'diverged' }])).toBe('inconclusive');
  });
});

describe('irregular', () => {
  const claim = irregular({ ...text, optimizer: 'sgd', measure: 'valLoss', minIncreases: 3 });
  const smooth = [5, 4, 3.5, 3.2, 3, 2.9, 2.85, 2.8];
  it('reproduces when the curve goes back and forth more than the others', () => {
    const zigzag = [5, 4, 4.4, 3.5, 3.9, 3.1, 3.6, 2.9];
    expect(verdict(claim, [{ optimizer: 'sgd', valLoss: zigzag }, { optimizer: 'adam', valLoss: smooth }, { optimizer: 'rmsprop', valLoss: smooth }])).toBe('reproduced');
  });
  it('does not reproduce on a smooth curve', () => {
    expect(verdict(claim, [{ optimizer: 'sgd', valLoss: smooth }, { optimizer: 'adam', valLoss: smooth }])).toBe('not-reproduced');
  });
  it('ignores rises within the noise threshold', () => {
    const jitter = [5, 4, 4.001, 3.5, 3.501, 3.1, 3.101, 2.9];
    expect(verdict(claim, [{ optimizer: 'sgd', valLoss: jitter }, { optimizer: 'adam', valLoss: smooth }])).toBe('not-reproduced');
  });
});

describe('allOf', () => {
  const claim = allOf({
    ...text,
    parts: [doesNotConverge({ ...text, optimizer: 'adadelta' }), fallsShortOfBest({ ...text, optimizer: 'adadelta', factor: 2 })],
  });
  it('reproduces only when every part does', () => {
    expect(verdict(claim, [{ optimizer: 'adadelta', loss: [20, 19.9, 19.8] }, { optimizer: 'adam', loss: [20, 5, 2] }])).toBe('reproduced');
    expect(verdict(claim, [{ optimizer: 'adadelta', loss: [20, 19.9, 19.8] }, { optimizer: 'adam', loss: [20, 15, 12] }])).toBe('not-reproduced');
  });
  it('lists the optimizers of all parts once', () => {
    expect(claim.optimizers).toEqual(['adadelta']);
  });
});

// ---------------------------------------------------------------------------------------------------

function trajectory(surface: string, fs: number[], finalDistance: number, status: SurfaceTrajectory['status'] = 'ok'): SurfaceTrajectory {
  return {
    surface,
    start: [1, 1],
    points: fs.map((f, step) => ({ step, x: 1, y: 1, f })),
    finalDistanceToMinimum: finalDistance,
    nearestMinimum: [0, 0],
    status,
  };
}

const onSurface = (optimizer: string, ...trajectories: SurfaceTrajectory[]): UnitFixture => ({ optimizer, trajectories });

describe('surfaceConverges and surfaceMisses', () => {
  const converges = surfaceConverges({ ...text, surface: 'rosenbrock', optimizers: ['adam'], maxDistance: 0.1 });
  const misses = surfaceMisses({ ...text, surface: 'rosenbrock', optimizer: 'sgd', minDistance: 0.5 });
  it('reproduces when trajectories end at / away from the minimum', () => {
    const units = [onSurface('adam', trajectory('rosenbrock', [4, 1, 0], 0.05)), onSurface('sgd', trajectory('rosenbrock', [4, 3], 1.5))];
    expect(verdict(converges, units)).toBe('reproduced');
    expect(verdict(misses, units)).toBe('reproduced');
  });
  it('does not reproduce in the opposite case, nor count a diverged trajectory as converged', () => {
    const units = [onSurface('adam', trajectory('rosenbrock', [4, 3], 0.05, 'diverged')), onSurface('sgd', trajectory('rosenbrock', [4, 0], 0.01))];
    expect(verdict(converges, units)).toBe('not-reproduced');
    expect(verdict(misses, units)).toBe('not-reproduced');
  });
  it('is inconclusive without a trajectory on that surface', () => {
    expect(verdict(converges, [onSurface('adam', trajectory('beale', [4, 0], 0))])).toBe('inconclusive');
  });
});

describe('surfaceOvershoots', () => {
  const claim = surfaceOvershoots({ ...text, surface: 'beale', optimizers: ['momentum'], minRebound: 0.05 });
  it('reproduces when f climbs back after a low point', () => {
    expect(verdict(claim, [onSurface('momentum', trajectory('beale', [10, 2, 6, 1], 0.1))])).toBe('reproduced');
  });
  it('reproduces when the trajectory diverged', () => {
    expect(verdict(claim, [onSurface('momentum', trajectory('beale', [10, 50], 9, 'diverged'))])).toBe('reproduced');
  });
  it('does not reproduce on a monotone descent', () => {
    expect(verdict(claim, [onSurface('momentum', trajectory('beale', [10, 5, 2, 1, 0.5], 0.1))])).toBe('not-reproduced');
  });
});

describe('surfaceEscapesFaster', () => {
  const claim = surfaceEscapesFaster({ ...text, surface: 'saddle', optimizers: ['rmsprop'], level: -0.5 });
  const fast = trajectory('saddle', [1, 0, -0.6, -1], 0);
  const slow = trajectory('saddle', [1, 0.5, 0.2, 0, -0.1, -0.3, -0.6], 0);
  it('reproduces when the named optimizer falls below the level in fewer steps than the others', () => {
    expect(verdict(claim, [onSurface('rmsprop', fast), onSurface('sgd', slow), onSurface('adam', slow)])).toBe('reproduced');
  });
  it('does not reproduce when it is slower', () => {
    expect(verdict(claim, [onSurface('rmsprop', slow), onSurface('sgd', fast), onSurface('adam', fast)])).toBe('not-reproduced');
  });
});
