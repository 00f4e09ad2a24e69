import { describe, expect, it } from 'vitest';
import { primarySeries, summarizeRun } from '../../src/results/summary.js';
import { makeResults } from '../fixtures/results/makeResults.js';

describe('summarizeRun', () => {
  it('aggregates seeds per epoch into mean, min and max', () => {
    const summary = summarizeRun(makeResults([
      { optimizer: 'adam', seed: 1, loss: [4, 2] },
      { optimizer: 'adam', seed: 2, loss: [6, 1] },
      { optimizer: 'adam', seed: 3, loss: [5, 3] },
    ]));
    expect(summary.seedCount).toBe(3);
    expect(summary.compared).toHaveLength(1);
    const [series] = summary.compared;
    expect(series.curve[0].loss).toEqual({ mean: 5, min: 4, max: 6 });
    expect(series.curve[1].loss).toEqual({ mean: 2, min: 1, max: 3 });
    expect(series.final?.loss).toBe(2);
  });

  it('marks a series not ok when any seed was not ok, and plots none of it', () => {
    const summary = summarizeRun(makeResults([
      { optimizer: 'sgd', seed: 1 },
      { optimizer: 'sgd', seed: 2, status: 'diverged', reason: 'NaN loss at epoch 4' },
    ]));
    const [series] = summary.compared;
    expect(series.status).toBe('diverged');
    expect(series.reason).toBe('diverged in 1 of 2 seeds (seed 2): NaN loss at epoch 4');
    expect(series.curve).toEqual([]);
    expect(series.final).toBeNull();
  });

  it('names both implementations when both ran, and prefers the built-in as primary', () => {
    const summary = summarizeRun(makeResults([{ optimizer: 'adam' }, { optimizer: 'adam', impl: 'scratch' }, { optimizer: 'nadam', impl: 'scratch' }]));
    expect(summary.compared.map((s) => s.label)).toEqual(['Adam (builtin)', 'Adam (scratch)', 'Nadam']);
    expect(primarySeries(summary, 'adam')?.impl).toBe('builtin');
    expect(primarySeries(summary, 'nadam')?.impl).toBe('scratch');
  });

  it('compares an optimizer at its registry default learning rate when a sweep includes it', () => {
    // Adam's registry default is 0.001; 0.01 ends lower but the study's setting is the default.
    const summary = summarizeRun(makeResults([
      { optimizer: 'adam', learningRate: 0.01, end: 0.1 },
      { optimizer: 'adam', learningRate: 0.001, end: 0.5 },
    ]));
    expect(summary.all).toHaveLength(2);
    expect(summary.compared.map((s) => s.learningRate)).toEqual([0.001]);
    expect(summary.compared[0].label).toBe('Adam lr=0.001');
    expect(summary.learningRates).toEqual([0.001, 0.01]);
    expect(summary.swept).toBe(true);
  });

  it('does not call optimizers at different rates of their own a sweep', () => {
    // The study's run: SGD at Keras's 0.01, the others at 0.001.
    const summary = summarizeRun(makeResults([{ optimizer: 'adam', learningRate: 0.001 }, { optimizer: 'sgd', learningRate: 0.01 }]));
    expect(summary.learningRates).toEqual([0.001, 0.01]);
    expect(summary.swept).toBe(false);
    expect(summary.compared.map((s) => s.label)).toEqual(['Adam', 'SGD']);
  });

  it('falls back to the best learning rate when the default did not run', () => {
    const summary = summarizeRun(makeResults([
      { optimizer: 'adam', learningRate: 0.1, end: 0.9 },
      { optimizer: 'adam', learningRate: 0.01, end: 0.2 },
    ]));
    expect(summary.compared.map((s) => s.learningRate)).toEqual([0.01]);
  });
});
