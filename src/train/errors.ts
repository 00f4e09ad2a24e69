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

/**
 * The run was stopped (Ctrl-C, SIGTERM, a worker signalled) before every unit finished. What was saved
 * is on disk: finished units in units/, the others' last finished epochs in checkpoints/.
 */
export class RunInterruptedError extends Error {
  override name = 'RunInterruptedError';

  constructor(
    readonly signal: string,
    readonly runDir: string,
    /** Units recorded (finished), of this run or resumed. */
    readonly finished: string[],
    /** Units with a checkpoint: the last epoch saved. */
    readonly saved: { id: string; epoch: number }[],
    /** Units with nothing saved. */
    readonly notStarted: string[],
    readonly epochs: number,
  ) {
    super(`the run was interrupted by ${signal}`);
  }
}

/** Training stopped between two batches because it was asked to (Ctrl-C, SIGTERM): nothing is wrong. */
export class TrainingStoppedError extends Error {
  override name = 'TrainingStoppedError';

  constructor() {
    super('training was stopped');
  }
}

/** A checkpoint file that cannot be used (damaged, or not this unit's); `reason` says why. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';

  constructor(readonly file: string, readonly reason: string) {
    super(`checkpoint ${file} is unusable: ${reason}`);
  }
}

/** A held-out split (--tune) that cannot be carved: the fraction leaves nothing to train or validate on. */
export class HoldoutError extends Error {
  override name = 'HoldoutError';
}
