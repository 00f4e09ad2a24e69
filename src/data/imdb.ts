/**
 * IMDB Large Movie Review Dataset (aclImdb v1) as Keras users know it: reviews read straight from the
 * tarball, vectorised like TextVectorization + pad_sequences, and cached as encoded arrays so later
 * runs skip the ~100k-entry archive.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.js';
import type { DataContext } from './types.js';
import { SeededRandom } from '../common/random.js';
import { IMDB_ARCHIVE_FILE } from './datasets.js';
import { DataFormatError } from './errors.js';
import { fetchFile, unusableFileError } from './fetch.js';
import { readTarFiles } from './tarSafe.js';
import {
  buildVocabulary,
  countWords,
  encode,
  OOV_INDEX,
  padSequences,
  requireInteger,
  tokenize,
  type Vocabulary,
} from './text.js';
import type { FetchedFile } from './types.js';

/** Bump whenever tokenisation, ordering or the cache layout changes: older caches are then ignored. */
export const IMDB_PIPELINE_VERSION = 1;
/** aclImdb v1 has exactly this many reviews in each of train/pos, train/neg, test/pos, test/neg. */
export const IMDB_REVIEWS_PER_CLASS = 12_500;
/** The seed Keras's `imdb.load_data` shuffles with; ours is a different generator, so orders differ. */
const SHUFFLE_SEED = 113;
const REVIEW_PATH = /^aclImdb\/(train|test)\/(pos|neg)\/(\d+)_\d+\.txt$/;
const CACHE_MAGIC = Buffer.from('OPTBIMDB', 'ascii');
/**
 * What an aclImdb archive may unpack to (data/README.md): the longest review is 13.7 kB, so a review over
 * 1 MiB is not a review; the whole v1 archive unpacks to about 0.5 GB.
 */
export const IMDB_TAR_LIMITS = { maxFileBytes: 2 ** 20, maxTotalBytes: 2 * 2 ** 30 } as const;

export interface ImdbOptions {
  /** Vocabulary size including padding (0) and OOV (1). Keras examples use 10,000. */
  vocabSize?: number;
  /** Sequence length after pre-padding / pre-truncation. Chollet's ch. 6.4 uses 500. */
  maxLen?: number;
  /** Keep only the first N training reviews of the shuffled order (the vocabulary still uses all). */
  trainLimit?: number;
  /** Keep only the first N test reviews of the shuffled order. */
  testLimit?: number;
  /** Expected reviews per split and label; only small test fixtures change it. */
  reviewsPerClass?: number;
}

export interface ImdbNotes {
  dataset: 'imdb';
  source: FetchedFile['source'];
  /** How the archive itself was verified by fetchFile ('structure' = repacked mirror, not hashed). */
  verification: FetchedFile['verification'];
  origin: string;
  archive: string;
  structureCheck: string;
  encodedCache: 'hit' | 'miss';
  encodedCachePath: string;
  pipeline: string;
  vocabSize: number;
  maxLen: number;
  reviews: { train: number; test: number };
  positives: { train: number; test: number };
  /** Share of reviews longer than maxLen (their beginning is cut), over the full splits. */
  truncatedShare: { train: number; test: number };
  /** Share of test-set tokens that are outside the vocabulary. */
  testOovShare: number;
}

export interface ImdbData {
  /** Row-major [train reviews, maxLen] word indices; 0 = padding, 1 = out of vocabulary. */
  xTrain: Int32Array;
  /** 1 = positive review, 0 = negative. */
  yTrain: Float32Array;
  xTest: Int32Array;
  yTest: Float32Array;
  maxLen: number;
  /** Index → word: '' (padding), '[UNK]', then training words by frequency. Its length ≤ vocabSize. */
  vocabulary: readonly string[];
  notes: ImdbNotes;
}

export interface ImdbReview {
  split: 'train' | 'test';
  /** 1 = pos folder, 0 = neg folder. */
  label: 0 | 1;
  id: number;
  text: string;
}

