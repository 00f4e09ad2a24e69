/**
 * Scoring claims the way the scorecards show them: the verdict on the seed mean (what the curves show),
 * and the same claim on each seed alone ("reproduced in 2 of 3 seeds"), so a verdict that one lucky seed
 * carries is visible. Also the caveat of a profile too small to judge the study by.
 */
import type { RunResults } from '../results/schema.js';
import type { Claim, ClaimScore, ClaimVerdict, StudyClaim } from '../claims/claim.js';

/** How the claim scored on each seed alone; absent for a single-seed run. */
export interface SeedTally {
  total: number;
  reproduced: number;
  notReproduced: number;
  inconclusive: number;
}

export interface ScoredClaim {
  id: string;
  statement: string;
  criterion: string;
  verdict: ClaimVerdict;
  evidence: string;
  qualifier?: string;
  seeds?: SeedTally;
}

/** The run restricted to one seed's units: what a single-seed run would have recorded. */
export function seedRun(results: RunResults, seed: number): RunResults {
  return { ...results, seeds: [seed], runs: results.runs.filter((run) => run.seed === seed) };
}

function safeScore(score: () => ClaimScore): ClaimScore {
  try {
    return score();
  } catch (error) {
    return { verdict: 'inconclusive', evidence: `Could not be scored: ${(error as Error).message}` };
  }
}

function tally(scores: ClaimScore[]): SeedTally {
  const count = (verdict: ClaimVerdict) => scores.filter((s) => s.verdict === verdict).length;
  return { total: scores.length, reproduced: count('reproduced'), notReproduced: count('not-reproduced'), inconclusive: count('inconclusive') };
}

/** Seeds present in the run's units, ascending. */
function seedsOf(results: RunResults): number[] {
  return [...new Set(results.runs.map((run) => run.seed))].sort((a, b) => a - b);
}

/**
 * Scores a claim on the seed mean and on each seed; a claim that throws is inconclusive (with the error)
 * rather than sinking the report.
 */
export function scoreClaim(claim: Claim, results: RunResults): ScoredClaim {
  const { id, statement, criterion } = claim;
  const mean = safeScore(() => claim.score(results));
  const seeds = seedsOf(results);
  const perSeed = seeds.length > 1 ? tally(seeds.map((seed) => safeScore(() => claim.score(seedRun(results, seed))))) : undefined;
  return { id, statement, criterion, ...mean, ...(perSeed ? { seeds: perSeed } : {}) };
}

/** Scores a study-level claim on the experiments' runs, on the seed mean and on each seed all runs share. */
export function scoreStudyClaim(claim: StudyClaim, runs: RunResults[]): ScoredClaim {
  const { id, statement, criterion } = claim;
  const mean = safeScore(() => claim.score(runs));
  const shared = runs.length ? seedsOf(runs[0]).filter((seed) => runs.every((r) => seedsOf(r).includes(seed))) : [];
  const perSeed = shared.length > 1 ? tally(shared.map((seed) => safeScore(() => claim.score(runs.map((r) => seedRun(r, seed)))))) : undefined;
  return { id, statement, criterion, ...mean, ...(perSeed ? { seeds: perSeed } : {}) };
}

/**
 * What a reader must know before trusting a scorecard of this profile: the quick profile is sized for CI
 * (a few hundred steps on a slice of the data), so its verdicts only indicate.
 */
export function profileCaveat(profile: string): string | undefined {
  return profile === 'quick'
    ? 'Indicative only: the quick profile is sized for CI (a slice of the data, a few epochs), too small to judge the study by; see the study profile.'
    : undefined;
}
