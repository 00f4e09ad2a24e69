/**
 * The project's seeded random numbers. tfjs's `fit` shuffles with Math.random, so the loop shuffles
 * with this generator instead; initialiser and dropout seeds are drawn from it too, which makes a
 * run a pure function of (seed, backend).
 */

/**
 * Largest run seed: the generator keeps 32 bits of its seed (`seed >>> 0`), so seed 2^32 would train
 * exactly like seed 0. Seeds are 0..MAX_SEED.
 */
export const MAX_SEED = 0xffff_ffff;

/** SplitMix32: tiny, fast, well-distributed 32-bit generator (Vigna's SplitMix adapted to 32 bits). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  nextInt(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let value: number;
    do value = this.nextUint32(); while (value >= limit);
    return value % n;
  }

  /** A fresh seed for a sub-component (initialiser, dropout, shuffle of one epoch), in tfjs's int range. */
  next(): number {
    return this.nextUint32() & 0x7fffffff;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}

/** Derives an independent seed for a named purpose, so adding a consumer does not shift the others. */
export function deriveSeed(seed: number, purpose: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  return new SeededRandom(h).next();
}
