/**
 * The work of `npm run experiment` once its arguments are parsed (./experiment.ts loads this module only
 * then, so that --help and bad input never wait for TensorFlow.js to load).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXPERIMENTS, EXPERIMENTS_MODULE } from '../../experiments/index.js';
import { selectBackend } from '../backend/select.js';
import { resolveDataContext } from '../data/fetch.js';
import { writeRunReport } from './writeRunReport.js';
import { STUDY_FILES } from '../report/study.js';
import { DataUnavailableError } from '../data/errors.js';
import { defaultImpl, OPTIMIZERS, STUDY_OPTIMIZERS } from '../optimizers/registry.js';
import { assertRunDirectory, findLatestRun, readRunResults, runIdentity } from '../results/runDirectory.js';
import { ResumeError } from '../results/errors.js';
import type { OptimizerImpl, RunResults } from '../results/schema.js';
import { ACROSS_FILES } from '../report/acrossExperiments.js';
import { registerOptimizerFiles } from '../optimizers/userModule.js';
import type { ExperimentDefinition, Profile, SurfaceExperiment } from '../train/definition.js';
import { runModelExperiment } from '../train/runExperiment.js';
import type { ExecutionOptions, RunTarget } from '../train/plan.js';
import { defaultWorkers } from '../train/defaultWorkers.js';
import { RunInterruptedError } from '../train/errors.js';
import { STOP_SIGNAL_EXIT_CODES, type StopSignal } from '../train/stopSignals.js';
import { runSurfaceExperiment } from '../train/runExperiment.js';
import { defaultTuningOptions } from '../tune/protocol.js';
import { runTunedExperiment } from '../tune/runTuning.js';
import { checkNames, runSeeds } from './options.js';
import type { CliOptions, ImplChoice } from './experimentOptions.js';
import { interruptMessage, resumeCommand } from './interrupt.js';
import { abortOnSignals } from './signals.js';
import { UsageError } from './errors.js';
import { consoleReporter, summaryTable, surfaceSummaryTable } from './progress.js';
import { tuningSummary } from './tuningSummary.js';

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

function execution(options: CliOptions, interrupt: AbortController): ExecutionOptions {
  return {
    workers: options.workers, experimentsModule: EXPERIMENTS_MODULE, ...(options.shard ? { shard: options.shard } : {}),
    optimizerFiles: (options.userOptimizers ?? []).map((u) => u.file), interrupt,
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
async function runOne(experiment: ExperimentDefinition, options: CliOptions, backend: Awaited<ReturnType<typeof selectBackend>>, interrupt: AbortController): Promise<string | null> {
  const { name: profileName, profile } = profileOf(experiment, options);
  const seeds = runSeeds(options.seed, options.seeds ?? 1);
  if (experiment.kind === 'surface') return runSurfaces(experiment, options, backend, { profileName, profile, seeds }, interrupt);
  const optimizers = optimizersOf(options, STUDY_OPTIMIZERS);
  log(`\n${experiment.title} — profile '${profileName}': ${profile.epochs} epochs, batch ${profile.batchSize}; optimizers: ${optimizers.join(', ')}`);
  const reporter = consoleReporter({
    epochs: profile.epochs, metricLabel: experiment.metric.label, interactive: Boolean(process.stdout.isTTY), log,
    backend: backend.name, profileName, profiles: experiment.profiles,
  });
  // Through the reporter: on a terminal, lines are printed above the live bars, not through them.
  const dataContext = resolveDataContext(process.env, { log: (line) => reporter.log(line) });
  const plan = {
    experiment, profileName, profile, optimizers, seeds, learningRates: options.lr ?? [],
    implsFor: (optimizer: string) => implsFor(optimizer, options.impl), annotations: annotations(options),
  };
  try {
    const { runDir, results } = options.tune
      ? await runTunedExperiment(
        plan, { ...defaultTuningOptions(options.seed), ...(options.lr ? { fixedGrid: options.lr } : {}) },
        backend, dataContext, target(experiment, profileName, options), reporter, execution(options, interrupt),
      )
      : await runModelExperiment(plan, backend, dataContext, target(experiment, profileName, options), reporter, execution(options, interrupt));
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
  { profileName, profile, seeds }: { profileName: string; profile: Profile; seeds: number[] }, interrupt: AbortController,
): Promise<string> {
  const optimizers = optimizersOf(options, experiment.defaultOptimizers);
  log(`\n${experiment.title} — profile '${profileName}': ${profile.epochs} steps; optimizers: ${optimizers.join(', ')}`);
  if (seeds.length > 1) {
    log(`${experiment.name} is deterministic (no data, no initialisation, no shuffling): every seed gives the same trajectories, so it runs seed ${seeds[0]} only, not --seeds ${seeds.length}.`);
  }
  // Each unit takes seconds: one line per unit, no progress bar.
  const reporter = consoleReporter({
    epochs: profile.epochs, metricLabel: 'f', interactive: false, log,
    backend: backend.name, profileName, profiles: experiment.profiles, unitWord: 'steps',
  });
  const { runDir, results } = await runSurfaceExperiment(
    {
      experiment, profileName, profile, optimizers, seeds, learningRates: options.lr ?? [],
      implsFor: (optimizer) => implsFor(optimizer, options.impl), annotations: annotations(options),
    },
    backend, target(experiment, profileName, options), reporter, execution(options, interrupt),
  );
  log(`\n${surfaceSummaryTable(results)}`);
  log(`results: ${path.join(runDir, 'results.json')}`);
  return runDir;
}

export async function runExperimentCommand(name: string, options: CliOptions): Promise<void> {
  // Ctrl-C and SIGTERM stop the run between batches; it then says what it kept and how to go on.
  const interrupt = new AbortController();
  const releaseSignals = abortOnSignals(interrupt);
  try {
    await runExperiments(name, options, interrupt);
  } catch (error) {
    if (!(error instanceof RunInterruptedError)) throw error;
    const command = resumeCommand(process.argv.slice(2), { runDir: error.runDir, all: name === 'all', resumeValue: options.resume });
    // The terminal (or the pipe) may be gone with the process that was signalled: nothing to report to then.
    process.stderr.on('error', () => {});
    process.stderr.write(`${interruptMessage(error, command)}\n`);
    process.exit(STOP_SIGNAL_EXIT_CODES[error.signal as StopSignal] ?? 1);
  } finally {
    releaseSignals();
  }
}

async function runExperiments(name: string, options: CliOptions, interrupt: AbortController): Promise<void> {
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
  if (options.tune && name === 'surfaces') throw new UsageError('--tune needs training data to hold a validation split out of; the cost surfaces have none. Tune a model experiment (boston, fashion, imdb, temperature).');
  for (const experiment of chosen) {
    if (options.tune && experiment.kind === 'surface') {
      log(`\n${experiment.name}: not tuned (--tune needs training data to hold a validation split out of)`);
      continue;
    }
    const runDir = await runOne(experiment, options, backend, interrupt);
    if (runDir === null) skipped.push(experiment.name);
    else if (options.report) log(`report: ${(await writeRunReport(runDir)).html}`);
  }
  // Each report refreshes the view across experiments (with the index), as it does the study's scorecard.
  const across = path.join(path.resolve(options.out), ACROSS_FILES.html);
  if (name === 'all' && options.report && existsSync(across)) log(`across experiments: ${across}`);
  if (skipped.length) log(`\nskipped (data unavailable): ${skipped.join(', ')}`);
  // The study-level scorecard (across experiments) is refreshed with every report.
  if (name === 'all' && options.report) log(`study: ${path.join(path.resolve(options.out), STUDY_FILES.html)}`);
  // 'all' runs what it can; a single experiment that could not run is a failure.
  if (name !== 'all' && skipped.length) process.exitCode = 1;
}
