/**
 * A run's plan and the parts that carry it out: which units it trains, in what order, where they run
 * (in this process or in worker processes) and who is told about progress. Shared by the in-process
 * runner (./runExperiment.ts) and the worker pool (./workers.ts).
 */
import type { OptimizerImpl, OptimizerRun, RunResults } from '../results/schema.js';
import type { Shard } from '../results/shard.js';
import { unitId, type UnitSpec } from '../results/units.js';
import type { ExperimentDefinition, ModelExperiment, Profile } from './definition.js';
import type { TrainProgress } from './loop.js';
import { PlanError } from './errors.js';
import { MAX_PLAN_UNITS } from './planLimits.js';

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
  /** Extra fields of results.json: user optimizers' provenance, a tuning run's protocol and choices. */
  annotations?: Pick<RunResults, 'userOptimizers' | 'tuning'>;
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

/** Every unit of a plan in a fixed order: optimizer, then impl, seed, learning rate. */
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
   * name (the CLI's: experiments/index.ts); needed with more than one worker. Workers import it:
   * definitions cannot be sent to them.
   */
  experimentsModule?: string;
  /** Run only this part of the plan (`--shard i/n`). */
  shard?: Shard;
  /** --optimizer-file modules: workers load and register them too, before training. */
  optimizerFiles?: string[];
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
