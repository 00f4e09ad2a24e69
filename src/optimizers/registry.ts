/**
 * The optimizers the harness knows: names, Keras 2.x defaults (the study's), and factories for the
 * tfjs built-in and the from-scratch implementation. Every experiment builds its optimizers here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DuplicateOptimizerError, InvalidHyperparameterError, UnknownOptimizerError } from './errors.js';
import {
  KERAS_DEFAULTS, type BuiltinOptimizerName, type HyperparameterOverrides, type Hyperparameters, type HyperparametersOf,
  type ResolvedHyperparameters,
} from './hyperparameters.js';
import { ScratchOptimizer, scratchConvention } from './scratch.js';

export type OptimizerImplName = 'builtin' | 'scratch';

/**
 * A registry entry. Its factories take the optimizer's resolved hyperparameters (resolveHyperparameters:
 * defaults with the unit's overrides, every key present), never partial ones. `H` is the entry's own
 * hyperparameter type; the registry holds entries as `OptimizerSpec` (the general record), which is also
 * what a user optimizer (--optimizer-file) brings.
 */
export interface OptimizerSpec<H extends ResolvedHyperparameters = ResolvedHyperparameters> {
  name: string;
  label: string;
  /** Every hyperparameter with its default, learningRate included. Built-ins: Keras 2.x's (KERAS_DEFAULTS). */
  defaults: H;
  /** tfjs built-in, when tfjs has one. Follows tfjs's update convention. */
  builtin?: (h: H) => tf.Optimizer;
  /** The from-scratch implementation (src/optimizers/), when there is one. */
  scratch?: (h: H) => tf.Optimizer;
  /** Which convention the built-in follows, recorded in results.json. */
  builtinConvention: string;
  /** Convention of the from-scratch implementation given the hyperparameters, recorded in results.json. */
  scratchConvention?: (h: H) => string;
  /**
   * Set when the tfjs built-in does not do what the study's Keras optimizer does, with the reason:
   * the default implementation is then the from-scratch one.
   */
  builtinCaveat?: string;
}

export { OPTIMIZER_NAMES, STUDY_OPTIMIZERS } from './names.js';

/**
 * A built-in entry: its defaults from KERAS_DEFAULTS, its from-scratch implementation, and factories
 * typed with its own hyperparameters. The entry is stored under the general record type: the registry
 * only ever calls it with resolveHyperparameters(name, …), whose keys and types match `H` (checked there).
 */
function builtinEntry<N extends BuiltinOptimizerName>(
  name: N,
  entry: Pick<OptimizerSpec<HyperparametersOf<N>>, 'label' | 'builtin' | 'builtinConvention' | 'builtinCaveat'>,
): OptimizerSpec {
  const spec: OptimizerSpec<HyperparametersOf<N>> = {
    name,
    defaults: { ...KERAS_DEFAULTS[name] } as HyperparametersOf<N>,
    ...entry,
    // The from-scratch implementation (src/optimizers/scratch.ts) and the scratch-only options documented
    // there (convention, schedules, clipping, penalties; rmsprop `centered`/`momentum`, adam/adamw
    // `amsgrad`, momentum `nesterov`).
    scratch: (h) => new ScratchOptimizer(name, h),
    scratchConvention: (h) => scratchConvention(name, h),
  };
  return spec as unknown as OptimizerSpec;
}

/**
 * tfjs's momentum optimizer, disposing completely: in tfjs 4.22 MomentumOptimizer.dispose() does not
 * call SGDOptimizer's, so the learning-rate scalar it keeps (`c`) leaks one tensor per optimizer.
 */
