/**
 * The report of a run directory with what its experiment hands over: the study's claims to score and,
 * for the surfaces experiment, the cost functions whose contours are drawn, and every experiment's claims
 * with the study-level ones for the scorecard across experiments. The report itself never
 * looks experiments up; the CLI, which knows them all, does.
 */
import path from 'node:path';
import { experimentNamed } from '../../experiments/index.js';
import { studyClaims } from '../../experiments/claims/study.js';
import { writeReport, type ReportFiles, type ReportOptions } from '../report/index.js';
import { readResults } from '../results/io.js';
import { RESULTS_FILE } from '../results/runDirectory.js';

export async function writeRunReport(runDir: string, options: Pick<ReportOptions, 'reportsRoot'> = {}): Promise<ReportFiles> {
  const results = await readResults(path.join(runDir, RESULTS_FILE));
  const experiment = experimentNamed(results.experiment);
  return writeReport(runDir, {
    ...options,
    claims: experiment?.claims ?? [],
    surfaces: experiment?.kind === 'surface' ? experiment.surfaces : [],
    study: { claimsFor: (name) => experimentNamed(name)?.claims ?? [], claims: studyClaims },
  });
}
