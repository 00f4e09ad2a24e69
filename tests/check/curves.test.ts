import { describe, expect, it } from 'vitest';
import { curveInfo, defaultCurve, groupUnits, outcomeOf } from '../../src/check/curves.js';
import { ADAM, results, seedsOf, SPREAD, unit } from './fixtures.js';

describe('grouping a run\'s units', () => {
  it('pools the seeds of an optimizer under its name', () => {
    const groups = groupUnits(results([...seedsOf('adam', ADAM, SPREAD), ...seedsOf('sgd', ADAM, SPREAD)]));
    expect([...groups.keys()]).toEqual(['adam', 'sgd']);
    expect(groups.get('adam')!.units.map((u) => u.seed)).toEqual([1, 2, 3]);
  });

  it('keeps a unit that failed before its optimizer was built (learning rate NaN) with its optimizer', () => {
    const failed = { ...unit({ optimizer: 'sgd', seed: 3, valLoss: ADAM, status: 'failed' }), learningRate: Number.NaN };
    const groups = groupUnits(results([...seedsOf('sgd', ADAM, [0, 0.01], { learningRate: 0.01 }), failed]));
    expect([...groups.keys()]).toEqual(['sgd']);
    expect(groups.get('sgd')).toMatchObject({ learningRate: 0.01, units: [{ seed: 1 }, { seed: 2 }, { seed: 3 }] });
  });

  it('separates learning rates of a sweep', () => {
    const groups = groupUnits(results([...seedsOf('sgd', ADAM, SPREAD, { learningRate: 0.1 }), ...seedsOf('sgd', ADAM, SPREAD, { learningRate: 0.01 })]));
    expect([...groups.keys()]).toEqual(['sgd#lr=0.1', 'sgd#lr=0.01']);
  });
});

describe('unit outcomes and curves', () => {
  it('tells trained, broken (a convergence failure) and never-trained units apart', () => {
    const outcome = (status: Parameters<typeof unit>[0]['status']) => outcomeOf(unit({ optimizer: 'adam', seed: 1, valLoss: ADAM, status }));
    expect([outcome('ok'), outcome('diverged'), outcome('failed'), outcome('unavailable'), outcome('skipped')])
      .toEqual(['ok', 'broken', 'broken', 'absent', 'absent']);
  });

  it('knows each curve\'s direction: losses down, the metric as the experiment declares it', () => {
    const accuracy = { name: 'accuracy', higherIsBetter: true };
    expect(curveInfo('valLoss', accuracy)).toEqual({ label: 'validation loss', lowerIsBetter: true });
    expect(curveInfo('valMetric', accuracy)).toEqual({ label: 'validation accuracy', lowerIsBetter: false });
    expect(curveInfo('metric', { name: 'meanSquaredError', higherIsBetter: false })).toEqual({ label: 'training meanSquaredError', lowerIsBetter: true });
  });

  it('judges the validation loss by default, the training loss without validation data', () => {
    expect(defaultCurve({ validationSamples: 102 })).toBe('valLoss');
    expect(defaultCurve({ validationSamples: 0 })).toBe('loss');
  });
});
