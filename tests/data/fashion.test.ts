/**
 * Fashion-MNIST against the real mirror (../shared/datasets or OPTBENCH_DATA_MIRROR). Reference values
 * come from tests/fixtures/fashion-mnist-reference.json, computed with Python's gzip module, not by
 * this code.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_FILES } from '../../src/data/datasets.js';
import { DataFormatError } from '../../src/data/errors.js';
import { cachePathFor } from '../../src/data/fetch.js';
import { loadFashionMnist, oneHot, type FashionMnist } from '../../src/data/fashion.js';
import reference from '../fixtures/fashion-mnist-reference.json' with { type: 'json' };
import { listFiles, tempDataContext, testMirrorDir, type TempDataContext } from './helpers.js';

let ctx: TempDataContext;
let data: FashionMnist;

beforeAll(async () => {
  ctx = await tempDataContext(testMirrorDir());
  data = await loadFashionMnist(ctx);
}, 120_000);
afterAll(() => ctx.cleanup());

/** Byte equality of typed arrays (vitest's deep equality is very slow on millions of elements). */
const sameContents = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const countPerClass = (labels: Uint8Array) =>
  Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
const pixelSum = (images: Float32Array, index: number) =>
  images.subarray(index * 784, (index + 1) * 784).reduce((sum, value) => sum + Math.round(value * 255), 0);

describe('loadFashionMnist on the mirror', () => {
  it('has 60,000 training and 10,000 test samples, 6,000 and 1,000 per class', () => {
    expect(data.trainLabels.length).toBe(reference.trainCount);
    expect(data.testLabels.length).toBe(reference.testCount);
    expect(data.trainImages.length).toBe(60000 * 784);
    expect(data.testImages.length).toBe(10000 * 784);
    expect(countPerClass(data.trainLabels)).toEqual(reference.trainPerClass);
    expect(countPerClass(data.testLabels)).toEqual(reference.testPerClass);
    expect(reference.trainPerClass).toEqual(new Array(10).fill(6000));
  });

  it('keeps the file order of labels and pixels', () => {
    expect(Array.from(data.trainLabels.subarray(0, 10))).toEqual(reference.trainLabelsFirst10);
    expect(Array.from(data.testLabels.subarray(0, 10))).toEqual(reference.testLabelsFirst10);
    expect(data.trainLabels[59999]).toBe(reference.trainLabelLast);
    const row14 = data.trainImages.subarray(14 * 28, 15 * 28);
    expect(Array.from(row14, (value) => Math.round(value * 255))).toEqual(reference.trainImage0Row14);
    expect(pixelSum(data.trainImages, 0)).toBe(reference.trainImage0PixelSum);
    expect(pixelSum(data.trainImages, 59999)).toBe(reference.trainImageLastPixelSum);
    expect(pixelSum(data.testImages, 0)).toBe(reference.testImage0PixelSum);
  });

  it('scales pixels to [0, 1] as uint8 / 255', () => {
    const row14 = data.trainImages.subarray(14 * 28, 15 * 28);
    reference.trainImage0Row14.forEach((raw, i) => expect(row14[i]).toBeCloseTo(raw / 255, 7));
    let min = Infinity;
    let max = -Infinity;
    for (const value of data.trainImages) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    expect([min, max]).toEqual([0, 1]);
  });

  it('uses the mirror files in place, verified by sha256, and records that in the notes', () => {
    const files = data.notes.files as Record<string, { source: string; verification: string; origin: string }>;
    expect(Object.keys(files).sort()).toEqual(Object.values(FASHION_MNIST_FILES).map((f) => f.id).sort());
    for (const file of Object.values(FASHION_MNIST_FILES)) {
      expect(files[file.id]).toEqual({
        size: file.size,
        sha256: file.sha256,
        source: 'mirror',
        verification: 'sha256',
        origin: path.join(testMirrorDir(), file.mirrorPath),
      });
    }
    expect(data.notes).toMatchObject({ trainSamples: 60000, testSamples: 10000 });
  });

  it('keeps only the first N samples when limits are given', async () => {
    const limited = await loadFashionMnist(ctx, { trainLimit: 5000, testLimit: 1000 });
    expect(limited.trainLabels.length).toBe(5000);
    expect(limited.trainImages.length).toBe(5000 * 784);
    expect(limited.testImages.length).toBe(1000 * 784);
    expect(sameContents(limited.trainLabels, data.trainLabels.subarray(0, 5000))).toBe(true);
    expect(sameContents(limited.testLabels, data.testLabels.subarray(0, 1000))).toBe(true);
    expect(sameContents(limited.trainImages, data.trainImages.subarray(0, 5000 * 784))).toBe(true);
    expect(sameContents(limited.testImages, data.testImages.subarray(0, 1000 * 784))).toBe(true);
    expect(limited.notes).toMatchObject({ trainSamples: 5000, testSamples: 1000 });
  });
});

