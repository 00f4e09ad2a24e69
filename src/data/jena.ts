/**
 * Jena climate 2009-2016 (the Keras `jena_climate_2009_2016.csv.zip`): the CSV is unzipped and parsed
 * as a stream, bad rows are counted instead of crashing the run, and the series is split, standardised
 * with training statistics and windowed as in Chollet's DLwP §6.3 (see windows.ts).
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import yauzl from 'yauzl';
import type { DataContext } from './types.js';
import { JENA_CLIMATE_FILE } from './datasets.js';
import { DataFormatError, DataIntegrityError } from './errors.js';
import { fetchFile, unusableFileError } from './fetch.js';
import type { FetchedFile } from './types.js';
import { digestingMeter } from './digestingMeter.js';
import { CHOLLET_SPLIT, CHOLLET_WINDOW, chronologicalSplit, columnStats, naiveBaselineMae, standardize, timestepsOf, windowAnchors, type ColumnStats, type RowRange, type Series, type SplitSizes, type WindowSpec } from './windows.js';
import { WindowOptionError } from './errors.js';

/** The CSV header, in file order (quoted in the file). */
export const JENA_COLUMNS = [
  'Date Time',
  'p (mbar)',
  'T (degC)',
  'Tpot (K)',
  'Tdew (degC)',
  'rh (%)',
  'VPmax (mbar)',
  'VPact (mbar)',
  'VPdef (mbar)',
  'sh (g/kg)',
  'H2OC (mmol/mol)',
  'rho (g/m**3)',
  'wv (m/s)',
  'max. wv (m/s)',
  'wd (deg)',
] as const;
/** The 14 numeric columns, all used as features. */
export const JENA_FEATURES = JENA_COLUMNS.slice(1);
/** Index of `T (degC)` among JENA_FEATURES: the forecasting target. */
export const JENA_TARGET_COLUMN = JENA_FEATURES.indexOf('T (degC)');

/** The CSV inside the Keras zip (SOURCES.md): what a complete, unmodified copy looks like. */
export const JENA_CANONICAL_CSV = {
  name: 'jena_climate_2009_2016.csv',
  bytes: 43_164_220,
  md5: '959915f05bfafef18e471a97ae679535',
  rows: 420_551,
} as const;

/** Wind speeds are logged as −9999.00 when the sensor failed; the Keras tutorial sets them to 0. */
const WIND_SENTINEL = -9999;
const WIND_COLUMNS: readonly number[] = [JENA_FEATURES.indexOf('wv (m/s)'), JENA_FEATURES.indexOf('max. wv (m/s)')];
const TIMESTAMP = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;
/** Rows are logged every 10 minutes. */
const ROW_INTERVAL_MS = 10 * 60 * 1000;
const MAX_DROPPED_EXAMPLES = 5;

export interface JenaParseReport {
  /** Data rows seen after the header, including dropped ones. */
  rowsRead: number;
  rowsKept: number;
  dropped: {
    /** Fewer or more than 15 fields, or an empty field. */
    missingFields: number;
    /** A numeric column holding text (or a number in a form other than plain decimal). */
    nonNumeric: number;
    /** A timestamp not in `dd.mm.yyyy HH:MM:SS` form. */
    badTimestamp: number;
  };
  /** The first few dropped rows, with line numbers and why, for the report. */
  droppedExamples: string[];
  /** −9999 wind speeds replaced by 0, per column. */
  windSentinelsReplaced: Record<string, number>;
  timestamps: {
    first?: string;
    last?: string;
    /** Rows whose timestamp is not after the previous row's (the real file has a few duplicates). */
    notIncreasing: number;
    /** Steps longer than 10 minutes between consecutive rows. */
    gaps: number;
  };
  csv: { bytes: number; md5: string };
}

export interface JenaTable {
  /** Raw values, rows × 14 in JENA_FEATURES order. */
  series: Series;
  /** Milliseconds since 1970 of each row, reading the local station time as if it were UTC. */
  timestamps: Float64Array;
  report: JenaParseReport;
}

/**
 * Parses the Jena CSV from a byte stream. Rows with missing fields, text in numeric columns or a bad
 * timestamp are dropped and counted, −9999 wind speeds become 0 and are counted; only a wrong header
 * (not this dataset at all) throws DataFormatError.
 */
