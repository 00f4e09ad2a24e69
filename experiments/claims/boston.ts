/**
 * Boston housing (docs/study.md, finding 1): three behaviours — Adadelta does not converge; Adagrad and Ftrl
 * converge linearly, sub-optimally; the rest find a minimum and generalise well. SGD is irregular
 * ("back and forth"). RMSprop is best in absolute terms.
 */
import { allOf, bestFinal, doesNotConverge, fallsShortOfBest, irregular, stillDescending } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

/** "Linear, sub-optimal": still falling at the end of training, and at least 20% worse than the best. */
const linearSubOptimal = (optimizer: string, label: string): Claim =>
  allOf({
    id: `boston-${optimizer}-linear-suboptimal`,
    statement: `${label} converges linearly, to a sub-optimal loss.`,
    parts: [
      stillDescending({ id: `boston-${optimizer}-still-descending`, statement: `${label} is still descending at the end.`, optimizer }),
      fallsShortOfBest({ id: `boston-${optimizer}-suboptimal`, statement: `${label} ends sub-optimal.`, optimizer, factor: 1.2 }),
    ],
  });

export const claims: Claim[] = [
  doesNotConverge({ id: 'boston-adadelta-no-convergence', statement: 'Adadelta does not converge.', optimizer: 'adadelta', ratio: 0.8 }),
  linearSubOptimal('adagrad', 'Adagrad'),
  linearSubOptimal('ftrl', 'Ftrl'),
  bestFinal({
    id: 'boston-rest-find-minimum',
    statement: 'The rest (Adam, Adamax, Nadam, RMSprop, SGD) find a minimum and generalise well: they end with the five lowest validation losses.',
    optimizers: ['adam', 'adamax', 'nadam', 'rmsprop', 'sgd'],
    tolerance: 0.05,
  }),
  irregular({ id: 'boston-sgd-irregular', statement: 'SGD is irregular, going back and forth as it converges.', optimizer: 'sgd', measure: 'valLoss' }),
  bestFinal({ id: 'boston-rmsprop-best', statement: 'RMSprop is the best in absolute terms.', optimizers: ['rmsprop'], tolerance: 0.02 }),
];
