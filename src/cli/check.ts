/**
 * `npm run check -- <run dir> [--baseline FILE] [--update-baseline] [--force] [--metric valLoss|loss]`:
 * compares a run's loss curves with a committed baseline and fails CI when convergence regressed.
 * Exit codes: 0 nothing regressed, 1 something regressed, 2 the check could not judge (bad input).
 */
import { Command, Option } from 'commander';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { buildBaseline, defaultBaselinePath, MIN_BASELINE_SEEDS, readBaseline, writeBaseline } from '../check/baseline.js';
import { checkRun } from '../check/compare.js';
import { CURVE_NAMES, type CurveName } from '../check/curves.js';
import { ConvergenceCheckInputError, RunDirectoryError } from '../check/errors.js';
import { renderCheckMarkdown } from '../check/markdown.js';
import { readResults } from '../results/io.js';
import { studyView } from '../results/phases.js';
import { RESULTS_FILE } from '../results/runDirectory.js';
import type { RunResults } from '../results/schema.js';
import { choice } from './options.js';
import { runCommand } from './run.js';

const EXIT = { ok: 0, regressed: 1, badInput: 2 } as const;

interface CliOptions {
  baseline?: string;
  updateBaseline: boolean;
  force: boolean;
  metric?: CurveName;
}

const log = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** The run's study units: in a --tune run, its default-rate units (grid and tuned units have no baseline). */
async function loadRun(runDir: string): Promise<RunResults> {
  const file = path.join(runDir, RESULTS_FILE);
  if (!existsSync(file)) throw new RunDirectoryError(runDir);
  return studyView(await readResults(file));
}

async function check(runDir: string, options: CliOptions): Promise<number> {
  const results = await loadRun(runDir);
  const baselineFile = options.baseline ?? defaultBaselinePath(results);
  if (options.updateBaseline) {
    const baseline = buildBaseline(results);
    writeBaseline(baselineFile, baseline);
    log(`baseline written to ${baselineFile}: ${Object.keys(baseline.groups).length} optimizer groups, seeds ${results.seeds.join(', ')}, run ${results.runId}`);
    return EXIT.ok;
  }
  // Runs without validation data (the surfaces: distance to the nearest minimum) are judged on their training curve.
  const curve = options.metric ?? (results.settings.validationSamples > 0 ? 'valLoss' : 'loss');
  const report = checkRun(results, await readBaseline(baselineFile), { curve, force: options.force });
  const markdown = renderCheckMarkdown(report);
  log(markdown);
  // GitHub Actions renders this file on the job's page; several checks in one step append in turn.
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  return report.regressed ? EXIT.regressed : EXIT.ok;
}

export function buildProgram(): Command {
  return new Command('check')
    .description('Compare a run\'s convergence (loss curves over seeds) with a baseline; exit 1 when an optimizer regressed.')
    .argument('<run dir>', 'a run directory holding results.json, e.g. reports/fashion/<runId>')
    .option('--baseline <file>', 'baseline file (default: baselines/<experiment>.<profile>.<backend>.json from the run\'s metadata)')
    .option('--update-baseline', `write the baseline from this run (needs ${MIN_BASELINE_SEEDS}+ seeds, one for a deterministic experiment) instead of checking`, false)
    .option('--force', 'compare even when the backend or settings (epochs, batch size, samples, loss) differ', false)
    .addOption(new Option('--metric <curve>', 'the curve judged: valLoss (validation loss; the default) or loss (training loss; the default for runs without validation data, e.g. surfaces)').argParser(choice('--metric', CURVE_NAMES)))
    .showHelpAfterError()
    .action(async (runDir: string, options: CliOptions) => {
      process.exitCode = await check(runDir, options);
    });
}

// Never exit 1 on an error: CI must tell "convergence regressed" from "the check could not run".
await runCommand(buildProgram(), { badInput: [ConvergenceCheckInputError], otherErrorExit: EXIT.badInput });