/** The arrays and statistics that do not depend on the limits: what the cache stores. */
interface EncodedImdb {
  xTrain: Int32Array;
  yTrain: Float32Array;
  xTest: Int32Array;
  yTest: Float32Array;
  vocabulary: string[];
  truncatedShare: { train: number; test: number };
  testOovShare: number;
}

type ArrayName = 'xTrain' | 'yTrain' | 'xTest' | 'yTest';
const ARRAY_NAMES: readonly ArrayName[] = ['xTrain', 'yTrain', 'xTest', 'yTest'];

interface CacheHeader {
  key: string;
  arrays: { name: ArrayName; length: number }[];
  vocabulary: string[];
  truncatedShare: EncodedImdb['truncatedShare'];
  testOovShare: number;
}

/** Fetches aclImdb (cache → mirror → download) and returns it encoded; see ImdbOptions. */
export async function loadImdb(ctx: DataContext, options: ImdbOptions = {}): Promise<ImdbData> {
  const vocabSize = options.vocabSize ?? 10_000;
  const maxLen = options.maxLen ?? 500;
  const reviewsPerClass = options.reviewsPerClass ?? IMDB_REVIEWS_PER_CLASS;
  requireInteger('vocabSize', vocabSize, 3);
  requireInteger('maxLen', maxLen, 1);
  requireInteger('reviewsPerClass', reviewsPerClass, 1);
  if (options.trainLimit !== undefined) requireInteger('trainLimit', options.trainLimit, 1);
  if (options.testLimit !== undefined) requireInteger('testLimit', options.testLimit, 1);

  const archive = await fetchFile(IMDB_ARCHIVE_FILE, ctx);
  const archiveStats = await stat(archive.path);
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        archive: path.resolve(archive.path),
        size: archiveStats.size,
        mtimeMs: archiveStats.mtimeMs,
        vocabSize,
        maxLen,
        reviewsPerClass,
        pipeline: IMDB_PIPELINE_VERSION,
      }),
    )
    .digest('hex');
  const cachePath = path.join(ctx.cacheDir, 'imdb', `encoded-${key.slice(0, 16)}.bin`);

  let encoded = await readEncodedCache(cachePath, key, ctx);
  const cacheHit = encoded !== undefined;
  if (encoded === undefined) {
    encoded = await encodeArchive(archive, ctx, { vocabSize, maxLen, reviewsPerClass });
    try {
      await writeEncodedCache(cachePath, key, encoded);
      ctx.log(`imdb: encoded arrays cached in ${cachePath}`);
    } catch (error) {
      // Only a shortcut for the next run: this run has the arrays.
      ctx.log(`warning: the encoded IMDB arrays cannot be cached in ${cachePath} (${(error as Error).message.split('. ')[0]}); the next run encodes the archive again.`);
    }
  }

  const train = firstRows(encoded.xTrain, encoded.yTrain, maxLen, options.trainLimit);
  const test = firstRows(encoded.xTest, encoded.yTest, maxLen, options.testLimit);
  return {
    xTrain: train.x,
    yTrain: train.y,
    xTest: test.x,
    yTest: test.y,
    maxLen,
    vocabulary: encoded.vocabulary,
    notes: {
      dataset: 'imdb',
      source: archive.source,
      verification: archive.verification,
      origin: archive.origin,
      archive: archive.path,
      structureCheck:
        `${reviewsPerClass} reviews with distinct ids in each of train/test × pos/neg` +
        (cacheHit ? ' (checked when the encoded cache was built from this archive)' : ''),
      encodedCache: cacheHit ? 'hit' : 'miss',
      encodedCachePath: cachePath,
      pipeline:
        'lowercase, <br /> → space, strip ASCII punctuation, split on whitespace; vocabulary = most ' +
        'frequent training words (count desc, word asc), 0 = padding, 1 = OOV; pad/truncate "pre"; ' +
        `reviews sorted by split/label/id then shuffled with seed ${SHUFFLE_SEED}`,
      vocabSize,
      maxLen,
      reviews: { train: train.y.length, test: test.y.length },
      positives: { train: countOnes(train.y), test: countOnes(test.y) },
      truncatedShare: encoded.truncatedShare,
      testOovShare: encoded.testOovShare,
    },
  };
}

