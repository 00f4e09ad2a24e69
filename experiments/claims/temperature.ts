/**
 * Jena temperature LSTM (docs/study.md, finding 4): Ftrl and Nadam do not find the minimum; Adagrad is
 * sub-optimal; the rest behave similarly, Adam and RMSprop best. Thresholds were fixed before the study
 * runs were scored; each says why.
 */
import { bestFinal, behaveSimilarly, fallsShortOfBest, type RunLength } from '../../src/claims/kit.js';
import type { Claim } from '../../src/claims/claim.js';

/** Chollet's recurrent models (DLwP §6.3) reach their validation plateau around epoch 10 of 20. */
const PLATEAU: RunLength = { epochs: 10, why: 'Chollet\'s recurrent models on these windows reach their validation plateau around epoch 10 of 20.' };

export const claims: Claim[] = [
  // Why 1.25: "does not find the minimum" = a quarter worse than the best, far beyond seed noise.
  fallsShortOfBest({ id: 'temperature-ftrl-misses-minimum', statement: 'Ftrl does not find the minimum.', optimizer: 'ftrl', factor: 1.25, needs: PLATEAU }),
  fallsShortOfBest({ id: 'temperature-nadam-misses-minimum', statement: 'Nadam does not find the minimum.', optimizer: 'nadam', factor: 1.25, needs: PLATEAU }),
  // Why 1.05: "sub-optimal" is milder than "does not find the minimum": 5% worse than the best.
  fallsShortOfBest({ id: 'temperature-adagrad-suboptimal', statement: 'Adagrad is sub-optimal.', optimizer: 'adagrad', factor: 1.05, needs: PLATEAU }),
  behaveSimilarly({
    id: 'temperature-rest-similar',
    statement: 'The rest (Adadelta, Adam, Adamax, RMSprop, SGD) behave similarly.',
    optimizers: ['adadelta', 'adam', 'adamax', 'rmsprop', 'sgd'],
    // Why 5%: narrower than the gap that makes Adagrad "sub-optimal" (≥ 5%), so the two findings cannot both hold of one spread.
    withinPct: 5,
    needs: PLATEAU,
  }),
  bestFinal({ id: 'temperature-adam-rmsprop-best', statement: 'Adam and RMSprop are the best.', optimizers: ['adam', 'rmsprop'], topK: 2, tolerance: 0.02, needs: PLATEAU }),
];
