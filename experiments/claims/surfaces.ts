/**
 * Cost surfaces (docs/study.md, the article's figures 3–5, which are Radford's animations of SGD, momentum,
 * Nesterov, Adagrad, Adadelta and RMSprop): in a deep valley the methods that scale the step by the
 * gradient converge while SGD never heads the right way; on Beale the accelerated methods overshoot;
 * around a saddle point Adadelta, Adagrad and RMSprop leave much faster. Surface names, starts and minima
 * are those of experiments/costSurfaces.ts; the learning rates (one per family) those of experiments/surfaces.ts.
 * Thresholds were fixed before the study runs were scored; each says why.
 */
import { allOf, surfaceConverges, surfaceHeadsAcrossFloor, surfaceLeavesFaster, surfaceOvershoots, surfaceStaysBehind } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

/** The adaptive methods the article's figures show (Adam and its kin are not in them). */
const STEP_SIZE_ADAPTIVE = ['adadelta', 'adagrad', 'rmsprop'];
/** The figures' other methods: plain SGD and the two accelerated ones. */
const GRADIENT_METHODS = ['sgd', 'momentum', 'nesterov'];

/** The long valley's floor runs along +x to its minimum (3, 0) (experiments/costSurfaces.ts LONG_VALLEY). */
const VALLEY = { surface: 'valley', floorDirection: [1, 0] as [number, number], minimum: [3, 0] as [number, number] };

export const claims: Claim[] = [
  surfaceConverges({
    id: 'surfaces-valley-adaptive-converge',
    statement: 'In a deep valley, the methods that scale the step size by the gradient (Adadelta, Adagrad, RMSprop) converge.',
    surface: VALLEY.surface,
    optimizers: STEP_SIZE_ADAPTIVE,
    // Why 0.1: under 2% of the 6-unit floor; the family settles within ~0.01 once there (float64 check).
    maxDistance: 0.1,
    // Why: Keras's Adadelta builds its step up from √ε; in float64 it is within 0.1 after ~3400 steps.
    needs: { steps: 4000, why: 'Keras\'s Adadelta (rate 1.0) builds its step up from √ε and needs ~3400 steps to come down the valley.' },
  }),
  allOf({
    id: 'surfaces-valley-sgd-wrong-way',
    statement: 'In a deep valley, SGD never heads the right way.',
    parts: [
      surfaceHeadsAcrossFloor({
        id: 'surfaces-valley-sgd-first-steps',
        statement: 'SGD\'s first steps head across the valley floor, not along it.',
        ...VALLEY,
        optimizer: 'sgd',
        // Why 10 steps: the first steps the figure shows; a per-coordinate method's first steps are at ~45°.
        firstSteps: 10,
        // Why 60°: more across the floor than along it by tan 60° ≈ 1.7×, well clear of the adaptive 45°.
        minAngle: 60,
      }),
      surfaceStaysBehind({
        id: 'surfaces-valley-sgd-stays-behind',
        statement: 'SGD never gets going down the valley.',
        ...VALLEY,
        optimizer: 'sgd',
        // Why 25%: "never" = not even a quarter of the way in the run in which the adaptive ones arrive.
        maxFraction: 0.25,
        needs: { steps: 4000, why: 'the claim says "never": judged over the run in which the adaptive methods reach the minimum.' },
      }),
    ],
  }),
  surfaceOvershoots({
    id: 'surfaces-beale-accelerated-overshoot',
    statement: 'On Beale, accelerated methods overshoot: with steep walls they find it hard to brake.',
    surface: 'beale',
    optimizers: ['momentum', 'nesterov'],
    // SGD runs at the same rate without acceleration: the overshoot must be the acceleration's.
    against: ['sgd'],
    minimum: [3, 0.5],
    // Why 10%: a settling wobble stays within a few % of the start–minimum distance; 10% is visible on the figure.
    minOvershoot: 0.1,
    needs: { steps: 500, why: 'the momentum methods reach and pass Beale\'s minimum within ~300 steps at the family rate.' },
  }),
  // The saddle's value is 0 and its minima −1: falling to −0.5 means having left the saddle.
  surfaceLeavesFaster({
    id: 'surfaces-saddle-adaptive-escape',
    statement: 'Around a saddle point, Adadelta, Adagrad and RMSprop leave much faster than SGD, momentum and Nesterov.',
    surface: 'saddle',
    optimizers: STEP_SIZE_ADAPTIVE,
    against: GRADIENT_METHODS,
    level: -0.5,
    // Why 2: "mucho más rápido" — at least twice as fast is the least that reads as "much".
    minFactor: 2,
    needs: { steps: 1000, why: 'the momentum methods leave the saddle after ~750 steps at the family rate: a shorter run censors the comparison.' },
  }),
];
