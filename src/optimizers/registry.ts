/**
 * The optimizers the harness knows: names, Keras 2.x defaults (the study's), and factories for the
 * tfjs built-in and the from-scratch implementation. Every experiment builds its optimizers here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DuplicateOptimizerError, InvalidHyperparameterError, UnknownOptimizerError } from './errors.js';
import type { Hyperparameters } from './hyperparameters.js';
import { ScratchOptimizer, scratchConvention, type ScratchOptimizerName } from './scratch.js';

export type OptimizerImplName = 'builtin' | 'scratch';

export interface OptimizerSpec {
  name: string;
  label: string;
  /** Keras 2.x defaults (the article's era), learningRate included. See docs/study.md, "Conventions". */
  defaults: Hyperparameters;
  /** tfjs built-in, when tfjs has one. Follows tfjs's update convention. */
  builtin?: (h: Hyperparameters) => tf.Optimizer;
  /** The from-scratch implementation (src/optimizers/), when there is one. */
  scratch?: (h: Hyperparameters) => tf.Optimizer;
  /** Which convention the built-in follows, recorded in results.json. */
  builtinConvention: string;
  /** Convention of the from-scratch implementation given the hyperparameters, recorded in results.json. */
  scratchConvention?: (h: Hyperparameters) => string;
  /**
   * Set when the tfjs built-in does not do what the study's Keras optimizer does, with the reason:
   * the default implementation is then the from-scratch one.
   */
  builtinCaveat?: string;
}

export { OPTIMIZER_NAMES, STUDY_OPTIMIZERS } from './names.js';

const num = (h: Hyperparameters, key: string): number => {
  const value = h[key];
  if (typeof value !== 'number') throw new InvalidHyperparameterError('tfjs built-in', key, `must be a number, got ${JSON.stringify(value)}`);
  return value;
};

/**
 * The from-scratch implementation (src/optimizers/scratch.ts): the spec's defaults filled in under the
 * given hyperparameters, plus the scratch-only options documented there (convention, schedules,
 * clipping, penalties; rmsprop `centered`/`momentum`, adam/adamw `amsgrad`, momentum `nesterov`).
 */
function fromScratch(name: ScratchOptimizerName): Pick<OptimizerSpec, 'scratch' | 'scratchConvention'> {
  const withDefaults = (h: Hyperparameters): Hyperparameters => ({ ...OPTIMIZERS[name].defaults, ...h });
  return {
    scratch: (h) => new ScratchOptimizer(name, withDefaults(h)),
    scratchConvention: (h) => scratchConvention(name, withDefaults(h)),
  };
}

/**
 * tfjs's momentum optimizer, disposing completely: in tfjs 4.22 MomentumOptimizer.dispose() does not
 * call SGDOptimizer's, so the learning-rate scalar it keeps (`c`) leaks one tensor per optimizer.
 */
