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
import { acquireRunLock } from '../results/runLock.js';
import { MAX_PLAN_UNITS, PlanError } from './planLimits.js';
import { RESULTS_SCHEMA_VERSION, type OptimizerImpl, type OptimizerRun, type PlannedUnitRecord, type RunResults } from '../results/schema.js';
import type { DataContext, ExperimentDefinition, LoadedData, ModelExperiment, Profile } from './definition.js';
import type { TrainProgress } from './loop.js';
import { selectShard, type Shard } from './shard.js';
import { runUnit, trainAndRecord, unitId, type UnitSpec } from './unit.js';
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

/** Listeners for live progress; all optional. */
export interface RunReporter {
  dataLoaded?(data: DataSummary, seconds: number): void;
  unitStarted?(unit: PlannedUnit, index: number, total: number): void;
  progress?(unit: PlannedUnit, event: TrainProgress): void;
  unitFinished?(run: OptimizerRun, index: number, total: number): void;
}

export interface RunTarget {
  /** Root of all reports (`reports/`); the run goes to `<root>/<experiment>/<runId>/`. */
  reportsRoot: string;
  /** Reuse this run directory (resume); default a new one. */
  runDir?: string;
}

/**
 * Every unit of a plan in a fixed order: optimizer, then impl, seed, learning rate. The size is checked
 * before anything is allocated, and no two units may share an id (the id names the unit's file, and a
 * resume or merge would take one for the other).
 */
export function planUnits(plan: RunPlan<ExperimentDefinition>): PlannedUnit[] {
  const size = plan.optimizers.reduce((total, optimizer) => total + plan.implsFor(optimizer).length, 0)
    * plan.seeds.length * Math.max(plan.learningRates.length, 1);
  if (size > MAX_PLAN_UNITS) {
    throw new PlanError(`the plan holds ${size.toLocaleString('en')} units (optimizers × implementations × seeds × learning rates), `
      + `more than the ${MAX_PLAN_UNITS.toLocaleString('en')} one run may hold: use fewer --seeds, --lr values or --optimizers, or split the study into several runs.`);
  }
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
  const ids = new Set<string>();
  for (const { id } of units) {
    if (ids.has(id)) throw new PlanError(`the plan holds unit '${id}' twice: give each seed and learning rate once.`);
    ids.add(id);
  }
  return units;
}

/** The experiment-specific part of results.json, known once the data is loaded. */
export type RunDetails = Pick<RunResults, 'settings' | 'referenceLines'>;

/** An experiment ready to train units: its data loaded, its results.json details known. */
export interface UnitTrainer {
  details: RunDetails;
  train(unit: PlannedUnit, onProgress?: (event: TrainProgress) => void): Promise<OptimizerRun>;
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
}

/**
 * Trains the units handed to it, recording each in the run directory; `lanes` units at once.
 * In-process, or a pool of worker processes.
 */
export interface UnitRunner {
  details: RunDetails;
  lanes: number;
  run(unit: PlannedUnit, lane: number, reporter: RunReporter): Promise<OptimizerRun>;
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
    train: (unit, onProgress) => runUnit(experiment, profile, data, unit.spec, unit.id, onProgress),
  };
}

function inProcessRunner(trainer: UnitTrainer, runDir: string): UnitRunner {
  return {
    details: trainer.details,
    lanes: 1,
    run: (unit, _lane, reporter) => trainAndRecord(runDir, unit.spec, unit.id, () => trainer.train(unit, (event) => reporter.progress?.(unit, event))),
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
  const runDir = target.runDir ?? path.join(target.reportsRoot, plan.experiment.name, newRunId(startedAt));
  // Before anything is read: a second process resuming this run at the same time is refused, naming the first.
  const releaseLock = acquireRunLock(runDir, dataContext?.log ?? ((line) => process.stdout.write(`${line}\n`)));
  try {
    return await trainInRunDirectory({ plan, units, backend, target, reporter, execution, dataContext, prepare, runDir, startedAt });
  } finally {
    releaseLock();
  }
}

async function trainInRunDirectory({ plan, units, backend, target, reporter, execution, dataContext, prepare, runDir, startedAt }: Parameters<typeof runPlannedUnits>[0] & {
  execution: ExecutionOptions; runDir: string; startedAt: Date;
}): Promise<{ runDir: string; results: RunResults }> {
  const selected = execution.shard ? selectShard(units, execution.shard) : units;
  const previous = target.runDir ? readRunResults(runDir) : null;
  const recorded = new Map([...readUnits(runDir)].filter(([, run]) => run.status !== 'failed'));
  const todo = selected.filter((unit) => !recorded.has(unit.id));
  const workers = Math.min(execution.workers ?? 1, todo.length);
  const runner = workers > 1
    ? await WorkerPool.start({
      workers, backend: backend.name, runDir, reporter, log: dataContext?.log ?? (() => {}),
      init: {
        experimentsModule: execution.experimentsModule ?? DEFAULT_EXPERIMENTS_MODULE, experiment: plan.experiment.name,
        profile: plan.profile, learningRates: plan.learningRates, runDir,
        data: dataContext ? { mirror: dataContext.mirror, cacheDir: dataContext.cacheDir } : undefined,
      },
    })
    : inProcessRunner(await prepare(), runDir);
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

    const queue = [...todo];
    const lane = async (laneIndex: number) => {
      for (let unit = queue.shift(); unit; unit = queue.shift()) {
        reporter.unitStarted?.(unit, selected.indexOf(unit), selected.length);
        const run = await runner.run(unit, laneIndex, reporter);
        record(run);
        reporter.unitFinished?.(run, selected.indexOf(unit), selected.length);
      }
    };
    await Promise.all(Array.from({ length: runner.lanes }, (_, i) => lane(i)));
    results.finishedAt = new Date().toISOString();
    results.status = 'complete';
    writeResults(runDir, results);
    return { runDir, results };
  } finally {
    await runner.close();
  }
}