describe('loadFashionMnist with a corrupt cache entry', () => {
  it('reports the truncated gzip and removes the cached copy', async () => {
    // Simulate a cached file damaged after it was verified: truncated gzip, sidecar still trusting it.
    const damaged = await tempDataContext(testMirrorDir());
    try {
      const file = FASHION_MNIST_FILES.testLabels;
      const cached = cachePathFor(file, damaged);
      const original = await readFile(path.join(testMirrorDir(), file.mirrorPath));
      await mkdir(path.dirname(cached), { recursive: true });
      await writeFile(cached, original.subarray(0, 1000));
      const { mtimeMs, size } = await stat(cached);
      await writeFile(
        `${cached}.verified.json`,
        JSON.stringify({
          path: cached,
          size,
          mtimeMs: Math.floor(mtimeMs),
          sha256: file.sha256,
          verification: 'sha256',
          origin: file.url,
        }),
      );

      const error = await loadFashionMnist(damaged, { trainLimit: 1, testLimit: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataFormatError);
      expect((error as Error).message).toContain(cached);
      expect((error as Error).message).toContain('not a complete gzip file');
      expect((error as Error).message).toContain('removed from the cache');
      expect(await listFiles(damaged.cacheDir)).not.toContain('fashion-mnist/t10k-labels-idx1-ubyte.gz');
    } finally {
      await damaged.cleanup();
    }
  });

  it('reports a gzip whose IDX header claims more images than it holds', async () => {
    const damaged = await tempDataContext(testMirrorDir());
    try {
      const file = FASHION_MNIST_FILES.testLabels;
      const labels = gunzipSync(await readFile(path.join(testMirrorDir(), file.mirrorPath)));
      const corrupt = gzipSync(labels.subarray(0, 5000));
      const cached = cachePathFor(file, damaged);
      await mkdir(path.dirname(cached), { recursive: true });
      await writeFile(cached, corrupt);
      // A sidecar that trusts the file, as after a structure-verified mirror download; without one
      // the size/hash check would reject the file before it is parsed.
      const { mtimeMs } = await stat(cached);
      await writeFile(
        `${cached}.verified.json`,
        JSON.stringify({
          path: cached,
          size: corrupt.length,
          mtimeMs: Math.floor(mtimeMs),
          sha256: createHash('sha256').update(corrupt).digest('hex'),
          verification: 'structure',
          origin: file.url,
        }),
      );
      await expect(loadFashionMnist(damaged, { trainLimit: 1, testLimit: 1 })).rejects.toThrow(
        /declares dimensions 10000 .* but 4992 bytes follow it \(file truncated\)/,
      );
      expect(await listFiles(damaged.cacheDir)).not.toContain('fashion-mnist/t10k-labels-idx1-ubyte.gz');
    } finally {
      await damaged.cleanup();
    }
  });
});

describe('oneHot', () => {
  it('sets exactly one 1 per row at the label index', () => {
    expect(Array.from(oneHot(new Uint8Array([2, 0]), 3))).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('rejects a label outside the classes', () => {
    expect(() => oneHot(new Uint8Array([10]), 10)).toThrow(/label 10 at index 0/);
  });
});
