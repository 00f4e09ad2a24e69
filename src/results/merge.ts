/**
 * Merging run directories (`npm run merge`): the shards of one plan (`--shard i/n` on several machines)
 * become one run directory, equal to a single-machine run of the plan except for timings.
 *
 * Only runs of the same measurement merge: same experiment, profile, seeds, epochs, batch size,
 * backend, data sizes, loss and metric, and for shards the same plan. A unit delivered twice must have
 * the same curves both times. Units of the plan that no input delivered are listed as 'skipped' runs
 * and leave the merged run 'partial' (`npm run experiment -- --resume <merged dir>` trains them).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { shardOf } from './shard.js';
import { untrainedRun } from './units.js';
import { identityDifferences, newRunId, readRunResults, runIdentity, writeResults, writeUnit } from './runDirectory.js';
import type { OptimizerRun, PlannedUnitRecord, RunResults } from './schema.js';
import { MergeError } from './errors.js';

interface Input {
  dir: string;
  results: RunResults;
}

/** The parts of settings that must agree (data notes may differ: e.g. mirror on one machine, download on another). */
function comparableSettings(results: RunResults) {
  const { trainSamples, validationSamples, loss, metric } = results.settings;
  return { trainSamples, validationSamples, loss, metric, shardCount: results.shard?.count ?? 'none' };
}

function checkSameMeasurement(inputs: Input[]): void {
  const [first, ...others] = inputs;
  for (const other of others) {
    const differences = identityDifferences(runIdentity(other.results), runIdentity(first.results), first.dir, ['shard']);
    const settingsHere = comparableSettings(other.results);
    const settingsThere = comparableSettings(first.results);
    for (const key of Object.keys(settingsHere) as (keyof typeof settingsHere)[]) {
      if (JSON.stringify(settingsHere[key]) !== JSON.stringify(settingsThere[key])) {
        differences.push(`${key}: ${JSON.stringify(settingsHere[key])} here, ${JSON.stringify(settingsThere[key])} in ${first.dir}`);
      }
    }
    if (!differences.length && JSON.stringify(other.results.shard?.plannedUnits) !== JSON.stringify(first.results.shard?.plannedUnits)) {
      differences.push(`planned units differ from ${first.dir}'s (run with other --optimizers, --impl, --lr or --seeds?)`);
    }
    if (differences.length) throw new MergeError(`cannot merge ${other.dir} with ${first.dir}: not the same measurement (${differences.join('; ')}).`);
  }
}

/** A run without its timings, which legitimately differ between two trainings of the same unit. */
function withoutTimings(run: OptimizerRun): unknown {
  const { totalSeconds: _total, samplesPerSecond: _rate, epochs, ...rest } = run;
  return { ...rest, epochs: epochs.map(({ seconds: _seconds, ...epoch }) => epoch) };
}

/** Every unit delivered by the inputs, by id; a unit delivered twice must agree. */
function collectUnits(inputs: Input[]): Map<string, { run: OptimizerRun; dir: string }> {
  const units = new Map<string, { run: OptimizerRun; dir: string }>();
  for (const { dir, results } of inputs) {
    for (const run of results.runs) {
      const seen = units.get(run.id);
      if (!seen) units.set(run.id, { run, dir });
      else if (JSON.stringify(withoutTimings(seen.run)) !== JSON.stringify(withoutTimings(run))) {
        throw new MergeError(`unit '${run.id}' is in both ${seen.dir} and ${dir} with different results (status ${seen.run.status} vs ${run.status}); `
          + 'merge only one of them (delete the unwanted units/<id>.json and its entry, or leave one directory out).');
      }
    }
  }
  return units;
}

/** The plan's units in order: the shards' plan, or for whole runs the units they hold in input order. */
function plannedUnits(inputs: Input[]): PlannedUnitRecord[] {
  const plan = inputs[0].results.shard?.plannedUnits;
  if (plan) return plan;
  const seen = new Map<string, PlannedUnitRecord>();
  for (const run of inputs.flatMap((input) => input.results.runs)) {
    if (!seen.has(run.id)) seen.set(run.id, { id: run.id, optimizer: run.optimizer, impl: run.impl, seed: run.seed, learningRate: run.learningRate });
  }
  return [...seen.values()];
}

function missingRun(unit: PlannedUnitRecord, count: number, position: number): OptimizerRun {
  const { id, ...spec } = unit;
  const shard = count > 1 ? ` (it belongs to shard ${shardOf(position, count)}/${count})` : '';
  return untrainedRun(spec, id, 'skipped', `missing: none of the merged run directories has this unit${shard}`);
}

/** The same directory named twice (`a a`, `a ./a`, a symlink to `a`) would count its units twice. */
function refuseRepeatedDirectories(dirs: string[]): void {
  const seen = new Map<string, string>();
  for (const dir of dirs) {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      continue; // a missing directory is reported when it is read
    }
    const first = seen.get(real);
    if (first !== undefined) throw new MergeError(`${dir} is named twice (also as ${first}): name each run directory once.`);
    seen.set(real, dir);
  }
}

/** Merges run directories in memory; throws MergeError when they are not parts of one measurement. */
export function mergeRuns(dirs: string[]): { results: RunResults; missing: string[] } {
  if (!dirs.length) throw new MergeError('nothing to merge: name the run directories (each holding a results.json).');
  refuseRepeatedDirectories(dirs);
  const inputs: Input[] = dirs.map((dir) => {
    const results = readRunResults(dir);
    if (!results) throw new MergeError(`${dir} has no results.json: not a run directory (pass reports/<experiment>/<runId>).`);
    return { dir, results };
  });
  checkSameMeasurement(inputs);
  const units = collectUnits(inputs);
  const plan = plannedUnits(inputs);
  const shardCount = inputs[0].results.shard?.count ?? 1;
  const missing = plan.filter((unit) => !units.has(unit.id)).map((unit) => unit.id);
  const complete = !missing.length && inputs.every((input) => input.results.shard || input.results.status === 'complete');
  const first = inputs[0].results;
  const startedAt = inputs.map((input) => input.results.startedAt).sort()[0];
  const finishedAt = complete ? inputs.map((input) => input.results.finishedAt ?? '').sort().at(-1) ?? null : null;
  const { shard: _shard, ...whole } = first;
  return {
    missing,
    results: {
      ...whole,
      runId: newRunId(),
      startedAt,
      finishedAt,
      status: complete ? 'complete' : 'partial',
      runs: plan.map((unit, position) => units.get(unit.id)?.run ?? missingRun(unit, shardCount, position)),
    },
  };
}

/**
 * Merges run directories into a new run directory `<reportsRoot>/<experiment>/<runId>/` (results.json and
 * a unit file per delivered unit, so the merged run can be resumed); returns it.
 */
export function mergeRunDirectories(dirs: string[], reportsRoot: string): { runDir: string; results: RunResults; missing: string[] } {
  const { results, missing } = mergeRuns(dirs);
  const runDir = path.join(reportsRoot, results.experiment, results.runId);
  for (const run of results.runs) if (!missing.includes(run.id)) writeUnit(runDir, run);
  writeResults(runDir, results);
  return { runDir, results, missing };
}
