import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { JENA_CLIMATE_FILE } from '../../src/data/datasets.js';
import { DataFormatError, DataIntegrityError, DataUnavailableError } from '../../src/data/errors.js';
import {
  JENA_FEATURES,
  JENA_TARGET_COLUMN,
  loadJena,
  parseJenaCsv,
  prepareJenaData,
  readJenaZip,
  type JenaTable,
} from '../../src/data/jena.js';
import { WindowOptionError } from '../../src/data/errors.js';
import { FIRST_REAL_ROW, JENA_HEADER, jenaCsv, jenaRow, jenaTimestamp, plausibleValues, writeJenaZip } from '../fixtures/jena.js';
import { tempDataContext } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'optbench-jena-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const parseText = (csv: string) => parseJenaCsv(Readable.from([Buffer.from(csv, 'utf8')]), 'test.csv');

describe('the generated fixture', () => {
  it('has the header size SOURCES.md gives for the real file', () => {
    expect(Buffer.byteLength(JENA_HEADER)).toBe(195);
  });
});

describe('parseJenaCsv on a CSV with known defects', () => {
  const values = (row: number) => plausibleValues(row);
  const windBroken = [...values(2)];
  windBroken[11] = -9999; // wv (m/s)
  windBroken[12] = -9999; // max. wv (m/s)
  const maxWindBroken = [...values(3)];
  maxWindBroken[12] = -9999;
  const rows = [
    FIRST_REAL_ROW, // line 2
    jenaRow(1, values(1)), // 3
    jenaRow(2, windBroken), // 4: kept, both wind speeds → 0
    jenaRow(3, maxWindBroken), // 5: kept, max. wv → 0
    jenaRow(4, values(4)).split(',').slice(0, 14).join(','), // 6: a field missing
    jenaRow(5, values(5)).replace(/,[^,]+,/, ',,'), // 7: an empty field
    jenaRow(6, values(6)).replace(/,[^,]+$/, ',n/a'), // 8: text in wd (deg)
    jenaRow(7, values(7)).replace(/^[^,]+/, '2009-01-01 01:20:00'), // 9: ISO timestamp
    jenaRow(8, values(8)).replace(/,([^,]+),/, ',"$1,'), // 10: a stray quote
    jenaRow(9, values(9)), // 11
    jenaRow(9, values(9)), // 12: duplicate timestamp, kept
    '', // 13: an empty line
    jenaRow(12, values(12)), // 14: 20-minute gap
  ];
  const csv = jenaCsv(rows);
  let table: JenaTable;
  beforeAll(async () => {
    table = await parseText(csv);
  });

  it('keeps the good rows and drops and counts each kind of bad row', () => {
    expect(table.report).toMatchObject({
      rowsRead: 13,
      rowsKept: 7,
      dropped: { missingFields: 3, nonNumeric: 2, badTimestamp: 1 },
      windSentinelsReplaced: { 'wv (m/s)': 1, 'max. wv (m/s)': 2 },
      // Kept rows are 0, 1, 2, 3, 9, 9, 12: the dropped rows leave one gap (3 → 9) and row 12 another.
      timestamps: { first: '01.01.2009 00:10:00', last: jenaTimestamp(12), notIncreasing: 1, gaps: 2 },
    });
    expect(table.series.columns).toBe(14);
    expect(table.series.values).toHaveLength(7 * 14);
    expect(table.timestamps).toHaveLength(7);
  });

  it('says where and why rows were dropped', () => {
    expect(table.report.droppedExamples).toEqual([
      'line 6: 14 fields (expected 15) or an empty field',
      'line 7: 15 fields (expected 15) or an empty field',
      "line 8: wd (deg) is 'n/a', not a number",
      "line 9: timestamp '2009-01-01 01:20:00' is not dd.mm.yyyy HH:MM:SS",
      `line 10: p (mbar) is '"${values(8)[0].toFixed(2)}', not a number`,
    ]);
  });

  it('parses the values of the real first row exactly (as float32)', () => {
    const expected = [996.52, -8.02, 265.4, -8.9, 93.3, 3.33, 3.11, 0.22, 1.94, 3.12, 1307.75, 1.03, 1.75, 152.3];
    expect(Array.from(table.series.values.subarray(0, 14))).toEqual(expected.map(Math.fround));
    expect(table.timestamps[0]).toBe(Date.UTC(2009, 0, 1, 0, 10, 0));
    expect(JENA_FEATURES[JENA_TARGET_COLUMN]).toBe('T (degC)');
    expect(table.series.values[JENA_TARGET_COLUMN]).toBe(Math.fround(-8.02));
  });

  it('replaces −9999 wind speeds by 0 and leaves the other columns alone', () => {
    const row = (kept: number) => Array.from(table.series.values.subarray(kept * 14, kept * 14 + 14));
    const rounded = (v: number[]) => v.map((x) => Math.fround(Number(x.toFixed(2))));
    expect(row(2)).toEqual(rounded([...windBroken.slice(0, 11), 0, 0, windBroken[13]]));
    expect(row(3)).toEqual(rounded([...maxWindBroken.slice(0, 12), 0, maxWindBroken[13]]));
  });

  it('measures the bytes and md5 of the CSV it read', () => {
    expect(table.report.csv).toEqual({
      bytes: Buffer.byteLength(csv),
      md5: createHash('md5').update(csv).digest('hex'),
    });
  });

  it('refuses a file whose header is not the Jena header', async () => {
    const other = ['"Date Time","T (degC)"', '01.01.2009 00:10:00,-8.02'].join('\n');
    await expect(parseText(other)).rejects.toThrow(DataFormatError);
    await expect(parseText(other)).rejects.toThrow(/does not start with the Jena climate header/);
  });

  it('accepts CRLF line endings and a trailing newline', async () => {
    const crlf = await parseText(`${jenaCsv([FIRST_REAL_ROW, jenaRow(1, values(1))]).replaceAll('\n', '\r\n')}\r\n`);
    expect(crlf.report).toMatchObject({ rowsRead: 2, rowsKept: 2 });
    expect(crlf.series.values[13]).toBe(Math.fround(152.3));
  });
});

