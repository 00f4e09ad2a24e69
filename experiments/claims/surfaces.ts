/**
 * Cost surfaces (docs/study.md, the article's figures 3–5): in a deep valley the step-size-adaptive methods
 * converge while SGD does not head the right way; on Beale accelerated (momentum) methods overshoot;
 * around a saddle point Adadelta, Adagrad and RMSprop escape fastest. Surface names are those of
 * experiments/costSurfaces.ts (the deep valley is Rosenbrock's).
 */
import { surfaceConverges, surfaceEscapesFaster, surfaceMisses, surfaceOvershoots } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

const STEP_SIZE_ADAPTIVE = ['adadelta', 'adagrad', 'rmsprop'];

export const claims: Claim[] = [
  surfaceConverges({
    id: 'surfaces-valley-adaptive-converge',
    statement: 'In a deep valley, the methods that scale the step size by the gradient converge.',
    surface: 'rosenbrock',
    optimizers: [...STEP_SIZE_ADAPTIVE, 'adam'],
    maxDistance: 0.25,
  }),
  surfaceMisses({ id: 'surfaces-valley-sgd-misses', statement: 'In a deep valley, SGD never heads the right way.', surface: 'rosenbrock', optimizer: 'sgd', minDistance: 0.5 }),
  surfaceOvershoots({
    id: 'surfaces-beale-accelerated-overshoot',
    statement: 'On Beale, accelerated methods overshoot: with steep walls they find it hard to brake.',
    surface: 'beale',
    optimizers: ['momentum', 'nesterov'],
  }),
  // The saddle's value is 0 and its minima −1: falling to −0.5 means having left the saddle.
  surfaceEscapesFaster({
    id: 'surfaces-saddle-adaptive-escape',
    statement: 'Around a saddle point, Adadelta, Adagrad and RMSprop escape much faster than the others.',
    surface: 'saddle',
    optimizers: STEP_SIZE_ADAPTIVE,
    level: -0.5,
  }),
];
