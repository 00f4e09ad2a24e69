/**
 * `npm run experiment -- <name> [options]`: train every chosen optimizer on an experiment and write
 * `reports/<experiment>/<runId>/results.json`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import path from 'node:path';
import { EXPERIMENTS, EXPERIMENTS_MODULE } from '../../experiments/index.js';
import { BACKEND_NAMES, selectBackend, type BackendName } from '../backend/select.js';
import { resolveDataContext } from '../data/fetch.js';
import { writeRunReport } from './writeRunReport.js';
import { DataConfigError, DataUnavailableError } from '../data/errors.js';
import { STUDY_FILES } from '../report/study.js';
import { defaultImpl, OPTIMIZERS, STUDY_OPTIMIZERS } from '../optimizers/registry.js';
import { assertRunDirectory, findLatestRun, readRunResults, runIdentity } from '../results/runDirectory.js';
import { ResumeError } from '../results/errors.js';
import type { OptimizerImpl } from '../results/schema.js';
import { writeAcrossExperimentsReport } from '../report/acrossExperiments.js';
import { OptimizerModuleError } from '../optimizers/errors.js';
import { registerOptimizerFiles, type UserOptimizerRecord } from '../optimizers/userModule.js';
import { newRunId } from '../results/runDirectory.js';
import type { RunResults } from '../results/schema.js';
import type { ExperimentDefinition, Profile, SurfaceExperiment } from '../train/definition.js';
import { runModelExperiment } from '../train/runExperiment.js';
import type { ExecutionOptions, RunTarget } from '../train/plan.js';
import { parseShard, type Shard } from '../results/shard.js';
import { defaultWorkers } from '../train/workers.js';
import { runSurfaceExperiment } from '../train/runExperiment.js';
import { MAX_SEED } from '../common/random.js';
import { MAX_PLAN_UNITS } from '../train/planLimits.js';
import { PlanError } from '../train/errors.js';
import { defaultTuningOptions } from '../tune/protocol.js';
import { runTunedExperiment } from '../tune/runTuning.js';
import { choice, checkNames, learningRates, nameList, outputDirectory, positiveInteger, nonNegativeInteger, runSeeds } from './options.js';
import { UsageError } from './errors.js';
import { consoleReporter, summaryTable, surfaceSummaryTable } from './progress.js';
import { tuningSummary } from './tuningSummary.js';
import { runCommand } from './run.js';

/** --shard's parser: the shard, or commander's usage error (exit 2) with parseShard's message. */
function shardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const IMPL_CHOICES = ['auto', 'builtin', 'scratch', 'both'] as const;
type ImplChoice = (typeof IMPL_CHOICES)[number];