function builtinMomentum(h: HyperparametersOf<'momentum' | 'nesterov'>, useNesterov: boolean): tf.Optimizer {
  const optimizer = tf.train.momentum(h.learningRate, h.momentum, useNesterov);
  const disposeSlots = optimizer.dispose.bind(optimizer);
  optimizer.dispose = () => {
    disposeSlots();
    (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
  };
  return optimizer;
}

export const OPTIMIZERS: Record<string, OptimizerSpec> = {
  adadelta: builtinEntry('adadelta', {
    label: 'Adadelta',
    builtin: (h) => tf.train.adadelta(h.learningRate, h.rho, h.epsilon),
    builtinConvention: 'tfjs',
    builtinCaveat: 'tfjs\'s Adadelta divides by the squared-gradient accumulator *before* its update; both accumulators '
      + 'start at zero and then stay equal, so every step is exactly −lr·g (plain SGD). The study ran Keras\'s Adadelta, '
      + 'so optbench runs the from-scratch Keras-convention one unless --impl builtin is asked for.',
  }),
  adagrad: builtinEntry('adagrad', {
    label: 'Adagrad',
    builtin: (h) => tf.train.adagrad(h.learningRate, h.initialAccumulatorValue),
    builtinConvention: 'tfjs',
  }),
  adam: builtinEntry('adam', {
    label: 'Adam',
    builtin: (h) => tf.train.adam(h.learningRate, h.beta1, h.beta2, h.epsilon),
    builtinConvention: 'tfjs',
  }),
  adamax: builtinEntry('adamax', {
    label: 'Adamax',
    builtin: (h) => tf.train.adamax(h.learningRate, h.beta1, h.beta2, h.epsilon, 0),
    builtinConvention: 'tfjs',
  }),
  ftrl: builtinEntry('ftrl', { label: 'Ftrl', builtinConvention: 'none' }),
  nadam: builtinEntry('nadam', { label: 'Nadam', builtinConvention: 'none' }),
  rmsprop: builtinEntry('rmsprop', {
    label: 'RMSprop',
    builtin: (h) => tf.train.rmsprop(h.learningRate, h.rho, h.momentum, h.epsilon, h.centered),
    builtinConvention: 'tfjs',
  }),
  sgd: builtinEntry('sgd', {
    label: 'SGD',
    builtin: (h) => tf.train.sgd(h.learningRate),
    builtinConvention: 'tfjs',
  }),
  momentum: builtinEntry('momentum', {
    label: 'SGD + momentum',
    builtin: (h) => builtinMomentum(h, false),
    builtinConvention: 'tfjs',
  }),
  nesterov: builtinEntry('nesterov', {
    label: 'SGD + Nesterov',
    builtin: (h) => builtinMomentum(h, true),
    builtinConvention: 'tfjs',
  }),
  adamw: builtinEntry('adamw', { label: 'AdamW', builtinConvention: 'none' }),
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

/**
 * The one place defaults are merged: the optimizer's defaults with the caller's overrides (the CLI's
 * --lr, a plan's `{ convention: 'tfjs' }`; an override left undefined keeps its default). Every factory
 * of the registry is given this record, and results.json records it. An override of a defaulted hyperparameter must have the
 * default's type (a learning rate is a number); other keys (the from-scratch options) are validated by
 * the implementation that reads them.
 */
export function resolveHyperparameters<N extends BuiltinOptimizerName>(name: N, overrides?: HyperparameterOverrides<N>): HyperparametersOf<N>;
/** Any registered optimizer, named at run time (a user's, or a name read from the command line or results.json). */
export function resolveHyperparameters<N extends string>(name: N extends BuiltinOptimizerName ? never : N, overrides?: Hyperparameters): ResolvedHyperparameters;
export function resolveHyperparameters(name: string, overrides: Hyperparameters = {}): ResolvedHyperparameters {
  const { defaults } = getOptimizerSpec(name);
  const given = Object.entries(overrides).filter(([, value]) => value !== undefined);
  for (const [key, value] of given) {
    if (Object.hasOwn(defaults, key) && typeof value !== typeof defaults[key]) {
      throw new InvalidHyperparameterError(name, key, `must be a ${typeof defaults[key]} like its default ${JSON.stringify(defaults[key])}, got ${JSON.stringify(value)}`);
    }
  }
  return { ...defaults, ...Object.fromEntries(given) };
}
