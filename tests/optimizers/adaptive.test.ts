/**
 * Each scaleBy* unit on its own, two steps on a known gradient, against its equation computed here in
 * float64 (as optax tests scale_by_adam, scale_by_rms...): a unit that drifts from its formula fails
 * here, before any whole-optimizer parity test has to find out why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import {
  scaleByAdadelta, scaleByAdam, scaleByAdamax, scaleByNadam, scaleByRms, scaleByRss, scaleByStddev,
} from '../../src/optimizers/adaptive.js';
import { expectClose, runSteps } from './unitHarness.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const G1 = [0.5, -2];
const G2 = [-1, 3];
const PARAMS = [[0, 0]];
const EPS = 1e-7;
const each = (a: number[], b: number[], f: (x: number, y: number) => number) => a.map((x, i) => f(x, b[i]));

describe('scaleByRss (Adagrad)', () => {
  it('adds g² to the accumulator and divides by its root, ε where the placement says', () => {
    const s1 = G1.map((g) => 0.1 + g * g);
    const s2 = each(s1, G2, (s, g) => s + g * g);
    const outside = runSteps(scaleByRss({ initialAccumulatorValue: 0.1, epsilon: EPS, placement: 'outside-sqrt' }), PARAMS, [[G1], [G2]]);
    expectClose(outside.updates[0][0], each(G1, s1, (g, s) => g / (Math.sqrt(s) + EPS)));
    expectClose(outside.updates[1][0], each(G2, s2, (g, s) => g / (Math.sqrt(s) + EPS)));
    expectClose(outside.slots.sum[0], s2);
    const inside = runSteps(scaleByRss({ initialAccumulatorValue: 0.1, epsilon: 0.5, placement: 'inside-sqrt' }), PARAMS, [[G1]]);
    expectClose(inside.updates[0][0], each(G1, s1, (g, s) => g / Math.sqrt(s + 0.5)));
  });
});

describe('scaleByRms (RMSprop)', () => {
  it('keeps s ← ρs + (1 − ρ)g² and divides by √(s + ε)', () => {
    const s1 = G1.map((g) => 0.1 * g * g);
    const s2 = each(s1, G2, (s, g) => 0.9 * s + 0.1 * g * g);
    const { updates, slots } = runSteps(scaleByRms({ rho: 0.9, epsilon: EPS, placement: 'inside-sqrt' }), PARAMS, [[G1], [G2]]);
    expectClose(updates[0][0], each(G1, s1, (g, s) => g / Math.sqrt(s + EPS)));
    expectClose(updates[1][0], each(G2, s2, (g, s) => g / Math.sqrt(s + EPS)));
    expectClose(slots.nu[0], s2);
  });
});

describe('scaleByStddev (centred RMSprop)', () => {
  it('divides by the root of the variance s − m²', () => {
    const s1 = G1.map((g) => 0.1 * g * g);
    const m1 = G1.map((g) => 0.1 * g);
    const s2 = each(s1, G2, (s, g) => 0.9 * s + 0.1 * g * g);
    const m2 = each(m1, G2, (m, g) => 0.9 * m + 0.1 * g);
    const { updates, slots } = runSteps(scaleByStddev({ rho: 0.9, epsilon: EPS, placement: 'outside-sqrt' }), PARAMS, [[G1], [G2]]);
    expectClose(updates[0][0], G1.map((g, i) => g / (Math.sqrt(s1[i] - m1[i] ** 2) + EPS)));
    expectClose(updates[1][0], G2.map((g, i) => g / (Math.sqrt(s2[i] - m2[i] ** 2) + EPS)));
    expectClose(slots.mu[0], m2);
    expectClose(slots.nu[0], s2);
  });
});

describe('scaleByAdadelta', () => {
  it("steps √(u + ε)/√(s + ε)·g with the updated accumulator (Keras) or the previous one (tfjs)", () => {
    const rho = 0.95;
    const eps = 1e-3; // large enough that the first step is not ~0 in float32
    const s1 = G1.map((g) => (1 - rho) * g * g);
    const keras1 = each(G1, s1, (g, s) => (Math.sqrt(eps) / Math.sqrt(s + eps)) * g);
    const u1 = keras1.map((d) => (1 - rho) * d * d);
    const s2 = each(s1, G2, (s, g) => rho * s + (1 - rho) * g * g);
    const keras2 = G2.map((g, i) => (Math.sqrt(u1[i] + eps) / Math.sqrt(s2[i] + eps)) * g);
    const keras = runSteps(scaleByAdadelta({ rho, epsilon: eps, accumulator: 'updated' }), PARAMS, [[G1], [G2]]);
    expectClose(keras.updates[0][0], keras1);
    expectClose(keras.updates[1][0], keras2);
    expectClose(keras.slots.grads[0], s2);
    const tfjs = runSteps(scaleByAdadelta({ rho, epsilon: eps, accumulator: 'previous' }), PARAMS, [[G1]]);
    expectClose(tfjs.updates[0][0], G1.map((g) => (Math.sqrt(eps) / Math.sqrt(eps)) * g));
  });
});

describe('scaleByAdam', () => {
  const moments = (b1: number, b2: number) => {
    const m1 = G1.map((g) => (1 - b1) * g);
    const v1 = G1.map((g) => (1 - b2) * g * g);
    const m2 = each(m1, G2, (m, g) => b1 * m + (1 - b1) * g);
    const v2 = each(v1, G2, (v, g) => b2 * v + (1 - b2) * g * g);
    return { m1, v1, m2, v2 };
  };

  it('bias-corrected: m̂/(√v̂ + ε), and counts β₁ᵗ, β₂ᵗ as float32 products', () => {
    const { m2, v2 } = moments(0.9, 0.999);
    const { updates, scalars } = runSteps(scaleByAdam({ beta1: 0.9, beta2: 0.999, epsilon: EPS, amsgrad: false, epsilonForm: 'bias-corrected' }), PARAMS, [[G1], [G2]]);
    expectClose(updates[0][0], G1.map((g) => g / (Math.abs(g) + EPS)));
    expectClose(updates[1][0], m2.map((m, i) => (m / (1 - 0.81)) / (Math.sqrt(v2[i] / (1 - 0.999 ** 2)) + EPS)));
    expect(scalars).toEqual({ count: 2, beta1Power: Math.fround(Math.fround(0.9) * Math.fround(0.9)), beta2Power: Math.fround(Math.fround(0.999) * Math.fround(0.999)) });
  });

  it('epsilon-hat (Keras): α·m/(√v + ε) with α = √(1 − β₂ᵗ)/(1 − β₁ᵗ)', () => {
    const { m1, v1 } = moments(0.9, 0.999);
    const alpha = Math.sqrt(1 - 0.999) / (1 - 0.9);
    const { updates } = runSteps(scaleByAdam({ beta1: 0.9, beta2: 0.999, epsilon: 0.01, amsgrad: false, epsilonForm: 'epsilon-hat' }), PARAMS, [[G1]]);
    expectClose(updates[0][0], m1.map((m, i) => (alpha * m) / (Math.sqrt(v1[i]) + 0.01)));
  });

  it('AMSGrad divides by the running maximum of v and keeps it as a slot', () => {
    // A large then a small gradient: v falls on step 2, its maximum does not.
    const big = [[4, 4]];
    const small = [[0.1, 0.1]];
    const v1 = 0.001 * 16;
    const v2 = 0.999 * v1 + 0.001 * 0.01;
    const m2 = 0.9 * 0.4 + 0.1 * 0.1;
    const { updates, slots } = runSteps(scaleByAdam({ beta1: 0.9, beta2: 0.999, epsilon: EPS, amsgrad: true, epsilonForm: 'bias-corrected' }), PARAMS, [big, small]);
    expectClose(slots.nuMax[0], [v1, v1]);
    expectClose(slots.nu[0], [v2, v2]);
    const expected = (m2 / (1 - 0.81)) / (Math.sqrt(v1 / (1 - 0.999 ** 2)) + EPS);
    expectClose(updates[1][0], [expected, expected]);
    const without = runSteps(scaleByAdam({ beta1: 0.9, beta2: 0.999, epsilon: EPS, amsgrad: false, epsilonForm: 'bias-corrected' }), PARAMS, [big, small]);
    expect(Object.keys(without.slots)).toEqual(['mu', 'nu']);
  });
});

describe('scaleByAdamax', () => {
  it('divides the bias-corrected m by the decayed infinity norm u ← max(β₂u, |g|)', () => {
    const m1 = G1.map((g) => 0.1 * g);
    const u1 = G1.map(Math.abs);
    const m2 = each(m1, G2, (m, g) => 0.9 * m + 0.1 * g);
    const u2 = each(u1, G2, (u, g) => Math.max(0.999 * u, Math.abs(g)));
    const { updates, slots, scalars } = runSteps(scaleByAdamax({ beta1: 0.9, beta2: 0.999, epsilon: EPS }), PARAMS, [[G1], [G2]]);
    expectClose(updates[0][0], m1.map((m, i) => (1 / 0.1) * (m / (u1[i] + EPS))));
    expectClose(updates[1][0], m2.map((m, i) => (1 / (1 - 0.81)) * (m / (u2[i] + EPS))));
    expectClose(slots.infNorm[0], u2);
    expect(scalars).toEqual({ count: 2 });
  });
});

describe('scaleByNadam', () => {
  it('follows Keras: [(1 − μ_t)·g/(1 − Π_t) + μ_{t+1}·m/(1 − Π_t·μ_{t+1})] / (√(v/(1 − β₂ᵗ)) + ε)', () => {
    for (const [schedule, k] of [['tf-2.10', 0.004], ['keras-2.11', 1]] as const) {
      const mu = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** (k * t));
      const m1 = G1.map((g) => 0.1 * g);
      const v1 = G1.map((g) => 0.001 * g * g);
      const product = mu(1);
      const expected = G1.map((g, i) => ((1 - mu(1)) * g / (1 - product) + (mu(2) * m1[i]) / (1 - product * mu(2))) / (Math.sqrt(v1[i] / 0.001) + EPS));
      const { updates, scalars } = runSteps(scaleByNadam({ beta1: 0.9, beta2: 0.999, epsilon: EPS, schedule }), PARAMS, [[G1]]);
      expectClose(updates[0][0], expected);
      expect(scalars.count).toBe(1);
      expect(scalars.muProduct).toBeCloseTo(product, 15);
    }
  });
});
