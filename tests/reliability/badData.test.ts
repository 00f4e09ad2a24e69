/**
 * Bad data in the cache (issue 17, classes 8 and 9): files that passed their check once and were then
 * damaged or replaced without changing size or mtime (so the cache still trusts them). Fashion labels
 * out of range or not matching the images, and gzip bombs, are refused with what was wrong and removed
 * from the cache so the next run fetches a good copy; memory stays bounded while refusing a bomb. An IMDB
 * archive with an oversized review, and zip members declaring too much, are refused before being read.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGzip, gzipSync } from 'node:zlib';
import yazl from 'yazl';
import { afterAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_FILES } from '../../src/data/datasets.js';
import { DataFormatError } from '../../src/data/errors.js';
import { loadFashionMnist } from '../../src/data/fashion.js';
import { cachePathFor, resolveDataContext } from '../../src/data/fetch.js';
import { IMDB_TAR_LIMITS, readImdbReviews } from '../../src/data/imdb.js';
import { readJenaZip } from '../../src/data/jena.js';
import { readNpz } from '../../src/data/npz.js';
import { jenaCsv, jenaRow, plausibleValues } from '../fixtures/jena.js';
import type { RemoteFile } from '../../src/data/types.js';
import { craftTarGz } from '../fixtures/tarballs.js';
import { listFiles, MIRROR, tempDirs } from './helpers.js';

const dirs = tempDirs('bad-data');
afterAll(() => dirs.cleanup());

const LIMITS = { trainLimit: 10, testLimit: 10 };

/** An IDX header of unsigned bytes with `dims`. */
function idxHeader(dims: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((size, i) => header.writeUInt32BE(size, 4 + 4 * i));
  return header;
}

/**
 * Puts `bytes` in the cache as `file` with the sidecar a successful check writes, as if a verified copy
 * had been replaced without its size or mtime being noticed: the cache trusts it.
 */
async function plantTrustedCacheFile(cacheDir: string, file: RemoteFile, bytes: Buffer): Promise<string> {
  const ctx = resolveDataContext({}, { cacheDir, log: () => {} });
  const cachePath = cachePathFor(file, ctx);
  await mkdir(path.dirname(cachePath), { recursive: true });
  await writeFile(cachePath, bytes);
  const { mtimeMs, size } = await stat(cachePath);
  const record = { path: cachePath, size, mtimeMs, sha256: file.sha256, verification: 'sha256', origin: file.url };
  await writeFile(`${cachePath}.verified.json`, JSON.stringify(record));
  return cachePath;
}

/** Loads Fashion-MNIST twice from a cache holding `planted` as the test labels: the failure, then the healed run. */
async function loadTwice(planted: Buffer) {
  const cacheDir = path.join(dirs.make(), 'cache');
  const cachePath = await plantTrustedCacheFile(cacheDir, FASHION_MNIST_FILES.testLabels, planted);
  const lines: string[] = [];
  const ctx = resolveDataContext({}, { cacheDir, mirror: MIRROR, log: (line) => lines.push(line) });
  const error = await loadFashionMnist(ctx, LIMITS).then(() => undefined, (e: unknown) => e);
  const leftAfterFailure = listFiles(cacheDir);
  const healed = await loadFashionMnist(ctx, LIMITS);
  return { error, cachePath, leftAfterFailure, healed, lines };
}

describe('Fashion-MNIST labels damaged in the cache', () => {
  it('a label of 200: refused naming it, the copy removed with advice, and the next run heals from the mirror', async () => {
    const labels = Buffer.alloc(10_000, 3);
    labels[5] = 200;
    const { error, cachePath, leftAfterFailure, healed } = await loadTwice(gzipSync(Buffer.concat([idxHeader([10_000]), labels])));
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as Error).message).toContain(`${cachePath}: label 200 at index 5 is not 0..9. The bad copy was removed from the cache; run again to fetch it anew.`);
    expect(leftAfterFailure.filter((f) => f.startsWith('fashion-mnist/'))).toEqual([]);
    expect(healed.notes.files).toMatchObject({ 'fashion-mnist/t10k-labels-idx1-ubyte.gz': { source: 'mirror' } });
    expect(healed.testLabels).toHaveLength(10);
  });

  it('9,999 labels for 10,000 images: refused naming both files, the cached copy removed', async () => {
    const { error, cachePath, leftAfterFailure, healed } = await loadTwice(gzipSync(Buffer.concat([idxHeader([9_999]), Buffer.alloc(9_999, 1)])));
    expect((error as Error).message).toContain(`${cachePath} holds labels of shape 9999 for the 10000 images of ${path.join(MIRROR, 'fashion-mnist/t10k-images-idx3-ubyte.gz')}.`);
    expect((error as Error).message).toContain('The bad copy was removed from the cache; run again to fetch it anew.');
    expect(leftAfterFailure.filter((f) => f.startsWith('fashion-mnist/'))).toEqual([]);
    expect(healed.testImages).toHaveLength(10 * 784);
  });
});

