/**
 * A finding of the study, encoded as a predicate over a run's results.
 * Scored per run as reproduced / not reproduced / inconclusive with the numbers behind the verdict.
 */
import type { RunResults } from '../results/schema.js';

export type ClaimVerdict = 'reproduced' | 'not-reproduced' | 'inconclusive';

export interface ClaimScore {
  verdict: ClaimVerdict;
  /** One sentence with the numbers behind the verdict. */
  evidence: string;
  /** Why an inconclusive verdict is inconclusive, shown beside it: 'run too short', 'tie'. */
  qualifier?: string;
}

export interface Claim {
  id: string;
  /** The claim as the study states it. */
  statement: string;
  /** How it is judged, thresholds included. */
  criterion: string;
  /** Optimizers the claim is about: if any did not run (status not ok), the claim is inconclusive. */
  optimizers: string[];
  score(results: RunResults): ClaimScore;
}

/** A finding about the study as a whole ("Adam is a good default"): judged on one run per experiment. */
export interface StudyClaim {
  id: string;
  statement: string;
  criterion: string;
  score(runs: RunResults[]): ClaimScore;
}
