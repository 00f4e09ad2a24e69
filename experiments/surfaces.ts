/**
 * Optimizer trajectories on 2-D cost surfaces: the study's figures 3–5 (deep valley, Beale, saddle point)
 * plus the course notes' worked examples (½x² + 2y² − xy and Himmelblau); see docs/study.md.
 * The surfaces themselves, their starts and minima live in experiments/costSurfaces.ts.
 */
import { SURFACES } from './costSurfaces.js';
import type { SurfaceExperiment } from '../src/train/definition.js';
import { claims } from './claims/surfaces.js';
import type { Findings } from './claims/index.js';

/**
 * Each optimizer at its best rate of the grid 0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.1, 0.3: the one
 * with the lowest mean final distance to a minimum over all eight (surface, start) trajectories after
 * the full profile's 1000 steps, among the rates with which no trajectory diverges. Measured with the
 * tfjs 4.22 built-ins (from scratch for Ftrl, Nadam and AdamW, which tfjs lacks); the mean distance at
 * the chosen rate is in each comment. Rates at 0.3 are the grid's cap, so their best may be higher.
 */
const LEARNING_RATES: Record<string, number> = {
  adadelta: 0.003, // 0.225 — tfjs's Adadelta is exactly SGD (see learningRateRationale), diverges from 0.01
  adagrad: 0.3, // 0.114
  adam: 0.3, // 0.000
  adamax: 0.3, // 0.029
  ftrl: 0.3, // 0.114
  nadam: 0.03, // 0.040
  rmsprop: 0.01, // 0.040; larger rates end up oscillating about one step from the minimum
  sgd: 0.003, // 0.225; diverges on Rosenbrock from 0.01
  momentum: 0.003, // 0.000; diverges from 0.01
  nesterov: 0.001, // 0.004; diverges on Rosenbrock from 0.003
  adamw: 0.1, // 0.018; its weight decay pulls the end points towards the origin
};

export const surfaces: SurfaceExperiment & Findings = {
  kind: 'surface',
  name: 'surfaces',
  title: 'Trajectories on 2-D cost surfaces',
  description: 'Every optimizer descends five 2-D functions from fixed starts: Rosenbrock\'s deep narrow valley, '
    + 'Beale\'s steep-walled plateau and a saddle point (the study\'s figures), the course notes\' quadratic '
    + 'and Himmelblau\'s four-minimum function. Each (optimizer, surface, start) gets a fresh optimizer; the '
    + 'result is the path and its final distance to the nearest minimum.',
  source: 'Figures 3–5 of the study and the worked gradient-descent examples of its course notes (docs/study.md); '
    + 'surfaces, starts and minima in experiments/costSurfaces.ts.',
  surfaces: SURFACES,
  // The study's eight plus momentum and Nesterov: the "accelerated methods" of its Beale figure.
  defaultOptimizers: ['adadelta', 'adagrad', 'adam', 'adamax', 'ftrl', 'nadam', 'rmsprop', 'sgd', 'momentum', 'nesterov'],
  learningRates: LEARNING_RATES,
  learningRateRationale: 'The study\'s defaults (0.001; SGD 0.01) barely move in a few hundred steps on these '
    + 'surfaces, and no single rate suits every method: SGD, momentum and Nesterov step in proportion to the '
    + 'gradient (hundreds on Rosenbrock and Beale) and overflow above ~0.003, while Adam, RMSprop and the Adagrad '
    + 'family step about one learning rate per coordinate whatever the gradient. So each optimizer runs at its '
    + 'own best rate of the grid 0.0003–0.3: the lowest mean final distance to a minimum over all starts after '
    + '1000 steps, among rates that never diverge (tfjs 4.22; values and the measured distances in '
    + 'experiments/surfaces.ts). tfjs\'s built-in Adadelta divides by the accumulator before the update, which '
    + 'makes its step exactly the gradient (the two accumulators stay equal), so it moves exactly like SGD at '
    + 'the same rate; Keras\'s Adadelta is the from-scratch one (--impl scratch), which this table does not '
    + 'tune. `--lr` replaces the table with the same rates for every optimizer.',
  defaultProfile: 'quick',
  profiles: {
    quick: {
      epochs: 200, batchSize: 1,
      rationale: '200 steps (one epoch = one step on the deterministic function; batch size does not apply): '
        + 'enough for the adaptive methods to settle on the easy surfaces and to show who is still crawling '
        + 'along Rosenbrock\'s valley; a few seconds per optimizer.',
    },
    full: {
      epochs: 1000, batchSize: 1,
      rationale: '1000 steps, the horizon over which the learning rates were chosen: long enough for the slow '
        + 'methods to reach or clearly miss Rosenbrock\'s minimum. Its first 200 steps are the quick profile.',
    },
  },
  claims,
};
