/**
 * Damaged and hostile data, end to end: cache entries damaged after they were verified, archives whose
 * entries would escape an extraction directory, headers that claim more data than the file has, and a
 * CSV with bad rows whose counts must reach results.json and the report. The per-format parsers' own
 * refusals are unit-tested under tests/data; this suite checks what the user sees and what is left on disk.
 */
import { copyFile, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temperature, temperatureData } from '../../experiments/temperature.js';
import { selectBackend, type BackendChoice } from '../../src/backend/select.js';
import { BOSTON_HOUSING_FILE } from '../../src/data/datasets.js';
import { DataFormatError } from '../../src/data/errors.js';
import { cachePathFor, fetchFile, resolveDataContext } from '../../src/data/fetch.js';
import { parseIdx } from '../../src/data/idx.js';
import { parseJenaCsv, prepareJenaData, readJenaZip } from '../../src/data/jena.js';
import { parseNpy } from '../../src/data/npy.js';
import { readNpz } from '../../src/data/npz.js';
import { readResults } from '../../src/results/io.js';
import { writeReport } from '../../src/report/index.js';
import type { ModelExperiment, Profile } from '../../src/train/definition.js';
import { runModelExperiment } from '../../src/train/runExperiment.js';
import { jenaCsv, jenaRow, plausibleValues } from '../fixtures/jena.js';
import { cliTestTimeout, listFiles, MIRROR, runCli, runDirsUnder, tempDirs, TINY_RUN } from './helpers.js';

const dirs = tempDirs('data');
afterAll(() => dirs.cleanup());

/** Files a crashed or careless writer would leave: temp files of our writers and of write-file-atomic. */
const leftovers = (files: string[]) => files.filter((file) => /\.tmp$|\.json\.\d+$|\.npz\.\d+$|\.[0-9a-f]{6,}$/.test(file));

