/** The held-out split a tuning grid chooses on: carved from the training indices only, seeded, reproducible. */
import { describe, expect, it } from 'vitest';
import { HoldoutError } from '../../src/train/errors.js';
import { heldOutFingerprint, holdoutData, holdoutIndices } from '../../src/train/holdout.js';
import type { LoadedData, Split } from '../../src/data/types.js';

describe('holdoutIndices', () => {
  it('splits 0..n-1 into two disjoint parts of the asked sizes that cover every index', () => {
    const { train, heldOut } = holdoutIndices(404, { fraction: 0.2, seed: 1 });
    expect(heldOut.length).toBe(81);
    expect(train.length).toBe(323);
    expect([...train, ...heldOut].sort((a, b) => a - b)).toEqual(Array.from({ length: 404 }, (_, i) => i));
  });

  it('is a function of (size, fraction, seed): the same split every time, another for another seed', () => {
    const a = holdoutIndices(1000, { fraction: 0.2, seed: 7 });
    expect(holdoutIndices(1000, { fraction: 0.2, seed: 7 })).toEqual(a);
    const b = holdoutIndices(1000, { fraction: 0.2, seed: 8 });
    expect(heldOutFingerprint(b.heldOut)).not.toBe(heldOutFingerprint(a.heldOut));
    // Shuffled, not the first or last rows (which a sorted dataset would make unrepresentative).
    expect(a.heldOut[0]).toBeLessThan(50);
    expect(a.heldOut.at(-1)).toBeGreaterThan(950);
  });

  it('refuses a fraction that leaves nothing to train or validate on', () => {
    expect(() => holdoutIndices(10, { fraction: 0.01, seed: 1 })).toThrow(HoldoutError);
    expect(() => holdoutIndices(10, { fraction: 1, seed: 1 })).toThrow(/between 0 and 1/);
  });
});

describe('holdoutData', () => {
  /** A split whose rows are their own index, recording every index read. */
  function indexSplit(size: number, reads: number[]): Split {
    return {
      size,
      take(indices) {
        reads.push(...indices);
        return { x: { dispose() {} }, y: { dispose() {} } } as unknown as ReturnType<Split['take']>;
      },
    };
  }

  it('reads training rows only: its train and validation parts map onto the training split, never the test split', () => {
    const trainReads: number[] = [];
    const testReads: number[] = [];
    const data: LoadedData = { train: indexSplit(50, trainReads), validation: indexSplit(20, testReads), notes: {} };
    const carved = holdoutData(data, { fraction: 0.2, seed: 3 });
    const { train, heldOut } = holdoutIndices(50, { fraction: 0.2, seed: 3 });
    carved.train.take(Int32Array.from({ length: carved.train.size }, (_, i) => i));
    expect(trainReads).toEqual([...train]);
    trainReads.length = 0;
    carved.validation.take(Int32Array.from({ length: carved.validation.size }, (_, i) => i));
    expect(trainReads).toEqual([...heldOut]);
    expect(testReads).toEqual([]);
    expect(() => carved.validation.take(Int32Array.of(carved.validation.size))).toThrow(HoldoutError);
  });
});
