/**
 * Fashion-MNIST as `keras.datasets.fashion_mnist.load_data()` returns it (60,000 training and 10,000
 * test images of 28×28 grey pixels, file order, no shuffling), with pixels scaled to [0, 1].
 */
import type { DataContext } from './types.js';
import { FASHION_MNIST_FILES } from './datasets.js';
import { DataFormatError } from './errors.js';
import { discardCachedFile, fetchFile, unusableFileError } from './fetch.js';
import { readGzippedIdx, type IdxArray } from './idx.js';
import type { FetchedFile, RemoteFile } from './types.js';

export const FASHION_MNIST_CLASSES = 10;
export const FASHION_MNIST_IMAGE_SIZE = 28;
const PIXELS_PER_IMAGE = FASHION_MNIST_IMAGE_SIZE * FASHION_MNIST_IMAGE_SIZE;


export interface FashionMnist {
  /** trainCount × 784 pixels, row-major, scaled to [0, 1]. */
  trainImages: Float32Array;
  /** Class indices 0..9. */
  trainLabels: Uint8Array;
  testImages: Float32Array;
  testLabels: Uint8Array;
  /** Provenance (source, origin and verification of each file) and the sample counts used. */
  notes: Record<string, unknown>;
}

export interface FashionMnistOptions {
  /** Keep only the first N training samples (file order); undefined = all 60,000. */
  trainLimit?: number;
  /** Keep only the first N test samples; undefined = all 10,000. */
  testLimit?: number;
}

/** Fetches (cache → mirror → download), decompresses and validates the four Fashion-MNIST files. */
export async function loadFashionMnist(ctx: DataContext, options: FashionMnistOptions = {}): Promise<FashionMnist> {
  const files = FASHION_MNIST_FILES;
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [files.trainImages, files.trainLabels, files.testImages, files.testLabels].map(async (file) => ({
      file,
      fetched: await fetchFile(file, ctx),
    })),
  );
  const train = await readSplit(trainImages, trainLabels, options.trainLimit, ctx);
  const test = await readSplit(testImages, testLabels, options.testLimit, ctx);
  const provenance = (item: FetchedItem) => ({
    size: item.file.size,
    sha256: item.file.sha256,
    source: item.fetched.source,
    origin: item.fetched.origin,
    verification: item.fetched.verification,
  });
  return {
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: test.images,
    testLabels: test.labels,
    notes: {
      dataset: 'Fashion-MNIST (Keras tf-keras-datasets files)',
      files: Object.fromEntries(
        [trainImages, trainLabels, testImages, testLabels].map((item) => [item.file.id, provenance(item)]),
      ),
      trainSamples: train.labels.length,
      testSamples: test.labels.length,
      pixelScaling: 'uint8 / 255',
    },
  };
}

/** One-hot rows (`labels.length × classes`, row-major) for categorical cross-entropy. */
export function oneHot(labels: Uint8Array, classes: number): Float32Array {
  const rows = new Float32Array(labels.length * classes);
  labels.forEach((label, i) => {
    if (label >= classes) throw new RangeError(`label ${label} at index ${i} is not below the ${classes} classes`);
    rows[i * classes + label] = 1;
  });
  return rows;
}

interface FetchedItem {
  file: RemoteFile;
  fetched: FetchedFile;
}

async function readSplit(
  imagesItem: FetchedItem,
  labelsItem: FetchedItem,
  limit: number | undefined,
  ctx: DataContext,
): Promise<{ images: Float32Array; labels: Uint8Array }> {
  const images = await readIdxFile(imagesItem, ctx);
  const labels = await readIdxFile(labelsItem, ctx);
  const [count, rows, columns] = images.dims;
  if (images.dims.length !== 3 || rows !== FASHION_MNIST_IMAGE_SIZE || columns !== FASHION_MNIST_IMAGE_SIZE) {
    throw await unusableFileError(imagesItem.fetched, ctx, new DataFormatError(
      `${imagesItem.fetched.path} holds arrays of shape ${images.dims.join('×')}, not N×28×28 images.`,
    ));
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    // Which of the two files is wrong cannot be told: both leave the cache, so the next run fetches a matching pair.
    const error = new DataFormatError(
      `${labelsItem.fetched.path} holds labels of shape ${labels.dims.join('×')} for the ${count} images of ${imagesItem.fetched.path}.`,
    );
    const imagesRemoved = await discardCachedFile(imagesItem.fetched, ctx).catch(() => false);
    const final = await unusableFileError(labelsItem.fetched, ctx, error);
    if (imagesRemoved) final.message += ` ${imagesItem.fetched.path} was removed too, so the pair is fetched anew.`;
    throw final;
  }
  const bad = labels.data.findIndex((label) => label >= FASHION_MNIST_CLASSES);
  if (bad >= 0) {
    throw await unusableFileError(labelsItem.fetched, ctx, new DataFormatError(
      `${labelsItem.fetched.path}: label ${labels.data[bad]} at index ${bad} is not 0..9.`,
    ));
  }
  const kept = keptCount(count, limit);
  const scaled = new Float32Array(kept * PIXELS_PER_IMAGE);
  for (let i = 0; i < scaled.length; i++) scaled[i] = images.data[i] / 255;
  return { images: scaled, labels: labels.data.slice(0, kept) };
}

/**
 * Decompresses and parses one file, streaming, never past its known unpacked size (a gzip bomb is refused
 * as it inflates). A file that fails here passed (or skipped) its hash check, so the copy changed since:
 * a cached copy is removed so the next run fetches it again.
 */
async function readIdxFile({ file, fetched }: FetchedItem, ctx: DataContext): Promise<IdxArray> {
  try {
    return await readGzippedIdx(fetched.path, file.unpackedSize ?? Number.MAX_SAFE_INTEGER);
  } catch (error) {
    if (!(error instanceof DataFormatError)) throw error;
    throw await unusableFileError(fetched, ctx, error);
  }
}

function keptCount(available: number, limit: number | undefined): number {
  if (limit === undefined) return available;
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new RangeError(`A sample limit must be a positive integer, got ${limit}.`);
  }
  return Math.min(limit, available);
}
