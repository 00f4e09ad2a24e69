/** How many worker processes a run uses when the command line names none (no TensorFlow.js needed). */
import os from 'node:os';
import type { BackendName } from '../backend/names.js';

/**
 * wasm (and cpu) run each process on one thread, so one worker per core; native TensorFlow already uses
 * every core within one process, so one.
 */
export function defaultWorkers(backend: BackendName, cores = os.availableParallelism()): number {
  return backend === 'tensorflow' ? 1 : Math.max(1, cores);
}