describe('readJenaZip', () => {
  const csv = jenaCsv(Array.from({ length: 50 }, (_, row) => jenaRow(row, plausibleValues(row))));

  it('parses the CSV inside the zip, ignoring a __MACOSX resource fork', async () => {
    const zipPath = path.join(dir, 'good.zip');
    await writeJenaZip(zipPath, csv, { extraEntries: { '__MACOSX/._jena_climate_2009_2016.csv': 'binary junk' } });
    const table = await readJenaZip(zipPath);
    expect(table.report).toMatchObject({ rowsRead: 50, rowsKept: 50 });
    expect(table.report.csv.md5).toBe(createHash('md5').update(csv).digest('hex'));
  });

  it('names the entries when the zip holds no Jena CSV', async () => {
    const zipPath = path.join(dir, 'wrong-entry.zip');
    await writeJenaZip(zipPath, csv, { entryName: 'weather.csv' });
    await expect(readJenaZip(zipPath)).rejects.toThrow(/holds no jena_climate_2009_2016\.csv \(entries: weather\.csv\)/);
  });

  it('reports corrupt compressed data as a DataFormatError', async () => {
    const zipPath = path.join(dir, 'corrupt.zip');
    await writeJenaZip(zipPath, csv);
    const bytes = await readFile(zipPath);
    // Overwrite the middle of the deflated CSV (local header: 30 bytes + the 26-byte name).
    bytes.fill(0xff, 60, 200);
    await writeFile(zipPath, bytes);
    await expect(readJenaZip(zipPath)).rejects.toThrow(DataFormatError);
    await expect(readJenaZip(zipPath)).rejects.toThrow(/jena_climate_2009_2016\.csv after \d+ bytes .*corrupt/);
  });

  it('reports a file that is not a zip as a DataFormatError', async () => {
    const zipPath = path.join(dir, 'not-a-zip.zip');
    await writeFile(zipPath, '<html>503 Service Unavailable</html>');
    await expect(readJenaZip(zipPath)).rejects.toThrow(DataFormatError);
    await expect(readJenaZip(zipPath)).rejects.toThrow(/is not a readable zip archive/);
  });
});

