import { describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/check/baseline.js';
import { checkRun, type CheckOptions } from '../../src/check/compare.js';
import { renderCheckMarkdown } from '../../src/check/markdown.js';
import type { RunResults } from '../../src/results/schema.js';
import { ADAM, referenceRun, results, SGD, seedsOf, SPREAD } from './fixtures.js';

const baseline = buildBaseline(referenceRun());
const render = (run: RunResults, options: CheckOptions = {}) => renderCheckMarkdown(checkRun(run, baseline, options));
const worseAdam = () => results([...seedsOf('adam', [1.0, 0.8, 0.65], SPREAD), ...seedsOf('sgd', SGD, SPREAD)]);

describe('the Markdown report', () => {
  it('heads with the experiment, profile, backend and an overall verdict', () => {
    expect(render(referenceRun())).toMatch(/^## Convergence check: fashion · quick · wasm — ✅ no change\n/);
    expect(render(worseAdam())).toMatch(/^## .* — ❌ 1 optimizer changed\n/);
  });

  it('says which mode judged the curves and why', () => {
    expect(render(referenceRun())).toContain('**Exact replay**: same backend, packages, kernels and settings');
    const elsewhere = referenceRun({ environment: { ...referenceRun().environment, backend: 'cpu' } });
    expect(render(elsewhere, { accept: ['backend'] })).toMatch(/here not everywhere: backend differs\. Those seeds are judged \*\*statistically\*\*.*≤ 1%/);
  });

  it('lists the settings differences first, with what to do about those nobody asked for', () => {
    const text = render(referenceRun({ settings: { ...referenceRun().settings, batchSize: 32 } }));
    expect(text.indexOf('### Settings and environment')).toBeLessThan(text.indexOf('### Curves'));
    expect(text).toContain('| `settings.batchSize` | 64 | 32 | ❌ not accepted |');
    expect(text).toContain('accept it (`--accept settings.batchSize`) or update the baseline');
    expect(render(referenceRun())).toContain('No difference from the baseline\'s settings');
  });

  it('gives each optimizer a row: verdict, how it was judged, the numbers and the detectable change', () => {
    const text = render(worseAdam());
    expect(text).toMatch(/\| adam \| ❌ changed \(worse\) \| replay: seed 1, 2, 3 differs \| 0\.6 → 0\.65 \(\+8\.3% worse\) \| 0\.8 → 0\.8167 \(\+2\.1% worse\) \| replay: any change; statistical: ±\d+\.\d% \/ ±\d+\.\d% \|/);
    expect(text).toMatch(/\| sgd \| ✅ ok \| replay: seed 1, 2, 3 identical \| 0\.9 \(same\) \| 1\.033 \(same\) \|/);
  });

  it('explains every changed optimizer in a line of its own: where it first differs and by how much', () => {
    expect(render(worseAdam())).toMatch(/^- \*\*adam\*\* — ❌ changed \(worse\): seed 1 replayed exactly differs: first differs at epoch 3: validation loss 0\.59 → 0\.64 \(\+8\.5%\)/m);
  });

  it('says an improvement fails too and how to accept it', () => {
    const better = results([...seedsOf('adam', [1.0, 0.8, 0.55], SPREAD), ...seedsOf('sgd', SGD, SPREAD)]);
    expect(render(better)).toContain('| adam | ✨ changed (better) |');
    expect(render(better)).toContain('An improvement fails too: nobody asked for it. If it is intended, pass `--allow-improvement`');
  });

  it('marks missing and new optimizers', () => {
    const text = render(results([...seedsOf('adam', ADAM, SPREAD), ...seedsOf('rmsprop', ADAM, SPREAD)]));
    expect(text).toContain('- **sgd** — ⚠️ missing: not in the run');
    expect(text).toContain('- **rmsprop** — 🆕 new: not in the baseline');
  });
});
