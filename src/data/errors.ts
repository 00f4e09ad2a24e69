/**
 * Typed errors of the data layer. Each message says what went wrong and what the user can do about it,
 * so the CLI can print `error.message` as is.
 */

/** Base class so callers can catch every data-layer failure at once. */
export class DataError extends Error {
  override name = 'DataError';
}

/** A dataset file could not be obtained from the cache, the mirror or the canonical URL. */
export class DataUnavailableError extends DataError {
  override name = 'DataUnavailableError';
}

/** A file was obtained but its size or sha256 differs from the registry: it is not the expected file. */
export class DataIntegrityError extends DataError {
  override name = 'DataIntegrityError';
}

/**
 * The data settings cannot work: OPTBENCH_DATA_MIRROR or OPTBENCH_DATA_DIR points at a file, a timeout
 * variable is not a number, the cache cannot be written when a download needs it. Bad input (exit 2):
 * the message names the variable and what to set it to.
 */
export class DataConfigError extends DataError {
  override name = 'DataConfigError';
}

/** A file has the right identity (or none could be checked) but its contents cannot be parsed. */
export class DataFormatError extends DataError {
  override name = 'DataFormatError';
}

/** A bad argument to the text pipeline (sizes, lengths); the message names the value and the valid range. */
export class TextPipelineOptionError extends Error {
  override name = 'TextPipelineOptionError';
}

/** A window setting or split size that cannot work; the message says which value and why. */
export class WindowOptionError extends Error {
  override name = 'WindowOptionError';
}

/** The archive holds an entry that would escape the directory it is extracted into. */
export class UnsafeArchiveError extends DataFormatError {
  override name = 'UnsafeArchiveError';
}
