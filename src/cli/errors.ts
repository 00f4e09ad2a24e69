/** Errors of src/cli/, in one place: what went wrong and what to do about it. */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