describe('a gzip bomb in the cache', () => {
  it('a header of 10,000 labels followed by 256 MiB: refused as it inflates, memory bounded, the copy removed', async () => {
    const zeros = Buffer.alloc(2 ** 20);
    const bomb = await buffer(Readable.from((function* () {
      yield idxHeader([10_000]);
      for (let i = 0; i < 256; i++) yield zeros;
    })()).pipe(createGzip({ level: 9 })));
    expect(bomb.length).toBeLessThan(2 ** 20); // a small file...
    const cacheDir = path.join(dirs.make(), 'cache');
    const cachePath = await plantTrustedCacheFile(cacheDir, FASHION_MNIST_FILES.testLabels, bomb);
    const ctx = resolveDataContext({}, { cacheDir, mirror: MIRROR, log: () => {} });

    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().arrayBuffers); }, 1);
    const error = await loadFashionMnist(ctx, LIMITS).then(() => undefined, (e: unknown) => e);
    clearInterval(sampler);
    expect((error as Error).message).toContain(`${cachePath} inflates to more than the 10008 bytes its IDX header declares (10000)`);
    expect((error as Error).message).toContain('removed from the cache');
    // ...that would inflate to 256 MiB: what was held at once stays far below (the real images are ~55 MB).
    expect(peak - before).toBeLessThan(128 * 2 ** 20);
    expect(listFiles(cacheDir).filter((f) => f.startsWith('fashion-mnist/'))).toEqual([]);
  });

  it('a header declaring 2^32 − 1 labels: refused before anything is inflated or allocated', async () => {
    const cacheDir = path.join(dirs.make(), 'cache');
    const cachePath = await plantTrustedCacheFile(cacheDir, FASHION_MNIST_FILES.testLabels, gzipSync(Buffer.concat([idxHeader([2 ** 32 - 1]), Buffer.alloc(100)])));
    const error = await loadFashionMnist(resolveDataContext({}, { cacheDir, mirror: MIRROR, log: () => {} }), LIMITS).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`${cachePath} declares dimensions 4294967295 (4294967303 bytes unpacked), more than the 10008 bytes this file holds`);
  });
});

describe('an IMDB archive with an oversized review', () => {
  it('is refused naming the entry and its size, before the entry is read', async () => {
    const archive = path.join(dirs.make(), 'aclImdb_v1.tar.gz');
    const huge = 'a'.repeat(IMDB_TAR_LIMITS.maxFileBytes + 1);
    await writeFile(archive, craftTarGz([
      { path: 'aclImdb/train/pos/0_9.txt', content: 'fine' },
      { path: 'aclImdb/train/pos/1_9.txt', content: huge },
    ]));
    await expect(readImdbReviews(archive)).rejects.toThrow(
      `Refusing to read ${archive}: entry 'aclImdb/train/pos/1_9.txt' is 1048577 bytes, more than the 1048576 bytes such a file may have; it was not read.`,
    );
  });
});

/** A zip holding `name` with `content`, whose central directory claims `declaredSize` unpacked bytes. */
async function zipDeclaring(name: string, content: Buffer, declaredSize: number): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(content, name);
  zip.end();
  const bytes = await buffer(zip.outputStream);
  const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  bytes.writeUInt32LE(declaredSize, central + 24);
  return bytes;
}

describe('zip members that declare more than the dataset holds', () => {
  it('a Jena CSV entry declaring 2 GB and a Boston npz member past its limit are refused before inflating', async () => {
    const dir = dirs.make();
    const jena = path.join(dir, 'jena.zip');
    await writeFile(jena, await zipDeclaring('jena_climate_2009_2016.csv', Buffer.from(jenaCsv([jenaRow(0, plausibleValues(0))])), 2_000_000_000));
    await expect(readJenaZip(jena)).rejects.toThrow(`${jena}: jena_climate_2009_2016.csv unpacks to 2000000000 bytes, far more than the 43164220 bytes of the Jena climate CSV; it was not inflated.`);

    const npz = path.join(dir, 'boston.npz');
    await writeFile(npz, await zipDeclaring('x.npy', await readFile(path.join(import.meta.dirname, '../fixtures/npy/f8-v1.npy')), 3 * 2 ** 20));
    await expect(readNpz(npz, 2 ** 20)).rejects.toThrow(`${npz}: member x.npy unpacks to 3145728 bytes, more than the 1048576 bytes it may have; it was not inflated.`);
  });
});
