/**
 * Learning-rate schedules: functions of `count`, the number of updates already applied (0 on the
 * first step), as Keras's optimizer_v2 evaluates them (`_decayed_lr` casts `self.iterations` before
 * incrementing it, keras/optimizer_v2/optimizer_v2.py) and as optax's schedules do.
 */
import type { Schedule } from './transform.js';

/**
 * lr₀ / (1 + decayRate · count / decaySteps): Keras InverseTimeDecay
 * (keras/optimizer_v2/learning_rate_schedule.py). With decaySteps = 1 this is the legacy `decay`
 * argument of every Keras 2.x optimizer, `lr_t = lr_t / (1. + decay_t * local_step)`
 * (optimizer_v2.py `_decayed_lr`), and the course notes' lr = lr_inicial / (1 + decay · iteraciones)
 * (docs/study.md, "Reference numbers from the course notes").
 */
export function inverseTimeDecay(initial: number, decayRate: number, decaySteps = 1): Schedule {
  return (count) => initial / (1 + decayRate * (count / decaySteps));
}

/**
 * lr₀ · decayRate^(count / decaySteps), or with `staircase` decayRate^⌊count / decaySteps⌋ — the
 * classic step decay (Keras ExponentialDecay; optax exponential_decay).
 */
export function exponentialDecay(initial: number, decayRate: number, decaySteps: number, staircase = false): Schedule {
  return (count) => {
    const p = count / decaySteps;
    return initial * decayRate ** (staircase ? Math.floor(p) : p);
  };
}

/**
 * lr₀ · ((1 − α) · ½(1 + cos(π · min(count, decaySteps) / decaySteps)) + α): Keras CosineDecay
 * (Loshchilov & Hutter's SGDR without restarts); stays at α · lr₀ after decaySteps.
 */
export function cosineDecay(initial: number, decaySteps: number, alpha = 0): Schedule {
  return (count) => {
    const cosine = 0.5 * (1 + Math.cos((Math.PI * Math.min(count, decaySteps)) / decaySteps));
    return initial * ((1 - alpha) * cosine + alpha);
  };
}
