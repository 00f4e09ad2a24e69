/**
 * Penalties added to the gradient (the course notes' regularisation, docs/study.md) and decoupled weight decay.
 */
import * as tf from '@tensorflow/tfjs-core';
import { elementwise, type StatelessTransformation } from './transform.js';

/** g + λ·sign(w): the gradient of the L1 penalty λ‖w‖₁ (the course notes: ∂L1/∂w_k = λ sign(w_k), docs/study.md). */
export function addL1Penalty(lambda: number): StatelessTransformation {
  return elementwise('add_l1_penalty', (g, w, c) => tf.add(g, tf.mul(c(lambda), tf.sign(w))));
}

/**
 * g + 2λ·w: the gradient of the L2 penalty λ‖w‖² (the course notes' regulariser, and Keras's
 * `regularizers.l2(λ)` = λ·Σw²). The notes print its derivative as λ/2·w; that is the gradient of
 * λ/4·‖w‖², so we follow the penalty, not the misprint.
 */
export function addL2Penalty(lambda: number): StatelessTransformation {
  return elementwise('add_l2_penalty', (g, w, c) => tf.add(g, tf.mul(c(2 * lambda), w)));
}

/**
 * g + λ·w placed before the learning-rate scaling (optax add_decayed_weights): decoupled weight decay
 * (Loshchilov & Hutter), w ← w − η·λ·w − η·step, which is Keras ≥ 2.11's `variable.assign_sub(variable
 * * wd * lr)` applied ahead of the update (keras/optimizers/optimizer.py `_apply_weight_decay`).
 */
export function addDecayedWeights(weightDecay: number): StatelessTransformation {
  return elementwise('add_decayed_weights', (g, w, c) => tf.add(g, tf.mul(c(weightDecay), w)));
}
