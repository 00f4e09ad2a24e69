import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { descend } from '../../src/train/runSurfaces.js';
import { BEALE, HIMMELBLAU, QUADRATIC, ROSENBROCK, SADDLE, SURFACES } from '../../experiments/costSurfaces.js';
import { nearestMinimum, type Point, type Surface } from '../../src/train/surface.js';
import { resolveOptimizer } from '../../src/train/unit.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Gradients worked out by hand, independent of the code under test. */
const ANALYTIC_GRADIENTS: Record<string, (x: number, y: number) => Point> = {
  quadratic: (x, y) => [x - y, 4 * y - x],
  valley: (x, y) => [(x - 3) / 50, 20 * y],
  himmelblau: (x, y) => [4 * x * (x * x + y - 11) + 2 * (x + y * y - 7), 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)],
  rosenbrock: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  beale: (x, y) => {
    const t1 = 1.5 - x + x * y;
    const t2 = 2.25 - x + x * y * y;
    const t3 = 2.625 - x + x * y ** 3;
    return [
      2 * t1 * (y - 1) + 2 * t2 * (y * y - 1) + 2 * t3 * (y ** 3 - 1),
      2 * t1 * x + 2 * t2 * 2 * x * y + 2 * t3 * 3 * x * y * y,
    ];
  },
  saddle: (x, y) => [2 * x, -2 * y + y ** 3],
};

/** Plain gradient descent in float64, the reference for the tf trajectories. */
function plainGradientDescent(gradient: (x: number, y: number) => Point, start: Point, learningRate: number, steps: number): Point {
  let [x, y] = start;
  for (let step = 0; step < steps; step++) {
    const [gx, gy] = gradient(x, y);
    x -= learningRate * gx;
    y -= learningRate * gy;
  }
  return [x, y];
}

const sgd = (learningRate: number) => resolveOptimizer({ optimizer: 'sgd', impl: 'builtin', seed: 1, learningRate }).create();

/** A few points spread over the surface's plot window, plus its starts and minima. */
function samplePoints(surface: Surface): Point[] {
  const { x: [x0, x1], y: [y0, y1] } = surface.domain;
  const grid: Point[] = [];
  for (const u of [0.1, 0.35, 0.6, 0.85]) for (const v of [0.15, 0.5, 0.8]) grid.push([x0 + u * (x1 - x0), y0 + v * (y1 - y0)]);
  return [...grid, ...surface.starts, ...surface.minima];
}

