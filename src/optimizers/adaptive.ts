/**
 * Per-coordinate adaptive scalings: the direction each adaptive optimizer hands to the learning rate.
 * Each returns a descent direction (to be scaled by −η): updates follow the equations cited, with the
 * step number t = count + 1. Where Keras 2.x and tfjs place ε differently the unit takes the placement
 * as an option; the recipes (recipes.ts) pick it per convention.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ScalarCache, perParameter, type GradientTransformation, type Nothing, type SlotTensors } from './transform.js';

/** Where ε enters a root-mean-square denominator. */
export type EpsilonPlacement =
  /** g / √(s + ε): tfjs everywhere; Keras RMSprop with momentum (ApplyRMSProp, ApplyCenteredRMSProp). */
  | 'inside-sqrt'
  /** g / (√s + ε): Keras Adagrad (ApplyAdagradV2), Keras RMSprop without momentum. */
  | 'outside-sqrt'
  /** g / √(s − ε): tfjs's centered RMSprop, `sqrt(sub(ms, add(square(mg), epsilon)))`. */
  | 'subtracted-inside-sqrt';

function rootDenominator(s: tf.Tensor, eps: tf.Scalar, placement: EpsilonPlacement): tf.Tensor {
  switch (placement) {
    case 'inside-sqrt': return tf.sqrt(tf.add(s, eps));
    case 'outside-sqrt': return tf.add(tf.sqrt(s), eps);
    case 'subtracted-inside-sqrt': return tf.sqrt(tf.sub(s, eps));
  }
}

/** ρ·s + (1 − ρ)·x, the exponential moving average every unit here keeps. */
function ema(c: (value: number) => tf.Scalar, s: tf.Tensor, x: tf.Tensor, rho: number): tf.Tensor {
  return tf.add(tf.mul(s, c(rho)), tf.mul(x, c(1 - rho)));
}

function zerosSlot(params: readonly tf.Tensor[]): tf.Tensor[] {
  return params.map((p) => tf.zerosLike(p));
}

function cached(): [ScalarCache, (value: number) => tf.Scalar] {
  const constants = new ScalarCache();
  return [constants, (value) => constants.get(value)];
}

/**
 * Adagrad (optax scale_by_rss):  s ← s + g²;  direction = g / √(s + ε) or g / (√s + ε).
 * Keras: ApplyAdagradV2 `var -= grad * lr() / (accum.sqrt() + epsilon())` (training_ops.cc);
 * tfjs: adagrad_optimizer.ts `div(gradient, sqrt(add(newAccumulatedGrad, epsilon)))`.
 */
export function scaleByRss(options: { initialAccumulatorValue: number; epsilon: number; placement: EpsilonPlacement }): GradientTransformation<{ sum: SlotTensors }, Nothing> {
  const [constants, c] = cached();
  return {
    name: 'scale_by_rss',
    init: (params) => ({ slots: { sum: params.map((p) => tf.fill(p.shape, options.initialAccumulatorValue)) }, scalars: {} }),
    update(grads, state) {
      const { sum, update } = perParameter(grads.length, (i) => {
        const s = tf.add(state.slots.sum[i], tf.square(grads[i]));
        return { sum: s, update: tf.div(grads[i], rootDenominator(s, c(options.epsilon), options.placement)) };
      });
      return { updates: update, state: { slots: { sum }, scalars: {} } };
    },
    dispose: () => constants.dispose(),
  };
}

/**
 * RMSprop (optax scale_by_rms):  s ← ρs + (1 − ρ)g²;  direction = g / √(s + ε) or g / (√s + ε).
 * Keras 2.x: keras/optimizer_v2/rmsprop.py `_resource_apply_dense` — without momentum
 * `var - lr_t * grad / (sqrt(rms_t) + epsilon)`, with momentum ApplyRMSProp
 * `(grad * lr()) / ((ms + epsilon()).sqrt())`; tfjs: rmsprop_optimizer.ts (ε inside).
 */
