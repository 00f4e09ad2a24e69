/** Errors of src/train/, in one place: what went wrong and what to do about it. */
import type { OptimizerImpl } from '../results/schema.js';

/** A worker failed to prepare the experiment (and the error is not one of the data errors rethrown as is). */
export class WorkerStartError extends Error {
  override name = 'WorkerStartError';
}

export class ArraySplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArraySplitError';
  }
}

export class OptimizerUnavailableError extends Error {
  constructor(readonly optimizer: string, readonly impl: OptimizerImpl, alternatives: OptimizerImpl[]) {
    super(`optimizer '${optimizer}' has no ${impl} implementation`
      + (alternatives.length ? ` (available: --impl ${alternatives.join(' or ')})` : ''));
    this.name = 'OptimizerUnavailableError';
  }
}

/** The plan cannot be run as asked (too big, or two units would be the same); bad input. */
export class PlanError extends Error {
  override name = 'PlanError';
}

/** A held-out split (--tune) that cannot be carved: the fraction leaves nothing to train or validate on. */
export class HoldoutError extends Error {
  override name = 'HoldoutError';
}
