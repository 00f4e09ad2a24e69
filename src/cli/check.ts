/**
 * `npm run check -- <run dir> [--baseline FILE] [--update-baseline] [--accept KEYS] [--allow-improvement] [--curve C]`:
 * compares a run with a committed baseline — exactly where the run replays the baseline's seeds in its
 * environment, statistically otherwise — and fails CI on any change nobody asked for.
 * Exit codes: 0 no change, 1 a change (curves or settings), 2 the check could not judge (bad input).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { statSync } from 'node:fs';
import { CURVE_NAMES, type CurveName } from '../check/curves.js';
import { ConvergenceCheckInputError } from '../check/errors.js';
import type { CheckOptions } from './checkRun.js';
import { choice } from './options.js';
import { runCommand } from './run.js';

/** Exit code when the check could not judge (bad input), so CI tells it from 1, "convergence changed". */
const BAD_INPUT_EXIT = 2;

function acceptList(value: string, previous: string[] = []): string[] {
  const keys = value.split(',').map((key) => key.trim()).filter(Boolean);
  if (!keys.length) throw new InvalidArgumentError(`--accept takes setting names as the report lists them (e.g. settings.epochs, versions, sgd.hyperparameters.learningRate), got '${value}'.`);
  return [...previous, ...keys];
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
    .action(async (runDir: string, options: CheckOptions & { metric?: CurveName }) => {
      // Loaded only now: --help and a bad option need none of it.
      const { check } = await import('./checkRun.js');
      process.exitCode = await check(runDir, { ...options, curve: options.curve ?? options.metric });
    });
}

// Never exit 1 on an error: CI must tell "convergence changed" from "the check could not run".
await runCommand(buildProgram(), { badInput: [ConvergenceCheckInputError], otherErrorExit: BAD_INPUT_EXIT });
