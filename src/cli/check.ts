/**
 * `npm run check -- <run dir> [--baseline FILE] [--update-baseline] [--accept KEYS] [--allow-improvement] [--curve C]`:
 * compares a run with a committed baseline — exactly where the run replays the baseline's seeds in its
 * environment, statistically otherwise — and fails CI on any change nobody asked for.
 * Exit codes: 0 no change, 1 a change (curves or settings), 2 the check could not judge (bad input).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { appendFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildBaseline, defaultBaselinePath, readBaseline, STATISTICAL_MIN_SEEDS, writeBaseline } from '../check/baseline.js';
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

const EXIT = { ok: 0, changed: 1, badInput: 2 } as const;

interface CliOptions {
  baseline?: string;
  updateBaseline: boolean;
  accept: string[];
  force: boolean;
  allowImprovement: boolean;
  curve?: CurveName;
}

const log = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

function acceptList(value: string, previous: string[] = []): string[] {
  const keys = value.split(',').map((key) => key.trim()).filter(Boolean);
  if (!keys.length) throw new InvalidArgumentError(`--accept takes setting names as the report lists them (e.g. settings.epochs, versions, sgd.hyperparameters.learningRate), got '${value}'.`);
  return [...previous, ...keys];
}

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

/** --baseline names a file: a directory is refused here rather than as a raw EISDIR when it is read. */
function baselineFile(value: string): string {
  let isDirectory = false;
  try {
    isDirectory = statSync(value).isDirectory();
  } catch {
    // missing: reported when read (or created by --update-baseline)
  }
  if (isDirectory) throw new InvalidArgumentError(`--baseline '${value}' is a directory; pass a baseline file, e.g. baselines/<experiment>.<profile>.<backend>.json.`);
  return value;
}

export function buildProgram(): Command {
  const curve = choice('--curve', CURVE_NAMES);
  return new Command('check')
    .description('Compare a run\'s convergence with a baseline: exact replay of its seeds where the environment matches, a statistical test otherwise; exit 1 on any change nobody asked for.')
    .argument('<run dir>', 'a run directory holding results.json, e.g. reports/fashion/<runId>')
    .option('--baseline <file>', 'baseline file (default: baselines/<experiment>.<profile>.<backend>.json from the run\'s metadata)', baselineFile)
    .option('--update-baseline', 'write the baseline from this run instead of checking (every seed\'s curves, settings and environment)', false)
    .option('--accept <keys>', 'settings that are meant to differ from the baseline\'s, as the report names them, comma-separated; a prefix accepts all below it (versions, sgd, settings.data)', acceptList, [])
    .option('--force', 'accept every difference of settings and environment (compare anyway)', false)
    .option('--allow-improvement', 'a significant improvement passes instead of failing', false)
    .addOption(new Option('--curve <curve>', 'the curve that decides the direction of a change and is tested statistically: valLoss (default), loss (default without validation data, e.g. surfaces), valMetric or metric').argParser(curve))
    .addOption(new Option('--metric <curve>', 'former name of --curve').argParser(curve).hideHelp())
    .showHelpAfterError()
    .action(async (runDir: string, options: CliOptions & { metric?: CurveName }) => {
      process.exitCode = await check(runDir, { ...options, curve: options.curve ?? options.metric });
    });
}

// Never exit 1 on an error: CI must tell "convergence changed" from "the check could not run".
await runCommand(buildProgram(), { badInput: [ConvergenceCheckInputError], otherErrorExit: EXIT.badInput });
