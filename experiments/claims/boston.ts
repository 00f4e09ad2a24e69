/**
 * Boston housing (docs/study.md, finding 1): three behaviours — Adadelta does not converge; Adagrad and Ftrl
 * converge linearly, sub-optimally; the rest find a minimum and generalise well. SGD is irregular
 * ("back and forth"). RMSprop is best in absolute terms. Thresholds were fixed before the study runs
 * were scored; each says why.
 */
import { allOf, bestFinal, doesNotConverge, fallsShortOfBest, irregular, stillDescending, type RunLength } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

/** Chollet's 80 epochs at batch 16: the rest have found their minimum, so slow can be told from stuck. */
const CONVERGED: RunLength = { epochs: 80, why: 'by Chollet\'s 80 epochs (batch 16) the rest have found their minimum; a shorter run cannot tell slow from stuck or best.' };

/** "Linear, sub-optimal": still falling at the end of training, and at least 20% worse than the best. */
const linearSubOptimal = (optimizer: string, label: string, needs: RunLength): Claim =>
  allOf({
    id: `boston-${optimizer}-linear-suboptimal`,
    statement: `${label} converges linearly, to a sub-optimal loss.`,
    parts: [
      // Why 2% over the last quarter: a converged curve moves < 1% there; a linear one keeps falling.
      stillDescending({ id: `boston-${optimizer}-still-descending`, statement: `${label} is still descending at the end.`, optimizer, needs }),
      // Why 1.2: "sub-optimal" must be visible on the figure's scale, not a few % of noise between seeds.
      fallsShortOfBest({ id: `boston-${optimizer}-suboptimal`, statement: `${label} ends sub-optimal.`, optimizer, factor: 1.2, needs }),
    ],
  });

export const claims: Claim[] = [
  // Why 0.8: not converging = keeping at least 80% of the epoch-1 loss while the rest fall by ~85%.
  doesNotConverge({ id: 'boston-adadelta-no-convergence', statement: 'Adadelta does not converge.', optimizer: 'adadelta', ratio: 0.8, needs: CONVERGED }),
  linearSubOptimal('adagrad', 'Adagrad', CONVERGED),
  linearSubOptimal('ftrl', 'Ftrl', {
    epochs: 200,
    why: 'Ftrl\'s zero-initialised linear term first shrinks the initial weights; its loss stays flat until epochs ~100–160 (batch 16), so its linear descent shows only after that.',
  }),
  bestFinal({
    id: 'boston-rest-find-minimum',
    statement: 'The rest (Adam, Adamax, Nadam, RMSprop, SGD) find a minimum and generalise well: they end with the five lowest validation losses.',
    optimizers: ['adam', 'adamax', 'nadam', 'rmsprop', 'sgd'],
    // Why 5%: a sixth optimizer within 5% of the best is not told apart from "found a minimum" on the figure.
    tolerance: 0.05,
    needs: CONVERGED,
  }),
  irregular({
    id: 'boston-sgd-irregular',
    statement: 'SGD is irregular, going back and forth as it converges.',
    optimizer: 'sgd',
    measure: 'valLoss',
    // Why 20 epochs: three rises (minIncreases) and a median to compare with need a curve of some length.
    needs: { epochs: 20, why: 'counting back-and-forth needs a curve of at least 20 epochs.' },
  }),
  // Why 2%: "best in absolute terms" allows a tie within seed noise, shown with the seeds' spread.
  bestFinal({ id: 'boston-rmsprop-best', statement: 'RMSprop is the best in absolute terms.', optimizers: ['rmsprop'], tolerance: 0.02, needs: CONVERGED }),
];
