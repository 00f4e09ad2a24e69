import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { defaultImpl, OPTIMIZER_NAMES, OPTIMIZERS, STUDY_OPTIMIZERS, getOptimizerSpec, resolveHyperparameters } from '../../src/optimizers/registry.js';
import { InvalidHyperparameterError, UnknownOptimizerError } from '../../src/optimizers/errors.js';
import { KERAS_DEFAULTS } from '../../src/optimizers/hyperparameters.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Ten steps of an optimizer on f(w) = Σ (w − target)², returning the final weights. */
function descend(optimizer: tf.Optimizer): number[] {
  const w = tf.variable(tf.tensor1d([1, -2, 3]));
  const target = tf.tensor1d([0.5, 0.25, -1]);
  for (let i = 0; i < 10; i++) optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, target))), false, [w]);
  const values = Array.from(w.dataSync());
  w.dispose();
  target.dispose();
  optimizer.dispose();
  return values;
}

describe('optimizer registry', () => {
  it('runs every study optimizer, built-in where faithful, from scratch otherwise', () => {
    for (const name of STUDY_OPTIMIZERS) {
      const impl = defaultImpl(name);
      expect(impl === 'builtin' ? OPTIMIZERS[name].builtin : OPTIMIZERS[name].scratch).toBeDefined();
    }
    expect(defaultImpl('adam')).toBe('builtin');
    expect(defaultImpl('nadam')).toBe('scratch');
    expect(defaultImpl('ftrl')).toBe('scratch');
  });

  it('does not default to tfjs\'s Adadelta, which degenerates to plain SGD', () => {
    const h = resolveHyperparameters('adadelta', { learningRate: 0.1 });
    const tfjsAdadelta = descend(OPTIMIZERS.adadelta.builtin!(h));
    const sgd = descend(OPTIMIZERS.sgd.builtin!(resolveHyperparameters('sgd', { learningRate: 0.1 })));
    // The caveat is real: the built-in moves exactly like SGD at the same learning rate...
    for (let i = 0; i < 3; i++) expect(tfjsAdadelta[i]).toBeCloseTo(sgd[i], 6);
    // ...and the default is the Keras-convention one, which does not.
    expect(OPTIMIZERS.adadelta.builtinCaveat).toMatch(/plain SGD/);
    expect(defaultImpl('adadelta')).toBe('scratch');
    const kerasAdadelta = descend(OPTIMIZERS.adadelta.scratch!(h));
    expect(Math.abs(kerasAdadelta[0] - sgd[0])).toBeGreaterThan(1e-3);
  });

  it('resolves hyperparameters in one place: every default, the overrides on top, in the defaults\' order', () => {
    const adam = resolveHyperparameters('adam', { learningRate: 0.01, convention: 'tfjs' });
    expect(adam).toEqual({ ...KERAS_DEFAULTS.adam, learningRate: 0.01, convention: 'tfjs' });
    // results.json records this record: its key order (and so its JSON) is the defaults' order, overrides last.
    expect(JSON.stringify(adam)).toBe('{"learningRate":0.01,"beta1":0.9,"beta2":0.999,"epsilon":1e-7,"convention":"tfjs"}');
    expect(resolveHyperparameters('sgd')).toEqual({ learningRate: 0.01 });
    expect(resolveHyperparameters('sgd', { learningRate: undefined })).toEqual({ learningRate: 0.01 });
    for (const name of Object.keys(OPTIMIZERS)) expect(resolveHyperparameters(name)).toEqual(OPTIMIZERS[name].defaults);
    // Typed per optimizer: Adam's beta1 is a number, and a hyperparameter Adam does not have does not compile.
    expectTypeOf(adam.beta1).toBeNumber();
    // @ts-expect-error rho is Adadelta's and RMSprop's, not Adam's
    expect(() => resolveHyperparameters('adam', { rho: 0.9 })).not.toThrow();
  });

  it('leaves the merging to resolveHyperparameters: a factory given a partial record refuses it', () => {
    expect(() => OPTIMIZERS.adam.scratch!({ learningRate: 0.1 })).toThrow(/beta1.*finite number/);
    const optimizer = OPTIMIZERS.adam.scratch!(resolveHyperparameters('adam', { learningRate: 0.1 }));
    expect(optimizer.getConfig()).toEqual({ optimizer: 'adam', hyperparameters: { ...KERAS_DEFAULTS.adam, learningRate: 0.1 } });
    optimizer.dispose();
  });

  it('refuses an override whose type is not its default\'s, naming it', () => {
    const untyped: Record<string, number | string | boolean> = { learningRate: '0.1' };
    expect(() => resolveHyperparameters('adam', untyped)).toThrow(InvalidHyperparameterError);
    expect(() => resolveHyperparameters('adam', untyped)).toThrow(/learningRate.*must be a number.*got "0.1"/);
    expect(() => resolveHyperparameters('rmsprop', { centered: 1 } as never)).toThrow(/centered.*must be a boolean/);
    expect(() => resolveHyperparameters('adamm')).toThrow(UnknownOptimizerError);
  });

  it('names the valid optimizers when given an unknown one', () => {
    expect(() => getOptimizerSpec('adamm')).toThrow(UnknownOptimizerError);
    expect(() => getOptimizerSpec('adamm')).toThrow(/Valid names: .*adam.*sgd/);
  });

  it('releases every tensor of every optimizer and implementation on dispose', () => {
    for (const [name, spec] of Object.entries(OPTIMIZERS)) {
      for (const factory of [spec.builtin, spec.scratch]) {
        if (!factory) continue;
        const w = tf.variable(tf.ones([3]));
        const before = tf.memory().numTensors;
        const optimizer = factory(resolveHyperparameters(name));
        for (let i = 0; i < 3; i++) optimizer.minimize(() => tf.sum(tf.square(w)), false, [w]);
        optimizer.dispose();
        expect({ name, leaked: tf.memory().numTensors - before }).toEqual({ name, leaked: 0 });
        w.dispose();
      }
    }
  });
});

describe('optimizer names (src/optimizers/names.ts, read by the command line without loading tfjs)', () => {
  it('are the registry\'s keys, study first', () => {
    expect([...OPTIMIZER_NAMES]).toEqual(Object.keys(OPTIMIZERS));
    expect(OPTIMIZER_NAMES.slice(0, STUDY_OPTIMIZERS.length)).toEqual([...STUDY_OPTIMIZERS]);
  });
});
