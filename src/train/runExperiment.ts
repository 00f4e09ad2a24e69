/**
 * Runs an experiment: loads its data once (model experiments), then trains every unit (optimizer × impl ×
 * seed × learning rate) through the shared loop or down the cost surfaces (./runSurfaces.ts), in this
 * process or in worker processes (./workers.ts), recording each unit as soon as it finishes.
 */
import path from 'node:path';
import type { BackendChoice } from '../backend/select.js';
import { describeEnvironment } from '../results/environment.js';
import { identityDifferences, newRunId, readRunResults, readUnits, runIdentity, writeResults } from '../results/runDirectory.js';
import { ResumeError } from '../results/errors.js';
import { SIMD_KERNELS_BUILD_VARIABLE, simdKernelsBuildDigests } from '../backend/kernels/simd/module.js';
import { acquireRunLock } from '../results/runLock.js';
import { RESULTS_SCHEMA_VERSION, type OptimizerRun, type PlannedUnitRecord, type RunResults } from '../results/schema.js';
import { fetchFile } from '../data/fetch.js';
import type { DataContext } from '../data/types.js';
import { selectShard } from '../results/shard.js';
import type { ExperimentDefinition, SurfaceExperiment } from './definition.js';
import { prepareModelTrainer } from './modelTrainer.js';
import {
  planUnits, type ExecutionOptions, type PlannedUnit, type RunPlan, type RunReporter, type RunTarget, type UnitRunner, type UnitTrainer,
} from './plan.js';
import { planSurfaceUnits, prepareSurfaceTrainer } from './runSurfaces.js';
import { checkpointEpochs } from './checkpoint.js';
import { RunInterruptedError } from './errors.js';
import { trainAndRecord } from './unit.js';
import { WorkerPool } from './workers.js';

function inProcessRunner(trainer: UnitTrainer, runDir: string, log: (line: string) => void): UnitRunner {
  let stopped = false;
  return {
    details: trainer.details,
    lanes: 1,
    run: (unit, _lane, reporter) => trainAndRecord(runDir, unit.spec, unit.id, () => trainer.train(unit, {
      onProgress: (event) => reporter.progress?.(unit, event), checkpointDir: runDir, log, shouldStop: () => stopped,
    })),
    stop: async () => { stopped = true; },
    close: async () => {},
  };
}

/** Runs a model experiment's plan: every unit of planUnits(plan), or the `units` given (a tuning run's). */
export async function runModelExperiment(
  plan: RunPlan, backend: BackendChoice, dataContext: DataContext, target: RunTarget, reporter: RunReporter = {}, execution: ExecutionOptions = {},
  units: PlannedUnit[] = planUnits(plan),
): Promise<{ runDir: string; results: RunResults }> {
  return runPlannedUnits({
    plan, units, backend, target, reporter, execution, dataContext,
    prepare: async () => {
      const loadStart = performance.now();
      const trainer = await prepareModelTrainer(plan.experiment, plan.profile, dataContext);
      reporter.dataLoaded?.(trainer.data, (performance.now() - loadStart) / 1000);
      return trainer;
    },
  });
}

/**
 * The seeds a surfaces run trains: only the first of those asked for, since every seed gives the same
 * trajectories. A run directory being resumed that recorded several (written before surfaces ran one
 * seed) keeps its seeds, so it can still be completed.
 */
export function surfaceSeeds(seeds: number[], target: RunTarget): number[] {
  const previous = target.runDir ? readRunResults(target.runDir) : null;
  if (previous && previous.seeds.length > 1 && JSON.stringify(previous.seeds) === JSON.stringify(seeds)) return seeds;
  return seeds.slice(0, 1);
}

/** Runs the cost-surfaces experiment: deterministic, so one seed (see surfaceSeeds) and no data to load. */
export async function runSurfaceExperiment(
  requested: RunPlan<SurfaceExperiment>, backend: BackendChoice, target: RunTarget, reporter: RunReporter = {}, execution: ExecutionOptions = {},
): Promise<{ runDir: string; results: RunResults }> {
  const plan = { ...requested, seeds: surfaceSeeds(requested.seeds, target) };
  return runPlannedUnits({
    plan, units: planSurfaceUnits(plan), backend, target, reporter, execution, deterministic: true,
    prepare: async () => prepareSurfaceTrainer(plan.experiment, plan.profile, plan.learningRates),
  });
}

function plannedRecord(unit: PlannedUnit): PlannedUnitRecord {
  return { id: unit.id, ...unit.spec };
}

/**
 * Checks that a run directory being resumed holds the same measurement as this run; a mismatch would
 * mix units of different settings in one results.json.
 */
