/**
 * The validation split a --tune grid is chosen on, carved from the TRAINING data: a seeded shuffle of
 * the training indices, the first `fraction` of them held out. It depends only on the number of training
 * samples, the fraction and the seed, so every process (parent, workers, a later resume) carves the
 * same split without seeing the data, and the test split is never read.
 */
import { createHash } from 'node:crypto';
import type { HoldoutSplit } from '../results/schema.js';
import type { LoadedData, Split } from '../data/types.js';
import { SeededRandom, deriveSeed } from '../common/random.js';
import { HoldoutError } from './errors.js';
import { range } from './splits.js';

/** Training and held-out indices of a split of `size` samples, each in ascending order. */
export function holdoutIndices(size: number, holdout: HoldoutSplit): { train: Int32Array; heldOut: Int32Array } {
  if (!(holdout.fraction > 0 && holdout.fraction < 1)) throw new HoldoutError(`the held-out fraction must be between 0 and 1, got ${holdout.fraction}`);
  const heldOutCount = Math.round(size * holdout.fraction);
  if (heldOutCount < 1 || heldOutCount >= size) {
    throw new HoldoutError(`holding out ${holdout.fraction} of ${size} training samples leaves ${heldOutCount} to validate on and ${size - heldOutCount} to train on; both need at least one`);
  }
  const order = range(size);
  new SeededRandom(deriveSeed(holdout.seed, 'holdout')).shuffle(order);
  return { heldOut: order.slice(0, heldOutCount).sort(), train: order.slice(heldOutCount).sort() };
}

/** sha256 of the held-out indices (little-endian int32), recorded so a reader can tell two splits apart. */
export function heldOutFingerprint(heldOut: Int32Array): string {
  return createHash('sha256').update(new Uint8Array(heldOut.buffer, heldOut.byteOffset, heldOut.byteLength)).digest('hex');
}

/** The samples of `split` at `indices`, as a split of its own. */
export function subsetSplit(split: Split, indices: Int32Array): Split {
  return {
    size: indices.length,
    take: (wanted) => split.take(Int32Array.from(wanted, (i) => {
      if (i < 0 || i >= indices.length) throw new HoldoutError(`index ${i} outside a subset of ${indices.length} samples`);
      return indices[i];
    })),
  };
}

/**
 * The data a grid unit trains and validates on: training minus the held-out part, validated on that
 * part. The experiment's validation (test) split is not part of the result, so no grid unit can read it.
 */
export function holdoutData(data: LoadedData, holdout: HoldoutSplit): LoadedData {
  const { train, heldOut } = holdoutIndices(data.train.size, holdout);
  return {
    train: subsetSplit(data.train, train),
    validation: subsetSplit(data.train, heldOut),
    notes: { ...data.notes, holdout: `${heldOut.length} of ${data.train.size} training samples held out for validation (seed ${holdout.seed})` },
  };
}
