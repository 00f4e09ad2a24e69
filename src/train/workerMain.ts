/**
 * Entry point of a worker process (see ./workers.ts): prepares the experiment once on the parent's
 * backend, then trains the units it is sent, one at a time, recording each in the run directory.
 */
import { selectBackend, type BackendName } from '../backend/select.js';
import { registerOptimizerFiles } from '../optimizers/userModule.js';
import type { ExperimentDefinition } from './definition.js';
import { prepareModelTrainer } from './modelTrainer.js';
import type { UnitTrainer } from './plan.js';
import { prepareSurfaceTrainer } from './runSurfaces.js';
import { failureReason, trainAndRecord } from './unit.js';
import { STOP_SIGNAL_EXIT_CODES, type StopSignal } from './stopSignals.js';
import type { ParentMessage, WorkerInit, WorkerMessage } from './workerProtocol.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** Selects the backend and imports the experiment: everything before its data. */
async function setUp(backend: BackendName, init: WorkerInit): Promise<ExperimentDefinition> {
  await selectBackend(backend);
  await registerOptimizerFiles(init.optimizerFiles);
  const { EXPERIMENTS } = (await import(init.experimentsModule)) as { EXPERIMENTS: Record<string, ExperimentDefinition> };
  const experiment = EXPERIMENTS[init.experiment];
  if (!experiment) throw new Error(`${init.experimentsModule} has no experiment '${init.experiment}' in its EXPERIMENTS`);
  return experiment;
}

/** Loads the experiment's data (model experiments); returns the trainer and what the parent needs to know. */
async function prepare(experiment: ExperimentDefinition, init: WorkerInit): Promise<{ trainer: UnitTrainer; ready: Extract<WorkerMessage, { type: 'ready' }> }> {
  if (experiment.kind === 'surface') {
    const trainer = prepareSurfaceTrainer(experiment, init.profile, init.learningRates);
    return { trainer, ready: { type: 'ready', details: trainer.details, data: null, seconds: 0 } };
  }
  if (!init.data) throw new Error(`model experiment '${init.experiment}' needs a data context`);
  const started = performance.now();
  const trainer = await prepareModelTrainer(experiment, init.profile, { ...init.data, log: (line) => send({ type: 'log', line }) });
  return {
    trainer,
    ready: {
      type: 'ready', details: trainer.details, seconds: (performance.now() - started) / 1000,
      data: { trainSize: trainer.data.train.size, validationSize: trainer.data.validation.size },
    },
  };
}

let setup: { init: WorkerInit; experiment: Promise<ExperimentDefinition> } | null = null;
let prepared: { trainer: UnitTrainer; runDir: string } | null = null;

async function handle(message: ParentMessage): Promise<void> {
  if (message.type === 'init') {
    const experiment = setUp(message.backend, message.init);
    // Reported when the data is asked for ('load'), as a failure to prepare.
    experiment.catch(() => {});
    setup = { init: message.init, experiment };
    return;
  }
  if (message.type === 'load') {
    try {
      if (!setup) throw new Error('the data was asked for before the worker was initialised');
      const { trainer, ready } = await prepare(await setup.experiment, setup.init);
      prepared = { trainer, runDir: setup.init.runDir };
      send(ready);
    } catch (error) {
      const { name, message: text } = error instanceof Error ? error : new Error(String(error));
      send({ type: 'initFailed', error: { name, message: text } });
      process.disconnect?.();
    }
    return;
  }
  const { unit } = message;
  if (!prepared) throw new Error('a unit arrived before the worker was prepared');
  const { trainer, runDir } = prepared;
  let lastBatchSent = 0;
  const run = await trainAndRecord(runDir, unit.spec, unit.id, () => trainer.train(unit, {
    checkpointDir: runDir,
    log: (line) => send({ type: 'log', line }),
    onProgress: (event) => {
      // Batch events feed the parent's live progress: a few a second is enough, and IPC is not free.
      if (event.kind === 'batch') {
        const now = performance.now();
        if (event.batch !== 1 && event.batch !== event.batches && now - lastBatchSent < BATCH_PROGRESS_INTERVAL_MS) return;
        lastBatchSent = now;
      }
      send({ type: 'progress', unitId: unit.id, event });
    },
  }));
  send({ type: 'done', run });
}

const BATCH_PROGRESS_INTERVAL_MS = 250;

// The parent is gone (finished, or killed): nothing would read this worker's results, so stop.
process.on('disconnect', () => process.exit(0));
// Stop on SIGINT/SIGTERM with the exit code that tells the parent why (STOP_SIGNAL_EXIT_CODES), which
// then stops the whole run. Signals are handled between batches, so a checkpoint is never cut short.
for (const signal of Object.keys(STOP_SIGNAL_EXIT_CODES) as StopSignal[]) {
  process.on(signal, () => process.exit(STOP_SIGNAL_EXIT_CODES[signal]));
}
process.on('message', (message: ParentMessage) => {
  // A unit that cannot be recorded (disk full) ends the worker with one line; unhandled, the rejection
  // would reach the wasm module's handler, which rethrows it and Node prints the module's whole source.
  handle(message).catch((error: unknown) => {
    process.stderr.write(`worker ${process.pid}: ${failureReason(error)}\n`);
    process.exit(1);
  });
});
