/**
 * The 2-D cost surfaces of the study's trajectory figures (deep valley, Beale, saddle) and of the course
 * notes' worked examples (the quadratic and Himmelblau): docs/study.md, "Cost surfaces" and "Reference
 * numbers from the course notes".
 *
 * Each surface is written twice on purpose: `f` in plain JS numbers, cheap enough to evaluate on the
 * report's contour grids, and `tfF` in tf ops so the optimizers get their gradients from tf.grad
 * exactly as they do on a model. tests/experiments/costSurfaces.test.ts checks the two agree and that the tf
 * gradients match the analytic ones.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfF exists to be differentiated, and in Node tfjs-core's gradients are registered only by the
// tfjs-layers bundle (core's own `dist/register_all_gradients` is ESM that Node cannot load).
import '@tensorflow/tfjs-layers';
import type { Surface } from '../src/train/surface.js';

/** (x, y) of a [2] tensor as two scalars. */
function coordinates(xy: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const [x, y] = tf.unstack(xy);
  return [x, y];
}

/** g(x, y) = ½x² + 2y² − xy: the course notes' worked gradient-descent example (η 0.1 from (1, −1)). */
export const QUADRATIC: Surface = {
  name: 'quadratic',
  title: 'Quadratic ½x² + 2y² − xy',
  description: 'Convex, elongated bowl from the course notes\' worked example: plain gradient descent with η = 0.1 '
    + 'from (1, −1) goes 3.5 → 1.22 → 0.47. Single minimum at the origin.',
  f: (x, y) => 0.5 * x * x + 2 * y * y - x * y,
  tfF(xy) {
    const [x, y] = coordinates(xy);
    return tf.sub(tf.add(tf.mul(0.5, tf.square(x)), tf.mul(2, tf.square(y))), tf.mul(x, y)) as tf.Scalar;
  },
  minima: [[0, 0]],
  starts: [[1, -1]],
  domain: { x: [-1.5, 1.5], y: [-1.5, 1.5] },
};

/** g(x, y) = (x² + y − 11)² + (x + y² − 7)²: the course notes' non-convex example with four minima. */
export const HIMMELBLAU: Surface = {
  name: 'himmelblau',
  title: 'Himmelblau (x² + y − 11)² + (x + y² − 7)²',
  description: 'Non-convex with four minima (the course notes\' worked example): 100 gradient-descent steps from (0, 1), (−1, 1), '
    + '(−1, −1) and (0, −1) end in different minima depending on the start.',
  f: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
  tfF(xy) {
    const [x, y] = coordinates(xy);
    return tf.add(tf.square(tf.add(tf.square(x), tf.sub(y, 11))), tf.square(tf.add(x, tf.sub(tf.square(y), 7)))) as tf.Scalar;
  },
  // Published to 6 decimals (Himmelblau 1972); f is ~1e-11 there, far below what float32 resolves.
  minima: [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]],
  starts: [[0, 1], [-1, 1], [-1, -1], [0, -1]],
  domain: { x: [-5, 5], y: [-5, 5] },
};

/**
 * A long, narrow, straight valley: the study's "deep valley" figure (its figures are Radford's animations,
 * whose valley floor falls so gently that plain SGD never gets going along it). The floor runs along +x to
 * the minimum (3, 0); across it the walls are 1000× steeper (curvature 20 vs 0.02).
 */
export const LONG_VALLEY: Surface = {
  name: 'valley',
  title: 'Long valley (x − 3)²/100 + 10y²',
  description: 'Long narrow valley (the study\'s figure 3: the methods that scale the step by the gradient converge, SGD '
    + 'never heads the right way). The floor y = 0 falls gently along +x to the minimum (3, 0); the walls across it '
    + 'are 1000× steeper, so the gradient points almost straight across the floor. Start (−3, 0.5): on a wall, 6 '
    + 'units up the valley.',
  f: (x, y) => (x - 3) ** 2 / 100 + 10 * y * y,
  tfF(xy) {
    const [x, y] = coordinates(xy);
    return tf.add(tf.div(tf.square(tf.sub(x, 3)), 100), tf.mul(10, tf.square(y))) as tf.Scalar;
  },
  minima: [[3, 0]],
  starts: [[-3, 0.5]],
  domain: { x: [-4, 4], y: [-1, 1] },
};

/** Rosenbrock's deep, curved, narrow valley: a classic harder cousin of the study's valley. */
export const ROSENBROCK: Surface = {
  name: 'rosenbrock',
  title: 'Rosenbrock (1 − x)² + 100(y − x²)²',
  description: 'Deep narrow curved valley, the classic test beside the study\'s straight one. Minimum (1, 1); start '
    + '(−1.2, 1) is Rosenbrock\'s (1960) classic one.',
  f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  tfF(xy) {
    const [x, y] = coordinates(xy);
    return tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))) as tf.Scalar;
  },
  minima: [[1, 1]],
  starts: [[-1.2, 1]],
  domain: { x: [-2, 2], y: [-1, 3] },
};

/** Beale's function: flat plateau, very steep walls (y³ terms), minimum (3, 0.5). */
export const BEALE: Surface = {
  name: 'beale',
  title: 'Beale (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
  description: 'Plateau surrounded by very steep walls (the study\'s figure 4: because of the steep gradient at the '
    + 'edges, accelerated methods overshoot, they find it hard to brake). Minimum (3, 0.5); start (2, 2) is on the '
    + 'steep wall above the plateau (|∇f| ≈ 990, f ≈ 357), the large initial gradient of the figure.',
  f: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
  tfF(xy) {
    const [x, y] = coordinates(xy);
    // Term k (k = 1, 2, 3) is (c_k − x + x·y^k)².
    const term = (c: number, yPower: tf.Tensor) => tf.square(tf.add(tf.sub(c, x), tf.mul(x, yPower)));
    return tf.addN([term(1.5, y), term(2.25, tf.square(y)), term(2.625, tf.pow(y, 3))]) as tf.Scalar;
  },
  minima: [[3, 0.5]],
  starts: [[2, 2]],
  domain: { x: [-4.5, 4.5], y: [-4.5, 4.5] },
};

/**
 * A bounded saddle: x² − y² + y⁴/4. Near the origin it is the plain saddle x² − y², but the quartic
 * term gives it two minima, (0, ±√2) with f = −1, so "escaping the saddle" is measured as the distance
 * to the nearest minimum like on every other surface.
 */
export const SADDLE: Surface = {
  name: 'saddle',
  title: 'Saddle x² − y² + y⁴/4',
  description: 'Saddle point at the origin (the study\'s figure 5: every method ends up near the saddle and leaves it, '
    + 'Adadelta/Adagrad/RMSprop much faster). Bounded by y⁴/4 so it has minima at (0, ±√2). The start '
    + '(1, 0.001) lies almost on the ridge: the gradient along y is tiny, so methods that scale the '
    + 'step per coordinate escape while plain gradient descent creeps.',
  f: (x, y) => x * x - y * y + y ** 4 / 4,
  tfF(xy) {
    const [x, y] = coordinates(xy);
    return tf.add(tf.sub(tf.square(x), tf.square(y)), tf.mul(0.25, tf.pow(y, 4))) as tf.Scalar;
  },
  minima: [[0, Math.SQRT2], [0, -Math.SQRT2]],
  starts: [[1, 0.001]],
  domain: { x: [-1.5, 1.5], y: [-2, 2] },
};

/** Every surface, in the order the report shows them. */
export const SURFACES: Surface[] = [LONG_VALLEY, BEALE, SADDLE, ROSENBROCK, QUADRATIC, HIMMELBLAU];
