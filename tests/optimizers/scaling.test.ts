/** scaleByLearningRate and trace on their own, against their equations (optax's scale_by_learning_rate, trace). */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { scaleByLearningRate, trace } from '../../src/optimizers/scaling.js';
import { expectClose, runSteps } from './unitHarness.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const G1 = [0.5, -2];
const G2 = [-1, 3];

describe('scaleByLearningRate', () => {
  it('turns a direction into an update −η·g and counts the steps', () => {
    const { updates, scalars } = runSteps(scaleByLearningRate(0.1), [[0, 0]], [[G1], [G2]]);
    expectClose(updates[0][0], [-0.05, 0.2]);
    expectClose(updates[1][0], [0.1, -0.3]);
    expect(scalars).toEqual({ count: 2 });
  });

  it('reads a schedule at the number of updates already applied (0 on the first step)', () => {
    const seen: number[] = [];
    const { updates } = runSteps(scaleByLearningRate((count) => { seen.push(count); return 1 / (count + 1); }), [[0, 0]], [[G1], [G1]]);
    expect(seen).toEqual([0, 1]);
    expectClose(updates[1][0], [-0.25, 1]);
  });
});

describe('trace', () => {
  it('accumulates v ← μv + g and hands v on', () => {
    const { updates, slots } = runSteps(trace({ decay: 0.9, nesterov: false }), [[0, 0]], [[G1], [G2]]);
    expectClose(updates[0][0], G1);
    const v2 = [0.9 * 0.5 - 1, 0.9 * -2 + 3];
    expectClose(updates[1][0], v2);
    expectClose(slots.trace[0], v2);
  });

  it('with Nesterov hands on g + μv', () => {
    const { updates, slots } = runSteps(trace({ decay: 0.9, nesterov: true }), [[0, 0]], [[G1], [G2]]);
    expectClose(updates[0][0], [0.5 + 0.9 * 0.5, -2 + 0.9 * -2]);
    const v2 = [0.9 * 0.5 - 1, 0.9 * -2 + 3];
    expectClose(slots.trace[0], v2);
    expectClose(updates[1][0], [-1 + 0.9 * v2[0], 3 + 0.9 * v2[1]]);
  });
});