describe('prepareJenaData', () => {
  /** 600 rows; T rises 0.01 °C per row; validation and test rows are 100 °C warmer and higher pressure. */
  async function risingTable(): Promise<JenaTable> {
    const rows = Array.from({ length: 600 }, (_, row) => {
      const values = plausibleValues(row, row * 0.01 + (row >= 300 ? 100 : 0));
      if (row >= 300) values[0] += 50;
      return jenaRow(row, values);
    });
    return parseText(jenaCsv(rows));
  }
  const options = { trainRows: 300, validationRows: 150, lookback: 60, step: 6, delay: 12, stride: 5 };

  it('standardises every split with statistics of the training rows only', async () => {
    const table = await risingTable();
    const data = prepareJenaData(table, options);
    // Reference statistics computed here from the raw training rows.
    const trainT = Array.from({ length: 300 }, (_, row) => table.series.values[row * 14 + JENA_TARGET_COLUMN]);
    const mean = trainT.reduce((a, b) => a + b) / 300;
    const std = Math.sqrt(trainT.reduce((a, b) => a + (b - mean) ** 2, 0) / 300);
    expect(data.stats.mean[JENA_TARGET_COLUMN]).toBeCloseTo(mean, 4);
    expect(data.stats.std[JENA_TARGET_COLUMN]).toBeCloseTo(std, 4);
    const standardizedT = (row: number) => data.series.values[row * 14 + JENA_TARGET_COLUMN];
    expect(standardizedT(0)).toBeCloseTo((trainT[0] - mean) / std, 4);
    expect(standardizedT(400)).toBeCloseTo((table.series.values[400 * 14 + JENA_TARGET_COLUMN] - mean) / std, 4);
    expect(standardizedT(400)).toBeGreaterThan(50); // the warm rows stay far out: they were not in the statistics
    expect(data.notes.standardisation).toMatch(/300 training rows only/);
  });

  it('splits chronologically and places strided windows inside each split', async () => {
    const data = prepareJenaData(await risingTable(), options);
    expect(data.splits).toEqual({ train: { start: 0, end: 300 }, validation: { start: 300, end: 450 }, test: { start: 450, end: 600 } });
    // train anchors 60, 65, …, 285 (target 285 + 12 = 297 < 300); validation 360 … 435; test 510 … 585.
    expect(data.anchors.train[0]).toBe(60);
    expect(data.anchors.train.at(-1)).toBe(285);
    expect(data.anchors.train).toHaveLength(46);
    expect(Array.from(data.anchors.validation.subarray(0, 2))).toEqual([360, 365]);
    expect(data.anchors.validation.at(-1)).toBe(435);
    expect(data.anchors.test.at(-1)).toBe(585);
    expect(data.notes.windows).toMatchObject({ timesteps: 10, counts: { train: 46, validation: 16, test: 16 } });
  });

  it('reports the naive baseline: T 24 h later = T now, in standardised units and degC', async () => {
    const data = prepareJenaData(await risingTable(), options);
    // Last timestep is 6 rows before the anchor, the target 12 rows after: 18 rows × 0.01 °C = 0.18 °C.
    expect(data.notes.naiveBaseline.validation.maeDegC).toBeCloseTo(0.18, 3);
    expect(data.notes.naiveBaseline.test.maeDegC).toBeCloseTo(0.18, 3);
    expect(data.notes.naiveBaseline.validation.mae).toBeCloseTo(0.18 / data.stats.std[JENA_TARGET_COLUMN], 4);
  });

  it('explains which split is too short for a single window', async () => {
    const table = await risingTable();
    expect(() => prepareJenaData(table, { ...options, validationRows: 50 })).toThrow(WindowOptionError);
    expect(() => prepareJenaData(table, { ...options, validationRows: 50 })).toThrow(/validation split has 50 rows, too few/);
  });
});

describe('loadJena', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('surfaces a clear DataUnavailableError when there is no file, no mirror copy and no network', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) });
    });
    const emptyMirror = await mkdtemp(path.join(dir, 'empty-mirror-'));
    for (const mirror of [undefined, emptyMirror]) {
      const ctx = await tempDataContext(mirror);
      try {
        const error = await loadJena(ctx).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DataUnavailableError);
        expect((error as Error).message).toContain(JENA_CLIMATE_FILE.url);
        expect((error as Error).message).toContain('OPTBENCH_DATA_MIRROR');
      } finally {
        await ctx.cleanup();
      }
    }
  });

  it('refuses a zip of the right size whose CSV is not the canonical file', async () => {
    const mirror = await mkdtemp(path.join(dir, 'mirror-'));
    const zipPath = path.join(mirror, ...JENA_CLIMATE_FILE.mirrorPath.split('/'));
    await mkdir(path.dirname(zipPath), { recursive: true });
    const csv = jenaCsv(Array.from({ length: 20 }, (_, row) => jenaRow(row, plausibleValues(row))));
    await writeJenaZip(zipPath, csv, { totalBytes: JENA_CLIMATE_FILE.size });
    const ctx = await tempDataContext(mirror);
    try {
      const error = await loadJena(ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataIntegrityError);
      expect((error as Error).message).toContain(`md5 ${createHash('md5').update(csv).digest('hex')}`);
      expect((error as Error).message).toContain('expected 43164220 bytes with md5 959915f05bfafef18e471a97ae679535');
    } finally {
      await ctx.cleanup();
    }
  });
});
