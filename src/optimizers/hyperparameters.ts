/**
 * Hyperparameters as they travel between the registry, the from-scratch optimizers and results.json:
 * Keras names to numbers, flags and choices (e.g. `convention`). The registry and the from-scratch
 * layer both read them; this file lets neither import the other for it.
 */
export type Hyperparameters = Record<string, number | boolean | string>;
