/**
 * Reading and writing `results.json` with schema-version checks.
 *
 * Readers accept the current schema version and older ones that have a migration below; a newer or
 * unknown version is refused with a typed error instead of being misread.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomicSync } from '../common/atomicWrite.js';
import { RESULTS_SCHEMA_VERSION, type RunResults } from './schema.js';
import { UnsupportedResultsVersionError, InvalidResultsError } from './errors.js';
import { validateResults } from './validation.js';
import { unpackRun } from './columns.js';

/**
 * Upgrades from version n to n + 1, keyed by n.
 * 1 → 2: version 2 may keep a surfaces unit's per-step numbers in a columns file (./columns.ts) instead of
 * inline; inline numbers, all that version 1 has, are still read as they are, so nothing changes.
 */
const MIGRATIONS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {
  1: (v1) => ({ ...v1, schemaVersion: 2 }),
};

function migrate(file: string, data: Record<string, unknown>): Record<string, unknown> {
  let current = data;
  while (current.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    const version = current.schemaVersion;
    const step = typeof version === 'number' ? MIGRATIONS[version] : undefined;
    if (!step) throw new UnsupportedResultsVersionError(file, data.schemaVersion);
    current = step(current);
  }
  return current;
}

function checkShape(file: string, data: Record<string, unknown>): RunResults {
  const validated = validateResults(data);
  if (!validated.ok) throw new InvalidResultsError(file, validated.problems);
  return validated.results;
}

/**
 * Parses a results file, migrating older schema versions; throws the typed errors above. Units whose
 * per-step numbers are in columns files are read from `file`'s directory (the run directory).
 */
export function parseResults(text: string, file = 'results.json'): RunResults {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InvalidResultsError(file, `not JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InvalidResultsError(file, 'not a JSON object');
  const current = migrate(file, data as Record<string, unknown>);
  const runDir = path.dirname(file);
  const runs = Array.isArray(current.runs) ? current.runs.map((run: unknown) => unpackRun(run, runDir, file)) : current.runs;
  return checkShape(file, { ...current, runs });
}

export async function readResults(file: string): Promise<RunResults> {
  return parseResults(await readFile(file, 'utf8'), file);
}

/**
 * Writes JSON atomically (temp file, fsync, rename), creating the directory: readers never see a partial
 * file, and a process killed mid-write leaves the previous version (or nothing) behind.
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomicSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
