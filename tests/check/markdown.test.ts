import { describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/check/baseline.js';
import { checkRun } from '../../src/check/compare.js';
import { renderCheckMarkdown } from '../../src/check/markdown.js';
import { ADAM, referenceRun, results, SGD, seedsOf, SPREAD } from './fixtures.js';

const baseline = buildBaseline(referenceRun());
const render = (runs: Parameters<typeof results>[0], overrides = {}) =>
  renderCheckMarkdown(checkRun(results(runs, overrides), baseline, { curve: 'valLoss', force: true }));

describe('the Markdown report', () => {
  it('heads with the experiment, profile, backend and an overall verdict', () => {
    expect(render(referenceRun().runs)).toMatch(/^## Convergence check: fashion · quick · wasm — ✅ no regression\n/);
    expect(render([...seedsOf('adam', [1.0, 0.8, 0.65], SPREAD), ...seedsOf('sgd', SGD, SPREAD)])).toMatch(/^## .* — ❌ 1 of 2 regressed\n/);
  });

  it('states the judged curve and the tolerance rule', () => {
    expect(render(referenceRun().runs)).toContain('3 epochs of **validation loss** (lower is better)');
    expect(render(referenceRun().runs)).toContain('max(3·std, 2% of |mean|, 0.0001)');
  });

  it('gives each optimizer a table row: baseline mean ± band, observed with the change, worst epoch', () => {
    const text = render([...seedsOf('adam', [1.0, 0.8, 0.65], SPREAD), ...seedsOf('sgd', SGD, SPREAD)]);
    // final 0.6 → 0.65 is +0.05 = +8.3%; the band 0.03 is 3·std; epoch 3 is 0.05 / 0.03 = 1.7 bands off.
    expect(text).toContain('| adam | ❌ regressed | 0.6 ± 0.03 | 0.65 (+0.0500, +8.3%) | 0.8 ± 0.03 | 0.8167 (+0.0167, +2.1%) | 3: +0.0500, +8.3%, 1.7 bands |');
    expect(text).toMatch(/\| sgd \| ✅ ok \| 0\.9 ± 0\.03 \| 0\.9 \(\+0\.0000, \+0\.0%\)/);
  });

  it('explains every verdict that is not ok in a line of its own, with the numbers', () => {
    const text = render([...seedsOf('adam', [1.0, 0.8, 0.65], SPREAD, { learningRate: 0.1 }), ...seedsOf('rmsprop', ADAM, SPREAD)]);
    expect(text).toContain('- **adam** — ❌ regressed: final validation loss 0.65 is worse than the baseline 0.6 ± 0.03 by 0.0500 (8.3%); learning rate 0.1 (baseline 0.001)');
    expect(text).toContain('- **sgd** — ⚠️ missing: not in the run');
    expect(text).toContain('- **rmsprop** — 🆕 new: not in the baseline');
    expect(text).toMatch(/\| sgd \| ⚠️ missing \| — \| — \| — \| — \| — \|/);
  });

  it('lists notes (forced mismatches, version changes) under the table', () => {
    const text = render(referenceRun().runs, { environment: { ...referenceRun().environment, backend: 'cpu' } });
    expect(text).toMatch(/\*\*Notes\*\*\n\n- compared despite a mismatch \(--force\): the run used backend 'cpu'/);
  });
});
