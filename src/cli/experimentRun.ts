/**
 * The work of `npm run experiment` once its arguments are parsed (./experiment.ts loads this module only
 * then, so that --help and bad input never wait for TensorFlow.js to load).
 */
import path from 'node:path';
import { EXPERIMENTS, EXPERIMENTS_MODULE } from '../../experiments/index.js';
import { selectBackend } from '../backend/select.js';
import { DataUnavailableError } from '../data/errors.js';
import { resolveDataContext } from '../data/fetch.js';
import { defaultImpl, STUDY_OPTIMIZERS } from '../optimizers/registry.js';
import { findLatestRun, readRunResults, runIdentity } from '../results/runDirectory.js';
import type { OptimizerImpl } from '../results/schema.js';
import { defaultWorkers } from '../train/defaultWorkers.js';
import type { ExperimentDefinition, Profile, SurfaceExperiment } from '../train/definition.js';
import { RunInterruptedError } from '../train/errors.js';
import type { ExecutionOptions, RunTarget } from '../train/plan.js';
import { runModelExperiment, runSurfaceExperiment } from '../train/runExperiment.js';
import type { CliOptions, ImplChoice } from './experimentOptions.js';
import { interruptMessage, resumeCommand } from './interrupt.js';
import { writeRunReport } from './writeRunReport.js';
import { UsageError } from './errors.js';
import { consoleReporter, summaryTable, surfaceSummaryTable } from './progress.js';
import { STOP_SIGNAL_EXIT_CODES, type StopSignal } from '../train/stopSignals.js';
import { abortOnSignals } from './signals.js';

type Backend = Awaited<ReturnType<typeof selectBackend>>;

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
  if (options.resume === undefined || options.resume === false) return undefined;
  if (typeof options.resume === 'string') {
    const dir = path.resolve(options.resume);
    log(readRunResults(dir) ? `resuming ${dir}` : `nothing to resume in ${dir}: starting the run there`);
    return dir;
  }
  const shard = options.shard ? `${options.shard.index}/${options.shard.count}` : 'none';
  const dir = findLatestRun(path.resolve(options.out), experiment.name, (results) => results.profile === profileName && runIdentity(results).shard === shard);
  log(dir ? `resuming ${dir}` : `nothing to resume for ${experiment.name} (profile '${profileName}', shard ${shard}) under ${options.out}: starting a new run`);
  return dir ?? undefined;
}

function target(experiment: ExperimentDefinition, profileName: string, options: CliOptions): RunTarget {
  const runDir = resumeDir(experiment, profileName, options);
  return { reportsRoot: path.resolve(options.out), ...(runDir ? { runDir } : {}) };
}

interface RunContext {
  options: CliOptions;
  backend: Backend;
  execution: ExecutionOptions;
}

/** Runs one experiment; returns its run directory, or null when its data is unavailable (skipped, with the reason logged). */
async function runOne(experiment: ExperimentDefinition, context: RunContext): Promise<string | null> {
  const { options, backend, execution } = context;
  const { name: profileName, profile } = profileOf(experiment, options);
  const seeds = Array.from({ length: options.seeds ?? 1 }, (_, i) => options.seed + i);
  if (experiment.kind === 'surface') return runSurfaces(experiment, context, { profileName, profile, seeds });
  const optimizers = options.optimizers ?? [...STUDY_OPTIMIZERS];
  log(`\n${experiment.title} — profile '${profileName}': ${profile.epochs} epochs, batch ${profile.batchSize}; optimizers: ${optimizers.join(', ')}`);
  const reporter = consoleReporter({
    epochs: profile.epochs, metricLabel: experiment.metric.label, interactive: Boolean(process.stdout.isTTY), log,
    backend: backend.name, profileName, profiles: experiment.profiles,
  });
  // Through the reporter: on a terminal, lines are printed above the live bars, not through them.
  const dataContext = resolveDataContext(process.env, { log: (line) => reporter.log(line) });
  try {
    const { runDir, results } = await runModelExperiment(
      {
        experiment, profileName, profile, optimizers, seeds, learningRates: options.lr ?? [],
        implsFor: (optimizer) => implsFor(optimizer, options.impl),
      },
      backend, dataContext, target(experiment, profileName, options), reporter, execution,
    );
    log(`\n${summaryTable(results, experiment.metric.label)}`);
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
  experiment: SurfaceExperiment, { options, backend, execution }: RunContext,
  { profileName, profile, seeds }: { profileName: string; profile: Profile; seeds: number[] },
): Promise<string> {
  const optimizers = options.optimizers ?? experiment.defaultOptimizers;
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
      implsFor: (optimizer) => implsFor(optimizer, options.impl),
    },
    backend, target(experiment, profileName, options), reporter, execution,
  );
  log(`\n${surfaceSummaryTable(results)}`);
  log(`results: ${path.join(runDir, 'results.json')}`);
  return runDir;
}

export async function runExperimentCommand(name: string, options: CliOptions): Promise<void> {
  if (name === 'all' && typeof options.resume === 'string') throw new UsageError('--resume <runDir> continues one experiment\'s run; name the experiment, or use --resume without a directory with \'all\'.');
  // Ctrl-C and SIGTERM stop the run between batches; it then says what it kept and how to go on.
  const interrupt = new AbortController();
  const releaseSignals = abortOnSignals(interrupt);
  try {
    const backend = await selectBackend(options.backend);
    log(`backend: ${backend.name} — ${backend.reason}`);
    options.workers ??= defaultWorkers(backend.name);
    const execution: ExecutionOptions = { workers: options.workers, experimentsModule: EXPERIMENTS_MODULE, interrupt, ...(options.shard ? { shard: options.shard } : {}) };
    const chosen = name === 'all' ? Object.values(EXPERIMENTS) : [EXPERIMENTS[name]];
    const skipped: string[] = [];
    for (const experiment of chosen) {
      const runDir = await runOne(experiment, { options, backend, execution });
      if (runDir === null) skipped.push(experiment.name);
      else if (options.report) log(`report: ${(await writeRunReport(runDir)).html}`);
    }
    if (skipped.length) log(`\nskipped (data unavailable): ${skipped.join(', ')}`);
    // 'all' runs what it can; a single experiment that could not run is a failure.
    if (name !== 'all' && skipped.length) process.exitCode = 1;
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
