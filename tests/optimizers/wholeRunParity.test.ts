/**
 * Whole-run parity: a small profile trained with from-scratch Adam (in tfjs's convention) gives the same
 * curves as tfjs's built-in Adam, on the real data, through the shared loop. Boston runs its quick profile;
 * Fashion a fifth of its quick profile's images for 2 epochs (same model, data path and loop; its whole quick
 * profile took ~40 s alone and came within reach of the time limit on a loaded machine).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { boston } from '../../experiments/boston.js';
import { fashion } from '../../experiments/fashion.js';
import { selectBackend } from '../../src/backend/select.js';
import type { ModelExperiment, Profile } from '../../src/train/definition.js';
import { runUnit } from '../../src/train/unit.js';
import { tempDataContext, testMirrorDir } from '../data/helpers.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const RELATIVE_TOLERANCE = 1e-4;

const SMALL_FASHION: Profile = { ...fashion.profiles.quick, epochs: 2, trainLimit: 1000, validationLimit: 200 };

describe.each<[string, ModelExperiment, Profile]>([
  ['boston', boston, boston.profiles.quick],
  ['fashion', fashion, SMALL_FASHION],
])('%s', (_, experiment, profile) => {
  it('from-scratch Adam and built-in Adam give the same curves (≤ 1e-4 relative per epoch)', async () => {
    const ctx = await tempDataContext(testMirrorDir());
    try {
      const data = await experiment.loadData(ctx, profile);
      const builtin = await runUnit(experiment, profile, data, { optimizer: 'adam', impl: 'builtin', seed: 1 }, 'adam');
      const scratch = await runUnit(
        experiment, profile, data, { optimizer: 'adam', impl: 'scratch', seed: 1, hyperparameters: { convention: 'tfjs' } }, 'adam@scratch',
      );
      expect(scratch.convention).toBe('tfjs');
      expect(builtin.status).toBe('ok');
      expect(scratch.status).toBe('ok');
      expect(scratch.epochs).toHaveLength(profile.epochs);
      for (const [i, reference] of builtin.epochs.entries()) {
        for (const key of ['loss', 'metric', 'valLoss', 'valMetric'] as const) {
          const expected = reference[key]!;
          const actual = scratch.epochs[i][key]!;
          expect({ epoch: i + 1, key, difference: Math.abs(actual - expected) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(expected)) })
            .toEqual({ epoch: i + 1, key, difference: true });
        }
      }
      // The curves are real learning, not two copies of a flat line.
      expect(builtin.epochs.at(-1)!.loss).toBeLessThan(builtin.epochs[0].loss);
    } finally {
      await ctx.cleanup();
    }
  });
});
