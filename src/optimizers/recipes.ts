/**
 * Named optimizers as recipes of units. Each takes its convention explicitly (see "Conventions" in
 * docs/study.md): 'keras-2' follows Keras 2.x's optimizer_v2 and TF's training_ops
 * kernels (the article's era), 'tfjs' follows tfjs-core 4.22's built-ins update for update.
 */
import { chain, type GradientTransformation, type Schedule } from './transform.js';
import { scaleByLearningRate, trace } from './scaling.js';
import { scaleByAdadelta, scaleByAdam, scaleByAdamax, scaleByNadam, scaleByRms, scaleByRss, scaleByStddev, type NadamSchedule } from './adaptive.js';
import { addDecayedWeights } from './regularization.js';

export type Convention = 'keras-2' | 'tfjs';
type LearningRate = number | Schedule;

/** w ← w − η·g. Identical in every convention. */
export function sgd(o: { learningRate: LearningRate }): GradientTransformation {
  return scaleByLearningRate(o.learningRate);
}

/**
 * Heavy-ball or Nesterov momentum. Keras: v ← μv − ηg, w += v (η inside the velocity); tfjs:
 * a ← μa + g, w −= η·a (η outside) — the convention is just the order of the two units.
 */
export function momentum(o: { learningRate: LearningRate; momentum: number; nesterov: boolean; convention: Convention }): GradientTransformation {
  const velocity = trace({ decay: o.momentum, nesterov: o.nesterov });
  const rate = scaleByLearningRate(o.learningRate);
  return o.convention === 'keras-2' ? chain(rate, velocity) : chain(velocity, rate);
}

/** Keras ε outside the root (ApplyAdagradV2); tfjs ε (the backend's) inside. */
export function adagrad(o: { learningRate: LearningRate; initialAccumulatorValue: number; epsilon: number; convention: Convention }): GradientTransformation {
  const placement = o.convention === 'keras-2' ? 'outside-sqrt' : 'inside-sqrt';
  return chain(scaleByRss({ initialAccumulatorValue: o.initialAccumulatorValue, epsilon: o.epsilon, placement }), scaleByLearningRate(o.learningRate));
}

/** Keras's denominator reads the accumulator updated with this step's g², tfjs's the previous one. */
export function adadelta(o: { learningRate: LearningRate; rho: number; epsilon: number; convention: Convention }): GradientTransformation {
  const accumulator = o.convention === 'keras-2' ? 'updated' : 'previous';
  return chain(scaleByAdadelta({ rho: o.rho, epsilon: o.epsilon, accumulator }), scaleByLearningRate(o.learningRate));
}

/**
 * RMSprop, optionally centered and with momentum: mom ← μ·mom + η·g/denominator, w −= mom (η inside
 * the momentum, in both conventions: ApplyRMSProp and tfjs's accumulatedMoments). ε placement:
 * Keras without momentum outside the root, Keras with momentum inside; tfjs always inside, and its
 * centered variant subtracts it.
 */
export function rmsprop(o: { learningRate: LearningRate; rho: number; momentum: number; epsilon: number; centered: boolean; convention: Convention }): GradientTransformation {
  const placement = o.convention === 'tfjs'
    ? (o.centered ? 'subtracted-inside-sqrt' : 'inside-sqrt')
    : (o.momentum > 0 ? 'inside-sqrt' : 'outside-sqrt');
  const options = { rho: o.rho, epsilon: o.epsilon, placement } as const;
  const scale = o.centered ? scaleByStddev(options) : scaleByRms(options);
  const rate = scaleByLearningRate(o.learningRate);
  return o.momentum > 0 ? chain(scale, rate, trace({ decay: o.momentum, nesterov: false })) : chain(scale, rate);
}

/** Keras ε-hat form vs tfjs's bias-corrected form; AMSGrad in either. */
export function adam(o: { learningRate: LearningRate; beta1: number; beta2: number; epsilon: number; amsgrad: boolean; convention: Convention }): GradientTransformation {
  const epsilonForm = o.convention === 'keras-2' ? 'epsilon-hat' : 'bias-corrected';
  return chain(scaleByAdam({ beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, amsgrad: o.amsgrad, epsilonForm }), scaleByLearningRate(o.learningRate));
}

/** Keras and tfjs agree on Adamax. */
export function adamax(o: { learningRate: LearningRate; beta1: number; beta2: number; epsilon: number }): GradientTransformation {
  return chain(scaleByAdamax(o), scaleByLearningRate(o.learningRate));
}

export function nadam(o: { learningRate: LearningRate; beta1: number; beta2: number; epsilon: number; schedule: NadamSchedule }): GradientTransformation {
  return chain(scaleByNadam(o), scaleByLearningRate(o.learningRate));
}

/** Ftrl is a single unit (it owns its learning rate): see ftrl.ts. */
export { ftrl } from './ftrl.js';

/**
 * AdamW = chain(scale_by_adam, add_decayed_weights, scale_by_learning_rate) (optax/_src/alias.py
 * `adamw`), with Keras ≥ 2.11's Adam (ε-hat, keras/optimizers/adam.py `alpha = lr * tf.sqrt(1 -
 * beta_2_power) / (1 - beta_1_power)`) and its decay w −= η·λ·w.
 */
export function adamw(o: { learningRate: LearningRate; beta1: number; beta2: number; epsilon: number; amsgrad: boolean; weightDecay: number }): GradientTransformation {
  return chain(
    scaleByAdam({ beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, amsgrad: o.amsgrad, epsilonForm: 'epsilon-hat' }),
    addDecayedWeights(o.weightDecay),
    scaleByLearningRate(o.learningRate),
  );
}
