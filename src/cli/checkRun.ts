/**
 * The work of `npm run check` once its arguments are parsed (./check.ts loads this module only then: the
 * results schema and the statistics take about half a CPU-second to load, and --help needs neither).
 */
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { buildBaseline, defaultBaselinePath, readBaseline, STATISTICAL_MIN_SEEDS, writeBaseline } from '../check/baseline.js';
import { checkRun } from '../check/compare.js';
import type { CurveName } from '../check/curves.js';
import { RunDirectoryError } from '../check/errors.js';
import { renderCheckMarkdown } from '../check/markdown.js';
import { readResults } from '../results/io.js';
import { studyView } from '../results/phases.js';
import { RESULTS_FILE } from '../results/runDirectory.js';
import type { RunResults } from '../results/schema.js';

/** Exit codes of a check that could judge; bad input exits 2 (./check.ts). */
const EXIT = { ok: 0, changed: 1 } as const;

export interface CheckOptions {
  baseline?: string;
  updateBaseline: boolean;
  accept: string[];
  force: boolean;
  allowImprovement: boolean;
  curve?: CurveName;
}

const log = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** The run's study units: in a --tune run, its default-rate units (grid and tuned units have no baseline). */
async function loadRun(runDir: string): Promise<RunResults> {
  const file = path.join(runDir, RESULTS_FILE);
  if (!existsSync(file)) throw new RunDirectoryError(runDir);
  return studyView(await readResults(file));
}

/** Checks (or with --update-baseline writes the baseline of) the run in `runDir`; returns the exit code. */
export async function check(runDir: string, options: CheckOptions): Promise<number> {
  const results = await loadRun(runDir);
  const baselineFile = options.baseline ?? defaultBaselinePath(results);
  if (options.updateBaseline) {
    const baseline = buildBaseline(results);
    writeBaseline(baselineFile, baseline);
    log(`baseline written to ${baselineFile}: ${Object.keys(baseline.groups).length} optimizer groups, seeds ${results.seeds.join(', ')}, run ${results.runId}`);
    if (results.seeds.length < STATISTICAL_MIN_SEEDS && !results.deterministic) {
      log(`note: with ${results.seeds.length} seed${results.seeds.length === 1 ? '' : 's'} the baseline guards exact replays only; ` +
        `runs in another environment or with other seeds need ${STATISTICAL_MIN_SEEDS}+ baseline seeds to be judged statistically (--seeds ${STATISTICAL_MIN_SEEDS}).`);
    }
    return EXIT.ok;
  }
  const report = checkRun(results, await readBaseline(baselineFile), {
    curve: options.curve, accept: options.force ? ['*'] : options.accept, allowImprovement: options.allowImprovement,
  });
  const markdown = renderCheckMarkdown(report);
  log(markdown);
  // GitHub Actions renders this file on the job's page; several checks in one step append in turn.
  if (process.env.GITHUB_STEP_SUMMARY) appendStepSummary(process.env.GITHUB_STEP_SUMMARY, markdown);
  return report.failed ? EXIT.changed : EXIT.ok;
}

/** The summary is a courtesy: when it cannot be written the verdict (the exit code) still stands. */
function appendStepSummary(file: string, markdown: string): void {
  try {
    appendFileSync(file, `${markdown}\n`);
  } catch (error) {
    process.stderr.write(`warning: could not append the summary to GITHUB_STEP_SUMMARY=${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ` +
      'the result above and the exit code stand.\n');
  }
}
