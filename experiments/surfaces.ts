/**
 * Optimizer trajectories on 2-D cost surfaces: the study's figures 3–5 (deep valley, Beale, saddle point)
 * plus Rosenbrock and the course notes' worked examples (½x² + 2y² − xy and Himmelblau); see docs/study.md.
 * The surfaces themselves, their starts and minima live in experiments/costSurfaces.ts.
 */
import { SURFACES } from './costSurfaces.js';
import type { SurfaceExperiment } from '../src/train/definition.js';
import { claims } from './claims/surfaces.js';
import type { Findings } from './claims/index.js';

/**
 * One learning rate per family of update rule, the same on every surface, chosen from how the family's
 * step scales (not per optimizer by final distance, which would erase what the figures show: a Nesterov
 * slow enough never to overshoot, an RMSprop slow enough to lose the saddle race).
 */
export const FAMILY_RATES = {
  /**
   * Step = rate × gradient (× momentum's up-to-10× gain): the largest rate of the 1-2-5 grid at which none
   * of the three diverges from any start. Beale's wall (|∇f| ≈ 990 at (2, 2)) decides: Nesterov diverges
   * at 0.001.
   */
  gradient: 0.0005,
  /**
   * Step ≈ rate per coordinate whatever the gradient's size (running mean of g² or of |g|): 0.02 is 1/300
   * of the valley's 6-unit floor, so the family crosses it in a few hundred steps, and about 1% of the
   * other surfaces' width, fine enough to settle near their minima.
   */
  perCoordinate: 0.02,
  /**
   * Adagrad and Ftrl divide by the root of a growing sum (from 0.1), so their step falls as 1/√t: 15× the
   * running-mean family's rate gives a comparable step over the first few hundred steps.
   */
  accumulating: 0.3,
  /**
   * Keras's Adadelta is unit-free (step = √(E[Δx²] + ε)/√(E[g²] + ε) · g); its paper has no learning
   * rate, and Keras documents 1.0 as the rate that matches the paper. At Keras's default 0.001 it does
   * not move on these surfaces.
   */
  adadelta: 1,
};

const LEARNING_RATES: Record<string, number> = {
  sgd: FAMILY_RATES.gradient,
  momentum: FAMILY_RATES.gradient,
  nesterov: FAMILY_RATES.gradient,
  rmsprop: FAMILY_RATES.perCoordinate,
  adam: FAMILY_RATES.perCoordinate,
  adamax: FAMILY_RATES.perCoordinate,
  nadam: FAMILY_RATES.perCoordinate,
  adamw: FAMILY_RATES.perCoordinate,
  adagrad: FAMILY_RATES.accumulating,
  ftrl: FAMILY_RATES.accumulating,
  adadelta: FAMILY_RATES.adadelta,
};

export const surfaces: SurfaceExperiment & Findings = {
  kind: 'surface',
  name: 'surfaces',
  title: 'Trajectories on 2-D cost surfaces',
  description: 'Every optimizer descends six 2-D functions from fixed starts: a long narrow valley, Beale\'s '
    + 'steep-walled plateau and a saddle point (the study\'s figures), Rosenbrock\'s curved valley, the course '
    + 'notes\' quadratic and Himmelblau\'s four-minimum function. Each (optimizer, surface, start) gets a fresh optimizer; the '
    + 'result is the path and its final distance to the nearest minimum.',
  source: 'Figures 3–5 of the study and the worked gradient-descent examples of its course notes (docs/study.md); '
    + 'surfaces, starts and minima in experiments/costSurfaces.ts.',
  surfaces: SURFACES,
  // The study's eight plus momentum and Nesterov: the "accelerated methods" of its Beale figure.
  defaultOptimizers: ['adadelta', 'adagrad', 'adam', 'adamax', 'ftrl', 'nadam', 'rmsprop', 'sgd', 'momentum', 'nesterov'],
  learningRates: LEARNING_RATES,
  learningRateRationale: 'The study\'s defaults (0.001; SGD 0.01) barely move in a few thousand steps on these '
    + 'surfaces, and no single rate suits every update rule, so each family gets one rate on every surface, chosen '
    + 'from how its step scales: SGD, momentum and Nesterov (step ∝ gradient) 0.0005, the largest 1-2-5 rate at '
    + 'which none diverges on Beale\'s steep wall; RMSprop, Adam, Adamax, Nadam and AdamW (step ≈ rate per '
    + 'coordinate) 0.02; Adagrad and Ftrl (step shrinking as 1/√t) 0.3; Adadelta (Keras convention, unit-free) '
    + '1.0, the rate Keras documents as matching its paper. Not tuned per optimizer: a per-optimizer best rate '
    + 'would erase what the figures show. Reasons in experiments/surfaces.ts. tfjs\'s built-in Adadelta (--impl '
    + 'builtin) steps exactly like SGD, so at 1.0 it diverges. `--lr` replaces the table with the '
    + 'same rates for every optimizer.',
  defaultProfile: 'quick',
  profiles: {
    quick: {
      epochs: 200, batchSize: 1,
      rationale: '200 steps (one epoch = one step on the deterministic function; batch size does not apply): '
        + 'enough for the adaptive methods to settle on the easy surfaces and to show the first steps on the '
        + 'valley, too short for the figures\' findings (their claims say so); a few seconds per optimizer.',
    },
    full: {
      epochs: 1000, batchSize: 1,
      rationale: '1000 steps: long enough for every method to leave the saddle or clearly not, and for the momentum '
        + 'methods to overshoot Beale\'s minimum. Its first 200 steps are the quick profile.',
    },
    study: {
      epochs: 5000, batchSize: 1,
      rationale: '5000 steps, so every finding can show: Keras\'s Adadelta builds its step up from √ε and needs '
        + '~3400 steps to cross the valley (the slowest of the methods the valley finding names), and "SGD never '
        + 'heads the right way" is judged over a run in which the others have arrived. Cheap: 2-D functions '
        + '(~5 min of one core for the ten optimizers; the trajectories do not depend on the seed).',
    },
  },
  claims,
};
