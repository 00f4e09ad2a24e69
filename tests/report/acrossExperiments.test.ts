/** The cross-experiment view of `all`: steps to a target validation loss, and the performance profile. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { performanceProfile, timeToTarget, writeAcrossExperimentsReport } from '../../src/report/acrossExperiments.js';
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

  it('writes the table and the profile chart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'optbench-across-'));
    try {
      const file = await writeAcrossExperimentsReport([{ runDir: path.join(dir, 'a'), results: first }, { runDir: path.join(dir, 'b'), results: second }], dir);
      const markdown = readFileSync(file, 'utf8');
      expect(markdown).toContain('| Adam | **158** ★ | 158 |');
      expect(markdown).toContain('| Adadelta | not reached | not reached |');
      expect(existsSync(path.join(dir, 'performance-profile.png'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
