/**
 * Where tfjs has no built-in (Nadam in both schedules, Ftrl, AdamW, AMSGrad) or follows another
 * convention (Keras's Adam ε-hat, Adadelta accumulator, momentum, RMSprop and Adagrad ε): the
 * from-scratch optimizer against the float64 references of reference.ts, 200 steps, four shapes, cpu
 * and wasm, |Δw| ≤ 1e-5·max(1, |w|). ε is large enough that its placement shows, and where a case
 * names a rival convention the result must *disagree* with it, proving the option changes the update.
 */
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { OPTIMIZERS, resolveHyperparameters } from '../../src/optimizers/registry.js';
import type { Hyperparameters } from '../../src/optimizers/hyperparameters.js';
import * as ref from './reference.js';
import { fixture, runOptimizer, runReference, worstError } from './stream.js';

interface Case {
  label: string;
  optimizer: string;
  h: Hyperparameters;
  reference: ref.ReferenceOptimizer;
  /** The same update in the other convention: must differ beyond the tolerance. */
  rival?: ref.ReferenceOptimizer;
}

// Keras 2.x legacy `decay`: lr_t = lr / (1 + decay · iterations) (optimizer_v2.py `_decayed_lr`).
const decayed = (lr: number, decay: number) => (iterations: number) => lr / (1 + decay * iterations);
const tfjsMomentum = (lr: (i: number) => number, mu: number, nesterov: boolean): ref.ReferenceOptimizer => (size) => {
  // tfjs momentum_optimizer.ts: a = μa + g; w −= lr·a (Nesterov: w −= lr·(g + μa)).
  const a = new Float64Array(size);
  let i = 0;
  return (w, g) => {
    const rate = lr(i++);
    for (let k = 0; k < size; k++) {
      a[k] = mu * a[k] + g[k];
      w[k] -= rate * (nesterov ? g[k] + mu * a[k] : a[k]);
    }
  };
};