describe('a Boston cache entry damaged after it was verified', () => {
  it('fails the run naming the file and the fix, removes the entry, and the next run heals from the mirror', { timeout: cliTestTimeout(2) }, async () => {
    const work = dirs.make();
    const cacheDir = path.join(work, 'cache');
    const ctx = resolveDataContext({}, { cacheDir, log: () => {} });
    const cached = cachePathFor(BOSTON_HOUSING_FILE, ctx);
    // A verified cached copy (as a download leaves it), with the sidecar that lets later runs trust it.
    await mkdir(path.dirname(cached), { recursive: true });
    await copyFile(path.join(MIRROR, BOSTON_HOUSING_FILE.mirrorPath), cached);
    // Whole seconds: utimes takes float seconds, which would shift a sub-second mtime by a millisecond.
    const mtime = 1_700_000_000;
    await utimes(cached, mtime, mtime);
    expect((await fetchFile(BOSTON_HOUSING_FILE, ctx)).source).toBe('cache');
    expect(listFiles(cacheDir)).toEqual(['boston-housing/boston_housing.npz', 'boston-housing/boston_housing.npz.verified.json']);
    // Damage it without changing its size or mtime (the sidecar still trusts it): the zip directory is gone.
    const bytes = await readFile(cached);
    bytes.fill(0, bytes.length - 22);
    await writeFile(cached, bytes);
    await utimes(cached, mtime, mtime);

    const env = { OPTBENCH_DATA_DIR: cacheDir };
    const failed = await runCli('experiment', [...TINY_RUN, '--no-report', '--out', path.join(work, 'out')], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${cached} is not a readable .npz (zip) archive`);
    expect(failed.stderr).toContain('removed from the cache; run again to fetch it anew');
    expect(failed.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(listFiles(cacheDir)).toEqual([]);

    const healed = await runCli('experiment', [...TINY_RUN, '--no-report', '--out', path.join(work, 'out')], env);
    expect(healed.code).toBe(0);
    const [runDir] = runDirsUnder(path.join(work, 'out')).slice(-1);
    const results = await readResults(path.join(runDir, 'results.json'));
    expect(results.settings.data).toMatchObject({ source: 'mirror', verification: 'sha256' });
    // The mirror is used in place; the cache only holds its verification record, and no temp files.
    expect(listFiles(cacheDir)).toEqual(['mirror-verified/boston-housing/boston_housing.npz.verified.json']);
  });

  it('replaces a truncated copy (size changed) from the mirror without failing the run', async () => {
    const work = dirs.make();
    const cacheDir = path.join(work, 'cache');
    const cached = path.join(cacheDir, ...BOSTON_HOUSING_FILE.id.split('/'));
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(cached, (await readFile(path.join(MIRROR, BOSTON_HOUSING_FILE.mirrorPath))).subarray(0, 30_000));
    const run = await runCli('experiment', [...TINY_RUN, '--no-report', '--out', path.join(work, 'out')], { OPTBENCH_DATA_DIR: cacheDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`cached copy ${cached} is not the expected file (size is 30000 bytes, expected 57026); removing it.`);
    expect(leftovers(listFiles(cacheDir))).toEqual([]);
    expect(listFiles(cacheDir)).not.toContain('boston-housing/boston_housing.npz');
  });
});

/** A zip whose entries are named `names` (any bytes, even what zip writers refuse), each holding `content`. */
async function zipWithNames(names: string[], content: Buffer, mode?: number): Promise<Buffer> {
  // yazl refuses unsafe names, so placeholders of the same length are patched in afterwards (local header
  // and central directory both carry the name).
  const placeholders = names.map((name, i) => `${String(i).padStart(name.length, 'Q')}`);
  const zip = new yazl.ZipFile();
  placeholders.forEach((placeholder) => zip.addBuffer(content, placeholder, { mode }));
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  let bytes = Buffer.concat(chunks).toString('latin1');
  placeholders.forEach((placeholder, i) => {
    bytes = bytes.replaceAll(placeholder, names[i]);
  });
  return Buffer.from(bytes, 'latin1');
}

describe('zip archives with entries that would escape an extraction directory', () => {
  let dir: string;
  let npy: Buffer;
  beforeAll(async () => {
    dir = dirs.make();
    npy = await readFile(path.resolve(import.meta.dirname, '../fixtures/npy/f8-v1.npy'));
  });

  it.each([
    ['a .. path', 'x/../../escape.npy', /invalid relative path: x\/\.\.\/\.\.\/escape\.npy/],
    ['an absolute path', '/tmp/evil.npy', /absolute path: \/tmp\/evil\.npy/],
  ])('readNpz refuses an npz with %s, naming the file', async (_label, name, reason) => {
    const file = path.join(dir, `evil-${_label.replaceAll(' ', '-')}.npz`);
    await writeFile(file, await zipWithNames(['x.npy', name], npy));
    const error = await readNpz(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(reason);
  });

  it('readJenaZip refuses a Jena zip whose CSV entry has a .. path, as a DataFormatError with the fix', async () => {
    const file = path.join(dir, 'evil-jena.zip');
    await writeFile(file, await zipWithNames(['../jena_climate_2009_2016.csv'], Buffer.from(jenaCsv([jenaRow(0, plausibleValues(0))]))));
    const error = await readJenaZip(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as Error).message).toContain(`${file} is a damaged or unsafe zip archive (invalid relative path`);
    expect((error as Error).message).toContain('delete it and fetch it again');
  });

  it('readJenaZip reads a symbolic-link entry as its text (a path), never following it, and refuses it as not Jena', async () => {
    const file = path.join(dir, 'symlink-jena.zip');
    await writeFile(file, await zipWithNames(['jena_climate_2009_2016.csv'], Buffer.from('/etc/passwd'), 0o120777));
    await expect(readJenaZip(file)).rejects.toThrow(DataFormatError);
    await expect(readJenaZip(file)).rejects.toThrow(/header/i);
  });
});

describe('headers that claim far more data than the file holds', () => {
  it('an npy claiming 2^40 float64 values is refused before anything is allocated', () => {
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }".padEnd(117, ' ') + '\n';
    const file = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, header.length, 0]), Buffer.from(header, 'latin1'), Buffer.alloc(16)]);
    expect(() => parseNpy(file, 'huge.npy')).toThrow(/huge\.npy .*needs 8796093022208 data bytes but 16 follow the header \(file truncated\)/);
  });

  it('an IDX claiming 2^32-1 × 2^32-1 × 2^32-1 bytes is refused', () => {
    const file = new Uint8Array([0, 0, 0x08, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 2, 3]);
    expect(() => parseIdx(file, 'huge.idx')).toThrow(/huge\.idx is not a valid IDX file: .*but 3 bytes follow it \(file truncated\)/);
  });
});

describe('a Jena CSV with bad rows, through a training run to results.json and the report', () => {
  const profile: Profile = { epochs: 1, batchSize: 16, trainLimit: 32, validationLimit: 16, rationale: 'test', options: { lookback: 288, step: 6, delay: 36, stride: 12 } };
  let backend: BackendChoice;
  beforeAll(async () => {
    backend = await selectBackend('wasm');
  });

  it('drops and counts missing fields, text in numeric columns and bad timestamps, zeroes −9999 wind speeds, and reports all counts', async () => {
    const rows = Array.from({ length: 3000 }, (_, row) => {
      const values = plausibleValues(row);
      if (row === 100) return jenaRow(row, values).split(',').slice(0, 14).join(','); // a field missing
      if (row === 200) return jenaRow(row, values).replace(/,[^,]+$/, ',n/a'); // text in wd (deg)
      if (row === 300) return jenaRow(row, values).replace(/^[^,]+/, '2009-01-03 02:00:00'); // ISO timestamp
      if (row === 400 || row === 500) values[11] = -9999; // wv (m/s) sensor failure
      if (row === 500) values[12] = -9999; // and max. wv
      return jenaRow(row, values);
    });
    const table = await parseJenaCsv(Readable.from([Buffer.from(jenaCsv(rows))]), 'defective.csv');
    const data = prepareJenaData(table, { trainRows: 1800, validationRows: 600, lookback: 288, step: 6, delay: 36, stride: 12 });
    const experiment: ModelExperiment = { ...temperature, name: 'temperature', profiles: { test: profile }, loadData: async () => temperatureData(data, profile) };
    const out = dirs.make();
    const { runDir } = await runModelExperiment(
      { experiment, profileName: 'test', profile, optimizers: ['adam'], implsFor: () => ['builtin'], seeds: [1], learningRates: [] },
      backend, resolveDataContext({}, { cacheDir: path.join(out, 'cache'), log: () => {} }), { reportsRoot: out },
    );

    const expected = {
      rowsRead: 3000,
      rowsKept: 2997,
      dropped: { missingFields: 1, nonNumeric: 1, badTimestamp: 1 },
      windSentinelsReplaced: { 'wv (m/s)': 2, 'max. wv (m/s)': 1 },
    };
    const results = await readResults(path.join(runDir, 'results.json'));
    expect((results.settings.data as { parse: unknown }).parse).toMatchObject(expected);

    const { markdown } = await writeReport(runDir);
    const parseLines = (await readFile(markdown, 'utf8')).split('\n').filter((line) => line.includes('Data: parse')).join('\n');
    // Every count is in the report itself, not only in results.json, and in words rather than raw JSON.
    for (const fragment of ['rows read:** 3,000', 'rows kept:** 2,997', 'missing fields 1', 'non numeric 1', 'bad timestamp 1', 'wv (m/s) 2', 'max. wv (m/s) 1']) {
      expect(parseLines).toContain(fragment);
    }
    expect(parseLines).not.toMatch(/[{}"]/);
  });
});
