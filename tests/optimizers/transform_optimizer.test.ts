/**
 * The tf.Optimizer adapter: no tensor leaks, state save/restore, missing gradients, outer tidies,
 * serialisation, model.fit, and typed errors for bad input.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { OPTIMIZERS, resolveHyperparameters } from '../../src/optimizers/registry.js';
import { KERAS_DEFAULTS, type Hyperparameters } from '../../src/optimizers/hyperparameters.js';
import { ScratchOptimizer } from '../../src/optimizers/scratch.js';
import { TransformOptimizer } from '../../src/optimizers/transform_optimizer.js';
import { UnknownVariableError } from '../../src/optimizers/errors.js';
import { InvalidHyperparameterError, OptimizerStateError } from '../../src/optimizers/errors.js';
import { fixture, SHAPES } from './stream.js';

beforeAll(async () => { await selectBackend('wasm'); });

let counter = 0;
function variables(values: Float32Array[]): tf.Variable[] {
  counter += 1;
  return tf.tidy(() => values.map((v, i) => tf.variable(tf.tensor(v, SHAPES[i]), true, `adapter${counter}/w${i}`)));
}

function step(optimizer: tf.Optimizer, vars: tf.Variable[], grads: Float32Array[]): void {
  const map: tf.NamedTensorMap = {};
  grads.forEach((g, i) => { map[vars[i].name] = tf.tensor(g, SHAPES[i]); });
  optimizer.applyGradients(map);
  tf.dispose(Object.values(map));
}

const read = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));

describe('memory', () => {
  const configurations: { name: string; h: Hyperparameters }[] = [
    ...Object.keys(OPTIMIZERS).map((name) => ({ name, h: {} })),
    { name: 'rmsprop', h: { centered: true, momentum: 0.5 } },
    { name: 'adam', h: { amsgrad: true, schedule: 'cosine', decaySteps: 20, globalClipnorm: 1, l2Penalty: 0.01 } },
    { name: 'momentum', h: { decay: 0.1, clipnorm: 1, clipvalue: 0.5, l1Penalty: 0.01 } },
  ];

  it.each(configurations)('$name $h keeps tf.memory().numTensors flat over 50 steps and frees all on dispose', ({ name, h }) => {
    const f = fixture(5, 51);
    const baseline = tf.memory().numTensors;
    const vars = variables(f.initial);
    const optimizer = OPTIMIZERS[name].scratch!(resolveHyperparameters(name, h));
    step(optimizer, vars, f.grads[0]);
    const afterFirst = tf.memory().numTensors;
    for (const grads of f.grads.slice(1)) step(optimizer, vars, grads);
    expect(tf.memory().numTensors).toBe(afterFirst);
    optimizer.dispose();
    tf.dispose(vars);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('state', () => {
  it('getWeights → setWeights into a fresh optimizer resumes exactly where the original goes', async () => {
    const f = fixture(9, 20);
    const h = resolveHyperparameters('nadam', { learningRate: 0.01 });
    const original = OPTIMIZERS.nadam.scratch!(h);
    const a = variables(f.initial);
    for (const grads of f.grads.slice(0, 10)) step(original, a, grads);

    const saved = await original.getWeights();
    expect(saved[0].name).toBe('iter');
    expect(saved.map((w) => w.name)).toContain(`${a[0].name}/0.scale_by_nadam/mu`);
    const restored = OPTIMIZERS.nadam.scratch!(h);
    await restored.setWeights(saved);
    expect(restored.iterations).toBe(10);

    const atStep10 = read(a);
    const continueFrom10 = (optimizer: tf.Optimizer) => {
      tf.tidy(() => a.forEach((v, i) => v.assign(tf.tensor(atStep10[i], SHAPES[i]))));
      for (const grads of f.grads.slice(10)) step(optimizer, a, grads);
      return read(a);
    };
    const fresh = OPTIMIZERS.nadam.scratch!(h);
    const expected = continueFrom10(original);
    expect(continueFrom10(restored)).toEqual(expected);
    // Without the saved state the continuation differs: the round trip carried real information.
    expect(continueFrom10(fresh)).not.toEqual(expected);
    [original, restored, fresh].forEach((o) => o.dispose());
    tf.dispose(a);
  });

  it('refuses weights saved from another recipe with a typed error, leaking nothing', async () => {
    const f = fixture(2, 1);
    const adam = OPTIMIZERS.adam.scratch!(resolveHyperparameters('adam'));
    const a = variables(f.initial);
    step(adam, a, f.grads[0]);
    const saved = await adam.getWeights();
    const before = tf.memory().numTensors;
    const rmsprop = OPTIMIZERS.rmsprop.scratch!(resolveHyperparameters('rmsprop'));
    await expect(rmsprop.setWeights(saved)).rejects.toBeInstanceOf(OptimizerStateError);
    await expect(rmsprop.setWeights(saved)).rejects.toThrow(/same recipe/);
    tf.dispose(saved.filter((w) => w.tensor.rank === 0).map((w) => w.tensor));
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    adam.dispose();
    rmsprop.dispose();
    tf.dispose(a);
  });

  it('leaves a variable without a gradient (and its slots) untouched, like the built-ins', () => {
    const f = fixture(4, 3);
    const a = variables(f.initial);
    const optimizer = OPTIMIZERS.adam.scratch!(resolveHyperparameters('adam', { learningRate: 0.1 }));
    step(optimizer, a, f.grads[0]);
    const before = read(a);
    optimizer.applyGradients([{ name: a[0].name, tensor: null as unknown as tf.Tensor }, ...a.slice(1).map((v, i) => ({ name: v.name, tensor: tf.tensor(f.grads[1][i + 1], SHAPES[i + 1]) }))]);
    const after = read(a);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).not.toEqual(before[1]);
    optimizer.dispose();
    tf.dispose(a);
  });

  it('keeps its state through an enclosing tf.tidy (as model.fit calls it)', () => {
    const f = fixture(6, 3);
    const a = variables(f.initial);
    const optimizer = OPTIMIZERS.momentum.scratch!(resolveHyperparameters('momentum'));
    tf.tidy(() => step(optimizer, a, f.grads[0]));
    expect(() => step(optimizer, a, f.grads[1])).not.toThrow();
    optimizer.dispose();
    tf.dispose(a);
  });
});

describe('integration', () => {
  it('trains a tfjs-layers model through model.fit and serialises by name', async () => {
    const optimizer = OPTIMIZERS.adam.scratch!(resolveHyperparameters('adam', { learningRate: 0.05 }));
    expect(optimizer).toBeInstanceOf(TransformOptimizer);
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'zeros' })] });
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const x = tf.tensor2d([[0, 1], [1, 0], [1, 1], [2, 1]]);
    const y = tf.tensor2d([[1], [2], [3], [5]]);
    const history = await model.fit(x, y, { epochs: 30, batchSize: 4, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);

    expect(optimizer.getClassName()).toBe('optbench.ScratchOptimizer');
    const config = optimizer.getConfig();
    const rebuilt = ScratchOptimizer.fromConfig<ScratchOptimizer>(ScratchOptimizer, config);
    expect(rebuilt.getConfig()).toEqual(config);
    expect(tf.serialization.SerializationMap.getMap().classNameMap['optbench.ScratchOptimizer']).toBeDefined();
    rebuilt.dispose();
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  });

  it('records the convention: Keras 2.x era by default, the requested one otherwise', () => {
    expect(OPTIMIZERS.adam.scratchConvention!(resolveHyperparameters('adam'))).toBe('keras-2');
    expect(OPTIMIZERS.adam.scratchConvention!(resolveHyperparameters('adam', { convention: 'tfjs' }))).toBe('tfjs');
    expect(OPTIMIZERS.nadam.scratchConvention!(resolveHyperparameters('nadam'))).toBe('tf-2.10');
    expect(OPTIMIZERS.ftrl.scratchConvention!(resolveHyperparameters('ftrl'))).toBe('keras-2');
    expect(OPTIMIZERS.adamw.scratchConvention!(resolveHyperparameters('adamw'))).toBe('keras-2.11');
    expect(() => OPTIMIZERS.nadam.scratchConvention!({ ...KERAS_DEFAULTS.nadam, convention: 'keras-2' })).toThrow(/'tf-2.10', 'keras-2.11'/);
  });
});

describe('bad input', () => {
  it('names the hyperparameter that is wrong and what it must be', () => {
    // Records as they come back from results.json or a user, past the compiler: the implementation checks them.
    const adam = (h: Hyperparameters) => OPTIMIZERS.adam.scratch!({ ...KERAS_DEFAULTS.adam, ...h });
    expect(() => adam({ learningRate: -1 })).toThrow(InvalidHyperparameterError);
    expect(() => adam({ learningRate: 'fast' })).toThrow(/learningRate.*finite number/);
    expect(() => adam({ beta1: 1.5 })).toThrow(/beta1.*≤ 1/);
    expect(() => adam({ amsgrad: 'yes' })).toThrow(/amsgrad.*true or false/);
    expect(() => OPTIMIZERS.sgd.scratch!({ learningRate: 0.1, momentum: 0.9 })).toThrow(/momentum.*not used/);
    expect(() => OPTIMIZERS.ftrl.scratch!(resolveHyperparameters('ftrl', { learningRatePower: 0.5 }))).toThrow(/learningRatePower.*≤ 0/);
  });

  it('rejects a gradient for something that is not a registered variable', () => {
    const optimizer = OPTIMIZERS.sgd.scratch!(resolveHyperparameters('sgd'));
    const g = tf.scalar(1);
    expect(() => optimizer.applyGradients({ 'no-such-variable': g })).toThrow(UnknownVariableError);
    g.dispose();
    optimizer.dispose();
  });
});
