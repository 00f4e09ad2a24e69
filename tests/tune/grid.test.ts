/** The learning-rate grid and the rule that picks from it. */
import { describe, expect, it } from 'vitest';
import { chooseRate, learningRateGrid } from '../../src/tune/grid.js';

describe('learningRateGrid', () => {
  it('defaults to 7 rates ×√10 apart, centred on the default: three decades', () => {
    const grid = learningRateGrid(0.001);
    expect(grid).toEqual([0.0000316228, 0.0001, 0.000316228, 0.001, 0.00316228, 0.01, 0.0316228]);
    expect(grid[6] / grid[0]).toBeCloseTo(1000, 6);
  });

  it('takes other sizes and ratios, and refuses a degenerate grid', () => {
    expect(learningRateGrid(0.01, 3, 10)).toEqual([0.001, 0.01, 0.1]);
    expect(() => learningRateGrid(0.01, 1)).toThrow(RangeError);
    expect(() => learningRateGrid(0, 7)).toThrow(RangeError);
  });
});

describe('chooseRate', () => {
  const grid = [0.001, 0.01, 0.1];
  it('picks the lowest loss and never a failed rate', () => {
    expect(chooseRate(grid, [3, 1, null], 0.01)).toEqual({ chosen: 0.01 });
    expect(chooseRate(grid, [null, 2, 1], 0.01)).toEqual({ chosen: 0.1, atEdge: 'upper' });
    expect(chooseRate(grid, [0.5, 2, 1], 0.01)).toEqual({ chosen: 0.001, atEdge: 'lower' });
  });

  it('breaks ties towards the default, then the lower rate, and chooses nothing when nothing trained', () => {
    expect(chooseRate(grid, [1, 1, 1], 0.01)).toEqual({ chosen: 0.01 });
    expect(chooseRate(grid, [1, 2, 1], 0.01)).toEqual({ chosen: 0.001, atEdge: 'lower' });
    expect(chooseRate(grid, [null, null, Number.NaN], 0.01)).toEqual({ chosen: null });
  });
});