function checkResumable(runDir: string, expected: RunResults, previous: RunResults, unitsLeft: number): void {
  const differences = identityDifferences(runIdentity(expected), runIdentity(previous), runDir);
  if (differences.length) {
    throw new ResumeError(`cannot resume ${runDir}: its settings differ from this run's (${differences.join('; ')}). `
      + 'Run with the same settings, or start a new run without --resume.');
  }
  // A finished run resumed with nothing left to train computes nothing, whatever the kernels.
  if (unitsLeft > 0) checkSameKernels(runDir, expected.environment.kernels, previous.environment.kernels);
}

/**
 * Refuses to resume a run with another build of optbench's wasm kernels than the one it was trained with: its
 * finished units and checkpoints hold that build's numbers, and the resumed epochs would not be the ones an
 * uninterrupted run computes (the study's resumes are checked to be bit-identical). Says which build to use.
 */
function checkSameKernels(runDir: string, here: Record<string, string> | undefined, recorded: Record<string, string> | undefined): void {
  if (!here || !recorded) return; // not wasm, or a run from before kernels were recorded: nothing to compare
  const [name, used] = Object.entries(recorded).find(([file, digest]) => here[file] !== digest) ?? [];
  if (name === undefined || used === undefined) return;
  const builds = simdKernelsBuildDigests();
  const hex = used.replace(/^sha256:/, '');
  const howTo = Object.entries(builds).find(([, digest]) => digest === used)?.[0] === 'baseline'
    ? `This checkout has that build as its fallback: resume with ${SIMD_KERNELS_BUILD_VARIABLE}=baseline.`
    : 'Resume from a checkout of the commit whose kernels those are (to find it: git log --format=%h -- '
      + `src/backend/kernels/simd | while read c; do for f in training_kernels.wasm training_kernels.relaxed.wasm; do git show "$c:src/backend/kernels/simd/$f" 2>/dev/null | sha256sum | grep -q ${hex} && echo "$c $f"; done; done), `
      + 'e.g. in a git worktree with its own npm ci.';
  throw new ResumeError(`cannot resume ${runDir}: it was trained with the wasm kernel build ${used} (${name} in its results.json), `
    + `and this checkout loads ${here[name] ?? 'none'}. Its curves would mix two builds' numbers and not be the ones an uninterrupted run computes. `
    + `${howTo} Or start a new run without --resume.`);
}

/**
 * The part every kind of experiment shares: runs the plan's units (the shard's, when sharded) that the
 * run directory has not recorded yet (resume; units recorded 'failed' are retried), `execution.workers`
 * at a time, and rewrites results.json as each finishes, so it always lists every unit done so far.
 */
export async function runPlannedUnits({ plan, units, backend, target, reporter, execution = {}, dataContext, deterministic, prepare }: {
  plan: RunPlan<ExperimentDefinition>;
  /** Every unit of the plan, in plan order. */
  units: PlannedUnit[];
  backend: BackendChoice;
  target: RunTarget;
  reporter: RunReporter;
  execution?: ExecutionOptions;
  /** Where workers load data from (model experiments). */
  dataContext?: DataContext;
  /** The curves do not depend on the seed (recorded in results.json for the convergence check). */
  deterministic?: boolean;
  /** Loads the experiment for training in this process. */
  prepare: () => Promise<UnitTrainer>;
}): Promise<{ runDir: string; results: RunResults }> {
  const startedAt = new Date();
  const runDir = target.runDir ?? path.join(target.reportsRoot, plan.experiment.name, newRunId(startedAt));
  // Before anything is read: a second process resuming this run at the same time is refused, naming the first.
  const releaseLock = acquireRunLock(runDir, dataContext?.log ?? ((line) => process.stdout.write(`${line}\n`)));
  try {
    return await trainInRunDirectory({ plan, units, backend, target, reporter, execution, dataContext, deterministic, prepare, runDir, startedAt });
  } finally {
    releaseLock();
  }
}

