/**
 * What an experiment adds to its training definition: the study's finding for that problem, as checkable
 * claims (one file per experiment beside this one). The CLI hands them to the report with the run.
 */
import type { Claim } from '../../src/claims/claim.js';

export interface Findings {
  /** The study's finding for this problem, as checkable claims; scored in every report of its runs. */
  claims: Claim[];
}
