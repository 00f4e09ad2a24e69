/** The tuning claims' measures and verdicts on constructed runs (nothing is trained). */
import { describe, expect, it } from 'vitest';
import type { OptimizerRun, TuningChoice, TuningPhase } from '../../src/results/schema.js';
import { rateMattersMore, rateShare, spreadShrinksWhenTuned } from '../../src/claims/tuning.js';
import { results, unit } from '../check/fixtures.js';

const RATES = [0.0001, 0.001, 0.01];

function choice(optimizer: string, gridLoss: (number | null)[]): TuningChoice {
  return { optimizer, impl: 'builtin', defaultLearningRate: 0.001, grid: RATES, gridLoss, chosen: 0.001 };
}

function tuning(choices: TuningChoice[]) {
  return {
    protocol: 'test', holdout: { fraction: 0.2, seed: 1 }, gridSeeds: [1], finalSeeds: [1], gridPoints: 3, gridRatio: 10, choices,
  };
}

/** A final unit of one phase ending at `loss`. */
function final(optimizer: string, phase: TuningPhase, loss: number, status: OptimizerRun['status'] = 'ok'): OptimizerRun {
  return { ...unit({ optimizer, seed: 1, valLoss: [loss * 2, loss], status }), id: `${optimizer}#${phase}`, phase };
}

describe('the rate matters more than the optimizer', () => {
  it('is all rate when the optimizers share one curve over the grid, all optimizer when each is flat', () => {
    const rateOnly = results([], { tuning: tuning(['a', 'b', 'c'].map((o) => choice(o, [4, 1, 2]))) });
    expect(rateShare(rateOnly)!.share).toBeCloseTo(1, 12);
    expect(rateMattersMore.score(rateOnly).verdict).toBe('reproduced');
    const optimizerOnly = results([], { tuning: tuning([choice('a', [1, 1, 1]), choice('b', [3, 3, 3]), choice('c', [9, 9, 9])]) });
    expect(rateShare(optimizerOnly)!.share).toBeCloseTo(0, 12);
    expect(rateMattersMore.score(optimizerOnly).verdict).toBe('not-reproduced');
  });

  it('splits ln(loss) variance exactly: within-optimizer sum of squares over the total', () => {
    const mixed = results([], { tuning: tuning([choice('a', [1, 2, 4]), choice('b', [2, 4, 8])]) });
    const logs = [[0, Math.LN2, 2 * Math.LN2], [Math.LN2, 2 * Math.LN2, 3 * Math.LN2]];
    const all = logs.flat();
    const grand = all.reduce((a, b) => a + b) / all.length;
    const total = all.reduce((a, v) => a + (v - grand) ** 2, 0);
    const within = logs.reduce((s, g) => s + g.reduce((a, v) => a + (v - g[1]) ** 2, 0), 0);
    expect(rateShare(mixed)!.share).toBeCloseTo(within / total, 12);
    // In units of ln 2: within = 2 + 2, total = 5.5 around the grand mean 1.5.
    expect(rateShare(mixed)!.share).toBeCloseTo(8 / 11, 12);
  });

  it('counts a diverged cell at the worst finite loss, and says so', () => {
    const run = results([], { tuning: tuning([choice('a', [1, 2, null]), choice('b', [1, 2, 4])]) });
    expect(rateShare(run)).toMatchObject({ cells: 6, capped: 1 });
    expect(rateMattersMore.score(run).evidence).toContain('1 diverged or failed cells counted at the worst finite loss');
  });

  it('is inconclusive on a run that was not tuned', () => {
    expect(rateMattersMore.score(results([final('a', 'default', 1)])).verdict).toBe('inconclusive');
  });
});

describe('tuning shrinks the spread between optimizers', () => {
  const run = (defaults: number[], tuned: number[]) => results(
    [...defaults.map((loss, i) => final(`o${i}`, 'default', loss)), ...tuned.map((loss, i) => final(`o${i}`, 'tuned', loss))],
    { tuning: tuning([]) },
  );

  it('is reproduced when the log-spread falls by at least a fifth, not when it grows', () => {
    expect(spreadShrinksWhenTuned.score(run([1, 2, 4, 8], [1, 1.1, 1.2, 1.3])).verdict).toBe('reproduced');
    expect(spreadShrinksWhenTuned.score(run([1, 1.1, 1.2, 1.3], [1, 2, 4, 8])).verdict).toBe('not-reproduced');
    // ×0.9: shrinks, but by less than the margin.
    expect(spreadShrinksWhenTuned.score(run([1, 2, 4], [1, 2 ** 0.9, 4 ** 0.9])).verdict).toBe('inconclusive');
  });

  it('compares only optimizers that ran ok at both rates, and names the others', () => {
    const withDiverged = results(
      [...[1, 2, 4].map((l, i) => final(`o${i}`, 'default', l)), final('o3', 'default', 100, 'diverged'),
        ...[1, 1.1, 1.2, 1.3].map((l, i) => final(`o${i}`, 'tuned', l))],
      { tuning: tuning([]) },
    );
    const score = spreadShrinksWhenTuned.score(withDiverged);
    expect(score.verdict).toBe('reproduced');
    expect(score.evidence).toContain('over 3 optimizers');
    expect(score.evidence).toContain('left out (not ok in both): o3');
  });
});
