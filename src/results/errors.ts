/** Errors of src/results/, in one place: what went wrong and what to do about it. */
import { RESULTS_SCHEMA_VERSION } from './schema.js';

/** The file claims a schema version this build cannot read (newer, unknown, or missing). */
export class UnsupportedResultsVersionError extends Error {
  constructor(readonly file: string, readonly found: unknown) {
    const newer = typeof found === 'number' && found > RESULTS_SCHEMA_VERSION;
    super(
      `${file} has results schemaVersion ${JSON.stringify(found)}, but this optbench reads version ${RESULTS_SCHEMA_VERSION}` +
        (newer
          ? ' and older. It was written by a newer optbench: upgrade optbench to read it.'
          : ': the file is not an optbench results file or is corrupt. Re-run the experiment to regenerate it.'),
    );
    this.name = 'UnsupportedResultsVersionError';
  }
}

/** The file is not JSON or lacks fields every results file has. */
export class InvalidResultsError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file} is not a valid results file: ${problem}. Re-run the experiment (or fix the file) to regenerate it.`);
    this.name = 'InvalidResultsError';
  }
}

/** The inputs cannot be merged into one run; the message names the inputs and what differs. */
export class MergeError extends Error {
  override name = 'MergeError';
}

/** `--resume` cannot continue this run directory as asked. */
export class ResumeError extends Error {
  override name = 'ResumeError';
}

export class InvalidShardError extends Error {
  override name = 'InvalidShardError';
}
