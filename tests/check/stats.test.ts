import { describe, expect, it } from 'vitest';
import { bonferroniLevel, detectableDifference, FALSE_ALARM_RATE, mean, std, tTest } from '../../src/check/stats.js';
import { SeededRandom } from '../../src/common/random.js';

/** Standard normal draws (Box–Muller) from the project's seeded generator: the simulation is reproducible. */
function normals(random: SeededRandom, n: number): number[] {
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - random.nextFloat())) * Math.cos(2 * Math.PI * random.nextFloat()));
}

describe('seed statistics', () => {
  it('uses the sample standard deviation (n − 1), 0 for one value', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(std([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(std([0.7])).toBe(0);
  });
});

describe('the t-test over seeds', () => {
  it('pools both sides\' spread and gives the textbook statistic', () => {
    // baseline 1, 2, 3 (mean 2, squares 2), run 5 (squares 0): s = √(2 / 2) = 1, t = 3 / √(1/3 + 1) = 2.598, df 2.
    const test = tTest([1, 2, 3], [5], 0.05)!;
    expect(test).toMatchObject({ baselineMean: 2, runMean: 5, difference: 3, pooledStd: 1, degreesOfFreedom: 2 });
    expect(test.p).toBeCloseTo(0.1216, 3); // 2·(1 − T₂(2.598))
    expect(test.significant).toBe(false);
    // Critical t of 2 df at two-sided 5% is 4.303.
    expect(test.detectable).toBeCloseTo(4.3027 * Math.sqrt(4 / 3), 3);
  });

  it('rejects exactly beyond the detectable difference', () => {
    const level = 0.01;
    const limit = detectableDifference(1, 2, 3, 1, level);
    expect(tTest([-1, 0, 1], [limit * 1.001], level)!.significant).toBe(true);
    expect(tTest([-1, 0, 1], [limit * 0.999], level)!.significant).toBe(false);
  });

  it('cannot judge without spread or with fewer than 2 baseline seeds', () => {
    expect(tTest([1, 1, 1], [1.5], 0.01)).toBeNull();
    expect(tTest([1], [1.5], 0.01)).toBeNull();
  });

  it('raises false alarms at the stated rate when nothing changed (simulated seeds, 1 run seed against 3)', () => {
    const random = new SeededRandom(2024);
    const trials = 20_000;
    const level = 0.05;
    let alarms = 0;
    for (let i = 0; i < trials; i++) if (tTest(normals(random, 3), normals(random, 1), level)!.significant) alarms++;
    // Binomial(20000, 0.05): sd ≈ 31; five sds either side.
    expect(Math.abs(alarms - trials * level)).toBeLessThan(5 * Math.sqrt(trials * level * (1 - level)));
  });

  it('keeps the whole check under FALSE_ALARM_RATE with the Bonferroni level (16 numbers, as 8 optimizers × final, AUC)', () => {
    const random = new SeededRandom(7);
    const checks = 4000;
    const level = bonferroniLevel(16);
    expect(level).toBe(FALSE_ALARM_RATE / 16);
    let failedChecks = 0;
    for (let i = 0; i < checks; i++) {
      if (Array.from({ length: 16 }, () => tTest(normals(random, 3), normals(random, 1), level)!.significant).some(Boolean)) failedChecks++;
    }
    // Expected ≤ 40 of 4000 (1%); allow the binomial noise of 40 (sd ≈ 6.3) with five sds.
    expect(failedChecks).toBeLessThan(checks * FALSE_ALARM_RATE + 5 * Math.sqrt(checks * FALSE_ALARM_RATE));
  });

  it('detects a shift of several spreads with 10 baseline seeds, which 3 seeds cannot', () => {
    const level = bonferroniLevel(16);
    expect(detectableDifference(1, 9, 10, 1, level)).toBeLessThan(6);
    expect(detectableDifference(1, 2, 3, 1, level)).toBeGreaterThan(40);
  });
});