/**
 * Every labelled review of the archive (train|test × pos|neg; unsup and metadata skipped), sorted by
 * split (train first), label (neg first) and numeric id.
 */
export async function readImdbReviews(archivePath: string): Promise<ImdbReview[]> {
  const reviews: ImdbReview[] = [];
  await readTarFiles(
    archivePath,
    (entryPath) => REVIEW_PATH.test(entryPath),
    (entryPath, content) => {
      const [, split, folder, id] = REVIEW_PATH.exec(entryPath)!;
      reviews.push({
        split: split as ImdbReview['split'],
        label: folder === 'pos' ? 1 : 0,
        id: Number(id),
        text: content.toString('utf8'),
      });
    },
    IMDB_TAR_LIMITS,
  );
  const splitOrder = (review: ImdbReview) => (review.split === 'train' ? 0 : 1);
  return reviews.sort((a, b) => splitOrder(a) - splitOrder(b) || a.label - b.label || a.id - b.id);
}

/** Throws DataFormatError unless every split × label has exactly `perClass` reviews with distinct ids. */
export function verifyImdbStructure(reviews: readonly ImdbReview[], perClass: number, archivePath: string): void {
  const problems: string[] = [];
  for (const split of ['train', 'test'] as const) {
    for (const label of [1, 0] as const) {
      const ids = reviews.filter((r) => r.split === split && r.label === label).map((r) => r.id);
      const folder = `aclImdb/${split}/${label === 1 ? 'pos' : 'neg'}`;
      if (ids.length !== perClass) problems.push(`${folder} has ${ids.length} reviews, expected ${perClass}`);
      else if (new Set(ids).size !== ids.length) problems.push(`${folder} has duplicate review ids`);
    }
  }
  if (problems.length > 0) {
    throw new DataFormatError(
      `${archivePath} is not a complete aclImdb v1 archive: ${problems.join('; ')}. Delete it and fetch ` +
        `${IMDB_ARCHIVE_FILE.url} again (or use a complete mirror copy).`,
    );
  }
}

