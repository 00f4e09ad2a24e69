/**
 * Hyperparameters: the one table of the built-in optimizers' Keras 2.x defaults, the type of each
 * optimizer's hyperparameters derived from it, and the general record they travel as between the
 * registry, the from-scratch optimizers, user optimizers (--optimizer-file) and results.json. The
 * registry and the from-scratch layer both read this file; it lets neither import the other for it.
 */

type HyperparameterValue = number | boolean | string;

/**
 * Hyperparameters of any optimizer, built-in or a user's, as results.json records them: Keras names to
 * numbers, flags and choices (e.g. `convention`). The typed records below are all assignable to it.
 */
export type Hyperparameters = Record<string, HyperparameterValue>;

/**
 * Every hyperparameter of an optimizer (built-in or a user's) once its defaults are filled in by the
 * registry's resolveHyperparameters: every optimizer has a learning rate, so this one is always a number.
 */
export type ResolvedHyperparameters = Hyperparameters & { learningRate: number };

/**
 * Keras 2.x defaults (the article's era), learningRate included; see docs/study.md, "Conventions".
 * The order of the keys is the order results.json records them in: keep it.
 */
export const KERAS_DEFAULTS = {
  adadelta: { learningRate: 0.001, rho: 0.95, epsilon: 1e-7 },
  // tfjs's adagrad takes no epsilon: it uses the backend epsilon (1e-7 on all backends here).
  adagrad: { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 },
  adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  adamax: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  ftrl: {
    learningRate: 0.001, learningRatePower: -0.5, initialAccumulatorValue: 0.1,
    l1RegularizationStrength: 0, l2RegularizationStrength: 0, l2ShrinkageRegularizationStrength: 0, beta: 0,
  },
  nadam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  rmsprop: { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
  // Keras's SGD default is 0.01 (the article's text says 0.001 for "all"; we record what ran).
  sgd: { learningRate: 0.01 },
  momentum: { learningRate: 0.01, momentum: 0.9 },
  nesterov: { learningRate: 0.01, momentum: 0.9 },
  adamw: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 },
} as const satisfies Record<string, ResolvedHyperparameters>;

/** The optimizers optbench ships (a user's --optimizer-file adds more at run time, untyped). */
export type BuiltinOptimizerName = keyof typeof KERAS_DEFAULTS;

/** Conventions each from-scratch optimizer implements; the first is the study's default (Keras 2.x era). */
export const SCRATCH_CONVENTIONS = {
  sgd: ['keras-2', 'tfjs'],
  momentum: ['keras-2', 'tfjs'],
  nesterov: ['keras-2', 'tfjs'],
  adagrad: ['keras-2', 'tfjs'],
  adadelta: ['keras-2', 'tfjs'],
  rmsprop: ['keras-2', 'tfjs'],
  adam: ['keras-2', 'tfjs'],
  adamax: ['keras-2', 'tfjs'],
  nadam: ['tf-2.10', 'keras-2.11'],
  ftrl: ['keras-2'],
  adamw: ['keras-2.11'],
} as const satisfies Record<BuiltinOptimizerName, readonly string[]>;

/** Learning-rate schedules of the from-scratch optimizers (scratch.ts). */
export const SCHEDULES = ['constant', 'inverse-time', 'exponential', 'step', 'cosine'] as const;

/** Options every from-scratch optimizer accepts besides its own; scratch.ts documents and validates them. */
type ScratchOptions = {
  decay?: number;
  schedule?: (typeof SCHEDULES)[number];
  decayRate?: number;
  decaySteps?: number;
  alpha?: number;
  clipvalue?: number;
  clipnorm?: number;
  globalClipnorm?: number;
  l1Penalty?: number;
  l2Penalty?: number;
};

/** Options only some from-scratch optimizers read, beyond their Keras defaults. */
type ScratchOnlyOptions = {
  momentum: { nesterov?: boolean };
  adam: { amsgrad?: boolean };
  adamw: { amsgrad?: boolean };
};

/** A default's type without its literal value (`0.9` → number, `false` → boolean). */
type Widened<T> = { -readonly [K in keyof T]: T[K] extends number ? number : T[K] extends boolean ? boolean : T[K] };

/**
 * Each built-in optimizer's hyperparameters: its Keras defaults (all present once resolved), its
 * convention and the from-scratch options. `OptimizerHyperparameters['adam']['beta1']` is a number, and a
 * misspelt name does not compile.
 */
export type OptimizerHyperparameters = {
  [N in BuiltinOptimizerName]: Widened<(typeof KERAS_DEFAULTS)[N]>
    & { convention?: (typeof SCRATCH_CONVENTIONS)[N][number] }
    & ScratchOptions
    & (N extends keyof ScratchOnlyOptions ? ScratchOnlyOptions[N] : unknown);
};

export type HyperparametersOf<N extends BuiltinOptimizerName> = OptimizerHyperparameters[N];

/**
 * What a caller (the CLI's --lr, a run plan, a test) may override of a built-in optimizer's defaults; the
 * registry's resolveHyperparameters fills in the rest. Given the union of names it is the union of the
 * optimizers' overrides: a key no built-in optimizer has, or a convention none implements, does not compile.
 */
export type HyperparameterOverrides<N extends BuiltinOptimizerName = BuiltinOptimizerName> = Partial<HyperparametersOf<N>>;
