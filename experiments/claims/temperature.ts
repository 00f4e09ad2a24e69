/**
 * Jena temperature LSTM (docs/study.md, finding 4): Ftrl and Nadam do not find the minimum; Adagrad is
 * sub-optimal; Adam and RMSprop are best.
 */
import { bestFinal, fallsShortOfBest } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

export const claims: Claim[] = [
  fallsShortOfBest({ id: 'temperature-ftrl-misses-minimum', statement: 'Ftrl does not find the minimum.', optimizer: 'ftrl', factor: 1.25 }),
  fallsShortOfBest({ id: 'temperature-nadam-misses-minimum', statement: 'Nadam does not find the minimum.', optimizer: 'nadam', factor: 1.25 }),
  fallsShortOfBest({ id: 'temperature-adagrad-suboptimal', statement: 'Adagrad is sub-optimal.', optimizer: 'adagrad', factor: 1.05 }),
  bestFinal({ id: 'temperature-adam-rmsprop-best', statement: 'Adam and RMSprop are the best.', optimizers: ['adam', 'rmsprop'], topK: 2, tolerance: 0.02 }),
];
