/** Learning-rate scaling and momentum: the units every recipe ends with. */
import * as tf from '@tensorflow/tfjs-core';
import { ScalarCache, perParameter, type GradientTransformation, type Nothing, type Schedule, type SlotTensors } from './transform.js';

/**
 * updates = −η_t · g (optax scale_by_learning_rate): the sign turns a descent direction into an
 * update that is added to the parameters. η may be a constant or a schedule of the step count.
 */
export function scaleByLearningRate(learningRate: number | Schedule): GradientTransformation<Nothing, { count: number }> {
  const constants = new ScalarCache();
  // A constant rate uses one cached scalar; a schedule needs a fresh one each step (freed by the tidy).
  const negativeRate = typeof learningRate === 'number'
    ? () => constants.get(-learningRate)
    : (count: number) => tf.scalar(-learningRate(count));
  return {
    name: 'scale_by_learning_rate',
    init: () => ({ slots: {}, scalars: { count: 0 } }),
    update(grads, state) {
      const count = state.scalars.count;
      const factor = negativeRate(count);
      return { updates: grads.map((g) => tf.mul(factor, g)), state: { slots: {}, scalars: { count: count + 1 } } };
    },
    dispose: () => constants.dispose(),
  };
}

/**
 * Momentum (optax `trace`):  v ← μ·v + g;  updates = v, or with Nesterov g + μ·v.
 * Where this unit sits in the chain is the momentum convention: after scaleByLearningRate it is
 * Keras's v ← μv − ηg, w += v (ResourceApplyKerasMomentum, tensorflow/core/kernels/training_ops.cc
 * `ApplyKerasMomentum`: `accum = accum * momentum() - grad * lr()`, Nesterov
 * `var += accum * momentum() - grad * lr()`); before it, tfjs's a ← μa + g, w −= η·a
 * (tfjs-core momentum_optimizer.ts). The two agree while η is constant.
 */
export function trace(options: { decay: number; nesterov: boolean }): GradientTransformation<{ trace: SlotTensors }, Nothing> {
  const constants = new ScalarCache();
  const mu = () => constants.get(options.decay);
  return {
    name: 'trace',
    init: (params) => ({ slots: { trace: params.map((p) => tf.zerosLike(p)) }, scalars: {} }),
    update(grads, state) {
      if (!options.nesterov) {
        const traces = grads.map((g, i) => tf.add(tf.mul(mu(), state.slots.trace[i]), g));
        return { updates: traces, state: { slots: { trace: traces }, scalars: {} } };
      }
      const { trace: traces, update } = perParameter(grads.length, (i) => {
        const v = tf.add(tf.mul(mu(), state.slots.trace[i]), grads[i]);
        return { trace: v, update: tf.add(grads[i], tf.mul(v, mu())) };
      });
      return { updates: update, state: { slots: { trace: traces }, scalars: {} } };
    },
    dispose: () => constants.dispose(),
  };
}
