/**
 * Layout of a run directory, `reports/<experiment>/<runId>/`:
 *   results.json          the whole run (schema in ./schema.ts), rewritten after every finished unit
 *   units/<unit>.json     one OptimizerRun per finished unit, so a crash loses only unfinished units
 *   units/<unit>.columns.gz  a surfaces unit's per-step numbers, which both JSON files point to (./columns.ts)
 * Every file is written atomically (temp file, fsync, rename): readers never see a partial file.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseResults, writeJsonAtomic } from './io.js';
import { InvalidResultsError, ResumeError } from './errors.js';
import { LOCK_FILE } from './runLock.js';
import { validateUnit } from './validation.js';
import { packRun, UNITS_DIR, unpackRun } from './columns.js';
import type { OptimizerRun, RunResults } from './schema.js';

// Other modules write their own JSON files (baselines) through the one atomic writer.
export { writeJsonAtomic };

export const RESULTS_FILE = 'results.json';

/** A run id that sorts by time and cannot collide between two runs started in the same second. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** File name of a unit id (ids hold '@', '#', '=', ',' which are fine on every OS but '/' is not allowed). */
function unitFile(runDir: string, id: string): string {
  return path.join(runDir, UNITS_DIR, `${encodeURIComponent(id)}.json`);
}

/** Writes a unit's file (and first its columns file, for a surfaces unit: the JSON must never point to a missing one). */
export function writeUnit(runDir: string, run: OptimizerRun): void {
  writeJsonAtomic(unitFile(runDir, run.id), packRun(runDir, run));
}

const REDO_UNIT = 'Delete the file to train that unit again, or fix it.';

/** A unit file, validated against the schema; InvalidResultsError names the file and the field. */
function parseUnit(runDir: string, file: string): OptimizerRun {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidResultsError(file, `not JSON (${(error as Error).message})`, REDO_UNIT);
  }
  const validated = validateUnit(unpackRun(data, runDir, file));
  if (!validated.ok) throw new InvalidResultsError(file, validated.problems, REDO_UNIT);
  return validated.run;
}

/**
 * Recorded units of a run directory, keyed by id. Units are written atomically, so a file that is not a
 * valid unit record was damaged or edited by hand: it is refused (InvalidResultsError, naming the file
 * and the field) rather than resumed as if its unit had finished, or silently trained again.
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
    const file = path.join(dir, name);
    const run = parseUnit(runDir, file);
    const twin = units.get(run.id);
    if (twin) throw new InvalidResultsError(file, `another file of ${dir} holds unit '${run.id}' too`, `Keep only the unit's own file, ${unitFile(runDir, run.id)}.`);
    units.set(run.id, run);
  }
  return units;
}

/** Writes results.json; a surfaces unit's per-step numbers go to (or stay in) its columns file, shared with its unit file. */
export function writeResults(runDir: string, results: RunResults): string {
  const file = path.join(runDir, RESULTS_FILE);
  writeJsonAtomic(file, { ...results, runs: results.runs.map((run) => packRun(runDir, run)) });
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
 * Refuses a `--resume` directory that is not a run directory: a mistyped path would otherwise start a
 * fresh run in a new directory and exit 0. A directory with units/ but no results.json yet (a run killed
 * before its first write) is resumable.
 */
export function assertRunDirectory(dir: string): void {
  let stats;
  try {
    stats = statSync(dir);
  } catch {
    throw new ResumeError(`--resume ${dir}: no such directory. Name a run directory (reports/<experiment>/<runId>), or give --resume without a directory to continue the newest run under --out.`);
  }
  if (!stats.isDirectory()) throw new ResumeError(`--resume ${dir}: it is a file, not a run directory (reports/<experiment>/<runId>).`);
  // run.lock alone: a run that is starting (its lock is a symbolic link to no file, hence lstat).
  const starting = (() => {
    try {
      return lstatSync(path.join(dir, LOCK_FILE)).isSymbolicLink();
    } catch {
      return false;
    }
  })();
  if (!existsSync(path.join(dir, RESULTS_FILE)) && !existsSync(path.join(dir, UNITS_DIR)) && !starting) {
    throw new ResumeError(`--resume ${dir}: it holds neither ${RESULTS_FILE} nor ${UNITS_DIR}/, so it is not a run directory (reports/<experiment>/<runId>).`);
  }
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
