/**
 * Experiments for the worker tests, exported as `EXPERIMENTS` so worker processes can import them by name
 * (see ExecutionOptions.experimentsModule).
 */
import { closeSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DataUnavailableError } from '../../src/data/errors.js';
import type { ModelExperiment } from '../../src/train/definition.js';
import type { Split } from '../../src/data/types.js';
import { tinyExperiment } from '../helpers/tinyExperiment.js';

const tiny = tinyExperiment({ epochs: 3 });

/** True for exactly one caller across processes: the first to create `file`. */
function firstToClaim(file: string): boolean {
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The tiny experiment, except that the first process to reach training batch `profile.options.killAtBatch`
 * (default 3; counted over the process's life) when `profile.options.killMarker` is set kills itself with
 * SIGKILL: a worker dying mid-unit, as with kill -9. Tiny's epochs have 6 batches, so batch 13 is the
 * first of epoch 3: killed between epochs, after epoch 2's checkpoint.
 */
const tinyKilled: ModelExperiment = {
  ...tiny,
  name: 'tinyKilled',
  async loadData(ctx, profile) {
    const data = await tiny.loadData(ctx, profile);
    const marker = profile.options?.killMarker;
    const killAt = Number(profile.options?.killAtBatch ?? 3);
    let batches = 0;
    const train: Split = {
      size: data.train.size,
      take(indices) {
        batches += 1;
        if (typeof marker === 'string' && batches === killAt && firstToClaim(marker)) process.kill(process.pid, 'SIGKILL');
        return data.train.take(indices);
      },
    };
    return { ...data, train };
  },
};

/** Its data is never available, as when a dataset cannot be fetched. */
const tinyUnavailable: ModelExperiment = {
  ...tiny,
  name: 'tinyUnavailable',
  async loadData() {
    throw new DataUnavailableError('tiny data is unavailable on purpose (test fixture)');
  },
};

/**
 * Declares its files (none to fetch), so every worker loads the data at once: each waits in loadData until
 * two processes are loading (`profile.options.barrierDir`). Were the workers to load one after the other,
 * the first would wait for ever.
 */
const tinyTogether: ModelExperiment = {
  ...tiny,
  name: 'tinyTogether',
  dataFiles: [],
  async loadData(ctx, profile) {
    const dir = String(profile.options?.barrierDir);
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(path.join(dir, `loading-${process.pid}`), 'w'));
    while (readdirSync(dir).length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    return tiny.loadData(ctx, profile);
  },
};

export const EXPERIMENTS = { tiny, tinyKilled, tinyUnavailable, tinyTogether };
