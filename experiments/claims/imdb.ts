/**
 * IMDB (docs/study.md, finding 3): overfitting appears with almost all optimizers (validation loss turns up
 * while training loss keeps falling). RMSprop reaches the best absolute value; Adam converges most
 * efficiently. Thresholds were fixed before the study runs were scored; each says why.
 */
import { allOf, bestFinal, overfitsInMost, reachesTargetFirst, type RunLength } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

/** To overfit a model must first fit: two full passes over the study's 25,000 reviews at batch 128. */
const FITTED: RunLength = {
  epochs: 3,
  steps: 391,
  why: 'a model must fit before it overfits (two full passes over 25,000 reviews at batch 128 = 391 steps), and a turn needs three epochs.',
};

export const claims: Claim[] = [
  overfitsInMost({
    id: 'imdb-overfitting',
    statement: 'Overfitting appears with almost all optimizers.',
    // Why 75%: "almost all" of the eight = at least six of eight.
    minShare: 0.75,
    // Why 5%: a validation loss 5% above its minimum is a turn, not epoch-to-epoch noise.
    minRisePct: 5,
    learned: {
      maxBestValLoss: 0.9 * Math.LN2,
      why: 'chance level for balanced classes is ln 2 ≈ 0.693; optimizers stuck there (±0.002) never learned, so cannot overfit; 10% below it is far outside that noise',
    },
    needs: FITTED,
  }),
  allOf({
    id: 'imdb-rmsprop-best-value',
    statement: 'RMSprop reaches the best absolute value.',
    parts: [
      // The loss being minimised: the final training loss (validation loss rises with overfitting)...
      bestFinal({ id: 'imdb-rmsprop-best-train-loss', statement: 'RMSprop ends with the lowest train loss.', optimizers: ['rmsprop'], measure: 'loss', tolerance: 0.02, needs: FITTED }),
      // ...and the best validation loss it reached on the way, the value early stopping would keep.
      bestFinal({
        id: 'imdb-rmsprop-best-val-loss', statement: 'RMSprop reaches the lowest validation loss.', optimizers: ['rmsprop'], measure: 'valLoss', at: 'best', tolerance: 0.02, needs: FITTED,
      }),
    ],
  }),
  reachesTargetFirst({
    id: 'imdb-adam-most-efficient',
    statement: 'Adam converges most efficiently.',
    optimizer: 'adam',
    measure: 'valLoss',
    // Why 5%: validation losses of the learners bunch within ~10%; 5% picks who got close to the best first.
    withinPct: 5,
    needs: FITTED,
  }),
];
