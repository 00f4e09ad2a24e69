/** chain (optax combine.chain): order, state namespacing, and no tensor outliving its step. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { clipByValue } from '../../src/optimizers/clipping.js';
import { scaleByLearningRate, trace } from '../../src/optimizers/scaling.js';
import { chain, EMPTY_STATE, stateTensors, type StatelessTransformation } from '../../src/optimizers/transform.js';
import { expectClose, runSteps } from './unitHarness.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('chain', () => {
  it('applies its units in order, each to the previous one\'s updates', () => {
    // Clip then scale: −0.1·clip(g); scale then clip: clip(−0.1·g), which the clip leaves alone.
    const g = [[5, -0.5]];
    expectClose(runSteps(chain(clipByValue(1), scaleByLearningRate(0.1)), [[0, 0]], [g]).updates[0][0], [-0.1, 0.05]);
    expectClose(runSteps(chain(scaleByLearningRate(0.1), clipByValue(1)), [[0, 0]], [g]).updates[0][0], [-0.5, 0.05]);
  });

  it("keeps every unit's state under '<index>.<unit name>/', so two units of one kind do not share it", () => {
    const { slots, scalars, updates } = runSteps(chain(trace({ decay: 0.5, nesterov: false }), trace({ decay: 0.9, nesterov: false }), scaleByLearningRate(1)), [[0]], [[[1]], [[1]]]);
    expect(Object.keys(slots).sort()).toEqual(['0.trace/trace', '1.trace/trace']);
    expect(scalars).toEqual({ '2.scale_by_learning_rate/count': 2 });
    // First trace: 1, then 1.5. Second trace of those: 1, then 0.9 + 1.5 = 2.4.
    expectClose(slots['0.trace/trace'][0], [1.5]);
    expectClose(slots['1.trace/trace'][0], [2.4]);
    expectClose(updates[1][0], [-2.4]);
  });

  it("frees each unit's updates once the next unit has consumed them, never the caller's gradients or the state", () => {
    const produced: tf.Tensor[] = [];
    const doubler: StatelessTransformation = {
      name: 'double',
      init: () => EMPTY_STATE,
      update: (grads, state) => {
        const updates = grads.map((g) => tf.mul(g, 2));
        produced.push(...updates);
        return { updates, state };
      },
      dispose: () => {},
    };
    const unit = chain(doubler, trace({ decay: 0.9, nesterov: false }), scaleByLearningRate(0.1));
    const params = [tf.tensor1d([0, 0])];
    const grads = [tf.tensor1d([3, -3])];
    const state = unit.init(params);
    const result = unit.update(grads, state, params);
    expect(produced.map((t) => t.isDisposed)).toEqual([true]);
    expect(grads[0].isDisposed).toBe(false);
    expect(stateTensors(result.state).every((t) => !t.isDisposed)).toBe(true);
    expectClose(Array.from(result.updates[0].dataSync()), [-0.6, 0.6]);
    tf.dispose([...params, ...grads, ...stateTensors(state), ...stateTensors(result.state), ...result.updates]);
    unit.dispose();
  });
});
