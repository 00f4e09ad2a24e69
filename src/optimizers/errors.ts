/** Typed errors of the optimizer layer: each message says what was wrong and how to fix it. */

/** A hyperparameter is missing, has the wrong type, or is out of range. */
export class InvalidHyperparameterError extends Error {
  constructor(readonly optimizer: string, readonly key: string, detail: string) {
    super(`optimizer '${optimizer}': hyperparameter '${key}' ${detail}`);
    this.name = 'InvalidHyperparameterError';
  }
}

/** Saved optimizer state (setWeights) that does not fit the optimizer it is loaded into. */
export class OptimizerStateError extends Error {
  constructor(detail: string) {
    super(`cannot restore optimizer state: ${detail}`);
    this.name = 'OptimizerStateError';
  }
}

export class UnknownOptimizerError extends Error {
  constructor(readonly requested: string, known: readonly string[]) {
    super(`unknown optimizer '${requested}'. Valid names: ${known.join(', ')}`);
    this.name = 'UnknownOptimizerError';
  }
}

/** The gradient was computed for a tensor that is not a registered tf.Variable. */
export class UnknownVariableError extends Error {
  constructor(readonly variableName: string) {
    super(`no tf.Variable named '${variableName}' is registered: optimizers update variables, so compute gradients with respect to tf.variable(...) tensors (or pass a varList of variables to minimize)`);
    this.name = 'UnknownVariableError';
  }
}

/** An --optimizer-file that cannot be used: the message names the file and what is missing or wrong. */
export class OptimizerModuleError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`--optimizer-file ${file}: ${problem}`);
    this.name = 'OptimizerModuleError';
  }
}

/** An optimizer registered under a name the registry already has. */
export class DuplicateOptimizerError extends Error {
  constructor(readonly optimizer: string) {
    super(`optimizer '${optimizer}' is already registered: give the new one another name`);
    this.name = 'DuplicateOptimizerError';
  }
}