export async function parseJenaCsv(input: Readable, sourceName: string): Promise<JenaTable> {
  const meter = digestingMeter('md5');
  const rows = new RowCollector();
  const report = emptyReport();
  const parser = parse({
    bom: true,
    // Quotes are plain text: only the header is quoted, and a stray quote in a data row must cost that
    // row (dropped as non-numeric), not swallow the rest of the file into one quoted field.
    quote: false,
    relax_column_count: true,
    // Without quotes every record is one line, so line numbers follow from the record count (cheaper
    // than csv-parse's per-record `info`); an empty line is then a record with a missing field.
    skip_empty_lines: false,
  });
  let headerSeen = false;
  try {
    await pipeline(input, meter.stream, parser, async (records: AsyncIterable<string[]>) => {
      for await (const record of records) {
        if (!headerSeen) {
          checkHeader(record, sourceName);
          headerSeen = true;
          continue;
        }
        report.rowsRead++;
        const problem = rows.add(record, report);
        if (problem) noteDropped(report, `line ${report.rowsRead + 1}: ${problem}`);
      }
    });
  } catch (error) {
    if (error instanceof DataFormatError) throw error;
    // e.g. corrupt deflate data in the zip: the bytes themselves are unreadable.
    throw new DataFormatError(
      `Could not read ${sourceName} after ${meter.bytes()} bytes (${(error as Error).message}); the file is ` +
        `corrupt. Delete it and fetch it again.`,
      { cause: error },
    );
  }
  if (!headerSeen) throw new DataFormatError(`${sourceName} is empty; expected the Jena climate CSV.`);

  report.rowsKept = rows.count;
  report.csv = { bytes: meter.bytes(), md5: meter.digest() };
  return rows.finish(report);
}

/** The canonical CSV is 43 MB; a CSV entry declaring more than this is refused before it is inflated. */
export const JENA_MAX_CSV_BYTES = 4 * JENA_CANONICAL_CSV.bytes;

/** Finds `jena_climate_2009_2016.csv` in the zip at `zipPath` (ignoring __MACOSX) and parses it. */
export async function readJenaZip(zipPath: string): Promise<JenaTable> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true });
  } catch (error) {
    throw new DataFormatError(`${zipPath} is not a readable zip archive (${(error as Error).message}); delete it and fetch it again.`, {
      cause: error,
    });
  }
  try {
    const names: string[] = [];
    for await (const entry of zip.eachEntry()) {
      names.push(entry.fileName);
      if (entry.fileName.startsWith('__MACOSX/') || entry.fileName.split('/').pop() !== JENA_CANONICAL_CSV.name) continue;
      if (entry.uncompressedSize > JENA_MAX_CSV_BYTES) {
        throw new DataFormatError(`${zipPath}: ${entry.fileName} unpacks to ${entry.uncompressedSize} bytes, far more than the ` +
          `${JENA_CANONICAL_CSV.bytes} bytes of the Jena climate CSV; it was not inflated. Delete it and fetch ${JENA_CLIMATE_FILE.url} again.`);
      }
      return await parseJenaCsv(await zip.openReadStreamPromise(entry), `${zipPath}:${entry.fileName}`);
    }
    throw new DataFormatError(
      `${zipPath} holds no ${JENA_CANONICAL_CSV.name} (entries: ${names.join(', ') || 'none'}); it is not the ` +
        `Keras Jena climate archive. Delete it and fetch ${JENA_CLIMATE_FILE.url} again.`,
    );
  } catch (error) {
    if (error instanceof DataFormatError) throw error;
    // yauzl refuses damaged directories and entry names that would escape an extraction directory ('..', absolute).
    throw new DataFormatError(`${zipPath} is a damaged or unsafe zip archive (${(error as Error).message}); delete it and fetch it again.`, {
      cause: error,
    });
  } finally {
    zip.close();
  }
}

export interface JenaOptions extends Partial<SplitSizes>, Partial<WindowSpec> {}

/** What preparing the table records: parse counts, split, windows, standardisation, baseline. */
export interface JenaPreparationNotes {
  parse: JenaParseReport;
  splits: Record<SplitName, RowRange>;
  windows: WindowSpec & { timesteps: number; counts: Record<SplitName, number> };
  standardisation: string;
  /** "T in 24 h = T now" on each split's anchors, standardised units and degrees Celsius. */
  naiveBaseline: Record<'validation' | 'test', { mae: number; maeDegC: number }>;
}

/** Everything results.json should know about a Jena load: where the file came from, how it was checked. */
export interface JenaNotes extends JenaPreparationNotes {
  dataset: 'jena-climate';
  source: FetchedFile['source'];
  verification: FetchedFile['verification'];
  origin: string;
  /** What proved the CSV is the canonical one. */
  integrity: string;
}

type SplitName = 'train' | 'validation' | 'test';

