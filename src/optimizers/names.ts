/**
 * The optimizers' names, without loading TensorFlow.js (the command line's help and validation need them
 * first). The registry (./registry.ts) defines one entry per name; a test keeps the two equal.
 */

/** The eight optimizers of the article ("all those available in Keras"), in its order. */
export const STUDY_OPTIMIZERS = ['adadelta', 'adagrad', 'adam', 'adamax', 'ftrl', 'nadam', 'rmsprop', 'sgd'] as const;
/** Extras beyond the study. */
export const EXTRA_OPTIMIZERS = ['momentum', 'nesterov', 'adamw'] as const;
/** Every optimizer the registry knows, study first. */
export const OPTIMIZER_NAMES: readonly string[] = [...STUDY_OPTIMIZERS, ...EXTRA_OPTIMIZERS];
