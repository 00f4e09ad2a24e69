/** Errors of src/results/, in one place: what went wrong and what to do about it. */
import path from 'node:path';
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

/** The file is not JSON or does not match the results schema (./validation.ts); the message names the unit and field. */
export class InvalidResultsError extends Error {
  constructor(readonly file: string, problem: string, advice = 'Re-run the experiment (or fix the file) to regenerate it.') {
    super(`${file} is not a valid results file: ${problem}. ${advice}`);
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

/** Who holds a run directory's lock (./runLock.ts). */
export interface RunLockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

/** Another live process trains this run directory. A ResumeError: exit 2, the user asked for something that cannot be done now. */
export class RunLockedError extends ResumeError {
  override name = 'RunLockedError';

  constructor(readonly lockFile: string, readonly holder: RunLockHolder, sameHost: boolean) {
    super(
      `${path.dirname(lockFile)} is being trained by another process: pid ${holder.pid} on host ${holder.host}, ` +
        `since ${holder.startedAt}. Wait for it to finish or stop it, then run again` +
        (sameHost ? '.' : `; if that run is gone (its machine was lost), delete ${lockFile}.`),
    );
  }
}

export class InvalidShardError extends Error {
  override name = 'InvalidShardError';
}
