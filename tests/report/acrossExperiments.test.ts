/** The cross-experiment view of `all`: steps to a target validation loss, and the performance profile. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACROSS_FILES, performanceProfile, performanceProfileChart, profileSummary, timeToTarget } from '../../src/report/acrossExperiments.js';
import { writeReportsIndex } from '../../src/report/indexPage.js';
import { writeRun } from '../fixtures/results/makeResults.js';
import { results, unit } from '../check/fixtures.js';

// 5000 samples, batch 64: 79 steps per epoch. Best final 1.0 → target 1.1.
const first = results([
  unit({ optimizer: 'adam', seed: 1, valLoss: [1.5, 1.05, 1.0] }),
  unit({ optimizer: 'sgd', seed: 1, valLoss: [2, 1.6, 1.09] }),
  unit({ optimizer: 'adadelta', seed: 1, valLoss: [2.3, 2.3, 2.3] }),
], { experiment: 'fashion' });
// Best final 2.0 → target 2.2: SGD first (epoch 1), Adam at epoch 2, Adadelta never.
const second = results([
  unit({ optimizer: 'adam', seed: 1, valLoss: [3, 2.1, 2.05] }),
  unit({ optimizer: 'sgd', seed: 1, valLoss: [2.2, 2.1, 2.0] }),
  unit({ optimizer: 'adadelta', seed: 1, valLoss: [5, 4, 3] }),
], { experiment: 'imdb' });

describe('time to target', () => {
  it('counts the steps to the first epoch at or below the best final loss + 10%', () => {
    const t = timeToTarget(first)!;
    expect(t.target).toBeCloseTo(1.1, 12);
    expect([...t.steps]).toEqual([['adam', 2 * 79], ['sgd', 3 * 79], ['adadelta', null]]);
  });

  it('gives each optimizer the share of experiments it reaches within τ × the fastest', () => {
    const profile = performanceProfile([timeToTarget(first)!, timeToTarget(second)!]);
    const at = (optimizer: string, tau: number) => profile.find((p) => p.optimizer === optimizer && p.tau === tau)?.share;
    // Adam: ratio 1 on fashion, 2 on imdb; SGD: 1.5 on fashion, 1 on imdb; Adadelta never.
    expect([at('adam', 1), at('adam', 1.5), at('adam', 2)]).toEqual([0.5, 0.5, 1]);
    expect([at('sgd', 1), at('sgd', 1.5), at('sgd', 2)]).toEqual([0.5, 1, 1]);
    expect([at('adadelta', 1), at('adadelta', 2)]).toEqual([0, 0]);
  });

  it('says who is fastest most often, who reaches every target and who none', () => {
    expect(profileSummary([timeToTarget(first)!, timeToTarget(second)!])).toBe(
      'Fastest to the target on the most experiments: Adam, SGD (1 of 2, ties included). Reached the target on every experiment: Adam, SGD. Reached it on none: Adadelta.',
    );
  });
});

describe('the performance profile chart', () => {
  it('draws coinciding profiles as parallel strands, runs every line to the axis end and names each line there', () => {
    // Nadam is a copy of Adam in every experiment; a third one (boston) without SGD.
    const third = results([
      unit({ optimizer: 'adam', seed: 1, valLoss: [1, 1, 1] }),
      unit({ optimizer: 'nadam', seed: 1, valLoss: [1, 1, 1] }),
      unit({ optimizer: 'adadelta', seed: 1, valLoss: [3, 3, 3] }),
    ], { experiment: 'boston' });
    const withNadam = (r: typeof first) => ({ ...r, runs: [...r.runs, { ...r.runs[0], optimizer: 'nadam', id: 'nadam#seed=1' }] });
    const times = [timeToTarget(withNadam(first))!, timeToTarget(withNadam(second))!, timeToTarget(third)!];
    const spec = performanceProfileChart(times).spec as any;
    const rows: { optimizer: string; tau: number; share: number; drawnAt: number }[] = spec.layer[0].data.values;
    const of = (name: string) => rows.filter((r) => r.optimizer === name);
    // Adam and Nadam coincide: same shares, drawn apart; SGD and Adadelta keep their own lines.
    expect(of('Adam').map((r) => r.share)).toEqual(of('Nadam').map((r) => r.share));
    expect(of('Adam').every((r, i) => r.drawnAt !== of('Nadam')[i].drawnAt)).toBe(true);
    expect(of('Adam').every((r) => Math.abs(r.drawnAt - r.share) < 0.05)).toBe(true);
    // Every line reaches the right end of the axis.
    const end = spec.layer[0].layer[0].encoding.x.scale.domain[1];
    for (const name of ['Adam', 'Nadam', 'SGD', 'Adadelta']) expect(of(name).at(-1)!.tau).toBe(end);
    expect(spec.layer[1].data.values.map((l: { names: string }) => l.names).sort()).toEqual(['Adadelta', 'Adam, Nadam', 'SGD']);
    expect(spec.title.subtitle.join(' ')).toContain('Never reached a target (drawn along 0): Adadelta');
  });
});

describe('the view across experiments beside the index', () => {
  const surfaces = results([unit({ optimizer: 'adam', seed: 1, valLoss: null, loss: [3, 2, 1] })], { experiment: 'surfaces' });

  it('is written from the newest complete run of each model experiment per profile, and linked from the index', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'optbench-across-'));
    try {
      // An older fashion run in which Adadelta was fastest: the newer one replaces it.
      const older = results([unit({ optimizer: 'adam', seed: 1, valLoss: [3, 3, 3] }), unit({ optimizer: 'adadelta', seed: 1, valLoss: [1, 1, 1] })], { experiment: 'fashion' });
      await writeRun(root, { ...older, runId: 'old', startedAt: '2023-01-01T00:00:00.000Z' });
      await writeRun(root, { ...first, runId: 'new-fashion' });
      await writeRun(root, { ...second, runId: 'new-imdb' });
      await writeRun(root, { ...surfaces, runId: 'new-surfaces' });
      // Partial runs do not count: a newer partial imdb run, and boston with no complete run yet.
      await writeRun(root, { ...second, runId: 'partial-imdb', status: 'partial', startedAt: '2025-01-01T00:00:00.000Z', runs: second.runs.slice(0, 1) });
      await writeRun(root, { ...first, experiment: 'boston', runId: 'partial-boston', status: 'partial' });
      // A profile with one model experiment has nothing to compare across.
      await writeRun(root, { ...first, runId: 'study-fashion', profile: 'study' });
      const index = readFileSync(await writeReportsIndex(root), 'utf8');

      const markdown = readFileSync(path.join(root, ACROSS_FILES.markdown), 'utf8');
      expect(markdown).toContain("## Profile 'quick'");
      expect(markdown).not.toContain("## Profile 'study'");
      expect(markdown).toContain('| optimizer | fashion: steps to val loss ≤ 1.1 (79 per epoch) | imdb: steps to val loss ≤ 2.2 (79 per epoch) |');
      expect(markdown).toContain('| Adam | **158** ★ | 158 |');
      expect(markdown).toContain('| Adadelta | not reached | not reached |');
      expect(markdown).toContain('Runs: [fashion](../fashion/new-fashion/report.md) (seed 1); [imdb](../imdb/new-imdb/report.md) (seed 1). Left out, no complete run yet: boston.');
      expect(markdown).not.toContain('surfaces');
      expect(existsSync(path.join(root, 'across', 'performance-profile-quick.png'))).toBe(true);

      const html = readFileSync(path.join(root, ACROSS_FILES.html), 'utf8');
      expect(html).toContain('<a href="../fashion/new-fashion/report.html">fashion</a>');
      expect(html).toContain('data-chart="performance-profile-quick"');
      expect(html).toContain('<a href="../index.html">All runs</a>');
      expect(index).toContain('<h2>Time to target across experiments</h2>');
      expect(index).toContain('<a href="across/report.html">');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('is left out of the index while no profile has two model experiments', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'optbench-across-'));
    try {
      await writeRun(root, { ...first, runId: 'only-fashion' });
      await writeRun(root, { ...surfaces, runId: 'surfaces' });
      expect(readFileSync(await writeReportsIndex(root), 'utf8')).not.toContain('across');
      expect(existsSync(path.join(root, ACROSS_FILES.html))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
