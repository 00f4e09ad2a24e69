/** Errors of src/report/, in one place: what went wrong and what to do about it. */

export class MissingFontError extends Error {
  constructor(candidates: readonly string[]) {
    super(`No font for PNG charts: none of ${candidates.join(', ')} exists. Install one, e.g. 'apt-get install fonts-dejavu-core'.`);
    this.name = 'MissingFontError';
  }
}