interface CliOptions {
  profile?: string;
  optimizers?: string[];
  impl: ImplChoice;
  epochs?: number;
  batchSize?: number;
  seed: number;
  seeds?: number;
  lr?: number[];
  backend?: BackendName;
  out: string;
  report: boolean;
  workers?: number;
  /** true = the newest matching run under --out; a string = that run directory. */
  resume?: boolean | string;
  /** A fixed run directory: a new run starts there, or the run it holds continues. */
  runDir?: string;
  shard?: Shard;
  /** --optimizer-file, repeatable. */
  optimizerFile: string[];
  tune?: boolean;
  /** Filled in the action from --optimizer-file: what results.json records. */
  userOptimizers?: UserOptimizerRecord[];
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** 'auto' = the registry's default: the faithful tfjs built-in, else from scratch (Adadelta, Nadam, Ftrl, AdamW). */
function implsFor(optimizer: string, choiceOfImpl: ImplChoice): OptimizerImpl[] {
  if (choiceOfImpl === 'both') return ['builtin', 'scratch'];
  if (choiceOfImpl === 'auto') return [defaultImpl(optimizer)];
  return [choiceOfImpl];
}

function profileOf(experiment: ExperimentDefinition, options: CliOptions): { name: string; profile: Profile } {
  const name = options.profile ?? experiment.defaultProfile;
  const base = experiment.profiles[name];
  if (!base) throw new UsageError(`experiment '${experiment.name}' has no profile '${name}'; valid profiles: ${Object.keys(experiment.profiles).join(', ')}.`);
  return {
    name,
    profile: { ...base, ...(options.epochs ? { epochs: options.epochs } : {}), ...(options.batchSize ? { batchSize: options.batchSize } : {}) },
  };
}

/**
 * The run directory to continue for --resume: the one named, or the newest run of this experiment,
 * profile and shard under --out. Undefined (a new run) without --resume or when there is nothing to resume.
 */
function resumeDir(experiment: ExperimentDefinition, profileName: string, options: CliOptions): string | undefined {
  if (options.runDir !== undefined) {
    const dir = path.resolve(options.runDir);
    log(readRunResults(dir) ? `continuing the run in ${dir}` : `starting the run in ${dir}`);
    return dir;
  }
  if (options.resume === undefined || options.resume === false) return undefined;
  if (typeof options.resume === 'string') {
    const dir = path.resolve(options.resume);
    assertRunDirectory(dir);
    const previous = readRunResults(dir);
    if (previous && Boolean(previous.tuning) !== Boolean(options.tune)) {
      throw new ResumeError(`cannot resume ${dir}: it is ${previous.tuning ? 'a --tune run; add --tune' : 'not a --tune run; drop --tune or start a new run'}.`);
    }
    log(previous ? `resuming ${dir}` : `resuming ${dir} (no results.json yet: its recorded units are kept)`);
    return dir;
  }
  const shard = options.shard ? `${options.shard.index}/${options.shard.count}` : 'none';
  // A tuning run continues a tuning run, an ordinary run an ordinary one: their units differ.
  const dir = findLatestRun(path.resolve(options.out), experiment.name, (results) => results.profile === profileName
    && runIdentity(results).shard === shard && Boolean(results.tuning) === Boolean(options.tune));
  log(dir ? `resuming ${dir}` : `nothing to resume for ${experiment.name} (profile '${profileName}', shard ${shard}) under ${options.out}: starting a new run`);
  return dir ?? undefined;
}

function execution(options: CliOptions): ExecutionOptions {
  return {
    workers: options.workers, experimentsModule: EXPERIMENTS_MODULE, ...(options.shard ? { shard: options.shard } : {}),
    optimizerFiles: (options.userOptimizers ?? []).map((u) => u.file),
  };
}

/** The study's eight plus every --optimizer-file optimizer, unless --optimizers names others. */
function optimizersOf(options: CliOptions, defaults: readonly string[]): string[] {
  return options.optimizers ?? [...defaults, ...(options.userOptimizers ?? []).map((u) => u.name)];
}

function annotations(options: CliOptions): Pick<RunResults, 'userOptimizers'> {
  return options.userOptimizers?.length ? { userOptimizers: options.userOptimizers } : {};
}

function target(experiment: ExperimentDefinition, profileName: string, options: CliOptions): RunTarget {
  const runDir = resumeDir(experiment, profileName, options);
  return { reportsRoot: path.resolve(options.out), ...(runDir ? { runDir } : {}) };
}

/** Runs one experiment; returns its run directory, or null when its data is unavailable (skipped, with the reason logged). */
async function runOne(experiment: ExperimentDefinition, options: CliOptions, backend: Awaited<ReturnType<typeof selectBackend>>): Promise<string | null> {
  const { name: profileName, profile } = profileOf(experiment, options);
  const seeds = runSeeds(options.seed, options.seeds ?? 1);
  if (experiment.kind === 'surface') return runSurfaces(experiment, options, backend, { profileName, profile, seeds });
  const optimizers = optimizersOf(options, STUDY_OPTIMIZERS);
  log(`\n${experiment.title} — profile '${profileName}': ${profile.epochs} epochs, batch ${profile.batchSize}; optimizers: ${optimizers.join(', ')}`);
  const dataContext = resolveDataContext(process.env, { log });
  // With several workers, units interleave: lines prefixed with the unit id, no bar.
  const interactive = Boolean(process.stdout.isTTY) && (options.workers ?? 1) <= 1;
  const reporter = consoleReporter({ epochs: profile.epochs, metricLabel: experiment.metric.label, interactive, log });
  const plan = {
    experiment, profileName, profile, optimizers, seeds, learningRates: options.lr ?? [],
    implsFor: (optimizer: string) => implsFor(optimizer, options.impl), annotations: annotations(options),
  };
  try {
    const { runDir, results } = options.tune
      ? await runTunedExperiment(
        plan, { ...defaultTuningOptions(options.seed), ...(options.lr ? { fixedGrid: options.lr } : {}) },
        backend, dataContext, target(experiment, profileName, options), reporter, execution(options),
      )
      : await runModelExperiment(plan, backend, dataContext, target(experiment, profileName, options), reporter, execution(options));
    log(`\n${results.tuning ? tuningSummary(results) : summaryTable(results, experiment.metric.label)}`);
    log(`results: ${path.join(runDir, 'results.json')}`);
    return runDir;
  } catch (error) {
    if (error instanceof DataUnavailableError) {
      log(`skipped ${experiment.name}: ${error.message}`);
      return null;
    }
    throw error;
  }
}

async function runSurfaces(
  experiment: SurfaceExperiment, options: CliOptions, backend: Awaited<ReturnType<typeof selectBackend>>,
  { profileName, profile, seeds }: { profileName: string; profile: Profile; seeds: number[] },
): Promise<string> {
  const optimizers = optimizersOf(options, experiment.defaultOptimizers);
  log(`\n${experiment.title} — profile '${profileName}': ${profile.epochs} steps; optimizers: ${optimizers.join(', ')}`);
  if (seeds.length > 1) {
    log(`${experiment.name} is deterministic (no data, no initialisation, no shuffling): every seed gives the same trajectories, so it runs seed ${seeds[0]} only, not --seeds ${seeds.length}.`);
  }
  // Each unit takes seconds: one line per unit, no progress bar.
  const reporter = consoleReporter({ epochs: profile.epochs, metricLabel: 'f', interactive: false, log });
  const { runDir, results } = await runSurfaceExperiment(
    {
      experiment, profileName, profile, optimizers, seeds, learningRates: options.lr ?? [],
      implsFor: (optimizer) => implsFor(optimizer, options.impl), annotations: annotations(options),
    },
    backend, target(experiment, profileName, options), reporter, execution(options),
  );
  log(`\n${surfaceSummaryTable(results)}`);
  log(`results: ${path.join(runDir, 'results.json')}`);
  return runDir;
}

export function buildProgram(): Command {
  const names = Object.keys(EXPERIMENTS);
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
    .option('--resume [runDir]', 'continue a killed run: skip units already recorded (failed ones are retried); without runDir, the newest run of this experiment, profile and shard under --out')
    .addOption(new Option('--run-dir <dir>', 'write the run into this directory, continuing the run it already holds (for jobs that may be restarted); default: a new <out>/<experiment>/<runId>').argParser(outputDirectory('--run-dir')).conflicts('resume'))
    .option('--shard <i/n>', 'run only the i-th of n parts of the units (1-based, e.g. 2/3); combine the parts with npm run merge', shardOption)
    .showHelpAfterError()
    .action(async (name: string, options: CliOptions) => {
      // --optimizers may name --optimizer-file optimizers, known once registered (which needs the backend);
      // without files the names are checked first, so a typo is refused before the backend starts.
      const checkOptimizerNames = () => options.optimizers && checkNames('--optimizers', options.optimizers, Object.keys(OPTIMIZERS));
      if (options.optimizerFile.length === 0) checkOptimizerNames();
      const backend = await selectBackend(options.backend);
      log(`backend: ${backend.name} — ${backend.reason}`);
      options.userOptimizers = await registerOptimizerFiles(options.optimizerFile);
      for (const user of options.userOptimizers) log(`optimizer from ${user.file}: ${user.label} (${user.name})`);
      if (options.optimizerFile.length > 0) checkOptimizerNames();
      if (name === 'all' && typeof options.resume === 'string') throw new UsageError('--resume <runDir> continues one experiment\'s run; name the experiment, or use --resume without a directory with \'all\'.');
      if (name === 'all' && options.runDir !== undefined) throw new UsageError('--run-dir holds one experiment\'s run; name the experiment.');
      options.workers ??= defaultWorkers(backend.name);
      const chosen = name === 'all' ? Object.values(EXPERIMENTS) : [EXPERIMENTS[name]];
      const skipped: string[] = [];
      const finished: { runDir: string; results: RunResults }[] = [];
      if (options.tune && name === 'surfaces') throw new UsageError('--tune needs training data to hold a validation split out of; the cost surfaces have none. Tune a model experiment (boston, fashion, imdb, temperature).');
      for (const experiment of chosen) {
        if (options.tune && experiment.kind === 'surface') {
          log(`\n${experiment.name}: not tuned (--tune needs training data to hold a validation split out of)`);
          continue;
        }
        const runDir = await runOne(experiment, options, backend);
        if (runDir === null) skipped.push(experiment.name);
        else {
          if (options.report) log(`report: ${(await writeRunReport(runDir)).html}`);
          const results = readRunResults(runDir);
          if (results && experiment.kind === 'model') finished.push({ runDir, results });
        }
      }
      if (name === 'all' && options.report && finished.length > 1) {
        log(`across experiments: ${await writeAcrossExperimentsReport(finished, path.join(path.resolve(options.out), 'across', newRunId()))}`);
      }
      if (skipped.length) log(`\nskipped (data unavailable): ${skipped.join(', ')}`);
      // The study-level scorecard (across experiments) is refreshed with every report.
      if (name === 'all' && options.report) log(`study: ${path.join(path.resolve(options.out), STUDY_FILES.html)}`);
      // 'all' runs what it can; a single experiment that could not run is a failure.
      if (name !== 'all' && skipped.length) process.exitCode = 1;
    });
}

await runCommand(buildProgram(), { badInput: [ResumeError, OptimizerModuleError, PlanError, DataConfigError] });
