/**
 * IMDB (docs/study.md, finding 3): overfitting appears with almost all optimizers (validation loss turns up
 * while training loss keeps falling). RMSprop reaches the best absolute value; Adam converges most
 * efficiently.
 */
import { bestFinal, overfitsInMost, reachesTargetFirst } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

export const claims: Claim[] = [
  overfitsInMost({ id: 'imdb-overfitting', statement: 'Overfitting appears with almost all optimizers.', minShare: 0.75, minRisePct: 5 }),
  // The best absolute value of the loss being minimised: the training loss (validation loss rises with overfitting).
  bestFinal({ id: 'imdb-rmsprop-best-value', statement: 'RMSprop reaches the best absolute value.', optimizers: ['rmsprop'], measure: 'loss', tolerance: 0.02 }),
  reachesTargetFirst({
    id: 'imdb-adam-most-efficient',
    statement: 'Adam converges most efficiently.',
    optimizer: 'adam',
    measure: 'valLoss',
    withinPct: 5,
  }),
];
