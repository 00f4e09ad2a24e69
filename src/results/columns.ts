/**
 * Per-step columns: how a cost-surface unit's every step is stored on disk.
 *
 * A surfaces unit records every step of every trajectory (study profile: 5,001 points × 9 trajectories,
 * plus a 5,000-record distance curve). Written as JSON, once in its unit file and once in results.json,
 * that made a 157 MB run directory that could not be committed. Instead the numbers go to one binary file
 * per unit, `units/<unit>.columns.gz`, and both JSON files keep everything else and point to it:
 *
 *   - the unit's `epochs` array is replaced by `epochCount`, each trajectory's `points` by `pointCount`,
 *     and the unit gains `columns: { file, encoding, sha256 }` (`file` relative to the run directory);
 *   - the file is gzip of the values as float64 little-endian, byte-shuffled (all values' byte 0, then
 *     all values' byte 1, …, byte 7: neighbouring steps share their high bytes, which gzip then packs
 *     into runs; a float32 position stored as float64 has four zero low bytes);
 *   - the values are columns one after another: the epochs' `epoch`, `loss`, `metric`, `valLoss`,
 *     `valMetric`, `seconds` (epochCount values each), then per trajectory in order its points' `step`,
 *     `x`, `y`, `f` (pointCount values each). A null (what JSON makes of NaN and ±Infinity) is NaN; −0 is
 *     written as 0, as JSON writes it.
 *
 * Lossless: reading back gives exactly the numbers the JSON form held, so every claim, chart and curve
 * of the convergence check is the same. Units without trajectories (the model experiments) stay plain
 * JSON, and so does a unit whose records carry fields this format does not know (kept, never dropped).
 * Docs: docs/results-schema.md, "Per-step columns".
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { writeFileAtomicSync } from '../common/atomicWrite.js';
import { InvalidResultsError } from './errors.js';
import type { EpochRecord, OptimizerRun, SurfaceTrajectory, TrajectoryPoint } from './schema.js';

export const COLUMNS_ENCODING = 'float64-le, byte-shuffled, gzip';
const EPOCH_FIELDS = ['epoch', 'loss', 'metric', 'valLoss', 'valMetric', 'seconds'] as const;
const POINT_FIELDS = ['step', 'x', 'y', 'f'] as const;
const BYTES_PER_VALUE = 8;
/** The run directory's folder of unit files (./runDirectory.ts), where the columns files sit beside them. */
export const UNITS_DIR = 'units';

/** Where a unit's columns are, as its JSON records them. */
export interface ColumnsReference {
  /** Relative to the run directory: `units/<unit>.columns.gz`. */
  file: string;
  encoding: typeof COLUMNS_ENCODING;
  /** Of the file's bytes: a columns file of another run or another version of the unit is refused. */
  sha256: string;
}

/** The columns file of a unit, relative to the run directory (ids may hold '#', '=' and ','; '/' is escaped). */
export function columnsFileOf(id: string): string {
  return `${UNITS_DIR}/${encodeURIComponent(id)}.columns.gz`;
}

const hasOnly = (record: object, fields: readonly string[]) => Object.keys(record).every((key) => fields.includes(key));

/** A unit whose per-step records this format holds whole: it has trajectories, and no record carries an unknown field. */
function packable(run: OptimizerRun): run is OptimizerRun & { trajectories: SurfaceTrajectory[] } {
  return run.trajectories !== undefined
    && run.epochs.every((record) => hasOnly(record, EPOCH_FIELDS))
    && run.trajectories.every((t) => t.points.every((point) => hasOnly(point, POINT_FIELDS)));
}

/** A value as JSON would keep it: non-finite (and null) as NaN, −0 as 0. */
const stored = (value: number | null | undefined) => (typeof value === 'number' && Number.isFinite(value) ? value + 0 : Number.NaN);

function encode(columns: number[][]): Buffer {
  const count = columns.reduce((sum, column) => sum + column.length, 0);
  const plain = new DataView(new ArrayBuffer(count * BYTES_PER_VALUE));
  let index = 0;
  for (const column of columns) for (const value of column) plain.setFloat64(BYTES_PER_VALUE * index++, value, true);
  const shuffled = new Uint8Array(plain.byteLength);
  const bytes = new Uint8Array(plain.buffer);
  for (let i = 0; i < count; i++) for (let b = 0; b < BYTES_PER_VALUE; b++) shuffled[b * count + i] = bytes[i * BYTES_PER_VALUE + b];
  return gzipSync(shuffled, { level: 9 });
}

