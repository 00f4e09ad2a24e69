/**
 * Lion ("EvoLved Sign Momentum"), X. Chen et al., "Symbolic Discovery of Optimization Algorithms",
 * NeurIPS 2023, Algorithm 2 — written with optbench's from-scratch layer as a worked example of
 * `--optimizer-file`:
 *
 *   npm run experiment -- fashion --profile quick --optimizer-file examples/optimizers/lion.ts
 *
 * The update, per coordinate, with β₁ = 0.9, β₂ = 0.99:
 *   c = β₁·m + (1 − β₁)·g;   θ ← θ − η·(sign(c) + λ·θ);   m ← β₂·m + (1 − β₂)·g.
 * Every step has the same size η in every coordinate (the sign), so the paper advises a learning rate 3–10×
 * smaller than AdamW's: the default here is 1e-4 against AdamW's 1e-3. Weight decay λ defaults to 0, as
 * the study's other optimizers have none (AdamW aside); the paper pairs Lion with a λ 3–10× larger than AdamW's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { addDecayedWeights } from '../../src/optimizers/regularization.js';
import { scaleByLearningRate } from '../../src/optimizers/scaling.js';
import { chain, perParameter, ScalarCache, type GradientTransformation } from '../../src/optimizers/transform.js';
import { defineOptimizer } from '../../src/optimizers/userModule.js';

/**
 * Lion's direction (optax `scale_by_lion`): sign(β₁·m + (1 − β₁)·g), then the momentum m is moved with
 * the other rate β₂. A descent direction: the chain's scaleByLearningRate turns it into −η·sign(c).
 */
export function scaleByLion(options: { beta1: number; beta2: number }): GradientTransformation {
  const constants = new ScalarCache();
  const c = (value: number) => constants.get(value);
  return {
    name: 'scale_by_lion',
    init: (params) => ({ slots: { mu: params.map((p) => tf.zerosLike(p)) }, scalars: {} }),
    update(grads, state) {
      const { mu, update } = perParameter(grads.length, (i) => {
        const [m, g] = [state.slots.mu[i], grads[i]];
        return {
          update: tf.sign(tf.add(tf.mul(m, c(options.beta1)), tf.mul(g, c(1 - options.beta1)))),
          mu: tf.add(tf.mul(m, c(options.beta2)), tf.mul(g, c(1 - options.beta2))),
        };
      });
      return { updates: update, state: { slots: { mu }, scalars: {} } };
    },
    dispose: () => constants.dispose(),
  };
}

export default defineOptimizer({
  name: 'lion',
  label: 'Lion',
  defaults: { learningRate: 1e-4, beta1: 0.9, beta2: 0.99, weightDecay: 0 },
  convention: 'chen-2023',
  // Decoupled decay sits between the direction and the rate, so the step is −η·(sign(c) + λθ) as in the paper.
  transform: (h) => chain(
    scaleByLion(h),
    ...(h.weightDecay > 0 ? [addDecayedWeights(h.weightDecay)] : []),
    scaleByLearningRate(h.learningRate),
  ),
});
