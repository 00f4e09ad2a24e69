/**
 * The tuning protocol end to end on the tiny experiment: the choice is the grid's best on the held-out
 * split, it is the same whatever the test set holds (poisoned test data gives the same choice), it is
 * deterministic for a seed, and grid units run in worker processes like any unit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendChoice } from '../../src/backend/select.js';
import type { OptimizerRun, RunResults } from '../../src/results/schema.js';
import type { Split } from '../../src/data/types.js';
import type { ModelExperiment } from '../../src/train/definition.js';
import type { ExecutionOptions, RunPlan } from '../../src/train/plan.js';
import { defaultTuningOptions } from '../../src/tune/protocol.js';
import { runTunedExperiment } from '../../src/tune/runTuning.js';
import { tinyExperiment } from '../helpers/tinyExperiment.js';

const work = mkdtempSync(path.join(tmpdir(), 'optbench-tune-'));
let backend: BackendChoice;
beforeAll(async () => {
  backend = await selectBackend('wasm');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The tiny experiment with its test (validation) split's targets replaced by NaN. */
function poisoned(experiment: ModelExperiment): ModelExperiment {
  return {
    ...experiment,
    async loadData(ctx, profile) {
      const data = await experiment.loadData(ctx, profile);
      const validation: Split = {
        size: data.validation.size,
        take(indices) {
          const batch = data.validation.take(indices);
          const y = batch.y;
          const nan = y.mul(Number.NaN);
          y.dispose();
          return { x: batch.x, y: nan };
        },
      };
      return { ...data, validation };
    },
  };
}

async function tune(experiment: ModelExperiment, execution: ExecutionOptions = {}) {
  const plan: RunPlan = {
    experiment, profileName: 'quick', profile: experiment.profiles.quick,
    optimizers: ['adam', 'sgd'], seeds: [1, 2], learningRates: [], implsFor: () => ['builtin'],
  };
  const options = { ...defaultTuningOptions(1), gridPoints: 5 };
  return runTunedExperiment(plan, options, backend, { cacheDir: path.join(work, 'cache'), log: () => {} }, { reportsRoot: path.join(work, 'reports') }, {}, execution);
}

const phase = (results: RunResults, which: OptimizerRun['phase']) => results.runs.filter((r) => r.phase === which);
/** Everything but wall-clock timings. */
const timeless = (runs: OptimizerRun[]) => runs.map((r) => ({ ...r, totalSeconds: 0, samplesPerSecond: 0, epochs: r.epochs.map((e) => ({ ...e, seconds: 0 })) }));

describe('--tune on the tiny experiment', () => {
  let clean: RunResults;
  beforeAll(async () => {
    const outcome = await tune(tinyExperiment());
    expect(outcome.chosen).toBe(true);
    clean = outcome.results;
  });

  it('plans the grid on held-out training data, then the default and chosen rates with every seed', () => {
    expect(phase(clean, 'grid')).toHaveLength(2 * 5);
    expect(phase(clean, 'grid').every((r) => r.holdout?.fraction === 0.2 && r.status === 'ok')).toBe(true);
    expect(phase(clean, 'default').map((r) => r.id)).toEqual(['adam#default,seed=1', 'adam#default,seed=2', 'sgd#default,seed=1', 'sgd#default,seed=2']);
    expect(phase(clean, 'tuned')).toHaveLength(4);
    expect(clean.tuning?.holdout).toMatchObject({ fraction: 0.2, seed: 1, trainSamples: 77, validationSamples: 19 });
    expect(clean.status).toBe('complete');
  });

  it('chooses, per optimizer, the grid rate with the lowest final held-out loss, and trains the tuned units at it', () => {
    for (const choice of clean.tuning!.choices) {
      const grid = phase(clean, 'grid').filter((r) => r.optimizer === choice.optimizer);
      const best = grid.reduce((a, b) => (b.epochs.at(-1)!.valLoss! < a.epochs.at(-1)!.valLoss! ? b : a));
      expect(choice.chosen).toBe(best.learningRate);
      expect(choice.gridLoss).toEqual(choice.grid.map((rate) => grid.find((r) => r.learningRate === rate)!.epochs.at(-1)!.valLoss));
      expect(phase(clean, 'tuned').filter((r) => r.optimizer === choice.optimizer).map((r) => r.learningRate)).toEqual([choice.chosen, choice.chosen]);
    }
    // The tiny problem wants a larger rate than Adam's default: tuning moved it.
    expect(clean.tuning!.choices.find((c) => c.optimizer === 'adam')!.chosen).not.toBe(0.001);
  });

  it('never lets the test set influence a choice: with poisoned test data the grid and the choices are the same', async () => {
    const outcome = await tune(poisoned(tinyExperiment()));
    expect(outcome.results.tuning!.choices).toEqual(clean.tuning!.choices);
    expect(timeless(phase(outcome.results, 'grid'))).toEqual(timeless(phase(clean, 'grid')));
    // The poison is real: every unit validated on the test set saw it.
    expect(phase(outcome.results, 'default').every((r) => r.status === 'diverged' && /validation loss became NaN/.test(r.reason ?? ''))).toBe(true);
  });

  it('is deterministic for a seed: a second run gives bit-identical grid, choices and tuned curves', async () => {
    const again = (await tune(tinyExperiment())).results;
    expect(again.tuning).toEqual(clean.tuning);
    expect(timeless(again.runs)).toEqual(timeless(clean.runs));
  });

  it('runs its units in worker processes with the same outcome', async () => {
    const workersModule = new URL('../train/workersFixture.ts', import.meta.url).href;
    const viaWorkers = (await tune(tinyExperiment(), { workers: 2, experimentsModule: workersModule })).results;
    expect(viaWorkers.tuning!.choices).toEqual(clean.tuning!.choices);
    expect(timeless(viaWorkers.runs)).toEqual(timeless(clean.runs));
  });
});
