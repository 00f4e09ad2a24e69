/**
 * Runs an experiment: loads its data once, then trains every unit (optimizer × impl × seed × learning
 * rate) through the shared loop, in this process or in worker processes (./workers.ts), recording each
 * unit as soon as it finishes.
 */
import path from 'node:path';
import type { BackendChoice } from '../backend/select.js';
import { describeEnvironment } from '../results/environment.js';
import {
  identityDifferences, newRunId, readRunResults, readUnits, ResumeError, runIdentity, writeResults,
} from '../results/runDirectory.js';
import { RESULTS_SCHEMA_VERSION, type OptimizerImpl, type OptimizerRun, type PlannedUnitRecord, type RunResults } from '../results/schema.js';
import type { DataContext, ExperimentDefinition, LoadedData, ModelExperiment, Profile } from './definition.js';
import { checkpointEpochs } from './checkpoint.js';
import type { TrainProgress } from './loop.js';
import { selectShard, type Shard } from './shard.js';
import { runUnit, trainAndRecord, unitId, type UnitContext, type UnitSpec } from './unit.js';
import { DEFAULT_EXPERIMENTS_MODULE, WorkerPool } from './workers.js';

export interface RunPlan<E extends ExperimentDefinition = ModelExperiment> {
  experiment: E;
  profileName: string;
  /** The profile with command-line overrides (epochs, batch size) applied. */
  profile: Profile;
  optimizers: string[];
  /** Implementations to run for an optimizer (built-in, from scratch, or both side by side). */
  implsFor: (optimizer: string) => OptimizerImpl[];
  seeds: number[];
  /** Learning rates to sweep; empty = each optimizer's default. */
  learningRates: number[];
}

export interface PlannedUnit {
  id: string;
  spec: UnitSpec;
}

/** What the console is told about loaded data (workers load it in their own process). */
export interface DataSummary {
  train: { size: number };
  validation: { size: number };
}

/** What is about to run, told once before the first unit starts (the data is loaded by then). */
export interface RunOverview {
  runDir: string;
  /** Units of the plan (of the shard, when sharded). */
  units: number;
  /** Units already recorded in the run directory (resume), not trained again. */
  recorded: number;
  /** Units to train, in order, with the epoch each starts from (after its checkpoint's, else 1). */
  todo: { id: string; fromEpoch: number }[];
  /** Units trained at once. */
  lanes: number;
  epochs: number;
  batchSize: number;
  trainSamples: number;
  validationSamples: number;
}

/** Listeners for live progress; all optional. `lane` is the parallel lane (worker) training the unit. */
export interface RunReporter {
  dataLoaded?(data: DataSummary, seconds: number): void;
  runStarted?(overview: RunOverview): void;
  unitStarted?(unit: PlannedUnit, index: number, total: number, lane: number): void;
  progress?(unit: PlannedUnit, event: TrainProgress): void;
  unitFinished?(run: OptimizerRun, index: number, total: number, lane: number): void;
  /** The run ended (finished, failed or interrupted): release the console. */
  runEnded?(): void;
}

/**
 * The run was stopped (Ctrl-C, SIGTERM, a worker signalled) before every unit finished. What was saved
 * is on disk: finished units in units/, the others' last finished epochs in checkpoints/.
 */
export class RunInterruptedError extends Error {
  override name = 'RunInterruptedError';

  constructor(
    readonly signal: string,
    readonly runDir: string,
    /** Units recorded (finished), of this run or resumed. */
    readonly finished: string[],
    /** Units with a checkpoint: the last epoch saved. */
    readonly saved: { id: string; epoch: number }[],
    /** Units with nothing saved. */
    readonly notStarted: string[],
    readonly epochs: number,
  ) {
    super(`the run was interrupted by ${signal}`);
  }
}

export interface RunTarget {
  /** Root of all reports (`reports/`); the run goes to `<root>/<experiment>/<runId>/`. */
  reportsRoot: string;
  /** Reuse this run directory (resume); default a new one. */
  runDir?: string;
}

/** Every unit of a plan in a fixed order: optimizer, then impl, seed, learning rate. */
export function planUnits(plan: RunPlan<ExperimentDefinition>): PlannedUnit[] {
  const varying = { impl: plan.optimizers.some((o) => plan.implsFor(o).length > 1), seed: plan.seeds.length > 1, learningRate: plan.learningRates.length > 0 };
  const rates: (number | undefined)[] = plan.learningRates.length ? plan.learningRates : [undefined];
  const units: PlannedUnit[] = [];
  for (const optimizer of plan.optimizers) {
    for (const impl of plan.implsFor(optimizer)) {
      for (const seed of plan.seeds) {
        for (const learningRate of rates) {
          const spec: UnitSpec = { optimizer, impl, seed, ...(learningRate !== undefined ? { learningRate } : {}) };
          units.push({ id: unitId(spec, varying), spec });
        }
      }
    }
  }
  return units;
}

/** The experiment-specific part of results.json, known once the data is loaded. */
export type RunDetails = Pick<RunResults, 'settings' | 'referenceLines'>;

/** An experiment ready to train units: its data loaded, its results.json details known. */
export interface UnitTrainer {
  details: RunDetails;
  train(unit: PlannedUnit, context?: UnitContext): Promise<OptimizerRun>;
}

