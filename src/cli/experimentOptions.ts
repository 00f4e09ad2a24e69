/** The parsed options of `npm run experiment` (./experiment.ts parses them, ./experimentRun.ts acts on them). */
import type { BackendName } from '../backend/names.js';
import type { UserOptimizerRecord } from '../optimizers/userModule.js';
import type { Shard } from '../results/shard.js';

export const IMPL_CHOICES = ['auto', 'builtin', 'scratch', 'both'] as const;
export type ImplChoice = (typeof IMPL_CHOICES)[number];

export interface CliOptions {
  profile?: string;
  optimizers?: string[];
  impl: ImplChoice;
  epochs?: number;
  batchSize?: number;
  seed: number;
  seeds?: number;
  lr?: number[];
  backend?: BackendName;
  out: string;
  report: boolean;
  workers?: number;
  /** true = the newest matching run under --out; a string = that run directory. */
  resume?: boolean | string;
  /** A fixed run directory: a new run starts there, or the run it holds continues. */
  runDir?: string;
  shard?: Shard;
  /** --optimizer-file, repeatable. */
  optimizerFile: string[];
  tune?: boolean;
  /** Filled in the action from --optimizer-file: what results.json records. */
  userOptimizers?: UserOptimizerRecord[];
}
