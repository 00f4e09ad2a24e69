/** Errors of src/common/, in one place: what went wrong and what to do about it. */

function adviceFor(code: string | undefined): string {
  const intact = 'Files written before are intact';
  if (code === 'ENOTDIR' || code === 'EEXIST') return `A part of the path is a file, not a directory: choose another output directory. ${intact}.`;
  if (code === 'EISDIR') return `The path is a directory, not a file: choose another path. ${intact}.`;
  if (code === 'ENOSPC' || code === 'EDQUOT') return `The disk is full. ${intact}: free some space (or write elsewhere, e.g. with --out) and run again (an interrupted training run continues with --resume).`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `The directory is not writable. ${intact}: make it writable or write elsewhere (e.g. with --out).`;
  return `${intact}; fix the cause above and run again.`;
}

/** A file could not be written; the previous version, if any, is untouched. */
export class OutputWriteError extends Error {
  override name = 'OutputWriteError';

  constructor(readonly file: string, readonly code: string | undefined, cause: unknown) {
    super(`Could not write ${file}: ${(cause as Error).message}. ${adviceFor(code)}`, { cause });
  }
}
