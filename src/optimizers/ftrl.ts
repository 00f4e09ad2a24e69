/**
 * FTRL-Proximal (McMahan et al. 2013) exactly as Keras 2.x runs it: keras/optimizer_v2/ftrl.py hands
 * the kernel `l2 = l2_regularization_strength + beta / (2. * lr_t)` and calls ResourceApplyFtrl, or
 * ResourceApplyFtrlV2 when l2_shrinkage_regularization_strength > 0. The kernel,
 * tensorflow/core/kernels/training_ops.cc `ApplyFtrlV2<CPUDevice>` (V1 is the same with no shrinkage):
 *
 *   grad_with_shrinkage = grad + 2 * l2_shrinkage * var
 *   new_accum = accum + grad * grad
 *   linear += grad_with_shrinkage - (new_accum^(-lr_power) - accum^(-lr_power)) / lr * var
 *   x = l1 * sign(linear) - linear
 *   y = new_accum^(-lr_power) / lr + 2 * l2
 *   var = |linear| > l1 ? x / y : 0
 *   accum = new_accum
 *
 * Ftrl computes the new weight rather than a step, and η enters non-linearly, so this one unit owns
 * its learning rate; its update is new weight − weight.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ScalarCache, perParameter, type GradientTransformation, type Schedule, type SlotTensors } from './transform.js';

export interface FtrlOptions {
  learningRate: number | Schedule;
  learningRatePower: number;
  initialAccumulatorValue: number;
  l1: number;
  l2: number;
  l2Shrinkage: number;
  beta: number;
}

export function ftrl(options: FtrlOptions): GradientTransformation<{ accumulator: SlotTensors; linear: SlotTensors }, { count: number }> {
  const constants = new ScalarCache();
  const c = (value: number) => constants.get(value);
  const rate = typeof options.learningRate === 'number' ? () => options.learningRate as number : options.learningRate;
  // accum^(-lr_power); the kernel special-cases −0.5 as a square root.
  const power = (accum: tf.Tensor) => (options.learningRatePower === -0.5 ? tf.sqrt(accum) : tf.pow(accum, c(-options.learningRatePower)));
  return {
    name: 'ftrl',
    init: (params) => ({
      slots: { accumulator: params.map((p) => tf.fill(p.shape, options.initialAccumulatorValue)), linear: params.map((p) => tf.zerosLike(p)) },
      scalars: { count: 0 },
    }),
    update(grads, state, params) {
      const count = state.scalars.count;
      const lr = rate(count);
      const inverseLr = tf.scalar(1 / lr);
      const twiceL2 = tf.scalar(2 * (options.l2 + options.beta / (2 * lr)));
      const l1 = c(options.l1);
      const { accumulator, linear, update } = perParameter(grads.length, (i) => {
        const g = grads[i];
        const w = params[i];
        const shrunkGrad = options.l2Shrinkage > 0 ? tf.add(g, tf.mul(c(2 * options.l2Shrinkage), w)) : g;
        const newAccum = tf.add(state.slots.accumulator[i], tf.square(g));
        const newPower = power(newAccum);
        const sigma = tf.mul(tf.sub(newPower, power(state.slots.accumulator[i])), inverseLr);
        const z = tf.sub(tf.add(state.slots.linear[i], shrunkGrad), tf.mul(sigma, w));
        const x = tf.sub(tf.mul(l1, tf.sign(z)), z);
        const y = tf.add(tf.mul(newPower, inverseLr), twiceL2);
        const newWeight = tf.where(tf.greater(tf.abs(z), l1), tf.div(x, y), tf.zerosLike(w));
        return { accumulator: newAccum, linear: z, update: tf.sub(newWeight, w) };
      });
      return { updates: update, state: { slots: { accumulator, linear }, scalars: { count: count + 1 } } };
    },
    dispose: () => constants.dispose(),
  };
}
