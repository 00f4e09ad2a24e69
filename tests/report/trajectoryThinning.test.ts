import { describe, expect, it } from 'vitest';
import { thinTrajectory } from '../../src/report/specs.js';

/** A path like momentum's on Beale: a fast swing past the minimum in a few steps, then thousands of tiny steps. */
function swingThenCreep(steps: number) {
  const points: { step: number; x: number; y: number }[] = [];
  for (let step = 0; step < steps; step++) {
    // Steps 11–17 swing down to y = −2.09 and back; afterwards the path creeps towards (3, 0.5).
    const swing = step >= 11 && step <= 17 ? -2.09 * Math.sin(((step - 11) / 6) * Math.PI) : 0;
    const creep = 1 - Math.exp(-step / 800);
    points.push({ step, x: 3 * creep, y: 0.5 * creep + swing });
  }
  return points;
}

describe('thinTrajectory', () => {
  it('keeps a short path whole', () => {
    const path = swingThenCreep(100);
    expect(thinTrajectory(path)).toEqual(path);
  });

  it('keeps a fast early swing that evenly spaced steps would cut, and fits a long path in a few hundred points', () => {
    const path = swingThenCreep(5000);
    const thinned = thinTrajectory(path);
    expect(thinned.length).toBeLessThanOrEqual(400);
    expect(thinned.length).toBeLessThan(path.length / 10);
    // The deepest point of the swing is drawn within the thinning's resolution (1/300 of the path's height);
    // every 20th step, as the charts drew it before, misses it by far more.
    const lowest = (points: { y: number }[]) => Math.min(...points.map((p) => p.y));
    const height = Math.max(...path.map((p) => p.y)) - lowest(path);
    expect(lowest(thinned)).toBeLessThanOrEqual(lowest(path) + height / 300);
    expect(lowest(path.filter((p) => p.step % 20 === 0))).toBeGreaterThan(lowest(path) + height / 10);
    // First and last points are always kept, and the kept points stay in step order.
    expect(thinned[0]).toBe(path[0]);
    expect(thinned[thinned.length - 1]).toBe(path[path.length - 1]);
    expect(thinned.every((p, i) => i === 0 || p.step > thinned[i - 1].step)).toBe(true);
  });

  it('coarsens only as far as needed for a long winding path to fit', () => {
    // Fifty turns of a slowly closing spiral: far more length than 400 points at the finest resolution.
    const path = Array.from({ length: 20_000 }, (_, step) => {
      const radius = 1 - step / 20_500;
      const angle = (step / 20_000) * 50 * 2 * Math.PI;
      return { step, x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
    });
    const thinned = thinTrajectory(path);
    expect(thinned.length).toBeLessThanOrEqual(400);
    expect(thinned.length).toBeGreaterThan(300);
  });
});