/** How units are run: where (this process or workers) and which of them (a shard). */
export interface ExecutionOptions {
  /** Worker processes training units in parallel; 1 (the default) trains in this process. See defaultWorkers(). */
  workers?: number;
  /**
   * Module exporting `EXPERIMENTS` (name → definition) in which workers find the plan's experiment by
   * name; default `experiments/index.ts`. Workers import it: definitions cannot be sent to them.
   */
  experimentsModule?: string;
  /** Run only this part of the plan (`--shard i/n`). */
  shard?: Shard;
  /**
   * Aborting it (with the signal's name as the reason) stops the run between batches, keeping every
   * finished unit and every unit's last finished epoch; the run then rejects with RunInterruptedError.
   * Worker processes that receive SIGINT/SIGTERM abort it too.
   */
  interrupt?: AbortController;
}

/**
 * Trains the units handed to it, recording each in the run directory; `lanes` units at once.
 * In-process, or a pool of worker processes.
 */
export interface UnitRunner {
  details: RunDetails;
  lanes: number;
  run(unit: PlannedUnit, lane: number, reporter: RunReporter): Promise<OptimizerRun>;
  /** Stops every unit in training now (their checkpoints stay); their run() calls reject. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** Loads a model experiment's data and trains its units in this process. */
export async function prepareModelTrainer(experiment: ModelExperiment, profile: Profile, dataContext: DataContext): Promise<UnitTrainer & { data: LoadedData }> {
  const data = await experiment.loadData(dataContext, profile);
  return {
    data,
    details: {
      settings: {
        epochs: profile.epochs,
        batchSize: profile.batchSize,
        trainSamples: data.train.size,
        validationSamples: data.validation.size,
        loss: experiment.loss,
        metric: { name: experiment.metric.name, higherIsBetter: experiment.metric.higherIsBetter },
        data: data.notes,
      },
      referenceLines: data.referenceLines ?? [],
    },
    train: (unit, context) => runUnit(experiment, profile, data, unit.spec, unit.id, context),
  };
}

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

export async function runModelExperiment(
  plan: RunPlan, backend: BackendChoice, dataContext: DataContext, target: RunTarget, reporter: RunReporter = {}, execution: ExecutionOptions = {},
): Promise<{ runDir: string; results: RunResults }> {
  return runPlannedUnits({
    plan, units: planUnits(plan), backend, target, reporter, execution, dataContext,
    prepare: async () => {
      const loadStart = performance.now();
      const trainer = await prepareModelTrainer(plan.experiment, plan.profile, dataContext);
      reporter.dataLoaded?.(trainer.data, (performance.now() - loadStart) / 1000);
      return trainer;
    },
  });
}

function plannedRecord(unit: PlannedUnit): PlannedUnitRecord {
  return { id: unit.id, ...unit.spec };
}

/**
 * Checks that a run directory being resumed holds the same measurement as this run; a mismatch would
 * mix units of different settings in one results.json.
 */
function checkResumable(runDir: string, expected: RunResults, previous: RunResults): void {
  const differences = identityDifferences(runIdentity(expected), runIdentity(previous), runDir);
  if (differences.length) {
    throw new ResumeError(`cannot resume ${runDir}: its settings differ from this run's (${differences.join('; ')}). `
      + 'Run with the same settings, or start a new run without --resume.');
  }
}

/**
 * The part every kind of experiment shares: runs the plan's units (the shard's, when sharded) that the
 * run directory has not recorded yet (resume; units recorded 'failed' are retried), `execution.workers`
 * at a time, and rewrites results.json as each finishes, so it always lists every unit done so far.
 */
export async function runPlannedUnits({ plan, units, backend, target, reporter, execution = {}, dataContext, prepare }: {
  plan: RunPlan<ExperimentDefinition>;
  /** Every unit of the plan, in plan order. */
  units: PlannedUnit[];
  backend: BackendChoice;
  target: RunTarget;
  reporter: RunReporter;
  execution?: ExecutionOptions;
  /** Where workers load data from (model experiments). */
  dataContext?: DataContext;
  /** Loads the experiment for training in this process. */
  prepare: () => Promise<UnitTrainer>;
}): Promise<{ runDir: string; results: RunResults }> {
  const startedAt = new Date();
  const selected = execution.shard ? selectShard(units, execution.shard) : units;
  const runDir = target.runDir ?? path.join(target.reportsRoot, plan.experiment.name, newRunId(startedAt));
  const previous = target.runDir ? readRunResults(runDir) : null;
  const recorded = new Map([...readUnits(runDir)].filter(([, run]) => run.status !== 'failed'));
  const todo = selected.filter((unit) => !recorded.has(unit.id));
  const workers = Math.min(execution.workers ?? 1, todo.length);
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
  let runner: UnitRunner;
  try {
    runner = workers > 1
      ? await WorkerPool.start({
        workers, backend: backend.name, runDir, reporter, log, interrupt,
        init: {
          experimentsModule: execution.experimentsModule ?? DEFAULT_EXPERIMENTS_MODULE, experiment: plan.experiment.name,
          profile: plan.profile, learningRates: plan.learningRates, runDir,
          data: dataContext ? { mirror: dataContext.mirror, cacheDir: dataContext.cacheDir } : undefined,
        },
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
      runs: [],
      ...(execution.shard ? { shard: { ...execution.shard, plannedUnits: units.map(plannedRecord) } } : {}),
    };
    if (previous) checkResumable(runDir, results, previous);
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
