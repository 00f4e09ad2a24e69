/**
 * The `results.json` schema: one file per run directory (`reports/<experiment>/<runId>/results.json`).
 *
 * Versioned: bump RESULTS_SCHEMA_VERSION on any incompatible change and add a migration in
 * `src/results/io.ts`. Documented for users in `docs/results-schema.md`.
 */
import type { UserOptimizerRecord } from '../optimizers/userModule.js';

export const RESULTS_SCHEMA_VERSION = 2 as const;

export type RunStatus = 'ok' | 'diverged' | 'failed' | 'unavailable' | 'skipped';
export type OptimizerImpl = 'builtin' | 'scratch';

/** One epoch of one optimizer's training. Validation values are null when the experiment has none. */
export interface EpochRecord {
  epoch: number; // 1-based
  loss: number;
  metric: number | null;
  valLoss: number | null;
  valMetric: number | null;
  seconds: number;
}

/** A point of an optimizer's trajectory on a 2-D cost surface. */
export interface TrajectoryPoint {
  step: number;
  x: number;
  y: number;
  f: number;
}

export interface SurfaceTrajectory {
  surface: string;
  start: [number, number];
  points: TrajectoryPoint[];
  /** Distance from the last point to the nearest known minimum of the surface. */
  finalDistanceToMinimum: number;
  nearestMinimum: [number, number];
  status: RunStatus;
}

/**
 * One unit of work: an (optimizer, implementation, seed, learning rate) pair trained once.
 * `id` is unique within a run, e.g. `adam`, `adam@scratch`, `sgd#seed=2,lr=0.1`.
 */
export interface OptimizerRun {
  id: string;
  optimizer: string;
  impl: OptimizerImpl;
  seed: number;
  learningRate: number;
  /** Hyperparameters as actually passed to the optimizer, defaults filled in. */
  hyperparameters: Record<string, number | string | boolean>;
  /** Which published convention the update follows, e.g. 'keras-2' or 'tfjs'. */
  convention: string;
  status: RunStatus;
  /** Why the status is not 'ok' (error message, first non-finite epoch, missing implementation). */
  reason?: string;
  epochs: EpochRecord[];
  /** Filled for the surfaces experiment instead of `epochs`. */
  trajectories?: SurfaceTrajectory[];
  totalSeconds: number;
  samplesPerSecond: number | null;
  /** Set in a --tune run (see TuningPhase). */
  phase?: TuningPhase;
  /** Set on 'grid' units: the held-out split they validated on. */
  holdout?: HoldoutSplit;
}

export interface EnvironmentInfo {
  backend: string;
  backendReason: string;
  versions: Record<string, string>; // optbench, node, tfjs-core, tfjs-layers, tfjs-backend-cpu, backend package
  /** Digests of optbench's own kernel builds in use (wasm: `training_kernels.wasm`); absent in runs before they were recorded. */
  kernels?: Record<string, string>;
  platform: string;
  arch: string;
  cpu: { model: string; cores: number };
  hostname?: string;
}

export interface RunSettings {
  epochs: number;
  batchSize: number;
  trainSamples: number;
  validationSamples: number;
  loss: string;
  metric: { name: string; higherIsBetter: boolean } | null;
  /** Free-form notes about the data used (source file, mirror vs download, bad values handled...). */
  data?: Record<string, unknown>;
}

/** A reference line that is not an optimizer, e.g. the naive "same as 24 h ago" MAE. */
export interface BaselineValue {
  name: string;
  description: string;
  valLoss: number;
}

/** A unit of a plan, before it ran: enough to name it in a merge that lacks its result. */
export interface PlannedUnitRecord {
  id: string;
  optimizer: string;
  impl: OptimizerImpl;
  seed: number;
  /** Absent = the optimizer's default learning rate. */
  learningRate?: number;
  /** A --tune run's unit: which part of the protocol it belongs to (as OptimizerRun.phase). */
  phase?: TuningPhase;
}

/** Which part of a larger plan a shard run (`--shard index/count`) ran. */
export interface ShardInfo {
  /** 1-based. */
  index: number;
  count: number;
  /** Every unit of the whole plan, in plan order, so a merge can tell which units no shard delivered. */
  plannedUnits: PlannedUnitRecord[];
}

export interface RunResults {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  runId: string;
  experiment: string;
  title: string;
  profile: string;
  seeds: number[];
  startedAt: string;
  finishedAt: string | null;
  status: 'complete' | 'partial';
  environment: EnvironmentInfo;
  settings: RunSettings;
  runs: OptimizerRun[];
  referenceLines: BaselineValue[];
  /** Set only on a shard's run; a merged or single-machine run has none. */
  shard?: ShardInfo;
  /** Optimizers loaded from --optimizer-file modules; absent when none was. */
  userOptimizers?: UserOptimizerRecord[];
  /** Set on a --tune run: the protocol, the held-out split and each optimizer's choice (src/tune/). */
  tuning?: TuningRecord;
  /**
   * Every unit this run directory is meant to hold (a shard's: its own), in plan order, so a partial run can
   * say which units are planned but not finished. Optional: runs written before it was added lack it.
   */
  plannedUnits?: PlannedUnitRecord[];
  /**
   * True when the experiment's curves do not depend on the seed (the cost surfaces: no data, no
   * initialisation, no shuffling): the run trains one seed, and a baseline made from it needs no more.
   * Absent in runs written before it existed, and for experiments that depend on the seed.
   */
  deterministic?: boolean;
}

/**
 * Which part of a --tune run a unit belongs to: 'grid' trains on the training data minus a held-out part
 * and validates on that part (the test set is not touched); 'default' and 'tuned' train on all the
 * training data and validate on the test set, at the default and at the chosen learning rate.
 * Units without a phase belong to an ordinary run.
 */
export type TuningPhase = 'grid' | 'default' | 'tuned';

/** The validation split carved from the training data for the grid: seeded, so it can be rebuilt. */
export interface HoldoutSplit {
  /** Share of the training samples held out, e.g. 0.2. */
  fraction: number;
  seed: number;
}

export interface TuningChoice {
  optimizer: string;
  impl: OptimizerImpl;
  defaultLearningRate: number;
  grid: number[];
  /** Final validation loss on the held-out split per grid rate (mean over grid seeds); null = diverged or failed. */
  gridLoss: (number | null)[];
  /** The grid rate with the lowest held-out validation loss; null when no grid rate trained ok. */
  chosen: number | null;
  /** 'lower' or 'upper' when the chosen rate is the grid's end: the best may lie beyond it. */
  atEdge?: 'lower' | 'upper';
}

export interface TuningRecord {
  /** How rates were chosen, in words (shown in reports). */
  protocol: string;
  /** Sizes and the sha256 of the held-out indices are known once the data is loaded (absent before). */
  holdout: HoldoutSplit & { trainSamples?: number; validationSamples?: number; heldOutSha256?: string };
  gridSeeds: number[];
  finalSeeds: number[];
  /** Grid points per optimizer and the spacing factor between neighbours. */
  gridPoints: number;
  gridRatio: number;
  /** Empty until every grid unit has run (e.g. in one shard of a tuning run). */
  choices: TuningChoice[];
}