async function encodeArchive(
  archive: FetchedFile,
  ctx: DataContext,
  settings: { vocabSize: number; maxLen: number; reviewsPerClass: number },
): Promise<EncodedImdb> {
  const started = performance.now();
  ctx.log(`imdb: reading reviews from ${archive.path}`);
  let reviews: ImdbReview[];
  try {
    reviews = await readImdbReviews(archive.path);
    verifyImdbStructure(reviews, settings.reviewsPerClass, archive.path);
  } catch (error) {
    // A broken archive in our cache would fail every run: drop it so the next run fetches it again.
    if (error instanceof DataFormatError) throw await unusableFileError(archive, ctx, error);
    throw error;
  }
  const train = shuffled(reviews.filter((r) => r.split === 'train'));
  const test = shuffled(reviews.filter((r) => r.split === 'test'));

  // Tokens are counted review by review and dropped: all 25k token lists would be ~6M strings.
  function* trainingTokens() {
    for (const review of train) yield tokenize(review.text);
  }
  const vocabulary = buildVocabulary(countWords(trainingTokens()), settings.vocabSize);
  const trainSet = encodeReviews(train, vocabulary, settings.maxLen);
  const testSet = encodeReviews(test, vocabulary, settings.maxLen);
  ctx.log(`imdb: encoded ${reviews.length} reviews in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return {
    xTrain: trainSet.x,
    yTrain: trainSet.y,
    xTest: testSet.x,
    yTest: testSet.y,
    vocabulary: [...vocabulary.words],
    truncatedShare: { train: trainSet.truncatedShare, test: testSet.truncatedShare },
    testOovShare: testSet.oovShare,
  };
}

/** A fixed pseudo-random order, so "the first N reviews" is a balanced, representative subset. */
function shuffled(reviews: ImdbReview[]): ImdbReview[] {
  const order = new SeededRandom(SHUFFLE_SEED).shuffle(Int32Array.from(reviews.keys()));
  return Array.from(order, (i) => reviews[i]);
}

function encodeReviews(reviews: readonly ImdbReview[], vocabulary: Vocabulary, maxLen: number) {
  let truncated = 0;
  let tokens = 0;
  let oov = 0;
  const sequences = reviews.map((review) => {
    const sequence = encode(tokenize(review.text), vocabulary);
    if (sequence.length > maxLen) truncated++;
    tokens += sequence.length;
    for (const index of sequence) if (index === OOV_INDEX) oov++;
    return sequence;
  });
  return {
    x: padSequences(sequences, maxLen),
    y: Float32Array.from(reviews, (review) => review.label),
    truncatedShare: truncated / reviews.length,
    oovShare: tokens === 0 ? 0 : oov / tokens,
  };
}

function firstRows(x: Int32Array, y: Float32Array, maxLen: number, limit: number | undefined) {
  const rows = Math.min(limit ?? y.length, y.length);
  return { x: x.subarray(0, rows * maxLen), y: y.subarray(0, rows) };
}

function countOnes(labels: Float32Array): number {
  let ones = 0;
  for (const label of labels) if (label === 1) ones++;
  return ones;
}

/**
 * Cache layout: 8-byte magic, uint32 LE header length, JSON header, then the arrays of
 * `header.arrays` back to back (little-endian, as typed arrays are on every platform Node supports).
 */
async function writeEncodedCache(cachePath: string, key: string, encoded: EncodedImdb): Promise<void> {
  const header: CacheHeader = {
    key,
    arrays: ARRAY_NAMES.map((name) => ({ name, length: encoded[name].length })),
    vocabulary: encoded.vocabulary,
    truncatedShare: encoded.truncatedShare,
    testOovShare: encoded.testOovShare,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const headerLength = Buffer.alloc(4);
  headerLength.writeUInt32LE(headerBytes.length);
  const arrays = ARRAY_NAMES.map((name) => Buffer.from(encoded[name].buffer, encoded[name].byteOffset, encoded[name].byteLength));
  await mkdir(path.dirname(cachePath), { recursive: true });
  await writeFileAtomic(cachePath, Buffer.concat([CACHE_MAGIC, headerLength, headerBytes, ...arrays]));
}

/** The cached arrays for `key`, or undefined when there is no usable cache file (it is then rebuilt). */
async function readEncodedCache(cachePath: string, key: string, ctx: DataContext): Promise<EncodedImdb | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(cachePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return decodeCache(bytes, key);
  } catch (error) {
    ctx.log(`imdb: ignoring unreadable encoded cache ${cachePath} (${(error as Error).message}); rebuilding it`);
    return undefined;
  }
}

function decodeCache(bytes: Buffer, key: string): EncodedImdb {
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(CACHE_MAGIC)) throw new Error('not an IMDB cache file');
  const headerEnd = 12 + bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.toString('utf8', 12, headerEnd)) as CacheHeader;
  if (header.key !== key) throw new Error('cache key mismatch');
  const expectedBytes = header.arrays.reduce((total, array) => total + array.length * 4, headerEnd);
  if (bytes.length !== expectedBytes) throw new Error(`${bytes.length} bytes, expected ${expectedBytes}`);

  const arrays = new Map<ArrayName, ArrayBuffer>();
  let offset = bytes.byteOffset + headerEnd;
  for (const { name, length } of header.arrays) {
    // A copy, so every array is 4-byte aligned whatever the Buffer's offset in its pool.
    arrays.set(name, bytes.buffer.slice(offset, offset + length * 4) as ArrayBuffer);
    offset += length * 4;
  }
  return {
    xTrain: new Int32Array(arrays.get('xTrain')!),
    yTrain: new Float32Array(arrays.get('yTrain')!),
    xTest: new Int32Array(arrays.get('xTest')!),
    yTest: new Float32Array(arrays.get('yTest')!),
    vocabulary: header.vocabulary,
    truncatedShare: header.truncatedShare,
    testOovShare: header.testOovShare,
  };
}
