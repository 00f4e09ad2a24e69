/**
 * Convergence on simple surfaces, like optax's alias tests: every from-scratch optimizer (study
 * defaults apart from the learning rate) reduces g(x, y) = ½x² + 2y² − xy from (1, −1) (docs/study.md),
 * and Adam reaches the floor of Rosenbrock's valley.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { OPTIMIZERS, resolveHyperparameters } from '../../src/optimizers/registry.js';

beforeAll(async () => { await selectBackend('wasm'); });

type Surface = { value: (x: number, y: number) => number; gradient: (x: number, y: number) => [number, number] };

const quadratic: Surface = {
  value: (x, y) => 0.5 * x * x + 2 * y * y - x * y,
  gradient: (x, y) => [x - y, 4 * y - x],
};

// Rosenbrock (a = 1, b = 100), minimum at (1, 1), as optax/_src/alias_test.py `_setup_rosenbrock`.
const rosenbrock: Surface = {
  value: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  gradient: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
};

function minimise(optimizer: tf.Optimizer, surface: Surface, start: [number, number], steps: number): [number, number] {
  const w = tf.variable(tf.tensor1d(start));
  for (let i = 0; i < steps; i++) {
    const [x, y] = w.dataSync();
    const g = tf.tensor1d(surface.gradient(x, y));
    optimizer.applyGradients({ [w.name]: g });
    g.dispose();
  }
  const [x, y] = w.dataSync();
  w.dispose();
  optimizer.dispose();
  return [x, y];
}

// Adadelta's steps start near √ε (Zeiler's rule has no real learning rate), so it runs at lr 1 as in the paper.
const LEARNING_RATES: Record<string, number> = { adadelta: 1 };

it.each(Object.keys(OPTIMIZERS))('%s reduces ½x² + 2y² − xy from (1, −1)', (name) => {
  const spec = OPTIMIZERS[name];
  const [x, y] = minimise(spec.scratch!(resolveHyperparameters(name, { learningRate: LEARNING_RATES[name] ?? 0.05 })), quadratic, [1, -1], 200);
  // "Reduces" with a margin: at least a quarter of the starting value gone in 200 steps.
  expect(quadratic.value(x, y)).toBeLessThan(0.75 * quadratic.value(1, -1));
});

it('Adam reaches the floor of the Rosenbrock valley from (0, 0)', () => {
  const [x, y] = minimise(OPTIMIZERS.adam.scratch!(resolveHyperparameters('adam', { learningRate: 0.05 })), rosenbrock, [0, 0], 3000);
  // On the floor y = x² the function is (1 − x)²; it has also travelled most of the way to (1, 1).
  expect(Math.abs(y - x * x)).toBeLessThan(1e-2);
  expect(rosenbrock.value(x, y)).toBeLessThan(1e-2);
});
