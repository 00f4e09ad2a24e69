/**
 * The `results.json` schema: one file per run directory (`reports/<experiment>/<runId>/results.json`).
 *
 * Versioned: bump RESULTS_SCHEMA_VERSION on any incompatible change and add a migration in
 * `src/results/io.ts`. Documented for users in `docs/results-schema.md`.
 */
export const RESULTS_SCHEMA_VERSION = 1 as const;

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
}

export interface EnvironmentInfo {
  backend: string;
  backendReason: string;
  versions: Record<string, string>; // optbench, tfjs-core, tfjs-layers, backend package, node
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
  /**
   * True when the experiment's curves do not depend on the seed (the cost surfaces: no data, no
   * initialisation, no shuffling): the run trains one seed, and a baseline made from it needs no more.
   * Absent in runs written before it existed, and for experiments that depend on the seed.
   */
  deterministic?: boolean;
}
