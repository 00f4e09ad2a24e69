import { describe, expect, it } from 'vitest';
import { buildVocabulary, countWords, encode, OOV_INDEX, padSequences, standardize, tokenize } from '../../src/data/text.js';
import { TextPipelineOptionError } from '../../src/data/errors.js';

describe('standardize and tokenize', () => {
  it('lower-cases and removes ASCII punctuation without splitting words', () => {
    expect(standardize('Hello, World! It\'s "GREAT" (10/10)...')).toBe('hello world its great 1010');
    expect(tokenize("Don't stop-motion: A+ movie?!")).toEqual(['dont', 'stopmotion', 'a', 'movie']);
  });

  it('turns <br /> tags in any spelling into word breaks instead of the word "br"', () => {
    expect(tokenize('Great film.<br /><br />Loved it<BR/>really<br>truly')).toEqual([
      'great',
      'film',
      'loved',
      'it',
      'really',
      'truly',
    ]);
  });

  it('splits on any run of whitespace and drops empty tokens', () => {
    expect(tokenize('  one\ttwo\n\nthree   four  ')).toEqual(['one', 'two', 'three', 'four']);
    expect(tokenize(' ... !!! ')).toEqual([]);
  });

  it('keeps non-ASCII letters, which Keras does not strip either', () => {
    expect(tokenize('Café Noël — naïve')).toEqual(['café', 'noël', '—', 'naïve']);
  });
});

describe('buildVocabulary', () => {
  it('ranks by count, breaks ties alphabetically and reserves 0 for padding and 1 for OOV', () => {
    const counts = countWords([['b', 'c', 'a'], ['c', 'b', 'a', 'c', 'd']]);
    expect(buildVocabulary(counts, 5).words).toEqual(['', '[UNK]', 'c', 'a', 'b']);
  });

  it('does not depend on the order words were first seen', () => {
    const forward = countWords([['x', 'y', 'z', 'w']]);
    const backward = countWords([['w', 'z', 'y', 'x']]);
    expect(buildVocabulary(forward, 4).words).toEqual(['', '[UNK]', 'w', 'x']);
    expect(buildVocabulary(backward, 4).words).toEqual(['', '[UNK]', 'w', 'x']);
  });

  it('is shorter than vocabSize when the corpus has fewer distinct words', () => {
    expect(buildVocabulary(countWords([['only']]), 100).words).toEqual(['', '[UNK]', 'only']);
  });

  it('encodes known words by rank and unknown words as OOV', () => {
    const vocabulary = buildVocabulary(countWords([['good', 'good', 'bad']]), 10);
    expect(Array.from(encode(['bad', 'ugly', 'good'], vocabulary))).toEqual([3, OOV_INDEX, 2]);
  });

  it('rejects a vocabulary size that leaves no room for words', () => {
    expect(() => buildVocabulary(new Map(), 2)).toThrow(TextPipelineOptionError);
    expect(() => buildVocabulary(new Map(), 2)).toThrow(/vocabSize must be an integer ≥ 3; got 2/);
  });
});

describe('padSequences (Keras pad_sequences semantics)', () => {
  const sequences = [[1, 2, 3, 4, 5], [6, 7], [], [8, 9, 10]];
  const rows = (flat: Int32Array) => [0, 1, 2, 3].map((row) => Array.from(flat.subarray(row * 3, row * 3 + 3)));

  it('pads and truncates at the front by default', () => {
    expect(rows(padSequences(sequences, 3))).toEqual([[3, 4, 5], [0, 6, 7], [0, 0, 0], [8, 9, 10]]);
  });

  it('pads at the back with padding "post"', () => {
    expect(rows(padSequences(sequences, 3, { padding: 'post' }))).toEqual([[3, 4, 5], [6, 7, 0], [0, 0, 0], [8, 9, 10]]);
  });

  it('keeps the beginning with truncating "post"', () => {
    expect(rows(padSequences(sequences, 3, { truncating: 'post' }))).toEqual([[1, 2, 3], [0, 6, 7], [0, 0, 0], [8, 9, 10]]);
  });

  it('combines padding "post" and truncating "post"', () => {
    const padded = padSequences(sequences, 3, { padding: 'post', truncating: 'post' });
    expect(rows(padded)).toEqual([[1, 2, 3], [6, 7, 0], [0, 0, 0], [8, 9, 10]]);
  });

  it('rejects a non-positive length', () => {
    expect(() => padSequences(sequences, 0)).toThrow(TextPipelineOptionError);
  });
});