const CASES: Case[] = [
  {
    label: 'momentum keras-2 with decay', optimizer: 'momentum', h: { learningRate: 0.05, momentum: 0.9, decay: 0.05, convention: 'keras-2' },
    reference: ref.kerasMomentum(decayed(0.05, 0.05), 0.9, false), rival: tfjsMomentum(decayed(0.05, 0.05), 0.9, false),
  },
  {
    label: 'nesterov keras-2 with decay', optimizer: 'nesterov', h: { learningRate: 0.05, momentum: 0.9, decay: 0.05, convention: 'keras-2' },
    reference: ref.kerasMomentum(decayed(0.05, 0.05), 0.9, true), rival: tfjsMomentum(decayed(0.05, 0.05), 0.9, true),
  },
  {
    label: 'adagrad keras-2', optimizer: 'adagrad', h: { learningRate: 0.05, epsilon: 0.1, convention: 'keras-2' },
    reference: ref.kerasAdagrad(0.05, 0.1, 0.1),
  },
  {
    label: 'adadelta keras-2', optimizer: 'adadelta', h: { learningRate: 1, epsilon: 1e-2, convention: 'keras-2' },
    reference: ref.kerasAdadelta(1, 0.95, 1e-2),
  },
  {
    label: 'rmsprop keras-2', optimizer: 'rmsprop', h: { learningRate: 0.01, epsilon: 1e-2, convention: 'keras-2' },
    reference: ref.kerasRmsprop(0.01, 0.9, 0, 1e-2, false),
  },
  {
    label: 'rmsprop keras-2 with momentum', optimizer: 'rmsprop', h: { learningRate: 0.01, momentum: 0.9, epsilon: 1e-2, convention: 'keras-2' },
    reference: ref.kerasRmsprop(0.01, 0.9, 0.9, 1e-2, false),
  },
  {
    label: 'rmsprop keras-2 centered', optimizer: 'rmsprop', h: { learningRate: 0.01, centered: true, epsilon: 1e-2, convention: 'keras-2' },
    reference: ref.kerasRmsprop(0.01, 0.9, 0, 1e-2, true),
  },
  {
    label: 'rmsprop keras-2 centered with momentum', optimizer: 'rmsprop', h: { learningRate: 0.01, momentum: 0.5, centered: true, epsilon: 1e-2, convention: 'keras-2' },
    reference: ref.kerasRmsprop(0.01, 0.9, 0.5, 1e-2, true),
  },
  {
    label: 'adam keras-2 (ε-hat)', optimizer: 'adam', h: { learningRate: 0.01, epsilon: 1e-2, convention: 'keras-2' },
    reference: ref.adam(0.01, 0.9, 0.999, 1e-2, { amsgrad: false, form: 'epsilon-hat' }),
    rival: ref.adam(0.01, 0.9, 0.999, 1e-2, { amsgrad: false, form: 'bias-corrected' }),
  },
  {
    // β₂ = 0.9 lets v fall between steps, so the running maximum matters.
    label: 'amsgrad keras-2', optimizer: 'adam', h: { learningRate: 0.01, beta2: 0.9, epsilon: 1e-2, amsgrad: true, convention: 'keras-2' },
    reference: ref.adam(0.01, 0.9, 0.9, 1e-2, { amsgrad: true, form: 'epsilon-hat' }),
    rival: ref.adam(0.01, 0.9, 0.9, 1e-2, { amsgrad: false, form: 'epsilon-hat' }),
  },
  {
    label: 'amsgrad tfjs', optimizer: 'adam', h: { learningRate: 0.01, beta2: 0.9, epsilon: 1e-2, amsgrad: true, convention: 'tfjs' },
    reference: ref.adam(0.01, 0.9, 0.9, 1e-2, { amsgrad: true, form: 'bias-corrected' }),
    rival: ref.adam(0.01, 0.9, 0.9, 1e-2, { amsgrad: true, form: 'epsilon-hat' }),
  },
  {
    label: 'adamax keras-2', optimizer: 'adamax', h: { learningRate: 0.01, epsilon: 1e-2, convention: 'keras-2' },
    reference: ref.adamax(0.01, 0.9, 0.999, 1e-2),
  },
  {
    label: 'nadam tf-2.10', optimizer: 'nadam', h: { learningRate: 0.01, convention: 'tf-2.10' },
    reference: ref.nadam(0.01, 0.9, 0.999, 1e-7, 'tf-2.10'), rival: ref.nadam(0.01, 0.9, 0.999, 1e-7, 'keras-2.11'),
  },
  {
    label: 'nadam keras-2.11', optimizer: 'nadam', h: { learningRate: 0.01, convention: 'keras-2.11' },
    reference: ref.nadam(0.01, 0.9, 0.999, 1e-7, 'keras-2.11'), rival: ref.nadam(0.01, 0.9, 0.999, 1e-7, 'tf-2.10'),
  },
  {
    label: 'ftrl (Keras defaults, lr 0.1)', optimizer: 'ftrl', h: { learningRate: 0.1 },
    reference: ref.ftrl({ lr: 0.1, lrPower: -0.5, initialAccumulator: 0.1, l1: 0, l2: 0, l2Shrinkage: 0, beta: 0 }),
  },
  {
    label: 'ftrl with l1, l2, shrinkage and β', optimizer: 'ftrl',
    h: { learningRate: 0.1, l1RegularizationStrength: 0.5, l2RegularizationStrength: 0.1, l2ShrinkageRegularizationStrength: 0.05, beta: 0.2 },
    reference: ref.ftrl({ lr: 0.1, lrPower: -0.5, initialAccumulator: 0.1, l1: 0.5, l2: 0.1, l2Shrinkage: 0.05, beta: 0.2 }),
    rival: ref.ftrl({ lr: 0.1, lrPower: -0.5, initialAccumulator: 0.1, l1: 0.5, l2: 0.1, l2Shrinkage: 0.05, beta: 0 }),
  },
  {
    label: 'ftrl with learning-rate power −0.3', optimizer: 'ftrl',
    h: { learningRate: 0.1, learningRatePower: -0.3, initialAccumulatorValue: 0.5, l1RegularizationStrength: 0.2 },
    reference: ref.ftrl({ lr: 0.1, lrPower: -0.3, initialAccumulator: 0.5, l1: 0.2, l2: 0, l2Shrinkage: 0, beta: 0 }),
  },
  {
    label: 'adamw keras-2.11', optimizer: 'adamw', h: { learningRate: 0.01, weightDecay: 0.1 },
    reference: ref.adamw(0.01, 0.9, 0.999, 1e-7, 0.1), rival: ref.adam(0.01, 0.9, 0.999, 1e-7, { amsgrad: false, form: 'epsilon-hat' }),
  },
];

describe.each(['cpu', 'wasm'] as const)('from-scratch = float64 reference on %s', (backend) => {
  it.each(CASES)('$label', async ({ optimizer, h, reference, rival }) => {
    await selectBackend(backend);
    const spec = OPTIMIZERS[optimizer];
    const f = fixture(11);
    const scratch = runOptimizer(spec.scratch!(resolveHyperparameters(optimizer, h)), f);
    expect(worstError(scratch, runReference(reference, f))).toBeLessThanOrEqual(1);
    if (rival) expect(worstError(scratch, runReference(rival, f))).toBeGreaterThan(10);
  });
});

it('ftrl with l1 produces exact zeros, as the kernel’s select does', async () => {
  await selectBackend('wasm');
  const f = fixture(3);
  const weights = runOptimizer(OPTIMIZERS.ftrl.scratch!(resolveHyperparameters('ftrl', { learningRate: 0.1, l1RegularizationStrength: 15 })), f);
  const all = weights.flatMap((w) => [...w]);
  expect(all.filter((x) => x === 0).length).toBeGreaterThan(0);
  expect(all.filter((x) => x !== 0).length).toBeGreaterThan(0);
});
