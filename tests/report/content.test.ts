import { describe, expect, it } from 'vitest';
import { reachesTargetFirst } from '../../src/claims/kit.js';
import { buildContent, headline } from '../../src/report/content.js';
import { buildCharts } from '../../src/report/specs.js';
import { summarizeRun } from '../../src/results/summary.js';
import type { RunResults } from '../../src/results/schema.js';
import { SURFACES } from '../../experiments/costSurfaces.js';
import { makeResults } from '../fixtures/results/makeResults.js';
import { surfacesLike } from '../fixtures/results/sampleRuns.js';

const contentOf = (results: RunResults) => {
  const summary = summarizeRun(results);
  return buildContent(results, summary, buildCharts(results, summary, SURFACES), []);
};

/** The rows whose cell in the column `header` carries the ★. */
function starred(results: RunResults, header: string): string[] {
  const { results: table } = contentOf(results);
  const column = table.headers.indexOf(header);
  return table.rows.filter((row) => row[column].best).map((row) => row[0].text);
}

describe('the headline', () => {
  it("names the final validation loss and the optimizer the table's ★ marks for it", () => {
    // The case: Nadam ends with the lowest training loss, Adam with the lowest validation loss.
    const results = makeResults([
      { optimizer: 'adam', loss: [2, 0.6], valLoss: [2, 0.5693] },
      { optimizer: 'nadam', loss: [2, 0.5], valLoss: [2, 0.7] },
    ]);
    expect(headline(results, summarizeRun(results))).toEqual(['Lowest final validation loss: Adam (0.5693)']);
    expect(starred(results, 'final val loss')).toEqual(['Adam']);
    expect(starred(results, 'final loss')).toEqual(['Nadam']);
  });

  it('says "training loss" for a run without validation', () => {
    const results = makeResults([{ optimizer: 'adam', loss: [2, 1], valLoss: [null, null] }, { optimizer: 'sgd', loss: [2, 1.5], valLoss: [null, null] }]);
    expect(headline(results, summarizeRun(results))).toEqual(['Lowest final training loss: Adam (1)']);
  });

  it("names each surface and the optimizer its column's ★ marks", () => {
    const results = surfacesLike();
    const [line] = headline(results, summarizeRun(results));
    const surfaces = [...new Set(results.runs.flatMap((r) => r.trajectories ?? []).map((t) => t.surface))];
    expect(surfaces.length).toBeGreaterThan(0);
    for (const surface of surfaces) {
      const [best] = starred(results, `${surface}: distance to minimum (worst start)`);
      expect(line).toContain(`${surface}: ${best} (`);
    }
  });
});

describe('report content', () => {
  it('puts no raw JSON and no absolute path of the machine into "What ran"', () => {
    const results = makeResults([{ optimizer: 'adam' }], {
      settings: {
        ...makeResults([]).settings,
        data: {
          dataset: 'Boston housing',
          origin: '/work/shared/datasets/boston-housing/boston_housing.npz',
          learningRates: { perOptimizer: { adam: 0.3, sgd: 0.003 }, rationale: 'tuned per optimizer' },
        },
      },
    });
    const facts = contentOf(results).facts.filter((f) => f.label.startsWith('Data'));
    const text = facts.map((f) => `${f.label}: ${f.value}`).join('\n');
    expect(text).not.toMatch(/[{}"]|\/work\//);
    expect(text).toContain('Data: origin: boston_housing.npz');
    expect(text).toContain('Data: learning rates, per optimizer: adam 0.3, sgd 0.003');
    expect(text).toContain('Data: learning rates, rationale: tuned per optimizer');
  });

  it('writes "never reached" where a level was never reached, not "Infinity"', () => {
    const results = makeResults([
      { optimizer: 'adam', loss: [2, 1, 0.5] },
      { optimizer: 'adadelta', loss: [2, 1.9, 1.8] },
    ]);
    const claim = reachesTargetFirst({ id: 'x', statement: 'Adam gets there first.', optimizer: 'adam' });
    const { evidence } = claim.score(results);
    expect(evidence).toContain('Adadelta never reached');
    expect(evidence).not.toContain('Infinity');
  });
});