export function scaleByRms(options: { rho: number; epsilon: number; placement: EpsilonPlacement }): GradientTransformation<{ nu: SlotTensors }, Nothing> {
  const [constants, c] = cached();
  return {
    name: 'scale_by_rms',
    init: (params) => ({ slots: { nu: zerosSlot(params) }, scalars: {} }),
    update(grads, state) {
      const { nu, update } = perParameter(grads.length, (i) => {
        const v = ema(c, state.slots.nu[i], tf.square(grads[i]), options.rho);
        return { nu: v, update: tf.div(grads[i], rootDenominator(v, c(options.epsilon), options.placement)) };
      });
      return { updates: update, state: { slots: { nu }, scalars: {} } };
    },
    dispose: () => constants.dispose(),
  };
}

/**
 * Centered RMSprop (optax scale_by_stddev):  s ← ρs + (1 − ρ)g²,  m ← ρm + (1 − ρ)g;
 * direction = g / √(s − m² ± ε) or g / (√(s − m²) + ε).
 * Keras with momentum: ApplyCenteredRMSProp `denom = (ms - mg.square()) + epsilon()`; Keras without:
 * rmsprop.py `denom_t = rms_t - tf.square(mg_t)`, `/ (tf.sqrt(denom_t) + epsilon)`; tfjs subtracts ε.
 */
export function scaleByStddev(options: { rho: number; epsilon: number; placement: EpsilonPlacement }): GradientTransformation<{ mu: SlotTensors; nu: SlotTensors }, Nothing> {
  const [constants, c] = cached();
  return {
    name: 'scale_by_stddev',
    init: (params) => ({ slots: { mu: zerosSlot(params), nu: zerosSlot(params) }, scalars: {} }),
    update(grads, state) {
      const { mu, nu, update } = perParameter(grads.length, (i) => {
        const v = ema(c, state.slots.nu[i], tf.square(grads[i]), options.rho);
        const m = ema(c, state.slots.mu[i], grads[i], options.rho);
        const variance = tf.sub(v, tf.square(m));
        return { mu: m, nu: v, update: tf.div(grads[i], rootDenominator(variance, c(options.epsilon), options.placement)) };
      });
      return { updates: update, state: { slots: { mu, nu }, scalars: {} } };
    },
    dispose: () => constants.dispose(),
  };
}

/** Which squared-gradient accumulator Adadelta's denominator reads. */
export type AdadeltaAccumulator =
  /** The one just updated with g²: TF's ApplyAdadelta (Keras 2.x), Zeiler's Algorithm 1. */
  | 'updated'
  /** The one from before this step: tfjs adadelta_optimizer.ts `sqrt(add(accumulatedGrad, epsilon))`. */
  | 'previous';

/**
 * Adadelta (Zeiler 2012):  s ← ρs + (1 − ρ)g²;  Δ = √(u + ε) / √(s + ε) · g;  u ← ρu + (1 − ρ)Δ²;
 * direction = Δ. TF kernel (training_ops.cc ApplyAdadelta): `accum = accum * rho() + grad.square() *
 * (1 - rho())`, `update = (accum_update + epsilon()).sqrt() * (accum + epsilon()).rsqrt() * grad`.
 */
export function scaleByAdadelta(options: { rho: number; epsilon: number; accumulator: AdadeltaAccumulator }): GradientTransformation<{ grads: SlotTensors; deltas: SlotTensors }, Nothing> {
  const [constants, c] = cached();
  return {
    name: 'scale_by_adadelta',
    init: (params) => ({ slots: { grads: zerosSlot(params), deltas: zerosSlot(params) }, scalars: {} }),
    update(grads, state) {
      const eps = c(options.epsilon);
      const { squaredGrads, deltas, update } = perParameter(grads.length, (i) => {
        const s = ema(c, state.slots.grads[i], tf.square(grads[i]), options.rho);
        const denominator = options.accumulator === 'updated' ? s : state.slots.grads[i];
        const delta = tf.mul(tf.div(tf.sqrt(tf.add(state.slots.deltas[i], eps)), tf.sqrt(tf.add(denominator, eps))), grads[i]);
        return { squaredGrads: s, deltas: ema(c, state.slots.deltas[i], tf.square(delta), options.rho), update: delta };
      });
      return { updates: update, state: { slots: { grads: squaredGrads, deltas }, scalars: {} } };
    },
    dispose: () => constants.dispose(),
  };
}

