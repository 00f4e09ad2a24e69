/**
 * Layout of a run directory, `reports/<experiment>/<runId>/`:
 *   results.json          the whole run (schema in ./schema.ts), rewritten after every finished unit
 *   units/<unit>.json     one OptimizerRun per finished unit, so a crash loses only unfinished units
 * Every file is written atomically (temp file, fsync, rename): readers never see a partial file.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseResults, writeJsonAtomic } from './io.js';
import type { OptimizerRun, RunResults } from './schema.js';

// Other modules write their own JSON files (baselines) through the one atomic writer.
export { writeJsonAtomic };

export const RESULTS_FILE = 'results.json';
const UNITS_DIR = 'units';

/** A run id that sorts by time and cannot collide between two runs started in the same second. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** File name of a unit id (ids hold '@', '#', '=', ',' which are fine on every OS but '/' is not allowed). */
function unitFile(runDir: string, id: string): string {
  return path.join(runDir, UNITS_DIR, `${encodeURIComponent(id)}.json`);
}

export function writeUnit(runDir: string, run: OptimizerRun): void {
  writeJsonAtomic(unitFile(runDir, run.id), run);
}

function parseUnit(file: string): OptimizerRun | null {
  try {
    const run = JSON.parse(readFileSync(file, 'utf8')) as Partial<OptimizerRun> | null;
    return run && typeof run.id === 'string' && typeof run.status === 'string' ? (run as OptimizerRun) : null;
  } catch {
    return null;
  }
}

/**
 * Recorded units of a run directory, keyed by id. A file that is not a unit record (not JSON, no id or
 * status: e.g. written by hand or by an older tool) is ignored, so resuming re-runs that unit.
 */
export function readUnits(runDir: string): Map<string, OptimizerRun> {
  const dir = path.join(runDir, UNITS_DIR);
  const units = new Map<string, OptimizerRun>();
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return units;
  }
  for (const name of names) {
    const run = parseUnit(path.join(dir, name));
    if (run) units.set(run.id, run);
  }
  return units;
}

export function writeResults(runDir: string, results: RunResults): string {
  const file = path.join(runDir, RESULTS_FILE);
  writeJsonAtomic(file, results);
  return file;
}

/** results.json of a run directory, or null when there is none yet (a run killed before writing it). */
export function readRunResults(runDir: string): RunResults | null {
  const file = path.join(runDir, RESULTS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return parseResults(text, file);
}

/** What makes two runs the same measurement: resuming or merging runs that differ here would mix results. */
export interface RunIdentity {
  experiment: string;
  profile: string;
  seeds: number[];
  epochs: number;
  batchSize: number;
  backend: string;
  /** 'i/n' for a shard, 'none' for a whole run. */
  shard: string;
}

export function runIdentity(results: Pick<RunResults, 'experiment' | 'profile' | 'seeds' | 'settings' | 'environment' | 'shard'>): RunIdentity {
  return {
    experiment: results.experiment,
    profile: results.profile,
    seeds: results.seeds,
    epochs: results.settings.epochs,
    batchSize: results.settings.batchSize,
    backend: results.environment.backend,
    shard: results.shard ? `${results.shard.index}/${results.shard.count}` : 'none',
  };
}

/** One line per differing field: `epochs: 2 here, 3 in <where>`. */
export function identityDifferences(here: RunIdentity, there: RunIdentity, where: string, ignore: (keyof RunIdentity)[] = []): string[] {
  return (Object.keys(here) as (keyof RunIdentity)[])
    .filter((key) => !ignore.includes(key) && JSON.stringify(here[key]) !== JSON.stringify(there[key]))
    .map((key) => `${key}: ${JSON.stringify(here[key])} here, ${JSON.stringify(there[key])} in ${where}`);
}

/**
 * The newest run directory of an experiment under a reports root whose results.json satisfies `matches`
 * (run ids sort by start time), or null.
 */
export function findLatestRun(reportsRoot: string, experiment: string, matches: (results: RunResults) => boolean): string | null {
  const root = path.join(reportsRoot, experiment);
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return null;
  }
  for (const name of names.sort().reverse()) {
    const runDir = path.join(root, name);
    const results = readRunResults(runDir);
    if (results && matches(results)) return runDir;
  }
  return null;
}
