/**
 * The messages between the parent (./workers.ts) and a worker process (./workerMain.ts) over IPC: both
 * sides import this file, so neither imports the other.
 */
import type { BackendName } from '../backend/select.js';
import type { OptimizerRun } from '../results/schema.js';
import type { Profile } from './definition.js';
import type { TrainProgress } from './loop.js';
import type { PlannedUnit, RunDetails } from './plan.js';

/** Everything a worker needs to prepare the experiment, as plain data (definitions hold functions). */
export interface WorkerInit {
  experimentsModule: string;
  experiment: string;
  profile: Profile;
  learningRates: number[];
  runDir: string;
  /** --optimizer-file modules to register before training (the parent's registry is not shared). */
  optimizerFiles: string[];
  /** The data context without its log (workers send log lines to the parent). */
  data?: { mirror?: string; cacheDir: string };
}

/**
 * 'init' is sent as soon as a worker starts: it selects the backend and imports the experiment (seconds of
 * tfjs and wasm start-up, done by every worker side by side). 'load' then has it load the data and answer
 * 'ready'; the pool sends it to every worker once the parent has fetched the experiment's declared files,
 * or else to the first worker at once and to the others once the first is ready (see WorkerPool.start).
 */
export type ParentMessage =
  | { type: 'init'; backend: BackendName; init: WorkerInit }
  | { type: 'load' }
  | { type: 'run'; unit: PlannedUnit };

export type WorkerMessage =
  | { type: 'ready'; details: RunDetails; data: { trainSize: number; validationSize: number } | null; seconds: number }
  | { type: 'initFailed'; error: { name: string; message: string } }
  | { type: 'log'; line: string }
  | { type: 'progress'; unitId: string; event: TrainProgress }
  | { type: 'done'; run: OptimizerRun };