/** How Adam's ε meets the bias correction. */
export type AdamEpsilon =
  /** m̂ / (√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ): tfjs adam_optimizer.ts, optax, the paper's Algorithm 1. */
  | 'bias-corrected'
  /**
   * α·m / (√v + ε̂) with α = √(1 − β₂ᵗ)/(1 − β₁ᵗ): Keras 2.x (ApplyAdam, training_ops.cc
   * `alpha = lr() * sqrt(T(1) - beta2_power()) / (T(1) - beta1_power())`, `var -= (m * alpha) /
   * (v.sqrt() + epsilon())`), the paper's "ε-hat" form before its Section 2.1.
   */
  | 'epsilon-hat';

/** Adam's moments, and with AMSGrad the running maximum of the second one. */
export type AdamSlots = { mu: SlotTensors; nu: SlotTensors; nuMax?: SlotTensors };

/**
 * Adam (optax scale_by_adam):  m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²; with AMSGrad the
 * denominator uses v̄ ← max(v̄, v) (ApplyAdamWithAmsgrad: `vhat.device(d) = vhat.cwiseMax(v)`).
 */
export function scaleByAdam(options: { beta1: number; beta2: number; epsilon: number; amsgrad: boolean; epsilonForm: AdamEpsilon }): GradientTransformation<AdamSlots, { count: number; beta1Power: number; beta2Power: number }> {
  const [constants, c] = cached();
  const { beta1, beta2 } = options;
  return {
    name: 'scale_by_adam',
    init: (params) => ({
      slots: { mu: zerosSlot(params), nu: zerosSlot(params), ...(options.amsgrad ? { nuMax: zerosSlot(params) } : {}) },
      // β₁ᵗ and β₂ᵗ as running float32 products, as tfjs (adam_optimizer.ts accBeta1/accBeta2) and TF keep
      // them: computed in float64 instead they differ in the last bit, and training amplifies that.
      scalars: { count: 0, beta1Power: 1, beta2Power: 1 },
    }),
    update(grads, state) {
      const t = state.scalars.count + 1;
      const beta1Power = Math.fround(state.scalars.beta1Power * Math.fround(beta1));
      const beta2Power = Math.fround(state.scalars.beta2Power * Math.fround(beta2));
      const eps = c(options.epsilon);
      const firstCorrection = tf.scalar(1 - beta1Power);
      const secondCorrection = tf.scalar(1 - beta2Power);
      const alpha = tf.scalar(Math.sqrt(1 - beta2Power) / (1 - beta1Power));
      const { update, mu, nu, nuMax } = perParameter(grads.length, (i) => {
        const m = ema(c, state.slots.mu[i], grads[i], beta1);
        const v = ema(c, state.slots.nu[i], tf.square(grads[i]), beta2);
        const vMax = options.amsgrad ? tf.maximum(state.slots.nuMax![i], v) : undefined;
        const second = vMax ?? v;
        const direction = options.epsilonForm === 'bias-corrected'
          ? tf.div(tf.div(m, firstCorrection), tf.add(tf.sqrt(tf.div(second, secondCorrection)), eps))
          : tf.div(tf.mul(m, alpha), tf.add(tf.sqrt(second), eps));
        const row: Record<string, tf.Tensor> = { mu: m, nu: v, update: direction };
        if (vMax) row.nuMax = vMax;
        return row;
      });
      return { updates: update, state: { slots: { mu, nu, ...(nuMax ? { nuMax } : {}) }, scalars: { count: t, beta1Power, beta2Power } } };
    },
    dispose: () => constants.dispose(),
  };
}

/**
 * Adamax (Kingma & Ba §7.1):  m ← β₁m + (1 − β₁)g,  u ← max(β₂u, |g|);  direction =
 * m / ((1 − β₁ᵗ)(u + ε)). TF ApplyAdaMax: `v = (beta2() * v).cwiseMax(grad.abs())`,
 * `var -= lr() / (T(1) - beta1_power()) * (m / (v + epsilon()))`; tfjs adamax_optimizer.ts the same.
 */
