/**
 * A unit's identity and the hyperparameters it records: resolved once by the registry, recorded in
 * results.json exactly as runs written before typed hyperparameters recorded them.
 */
import { describe, expect, it } from 'vitest';
import { effectiveHyperparameters, untrainedRun, unitId } from '../../src/results/units.js';
import { KERAS_DEFAULTS } from '../../src/optimizers/hyperparameters.js';
import { InvalidHyperparameterError } from '../../src/optimizers/errors.js';

describe('effectiveHyperparameters', () => {
  it('is the defaults with the unit\'s overrides, the learning rate last, as results.json has always recorded them', () => {
    const h = effectiveHyperparameters({ optimizer: 'adam', impl: 'scratch', seed: 1, learningRate: 0.05, hyperparameters: { convention: 'tfjs' } });
    // The JSON of a main-era run's adam@scratch unit with --lr 0.05 and the tfjs convention.
    expect(JSON.stringify(h)).toBe('{"learningRate":0.05,"beta1":0.9,"beta2":0.999,"epsilon":1e-7,"convention":"tfjs"}');
    expect(effectiveHyperparameters({ optimizer: 'rmsprop', impl: 'builtin', seed: 1 })).toEqual(KERAS_DEFAULTS.rmsprop);
  });

  it('lets the unit\'s learning rate win over one in its other overrides', () => {
    const h = effectiveHyperparameters({ optimizer: 'sgd', impl: 'builtin', seed: 1, learningRate: 0.3, hyperparameters: { learningRate: 0.2 } });
    expect(h.learningRate).toBe(0.3);
  });

  it('refuses an override of the wrong type, naming it', () => {
    expect(() => effectiveHyperparameters({ optimizer: 'rmsprop', impl: 'scratch', seed: 1, hyperparameters: { centered: 'yes' } as never }))
      .toThrow(InvalidHyperparameterError);
  });
});

describe('untrainedRun', () => {
  it('records the resolved hyperparameters and their learning rate', () => {
    const run = untrainedRun({ optimizer: 'nadam', impl: 'scratch', seed: 2, learningRate: 0.01 }, unitId({ optimizer: 'nadam', impl: 'scratch', seed: 2 }, { impl: false, seed: false, learningRate: false }), 'failed', 'boom');
    expect(run.learningRate).toBe(0.01);
    expect(run.hyperparameters).toEqual({ ...KERAS_DEFAULTS.nadam, learningRate: 0.01 });
    expect(run).toMatchObject({ id: 'nadam', status: 'failed', reason: 'boom', epochs: [] });
  });
});
