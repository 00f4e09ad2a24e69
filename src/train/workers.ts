/**
 * Worker processes that train units in parallel (`--workers N`).
 *
 * Each worker is a Node process running ./workerMain.ts under tsx. It selects the parent's backend,
 * loads the experiment's data once, then trains the units the parent hands it one at a time over IPC,
 * writing each unit's file itself. The parent assembles results.json from the records the workers send
 * back. A worker that dies (crash, out of memory, kill -9) costs only the unit it was training: that
 * unit is recorded 'failed' with the reason, and the lane starts a replacement worker for its next unit.
 * A worker stopped by SIGINT or SIGTERM instead stops the whole run (see ExecutionOptions.interrupt).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BackendName } from '../backend/select.js';
import { DataConfigError, DataFormatError, DataIntegrityError, DataUnavailableError } from '../data/errors.js';
import type { OptimizerRun } from '../results/schema.js';
import { writeUnit } from '../results/runDirectory.js';
import type { PlannedUnit, RunDetails, RunReporter, UnitRunner } from './plan.js';
import { untrainedRun } from '../results/units.js';
import { STOP_SIGNAL_EXIT_CODES, type StopSignal } from './stopSignals.js';
import type { ParentMessage, WorkerInit, WorkerMessage } from './workerProtocol.js';
import { TrainingStoppedError, WorkerStartError } from './errors.js';

const WORKER_ENTRY = fileURLToPath(new URL('./workerMain.ts', import.meta.url));
// tsx's loader by absolute URL: `--import tsx` would resolve against the working directory.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;


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

/** The stop signal a worker's exit reports (killed by it, or exited with its code), else null. */
function stopSignalOf(code: number | null, signal: NodeJS.Signals | null): string | null {
  if (signal && signal in STOP_SIGNAL_EXIT_CODES) return signal;
  return (Object.keys(STOP_SIGNAL_EXIT_CODES) as StopSignal[]).find((name) => STOP_SIGNAL_EXIT_CODES[name] === code) ?? null;
}

/** How long stopped workers get to exit before they are killed (each stops between two batches). */
const STOP_GRACE_MS = 3000;

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

  /**
   * The worker starts now and sets up its backend and experiment at once; `dataGate`: it loads the data
   * only once this resolves true.
   */
  constructor(backend: BackendName, init: WorkerInit, log: (line: string) => void, private readonly runDir: string, private readonly interrupt: AbortController, dataGate: Promise<boolean> = Promise.resolve(true)) {
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
      // A worker stopped by SIGINT/SIGTERM (Ctrl-C reaches every process of the terminal's group; a signal
      // sent to the worker alone) stops the whole run: its unit is not failed, its checkpoint stays.
      const stopSignal = stopSignalOf(code, signal);
      if (stopSignal && !this.interrupt.signal.aborted) this.interrupt.abort(stopSignal);
      if (this.interrupt.signal.aborted) {
        settle?.reject(new TrainingStoppedError());
        const inFlight = this.inFlight;
        this.inFlight = null;
        inFlight?.reject(new TrainingStoppedError());
        return;
      }
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
    // Whoever needs the worker awaits `ready`; a worker stopped before that must not be an unhandled rejection.
    this.ready.catch(() => {});
    this.child.send({ type: 'init', backend, init } satisfies ParentMessage);
    void dataGate.then((go) => {
      if (go && this.child.connected) this.child.send({ type: 'load' } satisfies ParentMessage);
    });
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

  /** Stops the worker at once (SIGTERM: it exits between two batches), killing it if it does not. */
  async terminate(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A pool of worker processes, one per lane; a lane whose worker died starts a new one for its next unit. */
export class WorkerPool implements UnitRunner {
  private constructor(
    private readonly options: { backend: BackendName; init: WorkerInit; log: (line: string) => void; interrupt: AbortController },
    private readonly workers: (Worker | null)[],
    readonly details: RunDetails,
    readonly lanes: number,
  ) {}

  /**
   * Starts a worker process per lane; all of them load Node, tsx and tfjs and select the backend side by
   * side (seconds each). With `prefetch` (which fetches or verifies the data's files in this process,
   * meanwhile), every worker then loads the data from the cache at the same time, so the second lane
   * starts training with the first. Without it, the first worker loads the data at once and the others
   * once it is ready, so a cold cache is filled once, not by every worker at the same time. Throws what
   * `prefetch` or the first worker failed with (e.g. DataUnavailableError).
   */
  static async start(options: {
    workers: number; backend: BackendName; init: WorkerInit; runDir: string; reporter: RunReporter; log: (line: string) => void;
    /** Aborted when a worker stops on SIGINT/SIGTERM; see ExecutionOptions.interrupt. */
    interrupt: AbortController;
    prefetch?: () => Promise<unknown>;
  }): Promise<WorkerPool> {
    let openGate: (go: boolean) => void = () => {};
    const gate = new Promise<boolean>((resolve) => { openGate = resolve; });
    const start = (dataGate?: Promise<boolean>) => new Worker(options.backend, options.init, options.log, options.runDir, options.interrupt, dataGate);
    const first = start(options.prefetch ? gate : undefined);
    const workers = [first, ...Array.from({ length: options.workers - 1 }, () => start(gate))];
    const stopAll = () => { void Promise.all(workers.map((worker) => worker.terminate())); };
    options.interrupt.signal.addEventListener('abort', stopAll, { once: true });
    try {
      if (options.prefetch) {
        // The first worker's `ready` cannot come before the gate opens; it only fails (stopped, crashed).
        await Promise.race([options.prefetch(), first.ready]);
        openGate(true);
      }
      const ready = await first.ready;
      openGate(true);
      if (ready.data) options.reporter.dataLoaded?.({ train: { size: ready.data.trainSize }, validation: { size: ready.data.validationSize } }, ready.seconds);
      return new WorkerPool(options, workers, ready.details, options.workers);
    } catch (error) {
      openGate(false);
      await Promise.all(workers.map((worker) => worker.stop()));
      throw error;
    } finally {
      options.interrupt.signal.removeEventListener('abort', stopAll);
    }
  }

  async run(unit: PlannedUnit, lane: number, reporter: RunReporter): Promise<OptimizerRun> {
    if (this.options.interrupt.signal.aborted) throw new TrainingStoppedError();
    let worker = this.workers[lane];
    if (!worker?.alive) {
      worker = new Worker(this.options.backend, this.options.init, this.options.log, this.options.init.runDir, this.options.interrupt);
      this.workers[lane] = worker;
    }
    try {
      await worker.ready;
    } catch (error) {
      this.workers[lane] = null;
      if (error instanceof TrainingStoppedError) throw error;
      const run = untrainedRun(unit.spec, unit.id, 'failed', `no worker process to train it: ${(error as Error).message}`);
      writeUnit(this.options.init.runDir, run);
      return run;
    }
    return worker.train(unit, reporter);
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker?.terminate()));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker?.stop()));
  }
}
