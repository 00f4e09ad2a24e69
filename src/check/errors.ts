/**
 * Bad input to the convergence check. Every error here means "the check could not judge", never
 * "convergence regressed": the CLI maps them to exit code 2 so CI tells a broken set-up from a regression.
 */
export abstract class ConvergenceCheckInputError extends Error {}

/** The run directory has no results.json. */
export class RunDirectoryError extends ConvergenceCheckInputError {
  constructor(readonly runDir: string) {
    super(`no results.json in '${runDir}': pass a run directory made by \`npm run experiment\`, e.g. reports/fashion/<runId>.`);
    this.name = 'RunDirectoryError';
  }
}

export class BaselineNotFoundError extends ConvergenceCheckInputError {
  constructor(readonly file: string) {
    super(`baseline '${file}' does not exist. Create it from a run (3 or more seeds, so the statistical mode can judge too): ` +
      '`npm run experiment -- <experiment> --profile <profile> --seeds 3`, then `npm run check -- <run dir> --update-baseline`.');
    this.name = 'BaselineNotFoundError';
  }
}

/** The baseline file is not JSON, not a baseline, of an unknown format version, or lacks fields. */
export class InvalidBaselineError extends ConvergenceCheckInputError {
  constructor(readonly file: string, problem: string) {
    super(`${file} is not a valid convergence baseline: ${problem}. Regenerate it with \`npm run check -- <run dir> --update-baseline\`.`);
    this.name = 'InvalidBaselineError';
  }
}

/** Run and baseline measure different things (another experiment or profile): nothing to compare. */
export class BaselineMismatchError extends ConvergenceCheckInputError {
  constructor(readonly differences: string[]) {
    super(`the run cannot be compared with this baseline: ${differences.join('; ')}. ` +
      'Pass the baseline of this experiment and profile (--baseline), or make one with --update-baseline.');
    this.name = 'BaselineMismatchError';
  }
}

/** The judged curve (e.g. validation loss) is absent from the run or the baseline. */
export class MissingCurveError extends ConvergenceCheckInputError {
  constructor(where: string, curve: string) {
    super(`${where} has no '${curve}' curve (the experiment may have no validation split). Choose another one with --curve, e.g. --curve loss.`);
    this.name = 'MissingCurveError';
  }
}
