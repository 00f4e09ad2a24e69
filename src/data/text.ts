/**
 * Keras-style text vectorisation (TextVectorization with `lower_and_strip_punctuation` and
 * `whitespace` split, then `pad_sequences`), used by the IMDB pipeline.
 */
import { TextPipelineOptionError } from './errors.js';

/** Index of every word outside the vocabulary. */
export const OOV_INDEX = 1;
/** How TextVectorization names the out-of-vocabulary entry in `get_vocabulary()`. */
export const OOV_TOKEN = '[UNK]';

/** IMDB reviews mark line breaks with HTML tags; they must become spaces, not the word "br". */
const LINE_BREAK_TAG = /<br\s*\/?>/gi;
/** Python's `string.punctuation`, the exact set TextVectorization's default standardisation removes. */
const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
const WHITESPACE = /\s+/;

/**
 * Lower-cases, turns `<br />` into a space and removes ASCII punctuation. Punctuation is removed, not
 * replaced by a space, as TextVectorization does ("don't" → "dont").
 */
export function standardize(text: string): string {
  return text.toLowerCase().replace(LINE_BREAK_TAG, ' ').replace(ASCII_PUNCTUATION, '');
}

/** The words of `text` after standardisation, split on runs of whitespace. */
export function tokenize(text: string): string[] {
  return standardize(text)
    .split(WHITESPACE)
    .filter((token) => token.length > 0);
}

/** How often each word occurs over all documents. */
export function countWords(documents: Iterable<readonly string[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const tokens of documents) {
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  return counts;
}

export interface Vocabulary {
  /** `words[i]` is encoded as `i`: `words[0]` = '' (padding), `words[1]` = '[UNK]', then by frequency. */
  readonly words: readonly string[];
  /** Word → index, for the words of `words[2..]`. */
  readonly index: ReadonlyMap<string, number>;
}

/**
 * The `vocabSize − 2` most frequent words after the padding and OOV entries. Ties are broken by the
 * word itself (code-unit order) so the vocabulary never depends on document or Map order.
 */
export function buildVocabulary(counts: ReadonlyMap<string, number>, vocabSize: number): Vocabulary {
  requireInteger('vocabSize', vocabSize, 3);
  const ranked = [...counts].sort(
    ([wordA, countA], [wordB, countB]) => countB - countA || (wordA < wordB ? -1 : wordA > wordB ? 1 : 0),
  );
  const words = ['', OOV_TOKEN, ...ranked.slice(0, vocabSize - 2).map(([word]) => word)];
  return { words, index: new Map(words.slice(2).map((word, i) => [word, i + 2])) };
}

/** Word indices of `tokens`, with OOV_INDEX for words outside the vocabulary. */
export function encode(tokens: readonly string[], vocabulary: Vocabulary): Int32Array {
  const out = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) out[i] = vocabulary.index.get(tokens[i]) ?? OOV_INDEX;
  return out;
}

export interface PadOptions {
  /** Where zeros go when a sequence is short ('pre' = before it, the Keras default). */
  padding?: 'pre' | 'post';
  /** Which end is cut from a long sequence ('pre' = its beginning, the Keras default). */
  truncating?: 'pre' | 'post';
}

/**
 * Writes `sequence` padded/truncated to `maxLen` into `out[offset .. offset + maxLen)`, exactly as
 * Keras `pad_sequences` does for one row (padding value 0). The row must already be zero.
 */
function padSequenceInto(
  sequence: ArrayLike<number>,
  maxLen: number,
  out: Int32Array,
  offset: number,
  { padding = 'pre', truncating = 'pre' }: PadOptions = {},
): void {
  const kept = Math.min(sequence.length, maxLen);
  const from = truncating === 'pre' ? sequence.length - kept : 0;
  const to = offset + (padding === 'pre' ? maxLen - kept : 0);
  for (let i = 0; i < kept; i++) out[to + i] = sequence[from + i];
}

/** Keras `pad_sequences`: a row-major [sequences.length, maxLen] Int32Array. */
export function padSequences(
  sequences: readonly ArrayLike<number>[],
  maxLen: number,
  options: PadOptions = {},
): Int32Array {
  requireInteger('maxLen', maxLen, 1);
  const out = new Int32Array(sequences.length * maxLen);
  sequences.forEach((sequence, row) => padSequenceInto(sequence, maxLen, out, row * maxLen, options));
  return out;
}

/** Throws TextPipelineOptionError unless `value` is an integer ≥ `min`. */
export function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new TextPipelineOptionError(`${name} must be an integer ≥ ${min}; got ${value}.`);
  }
}