export function scaleByAdamax(options: { beta1: number; beta2: number; epsilon: number }): GradientTransformation<{ mu: SlotTensors; infNorm: SlotTensors }, { count: number }> {
  const [constants, c] = cached();
  return {
    name: 'scale_by_adamax',
    init: (params) => ({ slots: { mu: zerosSlot(params), infNorm: zerosSlot(params) }, scalars: { count: 0 } }),
    update(grads, state) {
      const t = state.scalars.count + 1;
      const correction = tf.scalar(1 / (1 - options.beta1 ** t));
      const { mu, infNorm, update } = perParameter(grads.length, (i) => {
        const m = ema(c, state.slots.mu[i], grads[i], options.beta1);
        const u = tf.maximum(tf.mul(state.slots.infNorm[i], c(options.beta2)), tf.abs(grads[i]));
        return { mu: m, infNorm: u, update: tf.mul(correction, tf.div(m, tf.add(u, c(options.epsilon)))) };
      });
      return { updates: update, state: { slots: { mu, infNorm }, scalars: { count: t } } };
    },
    dispose: () => constants.dispose(),
  };
}

/** Nadam's momentum schedule μ_t = β₁(1 − ½·0.96^(k·t)). */
export type NadamSchedule =
  /**
   * k = 0.004, TF ≤ 2.10's keras/optimizer_v2/nadam.py (`decay_base = 0.96`, `self._initial_decay`
   * = `schedule_decay` = 0.004, `m_t = beta_1_t * (1. - 0.5 * (tf.pow(decay_base, self._initial_decay
   * * local_step)))`): the article's era (Dozat's report, Keras 1's `schedule_decay`).
   */
  | 'tf-2.10'
  /** k = 1, Keras ≥ 2.11's keras/optimizers/nadam.py `u_t = beta_1 * (1.0 - 0.5 * (tf.pow(decay, local_step)))`. */
  | 'keras-2.11';

/**
 * Nadam (Dozat 2016) as Keras computes it, with Π_t = Π_{t−1}·μ_t the running product of the schedule:
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
 *   direction = [(1 − μ_t)·g/(1 − Π_t) + μ_{t+1}·m/(1 − Π_t·μ_{t+1})] / (√(v/(1 − β₂ᵗ)) + ε)
 * (nadam.py: `g_prime`, `m_t_prime`, `m_t_bar`, `v_t_prime`).
 */
export function scaleByNadam(options: { beta1: number; beta2: number; epsilon: number; schedule: NadamSchedule }): GradientTransformation<{ mu: SlotTensors; nu: SlotTensors }, { count: number; muProduct: number }> {
  const [constants, c] = cached();
  const k = options.schedule === 'tf-2.10' ? 0.004 : 1;
  const momentumAt = (t: number) => options.beta1 * (1 - 0.5 * 0.96 ** (k * t));
  return {
    name: 'scale_by_nadam',
    init: (params) => ({ slots: { mu: zerosSlot(params), nu: zerosSlot(params) }, scalars: { count: 0, muProduct: 1 } }),
    update(grads, state) {
      const t = state.scalars.count + 1;
      const muT = momentumAt(t);
      const muNext = momentumAt(t + 1);
      const product = state.scalars.muProduct * muT;
      const gradCoefficient = tf.scalar((1 - muT) / (1 - product));
      const momentCoefficient = tf.scalar(muNext / (1 - product * muNext));
      const secondCorrection = tf.scalar(1 - options.beta2 ** t);
      const { mu, nu, update } = perParameter(grads.length, (i) => {
        const m = ema(c, state.slots.mu[i], grads[i], options.beta1);
        const v = ema(c, state.slots.nu[i], tf.square(grads[i]), options.beta2);
        const mBar = tf.add(tf.mul(gradCoefficient, grads[i]), tf.mul(momentCoefficient, m));
        return { mu: m, nu: v, update: tf.div(mBar, tf.add(tf.sqrt(tf.div(v, secondCorrection)), c(options.epsilon))) };
      });
      return { updates: update, state: { slots: { mu, nu }, scalars: { count: t, muProduct: product } } };
    },
    dispose: () => constants.dispose(),
  };
}