function decode(file: Buffer): Float64Array {
  const shuffled = gunzipSync(file);
  if (shuffled.length % BYTES_PER_VALUE !== 0) throw new Error(`${shuffled.length} bytes after gunzip, not a whole number of float64 values`);
  const count = shuffled.length / BYTES_PER_VALUE;
  const bytes = new Uint8Array(shuffled.length);
  for (let i = 0; i < count; i++) for (let b = 0; b < BYTES_PER_VALUE; b++) bytes[i * BYTES_PER_VALUE + b] = shuffled[b * count + i];
  const view = new DataView(bytes.buffer);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat64(BYTES_PER_VALUE * i, true);
  return values;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Writes `data` unless the file already holds exactly it (results.json is rewritten after every unit; its units' columns are not). */
function writeUnlessSame(file: string, data: Buffer, digest: string): void {
  try {
    if (sha256(readFileSync(file)) === digest) return;
  } catch {
    // absent or unreadable: written below
  }
  writeFileAtomicSync(file, data);
}

/**
 * The unit as its JSON file holds it: a unit with trajectories has its per-step numbers written (atomically)
 * to its columns file in `runDir`, and the JSON keeps their counts and the file's reference. Other units
 * are returned as they are.
 */
export function packRun(runDir: string, run: OptimizerRun): OptimizerRun | Record<string, unknown> {
  if (!packable(run)) return run;
  const columns = [
    ...EPOCH_FIELDS.map((field) => run.epochs.map((record) => stored(record[field]))),
    ...run.trajectories.flatMap((t) => POINT_FIELDS.map((field) => t.points.map((point) => stored(point[field])))),
  ];
  const data = encode(columns);
  const reference: ColumnsReference = { file: columnsFileOf(run.id), encoding: COLUMNS_ENCODING, sha256: sha256(data) };
  writeUnlessSame(path.join(runDir, reference.file), data, reference.sha256);
  const { epochs, trajectories, ...rest } = run;
  return {
    ...rest,
    epochCount: epochs.length,
    trajectories: trajectories.map(({ points, ...trajectory }) => ({ ...trajectory, pointCount: points.length })),
    columns: reference,
  };
}

const count = z.number().int().min(0);
const packedRun = z.looseObject({
  id: z.string().min(1),
  epochCount: count,
  trajectories: z.array(z.looseObject({ pointCount: count })),
  columns: z.looseObject({
    file: z.string().min(1),
    encoding: z.literal(COLUMNS_ENCODING),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
});

const REGENERATE = 'Copy the whole run directory (results.json and units/ together), or re-run the experiment to regenerate it.';

/**
 * The unit as the rest of optbench sees it: a unit written with a columns reference gets its `epochs` and
 * trajectories' `points` back from the file, exactly as written. Anything else (a model unit, a unit of a
 * run written before this format) is returned untouched for the schema check. `file` is the JSON file
 * being read, named in errors.
 */
export function unpackRun(raw: unknown, runDir: string, file: string): unknown {
  if (typeof raw !== 'object' || raw === null || !('columns' in raw)) return raw;
  const parsed = packedRun.safeParse(raw);
  const { id: rawId } = raw as { id?: unknown };
  const id = typeof rawId === 'string' ? rawId : '(no id)';
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidResultsError(file, `unit '${id}' has a columns reference but field '${issue.path.join('.')}' ${issue.message.toLowerCase()}`);
  }
  const { epochCount, trajectories, columns, ...rest } = parsed.data;
  const columnsFile = path.resolve(runDir, columns.file);
  if (path.dirname(columnsFile) !== path.resolve(runDir, UNITS_DIR)) {
    throw new InvalidResultsError(file, `unit '${id}' names columns file '${columns.file}', which is not in the run directory's ${UNITS_DIR}/`);
  }
  let data: Buffer;
  try {
    data = readFileSync(columnsFile);
  } catch (error) {
    throw new InvalidResultsError(file, `unit '${id}' keeps its per-step numbers in ${columnsFile}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, REGENERATE);
  }
  if (sha256(data) !== columns.sha256) {
    throw new InvalidResultsError(file, `unit '${id}': ${columnsFile} is not the file this unit was written with (sha256 differs): it belongs to another run or another version of the unit`, REGENERATE);
  }
  let values: Float64Array;
  try {
    values = decode(data);
  } catch (error) {
    throw new InvalidResultsError(file, `unit '${id}': ${columnsFile} cannot be decoded (${(error as Error).message})`, REGENERATE);
  }
  const expected = EPOCH_FIELDS.length * epochCount + POINT_FIELDS.length * trajectories.reduce((sum, t) => sum + t.pointCount, 0);
  if (values.length !== expected) {
    throw new InvalidResultsError(file, `unit '${id}': ${columnsFile} holds ${values.length} values, but ${epochCount} epochs and the trajectories' point counts make ${expected}`, REGENERATE);
  }
  let offset = 0;
  /** `length` records of `fields`, each field a column of the file in turn; NaN read back as null (what JSON made of it). */
  const rows = <Field extends string>(fields: readonly Field[], length: number) => {
    const records = Array.from({ length }, () => ({}) as Record<Field, number | null>);
    for (const field of fields) {
      for (let i = 0; i < length; i++) {
        const value = values[offset + i];
        records[i][field] = Number.isNaN(value) ? null : value;
      }
      offset += length;
    }
    return records;
  };
  const epochs = rows(EPOCH_FIELDS, epochCount) as unknown as EpochRecord[];
  return {
    ...rest,
    epochs,
    trajectories: trajectories.map(({ pointCount, ...trajectory }) => ({ ...trajectory, points: rows(POINT_FIELDS, pointCount) as unknown as TrajectoryPoint[] })),
  };
}
