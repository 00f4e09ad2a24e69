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
import type { ParentMessage, WorkerInit, WorkerMessage } from './workerProtocol.js';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** Selects the backend and prepares the experiment; returns what the parent needs to know. */
async function prepare(backend: BackendName, init: WorkerInit): Promise<{ trainer: UnitTrainer; ready: Extract<WorkerMessage, { type: 'ready' }> }> {
  await selectBackend(backend);
  await registerOptimizerFiles(init.optimizerFiles);
  const { EXPERIMENTS } = (await import(init.experimentsModule)) as { EXPERIMENTS: Record<string, ExperimentDefinition> };
  const experiment = EXPERIMENTS[init.experiment];
  if (!experiment) throw new Error(`${init.experimentsModule} has no experiment '${init.experiment}' in its EXPERIMENTS`);
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

let prepared: { trainer: UnitTrainer; runDir: string } | null = null;

async function handle(message: ParentMessage): Promise<void> {
  if (message.type === 'init') {
    try {
      const { trainer, ready } = await prepare(message.backend, message.init);
      prepared = { trainer, runDir: message.init.runDir };
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
  // Only epoch records cross the process boundary: per-batch events feed a terminal bar, which is off with workers.
  const run = await trainAndRecord(runDir, unit.spec, unit.id, () => trainer.train(unit, (event) => {
    if (event.kind === 'epoch') send({ type: 'progress', unitId: unit.id, event });
  }));
  send({ type: 'done', run });
}

// The parent is gone (finished, or killed): nothing would read this worker's results, so stop.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ParentMessage) => {
  // A unit that cannot be recorded (disk full) ends the worker with one line; unhandled, the rejection
  // would reach the wasm module's handler, which rethrows it and Node prints the module's whole source.
  handle(message).catch((error: unknown) => {
    process.stderr.write(`worker ${process.pid}: ${failureReason(error)}\n`);
    process.exit(1);
  });
});
