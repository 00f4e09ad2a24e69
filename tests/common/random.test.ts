import { describe, expect, it } from 'vitest';
import { SeededRandom, deriveSeed } from '../../src/common/random.js';
import { range } from '../../src/train/splits.js';

describe('SeededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, ((r) => () => r.nextUint32())(new SeededRandom(seed)));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('shuffles into a permutation, reproducibly', () => {
    const a = new SeededRandom(9).shuffle(range(1000));
    const b = new SeededRandom(9).shuffle(range(1000));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from(range(1000)));
    expect(Array.from(a)).not.toEqual(Array.from(range(1000)));
  });

  it('draws integers in range without bias (each of 6 faces within 5% of 1/6 over 60k draws)', () => {
    const random = new SeededRandom(1);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[random.nextInt(6)]++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('derives independent seeds per purpose', () => {
    expect(deriveSeed(1, 'shuffle')).toBe(deriveSeed(1, 'shuffle'));
    expect(deriveSeed(1, 'shuffle')).not.toBe(deriveSeed(1, 'model'));
    expect(deriveSeed(1, 'model')).not.toBe(deriveSeed(2, 'model'));
  });
});
