/**
 * The experiments' names in the study's order (surfaces last), without loading their definitions (which
 * load TensorFlow.js): the command line's help and validation need only the names. A test keeps these
 * lists equal to ./index.ts's EXPERIMENTS.
 */
export const MODEL_EXPERIMENT_NAMES = ['boston', 'fashion', 'imdb', 'temperature'] as const;
export const EXPERIMENT_NAMES = [...MODEL_EXPERIMENT_NAMES, 'surfaces'] as const;
