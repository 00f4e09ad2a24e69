/**
 * Fashion-MNIST (docs/study.md, finding 2): Adadelta and Ftrl behave poorly; the others minimise similarly at
 * different speeds. Adam is best overall; RMSprop converges fastest. Thresholds were fixed before the
 * study runs were scored; each says why.
 */
import { bestFinal, convergesSlowerThan, fallsShortOfBest, minimiseAlike, reachesTargetFirst, type RunLength } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

/** One pass over the 60,000 training images at batch 128: the article trained on the full set. */
const ONE_FULL_EPOCH: RunLength = { steps: 469, why: 'the article trained on all 60,000 images; less than one full pass (469 steps at batch 128) shows only the start of training.' };
/** Counting epochs to a target, or a curve's shape, needs a few epochs. */
const THREE_EPOCHS: RunLength = { epochs: 3, steps: 469, why: 'epochs to a target and a curve\'s shape need at least three epochs, of at least one full pass in all.' };

export const claims: Claim[] = [
  // Why 1.5: "poorly" = at least half as bad again as the best; the others end within ~30% of each other.
  fallsShortOfBest({ id: 'fashion-adadelta-poor', statement: 'Adadelta behaves poorly.', optimizer: 'adadelta', factor: 1.5, needs: ONE_FULL_EPOCH }),
  fallsShortOfBest({ id: 'fashion-ftrl-poor', statement: 'Ftrl behaves poorly.', optimizer: 'ftrl', factor: 1.5, needs: ONE_FULL_EPOCH }),
  minimiseAlike({
    id: 'fashion-others-minimise-alike',
    statement: 'The others minimise the error similarly, each at a different speed.',
    optimizers: ['adagrad', 'adam', 'adamax', 'nadam', 'rmsprop', 'sgd'],
    // Why 20%: a method that minimises loses a fifth of its epoch-1 loss in a few epochs; Adadelta at Keras's default does not.
    minDropPct: 20,
    // Why 1%: an epoch-mean train loss that rises by more than 1% breaks the steady pattern.
    noisePct: 1,
    // Why 10%: "different speeds" = at the end they are visibly at different points of the same descent.
    minSpreadPct: 10,
    needs: THREE_EPOCHS,
  }),
  // Accuracy is what "best overall" means to a reader of a classifier; 0.5% relative ≈ 0.45 points at 90%.
  bestFinal({
    id: 'fashion-adam-best',
    statement: 'Adam is the best overall.',
    optimizers: ['adam'],
    measure: 'valMetric',
    tolerance: 0.005,
    needs: { steps: 2345, why: 'a ranking of the leaders within 0.5% accuracy means something once their curves flatten, after ~5 full epochs (the Keras example trains 15).' },
  }),
  // Why 10%: "converged" = within 10% of the lowest train loss any optimizer reached.
  reachesTargetFirst({ id: 'fashion-rmsprop-fastest', statement: 'RMSprop converges fastest.', optimizer: 'rmsprop', measure: 'loss', withinPct: 10, needs: THREE_EPOCHS }),
  convergesSlowerThan({ id: 'fashion-rmsprop-faster-than-adam', statement: 'RMSprop converges faster than Adam, the best overall.', slow: 'adam', fast: 'rmsprop', needs: THREE_EPOCHS }),
];