export interface JenaData<Notes extends JenaPreparationNotes = JenaPreparationNotes> {
  /** All rows standardised with the training rows' statistics: rows × 14 in JENA_FEATURES order. */
  series: Series;
  targetColumn: number;
  featureNames: readonly string[];
  spec: WindowSpec;
  splits: Record<SplitName, RowRange>;
  /** Window anchors per split; `extractWindows(series, targetColumn, anchors, spec)` makes the samples. */
  anchors: Record<SplitName, Int32Array>;
  /** Training-row statistics of the raw values (mean/std of `T (degC)` converts MAE back to degrees). */
  stats: ColumnStats;
  notes: Notes;
}

/**
 * Fetches the Keras zip (cache → mirror → download), checks the CSV inside against its published
 * size and md5 (the zip itself has no published hash), and prepares split, statistics and windows.
 */
export async function loadJena(ctx: DataContext, options: JenaOptions = {}): Promise<JenaData<JenaNotes>> {
  const archive = await fetchFile(JENA_CLIMATE_FILE, ctx);
  ctx.log(`jena: parsing ${archive.path}`);
  let table: JenaTable;
  try {
    table = await readJenaZip(archive.path);
    checkCanonicalCsv(table.report, archive.path);
  } catch (error) {
    if (error instanceof DataFormatError || error instanceof DataIntegrityError) throw await unusableFileError(archive, ctx, error);
    throw error;
  }
  const data = prepareJenaData(table, options);
  return {
    ...data,
    notes: {
      dataset: 'jena-climate',
      source: archive.source,
      verification: archive.verification,
      origin: archive.origin,
      integrity: `CSV inside matches the published size (${JENA_CANONICAL_CSV.bytes} bytes) and md5 ${JENA_CANONICAL_CSV.md5}`,
      ...data.notes,
    },
  };
}

/** Split (default 200k/100k/rest), train-only standardisation, window anchors and the naive baseline. */
export function prepareJenaData(table: JenaTable, options: JenaOptions = {}): JenaData {
  const spec: WindowSpec = {
    lookback: options.lookback ?? CHOLLET_WINDOW.lookback,
    step: options.step ?? CHOLLET_WINDOW.step,
    delay: options.delay ?? CHOLLET_WINDOW.delay,
    stride: options.stride ?? CHOLLET_WINDOW.stride,
  };
  const rows = table.series.values.length / table.series.columns;
  const splits = chronologicalSplit(rows, {
    trainRows: options.trainRows ?? CHOLLET_SPLIT.trainRows,
    validationRows: options.validationRows ?? CHOLLET_SPLIT.validationRows,
  });
  const stats = columnStats(table.series, splits.train);
  const series = standardize(table.series, stats);
  const anchors = {
    train: windowAnchors(splits.train, spec),
    validation: windowAnchors(splits.validation, spec),
    test: windowAnchors(splits.test, spec),
  };
  for (const split of ['train', 'validation', 'test'] as const) {
    if (anchors[split].length > 0) continue;
    const { start, end } = splits[split];
    throw new WindowOptionError(
      `The ${split} split has ${end - start} rows, too few for one window (lookback ${spec.lookback} + ` +
        `delay ${spec.delay} + 1 rows); give it more rows or shorten lookback/delay.`,
    );
  }
  const targetStd = stats.std[JENA_TARGET_COLUMN];
  const baseline = (split: 'validation' | 'test') => {
    const mae = naiveBaselineMae(series, JENA_TARGET_COLUMN, anchors[split], spec);
    return { mae, maeDegC: mae * targetStd };
  };
  return {
    series,
    targetColumn: JENA_TARGET_COLUMN,
    featureNames: JENA_FEATURES,
    spec,
    splits,
    anchors,
    stats,
    notes: {
      parse: table.report,
      splits,
      windows: {
        ...spec,
        timesteps: timestepsOf(spec),
        counts: { train: anchors.train.length, validation: anchors.validation.length, test: anchors.test.length },
      },
      standardisation: `mean/std of the ${splits.train.end} training rows only, applied to every split`,
      naiveBaseline: { validation: baseline('validation'), test: baseline('test') },
    },
  };
}

/** The zip has no published hash, so the CSV's md5 is what proves the data is the canonical file. */
function checkCanonicalCsv(report: JenaParseReport, zipPath: string): void {
  const { bytes, md5 } = report.csv;
  if (bytes === JENA_CANONICAL_CSV.bytes && md5 === JENA_CANONICAL_CSV.md5) return;
  throw new DataIntegrityError(
    `The CSV in ${zipPath} is not the canonical Jena climate file: ${bytes} bytes with md5 ${md5}, expected ` +
      `${JENA_CANONICAL_CSV.bytes} bytes with md5 ${JENA_CANONICAL_CSV.md5}. Delete it and fetch ` +
      `${JENA_CLIMATE_FILE.url} again.`,
  );
}

