/**
 * The example optimizers (examples/optimizers/lion.ts, adabelief.ts), loaded as `--optimizer-file` loads
 * them, against their papers' update rules in float64: 200 steps over four shapes, cpu and wasm,
 * |Δw| ≤ 1e-5·max(1, |w|). Each case also names a rival rule the result must *disagree* with (by more than
 * 10× the tolerance), proving the feature that sets the optimizer apart is in the update.
 */
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/select.js';
import type { Hyperparameters } from '../../../src/optimizers/hyperparameters.js';
import { loadOptimizerModule, userOptimizerSpec } from '../../../src/optimizers/userModule.js';
import * as ref from '../../optimizers/reference.js';
import { fixture, runOptimizer, runReference, worstError } from '../../optimizers/stream.js';
import * as examples from './reference.js';

interface Case {
  label: string;
  file: string;
  h: Hyperparameters;
  reference: ref.ReferenceOptimizer;
  rival: ref.ReferenceOptimizer;
}

const CASES: Case[] = [
  {
    // Rival: sign momentum that interpolates with β₂ as well (one rate instead of Lion's two).
    label: 'lion', file: 'examples/optimizers/lion.ts', h: { learningRate: 0.01 },
    reference: examples.lion(0.01, 0.9, 0.99, 0), rival: examples.lion(0.01, 0.99, 0.99, 0),
  },
  {
    label: 'lion with weight decay', file: 'examples/optimizers/lion.ts', h: { learningRate: 0.01, weightDecay: 0.5 },
    reference: examples.lion(0.01, 0.9, 0.99, 0.5), rival: examples.lion(0.01, 0.9, 0.99, 0),
  },
  {
    // ε large enough that its two places show; rival: Adam (second moment of g, not of g − m).
    label: 'adabelief', file: 'examples/optimizers/adabelief.ts', h: { learningRate: 0.01, epsilon: 1e-3 },
    reference: examples.adabelief(0.01, 0.9, 0.999, 1e-3), rival: ref.adam(0.01, 0.9, 0.999, 1e-3, { amsgrad: false, form: 'bias-corrected' }),
  },
  {
    label: 'adabelief (paper defaults, ε = 1e-16)', file: 'examples/optimizers/adabelief.ts', h: { learningRate: 0.01 },
    reference: examples.adabelief(0.01, 0.9, 0.999, 1e-16), rival: ref.adam(0.01, 0.9, 0.999, 1e-16, { amsgrad: false, form: 'bias-corrected' }),
  },
];

describe.each(['cpu', 'wasm'] as const)('example optimizers = their papers in float64 on %s', (backend) => {
  it.each(CASES)('$label', async ({ file, h, reference, rival }) => {
    await selectBackend(backend);
    const spec = userOptimizerSpec(file, await loadOptimizerModule(file));
    const f = fixture(17);
    const weights = runOptimizer(spec.scratch!({ ...spec.defaults, ...h }), f);
    expect(worstError(weights, runReference(reference, f))).toBeLessThanOrEqual(1);
    expect(worstError(weights, runReference(rival, f))).toBeGreaterThan(10);
  });
});
