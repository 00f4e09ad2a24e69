/**
 * An optimizer's state saved and restored into a fresh one gives the very next steps bit for bit, for the
 * built-ins (read field by field) and the from-scratch ones (host scalars kept as float64), and is
 * refused by an optimizer of another kind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { OptimizerStateError } from '../../src/optimizers/errors.js';
import { getOptimizerSpec, resolveHyperparameters } from '../../src/optimizers/registry.js';
import { restoreOptimizerState, saveOptimizerState } from '../../src/optimizers/state.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function factory(name: string, impl: 'builtin' | 'scratch'): () => tf.Optimizer {
  const entry = getOptimizerSpec(name);
  const make = impl === 'builtin' ? entry.builtin! : entry.scratch!;
  return () => make(resolveHyperparameters(name, { learningRate: 0.05 }));
}

/** Steps on f(w) = Σ (w - target)² · scale, with a gradient that changes every step. */
function steps(optimizer: tf.Optimizer, variables: tf.Variable[], from: number, count: number): void {
  for (let step = from; step < from + count; step++) {
    optimizer.minimize(() => tf.addN(variables.map((v, i) => tf.sum(tf.mul(tf.square(tf.sub(v, i + 1)), 1 + (step % 3))))) as tf.Scalar, false, variables);
  }
}

const bits = (variables: tf.Variable[]) => variables.map((v) => [...new Uint32Array((v.dataSync() as Float32Array).slice().buffer)]);

describe('saveOptimizerState / restoreOptimizerState', () => {
  it.each([['adam', 'builtin'], ['adamax', 'builtin'], ['rmsprop', 'builtin'], ['momentum', 'builtin'], ['nadam', 'scratch'], ['ftrl', 'scratch'], ['adam', 'scratch']] as const)(
    '%s (%s): the steps after a restore are the steps the saved optimizer takes',
    (name, impl) => {
      const make = factory(name, impl);
      const init = [tf.tensor([0.5, -1, 2]), tf.tensor([[3, 0.25], [-2, 1]])];
      const a = init.map((t) => tf.variable(t.clone()));
      const b = init.map((t) => tf.variable(t.clone()));
      const original = make();
      steps(original, a, 0, 7);
      const saved = saveOptimizerState(original);
      b.forEach((v, i) => v.assign(a[i]));
      const restored = make();
      restoreOptimizerState(restored, saved, b.map((v) => v.name));
      steps(original, a, 7, 5);
      steps(restored, b, 7, 5);
      expect(bits(b)).toEqual(bits(a));
      expect(restored.iterations).toBe(original.iterations);
      tf.dispose([...init, ...a, ...b]);
      original.dispose();
      restored.dispose();
    },
  );

  it('is refused by an optimizer of another class', () => {
    const saved = saveOptimizerState(factory('adam', 'builtin')());
    expect(() => restoreOptimizerState(factory('sgd', 'builtin')(), saved, [])).toThrow(OptimizerStateError);
    const scratch = saveOptimizerState(factory('nadam', 'scratch')());
    expect(() => restoreOptimizerState(factory('ftrl', 'scratch')(), { ...scratch, className: factory('ftrl', 'scratch')().getClassName() }, [])).toThrow(/not this optimizer's/);
  });
});
