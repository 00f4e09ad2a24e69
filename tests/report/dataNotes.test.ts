import { describe, expect, it } from 'vitest';
import { dataNotes, fileText, humanize, readable } from '../../src/report/dataNotes.js';

describe('data notes', () => {
  it('name files by their file name, with size and hash when recorded, never by a path of this machine', () => {
    expect(fileText('/work/shared/datasets/fashion-mnist/train-images-idx3-ubyte.gz', { size: 26421880, sha256: '3aede38d61863908ad78613f6a32ed27' }))
      .toBe('train-images-idx3-ubyte.gz (26.42 MB, sha256 3aede38d6186…)');
    expect(fileText('C:\\data\\unknown.bin')).toBe('unknown.bin');
    expect(readable('/home/someone/cache/boston_housing.npz')).toBe('boston_housing.npz');
  });

  it('turn per-file provenance (Fashion-MNIST) into one readable fact per file', () => {
    const notes = dataNotes({
      files: {
        'fashion-mnist/t10k-labels-idx1-ubyte.gz': {
          size: 5148, sha256: '67da17c76eaffca5446c', source: 'mirror', origin: '/srv/mirror/fashion-mnist/t10k-labels-idx1-ubyte.gz', verification: 'sha256',
        },
      },
      trainSamples: 60000,
    });
    expect(notes).toEqual([
      { label: 'Data: files, t10k-labels-idx1-ubyte.gz', value: 't10k-labels-idx1-ubyte.gz (5.148 kB, sha256 67da17c76eaf…), from the mirror, verified by sha256' },
      { label: 'Data: train samples', value: '60,000' },
    ]);
  });

  it('list named records (surfaces) one per fact, with points as (x, y)', () => {
    const notes = dataNotes({ surfaces: [{ name: 'quadratic', title: 'Quadratic ½x² + 2y² − xy', starts: [[1, -1]], minima: [[0, 0]] }] });
    expect(notes).toEqual([{ label: 'Data: surfaces, quadratic', value: 'Quadratic ½x² + 2y² − xy, starts (1, -1), minima (0, 0)' }]);
  });

  it('humanize camelCase keys', () => {
    expect(humanize('learningRates')).toBe('learning rates');
    expect(humanize('test_samples')).toBe('test samples');
  });
});