function builtinMomentum(h: Hyperparameters, useNesterov: boolean): tf.Optimizer {
  const optimizer = tf.train.momentum(num(h, 'learningRate'), num(h, 'momentum'), useNesterov);
  const disposeSlots = optimizer.dispose.bind(optimizer);
  optimizer.dispose = () => {
    disposeSlots();
    (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
  };
  return optimizer;
}

export const OPTIMIZERS: Record<string, OptimizerSpec> = {
  adadelta: {
    name: 'adadelta', label: 'Adadelta',
    defaults: { learningRate: 0.001, rho: 0.95, epsilon: 1e-7 },
    builtin: (h) => tf.train.adadelta(num(h, 'learningRate'), num(h, 'rho'), num(h, 'epsilon')),
    builtinConvention: 'tfjs',
    builtinCaveat: 'tfjs\'s Adadelta divides by the squared-gradient accumulator *before* its update; both accumulators '
      + 'start at zero and then stay equal, so every step is exactly −lr·g (plain SGD). The study ran Keras\'s Adadelta, '
      + 'so optbench runs the from-scratch Keras-convention one unless --impl builtin is asked for.',
    ...fromScratch('adadelta'),
  },
  adagrad: {
    name: 'adagrad', label: 'Adagrad',
    // tfjs's adagrad takes no epsilon: it uses the backend epsilon (1e-7 on all backends here).
    defaults: { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 },
    builtin: (h) => tf.train.adagrad(num(h, 'learningRate'), num(h, 'initialAccumulatorValue')),
    builtinConvention: 'tfjs',
    ...fromScratch('adagrad'),
  },
  adam: {
    name: 'adam', label: 'Adam',
    defaults: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    builtin: (h) => tf.train.adam(num(h, 'learningRate'), num(h, 'beta1'), num(h, 'beta2'), num(h, 'epsilon')),
    builtinConvention: 'tfjs',
    ...fromScratch('adam'),
  },
  adamax: {
    name: 'adamax', label: 'Adamax',
    defaults: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    builtin: (h) => tf.train.adamax(num(h, 'learningRate'), num(h, 'beta1'), num(h, 'beta2'), num(h, 'epsilon'), 0),
    builtinConvention: 'tfjs',
    ...fromScratch('adamax'),
  },
  ftrl: {
    name: 'ftrl', label: 'Ftrl',
    defaults: {
      learningRate: 0.001, learningRatePower: -0.5, initialAccumulatorValue: 0.1,
      l1RegularizationStrength: 0, l2RegularizationStrength: 0, l2ShrinkageRegularizationStrength: 0, beta: 0,
    },
    builtinConvention: 'none',
    ...fromScratch('ftrl'),
  },
  nadam: {
    name: 'nadam', label: 'Nadam',
    defaults: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    builtinConvention: 'none',
    ...fromScratch('nadam'),
  },
  rmsprop: {
    name: 'rmsprop', label: 'RMSprop',
    defaults: { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
    builtin: (h) => tf.train.rmsprop(num(h, 'learningRate'), num(h, 'rho'), num(h, 'momentum'), num(h, 'epsilon'), h.centered === true),
    builtinConvention: 'tfjs',
    ...fromScratch('rmsprop'),
  },
  sgd: {
    name: 'sgd', label: 'SGD',
    // Keras's SGD default is 0.01 (the article's text says 0.001 for "all"; we record what ran).
    defaults: { learningRate: 0.01 },
    builtin: (h) => tf.train.sgd(num(h, 'learningRate')),
    builtinConvention: 'tfjs',
    ...fromScratch('sgd'),
  },
  momentum: {
    name: 'momentum', label: 'SGD + momentum',
    defaults: { learningRate: 0.01, momentum: 0.9 },
    builtin: (h) => builtinMomentum(h, false),
    builtinConvention: 'tfjs',
    ...fromScratch('momentum'),
  },
  nesterov: {
    name: 'nesterov', label: 'SGD + Nesterov',
    defaults: { learningRate: 0.01, momentum: 0.9 },
    builtin: (h) => builtinMomentum(h, true),
    builtinConvention: 'tfjs',
    ...fromScratch('nesterov'),
  },
  adamw: {
    name: 'adamw', label: 'AdamW',
    defaults: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 },
    builtinConvention: 'none',
    ...fromScratch('adamw'),
  },
};

/**
 * Adds an optimizer defined outside this file (a user's --optimizer-file, see ./userModule.ts). Its name
 * must be new: a module cannot replace a built-in.
 */
export function registerOptimizer(spec: OptimizerSpec): void {
  if (Object.hasOwn(OPTIMIZERS, spec.name)) throw new DuplicateOptimizerError(spec.name);
  OPTIMIZERS[spec.name] = spec;
}

export function getOptimizerSpec(name: string): OptimizerSpec {
  const spec = OPTIMIZERS[name];
  if (!spec) throw new UnknownOptimizerError(name, Object.keys(OPTIMIZERS));
  return spec;
}

/**
 * The implementation an experiment runs when none is asked for: the tfjs built-in where it exists and
 * does what the study's Keras optimizer does, otherwise the from-scratch one.
 */
export function defaultImpl(name: string): OptimizerImplName {
  const spec = getOptimizerSpec(name);
  return spec.builtin && !spec.builtinCaveat ? 'builtin' : 'scratch';
}
