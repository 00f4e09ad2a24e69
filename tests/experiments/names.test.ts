/** The light list of names the command line uses (experiments/names.ts) is the registry's. */
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS } from '../../experiments/index.js';
import { EXPERIMENT_NAMES, MODEL_EXPERIMENT_NAMES } from '../../experiments/names.js';

describe('experiment names', () => {
  it('are the keys of EXPERIMENTS, in order, and the model ones are those of kind model', () => {
    expect([...EXPERIMENT_NAMES]).toEqual(Object.keys(EXPERIMENTS));
    expect([...MODEL_EXPERIMENT_NAMES]).toEqual(Object.values(EXPERIMENTS).filter((e) => e.kind === 'model').map((e) => e.name));
  });
});
