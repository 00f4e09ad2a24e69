/**
 * Fashion-MNIST (docs/study.md, finding 2): Adadelta and Ftrl behave poorly; the others minimise similarly at
 * different speeds. Adam is best overall; RMSprop converges fastest.
 */
import { bestFinal, convergesSlowerThan, fallsShortOfBest, reachesTargetFirst } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

export const claims: Claim[] = [
  fallsShortOfBest({ id: 'fashion-adadelta-poor', statement: 'Adadelta behaves poorly.', optimizer: 'adadelta', factor: 1.5 }),
  fallsShortOfBest({ id: 'fashion-ftrl-poor', statement: 'Ftrl behaves poorly.', optimizer: 'ftrl', factor: 1.5 }),
  // Accuracy is what "best overall" means to a reader of a classifier; 0.5% relative ≈ 0.45 points at 90%.
  bestFinal({ id: 'fashion-adam-best', statement: 'Adam is the best overall.', optimizers: ['adam'], measure: 'valMetric', tolerance: 0.005 }),
  reachesTargetFirst({ id: 'fashion-rmsprop-fastest', statement: 'RMSprop converges fastest.', optimizer: 'rmsprop', measure: 'loss', withinPct: 10 }),
  convergesSlowerThan({ id: 'fashion-rmsprop-faster-than-adam', statement: 'RMSprop converges faster than Adam, the best overall.', slow: 'adam', fast: 'rmsprop' }),
];