async function trainInRunDirectory({ plan, units, backend, target, reporter, execution, dataContext, deterministic, prepare, runDir, startedAt }: Parameters<typeof runPlannedUnits>[0] & {
  execution: ExecutionOptions; runDir: string; startedAt: Date;
}): Promise<{ runDir: string; results: RunResults }> {
  const selected = execution.shard ? selectShard(units, execution.shard) : units;
  const previous = target.runDir ? readRunResults(runDir) : null;
  const recorded = new Map([...readUnits(runDir)].filter(([, run]) => run.status !== 'failed'));
  const todo = selected.filter((unit) => !recorded.has(unit.id));
  const workers = Math.min(execution.workers ?? 1, todo.length);
  if (workers > 1 && !execution.experimentsModule) throw new Error('running units in worker processes needs execution.experimentsModule: the module whose EXPERIMENTS holds the plan\'s experiment');
  const log = dataContext?.log ?? (() => {});
  const interrupt = execution.interrupt ?? new AbortController();
  /** What an interrupted run kept, read back from the run directory. */
  const interrupted = (epochs: number) => {
    const checkpoints = checkpointEpochs(runDir);
    const unfinished = selected.filter((unit) => !recorded.has(unit.id));
    return new RunInterruptedError(
      String(interrupt.signal.reason), runDir, selected.filter((unit) => recorded.has(unit.id)).map((unit) => unit.id),
      unfinished.flatMap((unit) => (checkpoints.has(unit.id) ? [{ id: unit.id, epoch: checkpoints.get(unit.id)! }] : [])),
      unfinished.filter((unit) => !checkpoints.has(unit.id)).map((unit) => unit.id), epochs,
    );
  };
  const dataFiles = plan.experiment.kind === 'model' ? plan.experiment.dataFiles : undefined;
  let runner: UnitRunner;
  try {
    runner = workers > 1
      ? await WorkerPool.start({
        workers, backend: backend.name, runDir, reporter, log, interrupt,
        init: {
          experimentsModule: execution.experimentsModule!, experiment: plan.experiment.name,
          profile: plan.profile, learningRates: plan.learningRates, runDir, optimizerFiles: execution.optimizerFiles ?? [],
          data: dataContext ? { mirror: dataContext.mirror, cacheDir: dataContext.cacheDir } : undefined,
        },
        ...(dataContext && dataFiles ? { prefetch: () => Promise.all(dataFiles.map((file) => fetchFile(file, dataContext))) } : {}),
      })
      : inProcessRunner(await prepare(), runDir, log);
  } catch (error) {
    // Stopped while the data was loading: nothing new to keep, but say so as for any interrupt.
    if (interrupt.signal.aborted) throw interrupted(plan.profile.epochs);
    throw error;
  }
  const stopRunner = () => { void runner.stop(); };
  interrupt.signal.addEventListener('abort', stopRunner, { once: true });
  try {
    const results: RunResults = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      runId: path.basename(runDir),
      experiment: plan.experiment.name,
      title: plan.experiment.title,
      profile: plan.profileName,
      seeds: plan.seeds,
      startedAt: previous?.startedAt ?? startedAt.toISOString(),
      finishedAt: null,
      status: 'partial',
      environment: describeEnvironment(backend),
      ...runner.details,
      ...plan.annotations,
      runs: [],
      // What this run will train, so a partial run's report can say "3 of 8 finished".
      plannedUnits: selected.map(plannedRecord),
      ...(execution.shard ? { shard: { ...execution.shard, plannedUnits: units.map(plannedRecord) } } : {}),
      ...(deterministic ? { deterministic } : {}),
    };
    if (previous) checkResumable(runDir, results, previous, todo.length);
    const record = (run?: OptimizerRun) => {
      if (run) recorded.set(run.id, run);
      results.runs = selected.flatMap((unit) => recorded.get(unit.id) ?? []);
      writeResults(runDir, results);
    };
    record();
    const { settings } = runner.details;
    const saved = checkpointEpochs(runDir);
    reporter.runStarted?.({
      runDir, units: selected.length, recorded: selected.length - todo.length,
      todo: todo.map((unit) => ({ id: unit.id, fromEpoch: (saved.get(unit.id) ?? 0) + 1 })),
      lanes: runner.lanes, epochs: settings.epochs, batchSize: settings.batchSize,
      trainSamples: settings.trainSamples, validationSamples: settings.validationSamples,
    });

    const queue = [...todo];
    const lane = async (laneIndex: number) => {
      for (let unit = queue.shift(); unit && !interrupt.signal.aborted; unit = queue.shift()) {
        reporter.unitStarted?.(unit, selected.indexOf(unit), selected.length, laneIndex);
        const run = await runner.run(unit, laneIndex, reporter);
        record(run);
        reporter.unitFinished?.(run, selected.indexOf(unit), selected.length, laneIndex);
      }
    };
    const lanes = await Promise.allSettled(Array.from({ length: runner.lanes }, (_, i) => lane(i)));
    if (interrupt.signal.aborted) {
      await runner.close();
      throw interrupted(settings.epochs);
    }
    for (const outcome of lanes) if (outcome.status === 'rejected') throw outcome.reason;
    results.finishedAt = new Date().toISOString();
    results.status = 'complete';
    writeResults(runDir, results);
    return { runDir, results };
  } finally {
    reporter.runEnded?.();
    interrupt.signal.removeEventListener('abort', stopRunner);
    await runner.close();
  }
}
