/**
 * Gradient clipping, as Keras 2.x applies it before the optimizer's update
 * (keras/optimizer_v2/utils.py: `tf.clip_by_value(g, -clipvalue, clipvalue)`, `tf.clip_by_norm(g,
 * clipnorm)`, `tf.clip_by_global_norm(grads, clipnorm)`), and as the course notes define it (docs/study.md,
 * "Reference numbers from the course notes"): ∇w = max(−c, min(c, ∇w)) and ∇w = c / max(c, ‖∇w‖) · ∇w.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ScalarCache, elementwise, EMPTY_STATE, type StatelessTransformation } from './transform.js';

/** Each coordinate into [−c, c] (optax clip). */
export function clipByValue(c: number): StatelessTransformation {
  return elementwise('clip_by_value', (g) => tf.clipByValue(g, -c, c));
}

/** g · c / max(c, ‖g‖) with ‖g‖ the L2 norm of each tensor on its own (Keras `clipnorm`). */
export function clipByNorm(c: number): StatelessTransformation {
  return elementwise('clip_by_norm', (g, _param, constant) => {
    const norm = tf.sqrt(tf.sum(tf.square(g)));
    return tf.mul(g, tf.div(constant(c), tf.maximum(norm, constant(c))));
  });
}

/**
 * g · c / max(c, ‖G‖) with ‖G‖ = √(Σ‖g_i‖²) over all tensors together (Keras `global_clipnorm`,
 * optax clip_by_global_norm): the direction of the whole gradient is preserved.
 */
export function clipByGlobalNorm(c: number): StatelessTransformation {
  const constants = new ScalarCache();
  return {
    name: 'clip_by_global_norm',
    init: () => EMPTY_STATE,
    update(grads, state) {
      const factor = tf.tidy(() => {
        const globalNorm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
        return tf.div(constants.get(c), tf.maximum(globalNorm, constants.get(c)));
      });
      return { updates: grads.map((g) => tf.mul(g, factor)), state };
    },
    dispose: () => constants.dispose(),
  };
}