describe('the cost surfaces', () => {
  it.each(SURFACES.map((s) => [s.name, s] as const))('%s: tfF equals f and tf.grad equals the analytic gradient', (_, surface) => {
    for (const [x, y] of samplePoints(surface)) {
      const [value, gradient] = tf.tidy(() => {
        const xy = tf.tensor1d([x, y]);
        return [surface.tfF(xy).dataSync()[0], Array.from(tf.grad((t: tf.Tensor) => surface.tfF(t))(xy).dataSync())];
      });
      // tf computes in float32: compare at the float32 inputs, relative to the size of the value. A wrong
      // formula is off by O(1), float32 cancellation (e.g. x² + y − 11 near Himmelblau's minima) by ~1e-5.
      const [x32, y32] = [Math.fround(x), Math.fround(y)];
      const expectedValue = surface.f(x32, y32);
      const expected = ANALYTIC_GRADIENTS[surface.name](x32, y32);
      expect(Math.abs(value - expectedValue)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expectedValue)));
      for (const axis of [0, 1]) {
        expect(Math.abs(gradient[axis] - expected[axis])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected[axis])));
      }
    }
  });

  it('has a zero gradient and the lowest value at every listed minimum', () => {
    for (const surface of SURFACES) {
      for (const [x, y] of surface.minima) {
        const [gx, gy] = ANALYTIC_GRADIENTS[surface.name](x, y);
        expect(Math.hypot(gx, gy)).toBeLessThan(1e-4);
        for (const point of samplePoints(surface)) expect(surface.f(x, y)).toBeLessThanOrEqual(surface.f(...point) + 1e-9);
      }
    }
  });

  it('puts the saddle at the origin and its two minima at (0, ±√2), f = −1', () => {
    expect(Math.hypot(...ANALYTIC_GRADIENTS.saddle(0, 0))).toBe(0);
    expect(SADDLE.f(0, 0)).toBe(0);
    expect(SADDLE.f(0.1, 0)).toBeGreaterThan(0); // a minimum along x ...
    expect(SADDLE.f(0, 0.1)).toBeLessThan(0); // ... and a maximum along y
    for (const [x, y] of SADDLE.minima) expect(SADDLE.f(x, y)).toBeCloseTo(-1, 12);
  });

  it('finds the nearest minimum', () => {
    const nearest = nearestMinimum(HIMMELBLAU, 3.5, -2);
    expect(nearest.minimum).toEqual([3.584428, -1.848126]);
    expect(nearest.distance).toBeCloseTo(Math.hypot(0.084428, 0.151874), 12);
    expect(nearestMinimum(SADDLE, 0.3, -0.4).minimum).toEqual([0, -Math.SQRT2]);
  });

  it('reproduces the worked example of the course notes (docs/study.md): SGD, η 0.1, from (1, −1) on ½x² + 2y² − xy', () => {
    const optimizer = sgd(0.1);
    const { points } = descend(QUADRATIC, [1, -1], optimizer, 2);
    optimizer.dispose();
    const rounded = points.map((p) => ({ x: +p.x.toFixed(2), y: +p.y.toFixed(2), f: +p.f.toFixed(2) }));
    expect(rounded).toEqual([
      { x: 1, y: -1, f: 3.5 },
      { x: 0.8, y: -0.5, f: 1.22 },
      { x: 0.67, y: -0.22, f: 0.47 },
    ]);
  });

  it('reproduces the course notes on Himmelblau: 100 steps from the four starts reach four different minima', () => {
    // The notes do not give η for this exercise; their η = 0.1 overflows from every start (the first
    // step from (0, 1) lands on (1.2, 5.4)), η = 0.01 is the usual choice for this function.
    const learningRate = 0.01;
    const reached = HIMMELBLAU.starts.map((start) => {
      const expected = plainGradientDescent(ANALYTIC_GRADIENTS.himmelblau, start, learningRate, 100);
      const optimizer = sgd(learningRate);
      const trajectory = descend(HIMMELBLAU, start, optimizer, 100);
      optimizer.dispose();
      const last = trajectory.points.at(-1)!;
      expect(trajectory.status).toBe('ok');
      expect(trajectory.points).toHaveLength(101);
      expect(last.x).toBeCloseTo(expected[0], 3);
      expect(last.y).toBeCloseTo(expected[1], 3);
      expect(trajectory.nearestMinimum).toEqual(nearestMinimum(HIMMELBLAU, ...expected).minimum);
      expect(trajectory.finalDistanceToMinimum).toBeLessThan(1e-3);
      return trajectory.nearestMinimum;
    });
    expect(reached).toEqual([[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]]);
  });

  it('marks a trajectory diverged at the first non-finite step and keeps only finite points', () => {
    const optimizer = sgd(0.1);
    const trajectory = descend(ROSENBROCK, [-1.2, 1], optimizer, 50);
    optimizer.dispose();
    expect(trajectory.status).toBe('diverged');
    expect(trajectory.points.length).toBeLessThan(51);
    for (const p of trajectory.points) expect([p.x, p.y, p.f].every(Number.isFinite)).toBe(true);
    const last = trajectory.points.at(-1)!;
    expect(trajectory.finalDistanceToMinimum).toBeCloseTo(Math.hypot(last.x - 1, last.y - 1), 6);
  });

  it('moves tfjs\'s built-in Adadelta exactly like SGD (as the experiment\'s learning-rate rationale states)', () => {
    // tfjs divides by √(accumulator before the update): both accumulators start at 0 and stay equal,
    // so every step is exactly −η·g.
    const path = (optimizer: string) => {
      const instance = resolveOptimizer({ optimizer, impl: 'builtin', seed: 1, learningRate: 0.003 }).create();
      const { points } = descend(BEALE, [1, 1.5], instance, 50);
      instance.dispose();
      return points;
    };
    const adadelta = path('adadelta');
    expect(adadelta).toEqual(path('sgd'));
    expect(adadelta[50].f).toBeLessThan(adadelta[0].f / 2);
  });

  it('leaks no tensors while descending', () => {
    const before = tf.memory().numTensors;
    const optimizer = resolveOptimizer({ optimizer: 'adam', impl: 'builtin', seed: 1, learningRate: 0.1 }).create();
    descend(BEALE, [1, 1.5], optimizer, 30);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
