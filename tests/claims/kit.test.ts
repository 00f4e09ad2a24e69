import { describe, expect, it } from 'vitest';
import {
  allOf,
  behaveSimilarly,
  bestFinal,
  convergesSlowerThan,
  doesNotConverge,
  fallsShortOfBest,
  goodDefaultAcross,
  irregular,
  lengthOf,
  minimiseAlike,
  overfits,
  overfitsInMost,
  reachesTargetFirst,
  stillDescending,
  surfaceConverges,
  surfaceHeadsAcrossFloor,
  surfaceLeavesFaster,
  surfaceOvershoots,
  surfaceStaysBehind,
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
  it('calls a tie inconclusive in both predicates alike', () => {
    // Both reach the target at epoch 3 (as 3-epoch runs often do): neither is faster.
    const units = [{ optimizer: 'rmsprop', loss: rmsprop }, { optimizer: 'adam', loss: [4, 2, 1.05, 1, 1, 1] }];
    for (const claim of [fastest, slower]) {
      const score = claim.score(makeResults(units));
      expect(score.verdict).toBe('inconclusive');
      expect(score.qualifier).toBe('tie');
      expect(score.evidence).toContain('RMSprop 3');
    }
  });
});

describe('run length (needs)', () => {
  const needs = { epochs: 8, why: 'the effect takes 8 epochs.' };
  const claim = doesNotConverge({ ...text, optimizer: 'adadelta', needs });
  it('is inconclusive on a shorter run, saying what the predicate would read there', () => {
    const score = claim.score(makeResults([{ optimizer: 'adadelta', loss: [20, 19.8, 19.5] }]));
    expect(score).toMatchObject({ verdict: 'inconclusive', qualifier: 'run too short' });
    expect(score.evidence).toMatch(/^Run too short: this run has 3 epochs \(needs 8\); the effect takes 8 epochs\. On this run the predicate reads reproduced: /);
  });
  it('scores a run that is long enough', () => {
    expect(verdict(claim, [{ optimizer: 'adadelta', loss: decay(20, 19, 8, 0.1) }])).toBe('reproduced');
    expect(verdict(claim, [{ optimizer: 'adadelta', loss: decay(20, 2, 8, 0.5) }])).toBe('not-reproduced');
  });
  it('counts optimizer steps as epochs × batches per epoch (one step per epoch on a surface run)', () => {
    const results = makeResults([{ optimizer: 'adam', loss: decay(2, 1, 4) }]);
    expect(lengthOf({ ...results, settings: { ...results.settings, trainSamples: 1000, batchSize: 128 } })).toEqual({ epochs: 4, steps: 32 });
    expect(lengthOf({ ...results, settings: { ...results.settings, trainSamples: 0 } })).toEqual({ epochs: 4, steps: 4 });
    const bySteps = doesNotConverge({ ...text, optimizer: 'adam', needs: { steps: 33, why: 'x.' } });
    expect(bySteps.score({ ...results, settings: { ...results.settings, trainSamples: 1000, batchSize: 128 } }).qualifier).toBe('run too short');
    expect(bySteps.score({ ...results, settings: { ...results.settings, trainSamples: 1024, batchSize: 32 } }).qualifier).toBeUndefined();
  });
  it('states the requirement in the criterion', () => {
    expect(claim.criterion).toContain('Needs a run of at least 8 epochs: the effect takes 8 epochs.');
  });
  it('passes through allOf: a short part makes the whole inconclusive with the same qualifier', () => {
    const both = allOf({ ...text, parts: [claim, doesNotConverge({ ...text, optimizer: 'adadelta' })] });
    expect(both.score(makeResults([{ optimizer: 'adadelta', loss: [20, 19.8, 19.5] }]))).toMatchObject({ verdict: 'inconclusive', qualifier: 'run too short' });
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
  describe('counting only the optimizers that learned', () => {
    const learned = { maxBestValLoss: 0.9 * Math.LN2, why: 'below chance' };
    // As above, on the scale of a binary cross-entropy that left chance level (ln 2 ≈ 0.693).
    const overfitting = { loss: train, valLoss: [0.6, 0.5, 0.45, 0.48, 0.52, 0.56] };
    const healthy = { loss: train, valLoss: [0.6, 0.5, 0.45, 0.42, 0.4, 0.38] };
    const most = overfitsInMost({ ...text, minShare: 0.75, learned });
    // Validation loss stuck at chance level (ln 2) while train loss drifts: never learned, cannot overfit.
    const stuck = { loss: [0.6935, 0.6933, 0.6931, 0.693, 0.6929, 0.6928], valLoss: [0.6932, 0.6931, 0.6932, 0.6931, 0.6932, 0.6931] };
    const learners = (overfitCount: number) => ['adam', 'rmsprop', 'nadam', 'adamax'].map((optimizer, i) => ({ optimizer, ...(i < overfitCount ? overfitting : healthy) }));
    const stuckOnes = ['adadelta', 'ftrl', 'adagrad', 'sgd'].map((optimizer) => ({ optimizer, ...stuck }));
    it('reproduces when almost all learners overfit, whatever the stuck ones do', () => {
      const score = most.score(makeResults([...learners(3), ...stuckOnes]));
      expect(score.verdict).toBe('reproduced');
      expect(score.evidence).toContain('3 of 4 optimizers overfit');
      expect(score.evidence).toContain('Did not learn (left out): Adadelta, Ftrl, Adagrad, SGD.');
      // Without the rule the stuck ones dilute the share to 3 of 8.
      expect(verdict(overfitsInMost({ ...text, minShare: 0.75 }), [...learners(3), ...stuckOnes])).toBe('not-reproduced');
    });
    it('does not reproduce when too few of the learners overfit', () => {
      expect(verdict(most, [...learners(2), ...stuckOnes])).toBe('not-reproduced');
    });
    it('is inconclusive when fewer than the minimum learned', () => {
      const score = most.score(makeResults([{ optimizer: 'adam', ...overfitting }, { optimizer: 'rmsprop', ...overfitting }, ...stuckOnes]));
      expect(score.verdict).toBe('inconclusive');
      expect(score.evidence).toContain('Only 2 optimizers ran ok with validation data and learned; need 3.');
    });
  });
});

describe('bestFinal at the best epoch, and the seed spread behind a tolerance', () => {
  // RMSprop overfits: its best validation loss (0.25) is the lowest, its final one (0.5) is not.
  const units: UnitFixture[] = [
    { optimizer: 'rmsprop', valLoss: [0.6, 0.25, 0.3, 0.4, 0.5] , loss: [1, 0.8, 0.6, 0.4, 0.2] },
    { optimizer: 'adam', valLoss: [0.6, 0.4, 0.35, 0.33, 0.32], loss: [1, 0.8, 0.6, 0.5, 0.45] },
  ];
  it('reads the best epoch with at: best, the last with at: final', () => {
    expect(verdict(bestFinal({ ...text, optimizers: ['rmsprop'], at: 'best' }), units)).toBe('reproduced');
    expect(verdict(bestFinal({ ...text, optimizers: ['rmsprop'], at: 'final' }), units)).toBe('not-reproduced');
    expect(bestFinal({ ...text, optimizers: ['rmsprop'], at: 'best' }).score(makeResults(units)).evidence).toContain('Best-epoch validation loss: RMSprop 0.25 (rank 1 of 2)');
  });
  it('shows each seed\'s value when the verdict rests within the tolerance', () => {
    const claim = bestFinal({ ...text, optimizers: ['rmsprop'], tolerance: 0.05 });
    const seeds: UnitFixture[] = [1, 2, 3].flatMap((seed) => [
      { optimizer: 'rmsprop', seed, loss: [1, 0.5], valLoss: [1, 0.5 + 0.01 * seed] },
      { optimizer: 'adam', seed, loss: [1, 0.5], valLoss: [1, 0.5 + 0.005 * seed] },
    ]);
    const score = claim.score(makeResults(seeds));
    expect(score.verdict).toBe('reproduced');
    expect(score.evidence).toContain('Within the 5% tolerance; seed spread: RMSprop 0.51–0.53 over 3 seeds; Adam 0.505–0.515 over 3 seeds.');
    // A clear win needs no spread.
    expect(claim.score(makeResults([{ optimizer: 'rmsprop', end: 0.2 }, { optimizer: 'adam', end: 0.5 }])).evidence).not.toContain('seed spread');
  });
});

describe('minimiseAlike', () => {
  const claim = minimiseAlike({ ...text, optimizers: ['adam', 'sgd'], minDropPct: 20, noisePct: 1, minSpreadPct: 10, needs: { epochs: 3, why: 'a shape.' } });
  it('reproduces when all fall steadily and end at different points', () => {
    expect(verdict(claim, [{ optimizer: 'adam', loss: decay(0.6, 0.25, 6) }, { optimizer: 'sgd', loss: decay(0.9, 0.45, 6, 0.3) }])).toBe('reproduced');
  });
  it('does not reproduce when one rises on the way, or one barely moves, or all end alike', () => {
    expect(verdict(claim, [{ optimizer: 'adam', loss: [0.6, 0.4, 0.45, 0.3, 0.28, 0.25] }, { optimizer: 'sgd', loss: decay(0.9, 0.45, 6) }])).toBe('not-reproduced');
    expect(verdict(claim, [{ optimizer: 'adam', loss: decay(0.6, 0.25, 6) }, { optimizer: 'sgd', loss: decay(0.9, 0.85, 6) }])).toBe('not-reproduced');
    expect(verdict(claim, [{ optimizer: 'adam', loss: [0.6, 0.4, 0.3, 0.25] }, { optimizer: 'sgd', loss: [0.9, 0.5, 0.3, 0.26] }])).toBe('not-reproduced');
  });
  it('is inconclusive on a run too short for a shape, or without one of the optimizers', () => {
    expect(verdict(claim, [{ optimizer: 'adam', loss: [0.6, 0.3] }, { optimizer: 'sgd', loss: [0.9, 0.6] }])).toBe('inconclusive');
    expect(verdict(claim, [{ optimizer: 'adam', loss: decay(0.6, 0.25, 6) }])).toBe('inconclusive');
  });
});

describe('behaveSimilarly', () => {
  const claim = behaveSimilarly({ ...text, optimizers: ['adam', 'rmsprop', 'sgd'], withinPct: 5 });
  it('reproduces when the final values lie within the tolerance of each other, and shows the seeds', () => {
    const units = [1, 2].flatMap((seed) => [
      { optimizer: 'adam', seed, end: 0.29 }, { optimizer: 'rmsprop', seed, end: 0.3 }, { optimizer: 'sgd', seed, end: 0.3 }, { optimizer: 'ftrl', seed, end: 0.6 },
    ]);
    const score = claim.score(makeResults(units));
    expect(score.verdict).toBe('reproduced');
    expect(score.evidence).toContain('Seed spread: Adam');
  });
  it('does not reproduce when one of them is further off', () => {
    expect(verdict(claim, [{ optimizer: 'adam', end: 0.29 }, { optimizer: 'rmsprop', end: 0.3 }, { optimizer: 'sgd', end: 0.35 }])).toBe('not-reproduced');
  });
  it('is inconclusive when one of them did not run ok', () => {
    expect(verdict(claim, [{ optimizer: 'adam', end: 0.29 }, { optimizer: 'rmsprop', end: 0.3 }, { optimizer: 'sgd', status: 'failed' }])).toBe('inconclusive');
  });
});

describe('goodDefaultAcross (study level)', () => {
  const claim = goodDefaultAcross({ id: 'x', statement: 'Adam is a good default.', optimizer: 'adam', topShare: 0.5, tolerance: 0.05, minExperiments: 2, why: 'test.' });
  const experiment = (name: string, adamEnd: number) => makeResults(
    [{ optimizer: 'adam', end: adamEnd }, { optimizer: 'rmsprop', end: 0.3 }, { optimizer: 'sgd', end: 0.5 }, { optimizer: 'adadelta', end: 0.9 }],
    { experiment: name },
  );
  it('reproduces when the optimizer is in the better half of every experiment', () => {
    expect(claim.score([experiment('boston', 0.4), experiment('imdb', 0.2)]).verdict).toBe('reproduced');
  });
  it('does not reproduce when it is in the worse half of one experiment, beyond the tolerance', () => {
    const score = claim.score([experiment('boston', 0.4), experiment('imdb', 0.6)]);
    expect(score.verdict).toBe('not-reproduced');
    expect(score.evidence).toContain('imdb: rank 3 of 4');
  });
  it('does not judge an experiment whose run is not finished, whatever its finished units show', () => {
    const partial = experiment('imdb', 0.2);
    const planned = (optimizer: string) => ({ id: `${optimizer}#seed=1`, optimizer, impl: 'builtin' as const, seed: 1 });
    partial.plannedUnits = [...partial.runs.map((run) => planned(run.optimizer)), planned('nadam')];
    partial.status = 'partial';
    const score = claim.score([experiment('boston', 0.4), partial]);
    expect(score.verdict).toBe('inconclusive');
    expect(score.evidence).toContain('imdb: not judged, its run is not finished (4 of 5 finished)');
  });
  it('ignores surface runs and is inconclusive with too few experiments', () => {
    const surfacesRun = makeResults([onSurface('adam', trajectory('saddle', [1, 0], 0))], { experiment: 'surfaces' });
    expect(claim.score([experiment('boston', 0.2), surfacesRun]).verdict).toBe('inconclusive');
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

/** A trajectory through the given (x, y) points, starting at the first. */
function path(surface: string, points: [number, number][], status: SurfaceTrajectory['status'] = 'ok'): SurfaceTrajectory {
  return {
    surface,
    start: points[0],
    points: points.map(([x, y], step) => ({ step, x, y, f: 0 })),
    finalDistanceToMinimum: 0,
    nearestMinimum: [0, 0],
    status,
  };
}

const onSurface = (optimizer: string, ...trajectories: SurfaceTrajectory[]): UnitFixture => ({ optimizer, trajectories });
const surfaceRun = (units: UnitFixture[], steps = 20) => makeResults(units, { settings: { ...makeResults([]).settings, epochs: steps, trainSamples: 0, batchSize: 1 } });
const surfaceVerdict = (claim: Claim, units: UnitFixture[], steps?: number) => claim.score(surfaceRun(units, steps)).verdict;

describe('surfaceConverges', () => {
  const converges = surfaceConverges({ ...text, surface: 'valley', optimizers: ['adam'], maxDistance: 0.1 });
  it('reproduces when every trajectory ends near a minimum, not when one diverged or stopped short', () => {
    expect(surfaceVerdict(converges, [onSurface('adam', trajectory('valley', [4, 1, 0], 0.05))])).toBe('reproduced');
    expect(surfaceVerdict(converges, [onSurface('adam', trajectory('valley', [4, 3], 0.5))])).toBe('not-reproduced');
    expect(surfaceVerdict(converges, [onSurface('adam', trajectory('valley', [4, 3], 0.05, 'diverged'))])).toBe('not-reproduced');
  });
  it('is inconclusive without a trajectory on that surface, or on a run shorter than it needs', () => {
    expect(surfaceVerdict(converges, [onSurface('adam', trajectory('beale', [4, 0], 0))])).toBe('inconclusive');
    const needsLong = surfaceConverges({ ...text, surface: 'valley', optimizers: ['adam'], needs: { steps: 4000, why: 'slow.' } });
    expect(needsLong.score(surfaceRun([onSurface('adam', trajectory('valley', [4, 0], 0))], 1000)).qualifier).toBe('run too short');
  });
});

describe('surfaceHeadsAcrossFloor and surfaceStaysBehind (the valley\'s SGD)', () => {
  const floor = { surface: 'valley', floorDirection: [1, 0] as [number, number] };
  const across = surfaceHeadsAcrossFloor({ ...text, ...floor, optimizer: 'sgd', firstSteps: 2, minAngle: 60 });
  const behind = surfaceStaysBehind({ ...text, ...floor, optimizer: 'sgd', minimum: [3, 0], maxFraction: 0.25 });
  // Straight down the wall (across the floor), then creeping along it.
  const sgdPath = path('valley', [[-3, 0.5], [-3, 0.3], [-2.99, 0.1], [-2.9, 0]]);
  // Diagonally, then along the floor to the minimum.
  const adamPath = path('valley', [[-3, 0.5], [-2.9, 0.4], [-2.8, 0.3], [3, 0]]);
  it('reproduce when SGD\'s first steps head across the floor and it covers little of the way', () => {
    const units = [onSurface('sgd', sgdPath), onSurface('adam', adamPath)];
    expect(surfaceVerdict(across, units)).toBe('reproduced');
    expect(surfaceVerdict(behind, units)).toBe('reproduced');
    // The other optimizers' angles are shown for comparison: Adam's first two steps are at 45°.
    expect(across.score(surfaceRun(units)).evidence).toMatch(/SGD 88\.\d+°; the others Adam 45°/);
  });
  it('do not reproduce when SGD heads along the floor and gets there', () => {
    expect(surfaceVerdict(across, [onSurface('sgd', adamPath)])).toBe('not-reproduced');
    expect(surfaceVerdict(behind, [onSurface('sgd', adamPath)])).toBe('not-reproduced');
  });
  it('are inconclusive without SGD', () => {
    expect(surfaceVerdict(across, [onSurface('adam', adamPath)])).toBe('inconclusive');
  });
});

describe('surfaceOvershoots', () => {
  const claim = surfaceOvershoots({ ...text, surface: 'beale', optimizers: ['momentum'], against: ['sgd'], minimum: [3, 0.5], minOvershoot: 0.1 });
  // From (2, 2) to the minimum (3, 0.5) and 30% of the way beyond it, then back; SGD stops short.
  const overshooting = path('beale', [[2, 2], [2.5, 1.25], [3.3, 0.05], [3, 0.5]]);
  const stoppingShort = path('beale', [[2, 2], [2.5, 1.25], [2.9, 0.65]]);
  it('reproduces when the accelerated path passes the minimum and the plain one does not', () => {
    expect(surfaceVerdict(claim, [onSurface('momentum', overshooting), onSurface('sgd', stoppingShort)])).toBe('reproduced');
    expect(claim.score(surfaceRun([onSurface('momentum', overshooting), onSurface('sgd', stoppingShort)])).evidence).toContain('SGD + momentum from (2, 2): 30% past');
  });
  it('does not reproduce when the accelerated path brakes in time, or when SGD overshoots too (the rate, not acceleration)', () => {
    expect(surfaceVerdict(claim, [onSurface('momentum', stoppingShort), onSurface('sgd', stoppingShort)])).toBe('not-reproduced');
    expect(surfaceVerdict(claim, [onSurface('momentum', overshooting), onSurface('sgd', overshooting)])).toBe('not-reproduced');
  });
  it('is inconclusive without the optimizer it is compared with', () => {
    expect(surfaceVerdict(claim, [onSurface('momentum', overshooting)])).toBe('inconclusive');
  });
});

describe('surfaceLeavesFaster', () => {
  const claim = surfaceLeavesFaster({ ...text, surface: 'saddle', optimizers: ['rmsprop'], against: ['sgd', 'momentum'], level: -0.5, minFactor: 2 });
  const leavesAt = (step: number, steps = 10) => trajectory('saddle', Array.from({ length: steps + 1 }, (_, i) => (i < step ? 0 : -1)), 0);
  it('reproduces when the named one leaves in at most half the steps of the fastest compared one', () => {
    const units = [onSurface('rmsprop', leavesAt(2)), onSurface('sgd', leavesAt(9)), onSurface('momentum', leavesAt(5))];
    expect(surfaceVerdict(claim, units)).toBe('reproduced');
    // A compared one that never leaves within the run is slower still.
    expect(surfaceVerdict(claim, [onSurface('rmsprop', leavesAt(2)), onSurface('sgd', leavesAt(99)), onSurface('momentum', leavesAt(99))])).toBe('reproduced');
  });
  it('does not reproduce when it is faster, but not much faster', () => {
    expect(surfaceVerdict(claim, [onSurface('rmsprop', leavesAt(3)), onSurface('sgd', leavesAt(9)), onSurface('momentum', leavesAt(5))])).toBe('not-reproduced');
  });
  it('is a tie (inconclusive) when none leaves within the run, or exactly at the factor', () => {
    const none = [onSurface('rmsprop', leavesAt(99)), onSurface('sgd', leavesAt(99)), onSurface('momentum', leavesAt(99))];
    expect(claim.score(surfaceRun(none))).toMatchObject({ verdict: 'inconclusive', qualifier: 'tie' });
    expect(surfaceVerdict(claim, [onSurface('rmsprop', leavesAt(3)), onSurface('sgd', leavesAt(9)), onSurface('momentum', leavesAt(6))])).toBe('inconclusive');
  });
  it('is inconclusive without one of the compared optimizers', () => {
    expect(surfaceVerdict(claim, [onSurface('rmsprop', leavesAt(2)), onSurface('sgd', leavesAt(9))])).toBe('inconclusive');
  });
});