function checkHeader(record: string[], sourceName: string): void {
  const names = record.map((field) => field.replace(/^"(.*)"$/, '$1'));
  const matches = names.length === JENA_COLUMNS.length && names.every((name, i) => name === JENA_COLUMNS[i]);
  if (!matches) {
    throw new DataFormatError(
      `${sourceName} does not start with the Jena climate header (${JENA_COLUMNS.join(', ')}); found ` +
        `${names.slice(0, 16).join(', ')}. It is not the Keras jena_climate_2009_2016.csv.`,
    );
  }
}

function emptyReport(): JenaParseReport {
  return {
    rowsRead: 0,
    rowsKept: 0,
    dropped: { missingFields: 0, nonNumeric: 0, badTimestamp: 0 },
    windSentinelsReplaced: Object.fromEntries(WIND_COLUMNS.map((c) => [JENA_FEATURES[c], 0])),
    timestamps: { notIncreasing: 0, gaps: 0 },
    // Last: the report cuts long notes short, and the counts above must survive the cut.
    droppedExamples: [],
    csv: { bytes: 0, md5: '' },
  };
}

function noteDropped(report: JenaParseReport, description: string): void {
  if (report.droppedExamples.length < MAX_DROPPED_EXAMPLES) report.droppedExamples.push(description);
}

/** Accumulates valid rows into growing typed arrays (the row count is unknown until the end). */
class RowCollector {
  private values = new Float32Array(JENA_FEATURES.length * 65_536);
  private times = new Float64Array(65_536);
  count = 0;

  /** Adds the row, or returns why it was dropped (after counting it in `report`). */
  add(record: string[], report: JenaParseReport): string | undefined {
    if (record.length !== JENA_COLUMNS.length || record.some((field) => field.trim() === '')) {
      report.dropped.missingFields++;
      return `${record.length} fields (expected ${JENA_COLUMNS.length}) or an empty field`;
    }
    const time = parseTimestamp(record[0]);
    if (time === undefined) {
      report.dropped.badTimestamp++;
      return `timestamp '${record[0]}' is not dd.mm.yyyy HH:MM:SS`;
    }
    const badColumn = JENA_FEATURES.findIndex((_, c) => !DECIMAL.test(record[c + 1].trim()));
    if (badColumn >= 0) {
      report.dropped.nonNumeric++;
      return `${JENA_FEATURES[badColumn]} is '${record[badColumn + 1]}', not a number`;
    }
    this.ensureCapacity();
    const offset = this.count * JENA_FEATURES.length;
    for (let c = 0; c < JENA_FEATURES.length; c++) this.values[offset + c] = Number(record[c + 1]);
    for (const c of WIND_COLUMNS) {
      if (this.values[offset + c] === WIND_SENTINEL) {
        this.values[offset + c] = 0;
        report.windSentinelsReplaced[JENA_FEATURES[c]]++;
      }
    }
    this.times[this.count] = time;
    if (this.count > 0) {
      const step = time - this.times[this.count - 1];
      if (step <= 0) report.timestamps.notIncreasing++;
      else if (step > ROW_INTERVAL_MS) report.timestamps.gaps++;
    }
    report.timestamps.first ??= record[0];
    report.timestamps.last = record[0];
    this.count++;
    return undefined;
  }

  finish(report: JenaParseReport): JenaTable {
    return {
      series: { values: this.values.slice(0, this.count * JENA_FEATURES.length), columns: JENA_FEATURES.length },
      timestamps: this.times.slice(0, this.count),
      report,
    };
  }

  private ensureCapacity(): void {
    if (this.count < this.times.length) return;
    const values = new Float32Array(this.values.length * 2);
    values.set(this.values);
    this.values = values;
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
  }
}

/** `dd.mm.yyyy HH:MM:SS` → ms since 1970 (station time read as UTC), or undefined when malformed. */
function parseTimestamp(text: string): number | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [day, month, year, hour, minute, second] = match.slice(1).map(Number);
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(time);
  // Date.UTC rolls 31.02 over into March: a round trip catches impossible dates.
  const valid = date.getUTCDate() === day && date.getUTCMonth() === month - 1 && hour < 24 && minute < 60 && second < 60;
  return valid ? time : undefined;
}
