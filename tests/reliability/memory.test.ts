/**
 * A long sweep in one process where units fail in every way a unit can (forward pass, training data,
 * validation, optimizer update, divergence) between healthy ones: each failure is recorded and the
 * sweep goes on, and tf.memory().numTensors is back at its starting value after every unit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendChoice } from '../../src/backend/select.js';
import { resolveDataContext } from '../../src/data/fetch.js';
import { OPTIMIZERS } from '../../src/optimizers/registry.js';
import type { OptimizerRun } from '../../src/results/schema.js';
import type { Split } from '../../src/data/types.js';
import { runModelExperiment } from '../../src/train/runExperiment.js';
import { tinyExperiment } from '../helpers/tinyExperiment.js';
import { tempDirs } from './helpers.js';

const dirs = tempDirs('memory');
afterAll(() => dirs.cleanup());

/** What goes wrong in a unit, chosen by its seed (seed k: FAULTS[k - 1]); each fault's error message. */
const FAULTS = ['none', 'forward pass', 'training batch', 'validation batch', 'optimizer update', 'none'] as const;
type Fault = (typeof FAULTS)[number];

let backend: BackendChoice;
beforeAll(async () => {
  backend = await selectBackend('wasm');
});

/** A split whose `take` throws on its `failOn`-th call of a unit while `armed()` says so. */
function failing(split: Split, armed: () => boolean, failOn: number, what: string) {
  let calls = 0;
  const wrapped: Split = {
    size: split.size,
    take(indices) {
      if (armed() && ++calls === failOn) throw new Error(`injected failure: ${what}`);
      return split.take(indices);
    },
  };
  return { split: wrapped, newUnit: () => { calls = 0; } };
}

describe('a sweep whose units fail in every way', () => {
  it('records each failure, trains the healthy units, and frees every tensor after each unit', async () => {
    const base = tinyExperiment({ epochs: 2, samples: 96, batchSize: 16 });
    let fault: Fault = 'none';
    const newUnit: (() => void)[] = [];
    const experiment = {
      ...base,
      async loadData(...args: Parameters<typeof base.loadData>) {
        const data = await base.loadData(...args);
        const train = failing(data.train, () => fault === 'training batch', 4, 'training batch');
        const validation = failing(data.validation, () => fault === 'validation batch', 1, 'validation batch');
        newUnit.push(train.newUnit, validation.newUnit);
        return { ...data, train: train.split, validation: validation.split };
      },
      buildModel(...args: Parameters<typeof base.buildModel>) {
        const model = base.buildModel(...args);
        if (fault === 'forward pass') {
          let calls = 0;
          const apply = model.apply.bind(model);
          model.apply = ((x, kwargs) => {
            if (++calls === 3) throw new Error('injected failure: forward pass');
            return apply(x, kwargs);
          }) as typeof model.apply;
        }
        return model;
      },
    };
    // The optimizer's update throws on its second step (after the gradients exist), as a buggy
    // from-scratch optimizer would.
    const sgd = OPTIMIZERS.sgd;
    const builtin = sgd.builtin!;
    sgd.builtin = (h) => {
      const optimizer = builtin(h);
      if (fault === 'optimizer update') {
        let steps = 0;
        const apply = optimizer.applyGradients.bind(optimizer);
        optimizer.applyGradients = (grads) => {
          if (++steps === 2) throw new Error('injected failure: optimizer update');
          apply(grads);
        };
      }
      return optimizer;
    };

    const tensorsAfterUnit: number[] = [];
    let tensorsAtStart = -1;
    try {
      const seeds = FAULTS.map((_, i) => i + 1);
      const { results } = await runModelExperiment(
        // Seeds pick the fault; sgd at a huge rate on its own diverges, adam at that rate is one more unit.
        { experiment, profileName: 'quick', profile: experiment.profiles.quick, optimizers: ['sgd', 'adam'], implsFor: () => ['builtin'], seeds, learningRates: [0.01, 1e6] },
        backend, resolveDataContext({}, { cacheDir: dirs.make(), log: () => {} }), { reportsRoot: dirs.make() },
        {
          unitStarted(unit) {
            if (tensorsAtStart < 0) tensorsAtStart = tf.memory().numTensors;
            fault = FAULTS[unit.spec.seed - 1];
            for (const reset of newUnit) reset();
          },
          unitFinished() {
            tensorsAfterUnit.push(tf.memory().numTensors);
          },
        },
      );
      const byId = new Map<string, OptimizerRun>(results.runs.map((run) => [run.id, run]));
      expect(results.runs).toHaveLength(2 * FAULTS.length * 2);
      expect(results.status).toBe('complete');
      for (const optimizer of ['sgd', 'adam']) {
        FAULTS.forEach((kind, i) => {
          const unit = byId.get(`${optimizer}#seed=${i + 1},lr=0.01`)!;
          // Only sgd's factory is wrapped: adam's update never fails.
          const healthy = kind === 'none' || (kind === 'optimizer update' && optimizer === 'adam');
          expect([unit.id, unit.status, unit.reason]).toEqual(healthy ? [unit.id, 'ok', undefined] : [unit.id, 'failed', `Error: injected failure: ${kind}`]);
        });
      }
      expect(byId.get('sgd#seed=1,lr=1000000')!.status).toBe('diverged');
      // No unit left tensors behind (trainAndRecord would have said so in its reason)...
      expect(results.runs.filter((run) => run.reason?.includes('leaked'))).toEqual([]);
      // ...and the count is flat across the sweep.
      expect(tensorsAfterUnit).toEqual(results.runs.map(() => tensorsAtStart));
    } finally {
      sgd.builtin = builtin;
    }
  });
});
