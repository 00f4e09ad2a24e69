/**
 * Worker processes that train units in parallel (`--workers N`).
 *
 * Each worker is a Node process running ./workerMain.ts under tsx. It selects the parent's backend,
 * loads the experiment's data once, then trains the units the parent hands it one at a time over IPC,
 * writing each unit's file itself. The parent assembles results.json from the records the workers send
 * back. A worker that dies (crash, out of memory, kill -9) costs only the unit it was training: that
 * unit is recorded 'failed' with the reason, and the lane starts a replacement worker for its next unit.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BackendName } from '../backend/select.js';
import { DataConfigError, DataFormatError, DataIntegrityError, DataUnavailableError } from '../data/errors.js';
import type { OptimizerRun } from '../results/schema.js';
import { writeUnit } from '../results/runDirectory.js';
import type { PlannedUnit, RunDetails, RunReporter, UnitRunner } from './plan.js';
import { untrainedRun } from '../results/units.js';
import type { ParentMessage, WorkerInit, WorkerMessage } from './workerProtocol.js';
import { WorkerStartError } from './errors.js';

const WORKER_ENTRY = fileURLToPath(new URL('./workerMain.ts', import.meta.url));
// tsx's loader by absolute URL: `--import tsx` would resolve against the working directory.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Workers to use when the command line names none. wasm (and cpu) run each process on one thread, so
 * one worker per core; native TensorFlow already uses every core within one process, so one.
 */
export function defaultWorkers(backend: BackendName, cores = os.availableParallelism()): number {
  return backend === 'tensorflow' ? 1 : Math.max(1, cores);
}

// Data errors come back as their own class so callers handle them as in-process runs do (the CLI skips
// an experiment whose data is unavailable).
const REBUILT_ERRORS: Record<string, new (message: string) => Error> = { DataUnavailableError, DataIntegrityError, DataFormatError, DataConfigError };

function rebuildError(error: { name: string; message: string }): Error {
  const Rebuilt = REBUILT_ERRORS[error.name];
  return Rebuilt ? new Rebuilt(error.message) : new WorkerStartError(`a worker process could not prepare the experiment: ${error.name}: ${error.message}`);
}

function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${code}`;
}

interface InFlight {
  unit: PlannedUnit;
  reporter: RunReporter;
  resolve: (run: OptimizerRun) => void;
  reject: (error: Error) => void;
}

/** One worker process and the unit it is training, if any. */
class Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<Extract<WorkerMessage, { type: 'ready' }>>;
  readonly exited: Promise<void>;
  alive = true;
  private inFlight: InFlight | null = null;

  constructor(backend: BackendName, init: WorkerInit, log: (line: string) => void, private readonly runDir: string) {
    this.child = fork(WORKER_ENTRY, [], { execArgv: ['--import', TSX_LOADER], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settle: { resolve: (m: Extract<WorkerMessage, { type: 'ready' }>) => void; reject: (e: Error) => void } | null = null;
    this.ready = new Promise((resolve, reject) => { settle = { resolve, reject }; });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') settle?.resolve(message);
      else if (message.type === 'initFailed') settle?.reject(rebuildError(message.error));
      else if (message.type === 'log') log(message.line);
      else if (message.type === 'progress') this.inFlight?.reporter.progress?.(this.inFlight.unit, message.event);
      else if (message.type === 'done') this.finish(message.run);
    });
    // A message sent as the worker dies fails with an 'error' event; its 'exit' follows and records the
    // unit, so the error itself needs no handling (unhandled, it would crash the parent).
    this.child.on('error', () => {});
    this.child.once('exit', (code, signal) => {
      this.alive = false;
      const how = exitDescription(code, signal);
      settle?.reject(new WorkerStartError(`a worker process ${how} before it was ready`));
      if (this.inFlight) {
        const { unit, reject } = this.inFlight;
        const run = untrainedRun(unit.spec, unit.id, 'failed', `its worker process (pid ${this.child.pid}) ${how} while training this unit; the other units went on`);
        try {
          writeUnit(this.runDir, run);
        } catch (error) {
          // Nothing can be recorded (e.g. the disk is full, which may be why the worker died): the run
          // stops with that error instead of this event handler crashing the parent.
          this.inFlight = null;
          reject(error as Error);
          return;
        }
        this.finish(run);
      }
    });
    this.child.send({ type: 'init', backend, init } satisfies ParentMessage);
  }

  train(unit: PlannedUnit, reporter: RunReporter): Promise<OptimizerRun> {
    return new Promise((resolve, reject) => {
      this.inFlight = { unit, reporter, resolve, reject };
      this.child.send({ type: 'run', unit } satisfies ParentMessage);
    });
  }

  private finish(run: OptimizerRun): void {
    const inFlight = this.inFlight;
    this.inFlight = null;
    inFlight?.resolve(run);
  }

  /** Asks the worker to exit (it does when its IPC channel closes) and waits for it. */
  async stop(): Promise<void> {
    if (this.alive && this.child.connected) this.child.disconnect();
    await this.exited;
  }
}

/** A pool of worker processes, one per lane; a lane whose worker died starts a new one for its next unit. */
export class WorkerPool implements UnitRunner {
  private readonly workers: (Worker | null)[];

  private constructor(
    private readonly options: { backend: BackendName; init: WorkerInit; log: (line: string) => void },
    first: Worker,
    readonly details: RunDetails,
    readonly lanes: number,
  ) {
    this.workers = Array.from({ length: lanes }, (_, lane) => (lane === 0 ? first : null));
  }

  /**
   * Starts the first worker and waits until it has loaded the data (a cold cache is filled once, not by
   * every worker at the same time); the other lanes start theirs when they take their first unit.
   * Throws what the first worker failed with (e.g. DataUnavailableError).
   */
  static async start(options: {
    workers: number; backend: BackendName; init: WorkerInit; runDir: string; reporter: RunReporter; log: (line: string) => void;
  }): Promise<WorkerPool> {
    const first = new Worker(options.backend, options.init, options.log, options.runDir);
    try {
      const ready = await first.ready;
      if (ready.data) options.reporter.dataLoaded?.({ train: { size: ready.data.trainSize }, validation: { size: ready.data.validationSize } }, ready.seconds);
      return new WorkerPool(options, first, ready.details, options.workers);
    } catch (error) {
      await first.stop();
      throw error;
    }
  }

  async run(unit: PlannedUnit, lane: number, reporter: RunReporter): Promise<OptimizerRun> {
    let worker = this.workers[lane];
    if (!worker?.alive) {
      worker = new Worker(this.options.backend, this.options.init, this.options.log, this.options.init.runDir);
      this.workers[lane] = worker;
    }
    try {
      await worker.ready;
    } catch (error) {
      this.workers[lane] = null;
      const run = untrainedRun(unit.spec, unit.id, 'failed', `no worker process to train it: ${(error as Error).message}`);
      writeUnit(this.options.init.runDir, run);
      return run;
    }
    return worker.train(unit, reporter);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker?.stop()));
  }
}
