/**
 * AdaBelief, J. Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed
 * Gradients", NeurIPS 2020, Algorithm 2 — written with optbench's from-scratch layer as a worked example
 * of `--optimizer-file`:
 *
 *   npm run experiment -- boston --optimizer-file examples/optimizers/adabelief.ts
 *
 * Adam with the second moment of the gradient's *surprise* g − m instead of g itself, per coordinate:
 *   m ← β₁·m + (1 − β₁)·g;   s ← β₂·s + (1 − β₂)·(g − m)² + ε;
 *   m̂ = m / (1 − β₁ᵗ);   ŝ = s / (1 − β₂ᵗ);   θ ← θ − α·m̂ / (√ŝ + ε).
 * Defaults are the paper's (and the authors' adabelief-pytorch ≥ 0.1): α = 1e-3, β = (0.9, 0.999), ε = 1e-16.
 */
import * as tf from '@tensorflow/tfjs-core';
import { scaleByLearningRate } from '../../src/optimizers/scaling.js';
import { chain, perParameter, ScalarCache, type GradientTransformation } from '../../src/optimizers/transform.js';
import { defineOptimizer } from '../../src/optimizers/userModule.js';

/**
 * AdaBelief's direction (optax `scale_by_belief`): m̂ / (√ŝ + ε), with t = count + 1. The bias
 * corrections are computed on the host in float64 each step and enter as scalars.
 */
export function scaleByBelief(options: { beta1: number; beta2: number; epsilon: number }): GradientTransformation {
  const constants = new ScalarCache();
  const c = (value: number) => constants.get(value);
  const { beta1, beta2, epsilon } = options;
  return {
    name: 'scale_by_belief',
    init: (params) => ({ slots: { mu: params.map((p) => tf.zerosLike(p)), s: params.map((p) => tf.zerosLike(p)) }, scalars: { count: 0 } }),
    update(grads, state) {
      const t = state.scalars.count + 1;
      // Freed by the optimizer's tidy around the step.
      const firstCorrection = tf.scalar(1 - beta1 ** t);
      const secondCorrection = tf.scalar(1 - beta2 ** t);
      const { mu, s, update } = perParameter(grads.length, (i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(state.slots.mu[i], c(beta1)), tf.mul(g, c(1 - beta1)));
        const surprise = tf.sub(g, m);
        const belief = tf.add(tf.add(tf.mul(state.slots.s[i], c(beta2)), tf.mul(tf.square(surprise), c(1 - beta2))), c(epsilon));
        const direction = tf.div(tf.div(m, firstCorrection), tf.add(tf.sqrt(tf.div(belief, secondCorrection)), c(epsilon)));
        return { mu: m, s: belief, update: direction };
      });
      return { updates: update, state: { slots: { mu, s }, scalars: { count: t } } };
    },
    dispose: () => constants.dispose(),
  };
}

export default defineOptimizer({
  name: 'adabelief',
  label: 'AdaBelief',
  defaults: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-16 },
  convention: 'zhuang-2020',
  transform: (h) => chain(scaleByBelief(h), scaleByLearningRate(h.learningRate)),
});
