/**
 * `npm run experiment -- <name> [options]`: train every chosen optimizer on an experiment and write
 * `reports/<experiment>/<runId>/results.json`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXPERIMENT_NAMES } from '../../experiments/names.js';
import { BACKEND_NAMES } from '../backend/names.js';
import { DataConfigError } from '../data/errors.js';
import { MAX_SEED } from '../common/random.js';
import { MAX_PLAN_UNITS } from '../train/planLimits.js';
import { PlanError } from '../train/errors.js';
import { OptimizerModuleError } from '../optimizers/errors.js';
import { STUDY_OPTIMIZERS } from '../optimizers/names.js';
import { ResumeError } from '../results/errors.js';
import { defaultWorkers } from '../train/defaultWorkers.js';
import { parseShard, type Shard } from '../results/shard.js';
import { IMPL_CHOICES, type CliOptions } from './experimentOptions.js';
import { choice, learningRates, nameList, outputDirectory, positiveInteger, nonNegativeInteger } from './options.js';
import { runCommand } from './run.js';

/** --shard's parser: the shard, or commander's usage error (exit 2) with parseShard's message. */
function shardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function buildProgram(): Command {
  const names = [...EXPERIMENT_NAMES];
  return new Command('experiment')
    .description('Train every optimizer of the study on an experiment and write results.json (and the report).')
    .argument('<name>', `experiment: ${[...names, 'all'].join(', ')}`, choice('experiment', [...names, 'all']))
    .option('--profile <name>', 'profile: quick (CI-sized), study (sized to show every finding of the article) or full (the literal Keras-example lengths); default: the experiment\'s')
    .option('--optimizers <list>', `comma-separated optimizers (default: the study's ${STUDY_OPTIMIZERS.join(',')}, plus any --optimizer-file's)`, nameList('--optimizers'))
    .option('--optimizer-file <path>', 'a module defining an optimizer of your own (examples/optimizers/lion.ts); repeatable. It runs beside the study\'s optimizers', (file: string, previous: string[]) => [...previous, file], [] as string[])
    .option('--tune', 'tune each optimizer\'s learning rate on a validation split held out of the training data (7 rates ×√10 around its default, or --lr\'s), then compare defaults and tuned rates on the test set (docs/tuning.md)')
    .addOption(new Option('--impl <impl>', 'auto: the tfjs built-in where it does what Keras does, else from scratch (Adadelta, Nadam, Ftrl, AdamW); both: run the pair side by side').argParser(choice('--impl', IMPL_CHOICES)).default('auto'))
    .option('--epochs <n>', 'override the profile\'s epochs', positiveInteger('--epochs'))
    .option('--batch-size <n>', 'override the profile\'s batch size', positiveInteger('--batch-size'))
    .option('--seed <n>', `run seed (weights, dropout, shuffling), 0 to ${MAX_SEED}`, nonNegativeInteger('--seed', MAX_SEED, ' (the generator keeps 32 bits of a seed)'), 1)
    .option('--seeds <k>', `run K seeds: seed, seed+1, ..., seed+K-1 (at most ${MAX_PLAN_UNITS} units per run)`, positiveInteger('--seeds', MAX_PLAN_UNITS, ' (the most units one run may hold)'))
    .option('--lr <rates>', 'learning rates to sweep: 0.001,0.01 or start:end:count (log-spaced)', learningRates)
    .addOption(new Option('--backend <name>', 'tfjs backend (default: tensorflow if @tensorflow/tfjs-node loads, else wasm)').argParser(choice('--backend', BACKEND_NAMES)))
    .option('--out <dir>', 'reports root directory', outputDirectory('--out'), 'reports')
    .option('--no-report', 'do not render the HTML/markdown report after the run')
    .option('--workers <n>', `units trained in parallel, each in its own process (default: one per core on wasm/cpu = ${defaultWorkers('wasm')} here, 1 on tensorflow, which already uses every core)`, positiveInteger('--workers'))
    .option('--resume [runDir]', 'continue a stopped or killed run: units already recorded are kept (failed ones are retried), the others go on from their last finished epoch; without runDir, the newest run of this experiment, profile and shard under --out')
    .addOption(new Option('--run-dir <dir>', 'write the run into this directory, continuing the run it already holds (for jobs that may be restarted); default: a new <out>/<experiment>/<runId>').argParser(outputDirectory('--run-dir')).conflicts('resume'))
    .option('--shard <i/n>', 'run only the i-th of n parts of the units (1-based, e.g. 2/3); combine the parts with npm run merge', shardOption)
    .showHelpAfterError()
    .action(async (name: string, options: CliOptions) => {
      // Loaded only now: TensorFlow.js takes seconds to load, and --help or a bad option needs none of it.
      const { runExperimentCommand } = await import('./experimentRun.js');
      await runExperimentCommand(name, options);
    });
}

await runCommand(buildProgram(), { badInput: [ResumeError, OptimizerModuleError, PlanError, DataConfigError] });
