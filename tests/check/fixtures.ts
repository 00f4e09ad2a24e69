/** Constructed results.json for the convergence check's tests: curves are given, nothing is trained. */
import { RESULTS_SCHEMA_VERSION, type OptimizerRun, type RunResults, type RunStatus } from '../../src/results/schema.js';

export interface UnitFixture {
  optimizer: string;
  seed: number;
  /** Validation loss per epoch; the training loss is this + `trainOffset` unless `loss` is given. */
  valLoss: number[] | null;
  loss?: number[];
  /** Validation accuracy per epoch; none by default. */
  valMetric?: number[];
  status?: RunStatus;
  learningRate?: number;
  impl?: OptimizerRun['impl'];
}

const TRAIN_OFFSET = -0.1;

export function unit(fixture: UnitFixture): OptimizerRun {
  const status = fixture.status ?? 'ok';
  const valLoss = fixture.valLoss ?? [];
  const loss = fixture.loss ?? valLoss.map((v) => v + TRAIN_OFFSET);
  const epochs = (fixture.valLoss ?? loss).map((_, i) => ({
    epoch: i + 1, loss: loss[i], metric: null, valLoss: fixture.valLoss ? valLoss[i] : null, valMetric: fixture.valMetric?.[i] ?? null, seconds: 1,
  }));
  return {
    id: `${fixture.optimizer}#seed=${fixture.seed}`, optimizer: fixture.optimizer, impl: fixture.impl ?? 'builtin', seed: fixture.seed,
    learningRate: fixture.learningRate ?? 0.001, hyperparameters: { learningRate: fixture.learningRate ?? 0.001 }, convention: 'tfjs', status,
    ...(status === 'ok' ? {} : { reason: `${status} in the fixture` }),
    epochs: status === 'diverged' ? epochs.slice(0, 1) : status === 'ok' ? epochs : [],
    totalSeconds: 1, samplesPerSecond: 100,
  };
}

/** Seeds 1..n of one optimizer whose curves are `center` shifted by the given offsets (one per seed). */
export function seedsOf(optimizer: string, center: number[], offsets: number[], extra: Partial<UnitFixture> = {}): OptimizerRun[] {
  return offsets.map((offset, i) => unit({ optimizer, seed: i + 1, valLoss: center.map((v) => v + offset), ...extra }));
}

export function results(runs: OptimizerRun[], overrides: Partial<RunResults> = {}): RunResults {
  const seeds = [...new Set(runs.map((run) => run.seed))].sort((a, b) => a - b);
  // Units that trained to the end have every epoch; when none did, the fixtures' curves have 3.
  const ok = runs.filter((run) => run.status === 'ok');
  const epochs = ok.length ? Math.max(...ok.map((run) => run.epochs.length)) : 3;
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION, runId: 'run-under-test', experiment: 'fashion', title: 'Fashion', profile: 'quick', seeds,
    startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T00:10:00.000Z', status: 'complete',
    environment: {
      backend: 'wasm', backendReason: 'test', platform: 'linux', arch: 'x64', cpu: { model: 'test', cores: 2 },
      versions: { optbench: '0.1.0', node: '20.0.0', '@tensorflow/tfjs-core': '4.22.0', '@tensorflow/tfjs-layers': '4.22.0', backendPackage: '4.22.0' },
      kernels: { 'training_kernels.wasm': 'sha256:feed' },
    },
    settings: {
      epochs, batchSize: 64, trainSamples: 5000, validationSamples: 1000, loss: 'categoricalCrossentropy',
      metric: { name: 'accuracy', higherIsBetter: true },
    },
    runs, referenceLines: [], ...overrides,
  };
}

/**
 * The reference shape used throughout: Adam falls 1.0 → 0.8 → 0.6 and SGD 1.2 → 1.0 → 0.9, seeds at
 * −0.01, 0, +0.01: every per-epoch value, the final value and the AUC have std 0.01 over the seeds.
 */
export const ADAM = [1.0, 0.8, 0.6];
export const SGD = [1.2, 1.0, 0.9];
export const SPREAD = [-0.01, 0, 0.01];

export const referenceRun = (overrides: Partial<RunResults> = {}) =>
  results([...seedsOf('adam', ADAM, SPREAD), ...seedsOf('sgd', SGD, SPREAD)], overrides);
