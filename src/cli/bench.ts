/**
 * `npm run bench -- [--only kernels,optimizers,models] [--rounds N] [--backend wasm,cpu,tensorflow] [--out FILE]`:
 * micro-benchmarks of the hot kernels, the optimizer step benchmark, and whole-training-step throughput
 * (samples/s) of every experiment model, per backend. Prints tables and writes bench.json (machine, load
 * average at start and end — the machine may be shared — and every median).
 * Exit codes: 0 done, 2 bad command-line input or a backend that was asked for and does not load.
 */
import Table from 'cli-table3';
import { Command, Option } from 'commander';
import os from 'node:os';
import type { KernelBenchResult } from '../bench/kernels.js';
import type { ModelBenchResult } from '../bench/models.js';
import type { OptimizerBenchResult } from '../bench/optimizers.js';
import type { Findings } from '../../experiments/claims/index.js';
import { MODEL_EXPERIMENT_NAMES } from '../../experiments/names.js';
import { BACKEND_NAMES, type BackendName } from '../backend/names.js';
import { BackendUnavailableError } from '../backend/errors.js';
import type { BackendChoice } from '../backend/select.js';
import { writeFileAtomic } from '../common/atomicWrite.js';
import { describeEnvironment } from '../results/environment.js';
import type { EnvironmentInfo } from '../results/schema.js';
import type { ModelExperiment } from '../train/definition.js';
import { listOf, positiveInteger } from './options.js';
import { runCommand } from './run.js';

/** TensorFlow.js and everything on it, loaded once the arguments are parsed (--help needs none of it). */
async function loadBenchModules() {
  const [tf, kernels, models, optimizers, experiments, select] = await Promise.all([
    import('@tensorflow/tfjs-core'), import('../bench/kernels.js'), import('../bench/models.js'),
    import('../bench/optimizers.js'), import('../../experiments/index.js'), import('../backend/select.js'),
  ]);
  return {
    tf, ...kernels, ...models, ...optimizers, ...select,
    MODEL_EXPERIMENTS: Object.values(experiments.EXPERIMENTS).filter((e): e is ModelExperiment & Findings => e.kind === 'model'),
  };
}
let lib: Awaited<ReturnType<typeof loadBenchModules>>;

const PARTS = ['kernels', 'optimizers', 'models'] as const;
type Part = (typeof PARTS)[number];


interface CliOptions {
  only: Part[];
  rounds: number;
  steps: number;
  backend?: BackendName[];
  experiments: string[];
  profile: string;
  batchSize?: number;
  out: string;
}

interface BackendReport {
  backend: BackendName;
  environment?: EnvironmentInfo;
  /** Why this backend was not measured (it did not load); absent when it ran. */
  skipped?: string;
  kernels?: KernelBenchResult[];
  optimizers?: OptimizerBenchResult[];
  models?: ModelBenchResult[];
}

export interface BenchFile {
  startedAt: string;
  finishedAt: string;
  command: string[];
  machine: { cpu: string; cores: number; totalMemoryGiB: number; platform: string; node: string };
  /** 1/5/15-minute load averages: above the core count, other processes competed for the CPU. */
  loadAverage: { start: number[]; end: number[] };
  options: Omit<CliOptions, 'out'>;
  backends: BackendReport[];
}

const log = (text: string) => process.stdout.write(`${text}\n`);
const fixed = (value: number | null | undefined, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
const loadAverage = () => os.loadavg().map((v) => Number(v.toFixed(2)));

function machine(): BenchFile['machine'] {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    platform: `${process.platform}-${process.arch}`,
    node: process.versions.node,
  };
}

function printKernels(results: KernelBenchResult[]): void {
  const table = new Table({ head: ['kernel', 'backend', 'median ms', 'calls'] });
  for (const r of results) table.push([r.name, r.backend, fixed(r.medianMs, 2), r.samples]);
  log(table.toString());
}

function printOptimizers(results: OptimizerBenchResult[]): void {
  log(`one optimizer step on ${lib.OPTIMIZER_PARAMETERS.toLocaleString('en')} parameters (goal: from-scratch ≤ ${lib.OPTIMIZER_GOAL}× built-in)`);
  const table = new Table({ head: ['optimizer', 'built-in ms', 'scratch ms', 'kernels (built-in / scratch)', 'ratio', 'goal'] });
  for (const r of results) {
    const goal = r.meetsGoal === null ? '—' : r.meetsGoal ? 'ok' : `> ${lib.OPTIMIZER_GOAL}`;
    table.push([r.optimizer, fixed(r.builtinMs, 2), fixed(r.scratchMs, 2), `${r.builtinKernels ?? '—'} / ${r.scratchKernels}`, fixed(r.ratio, 2), goal]);
  }
  log(table.toString());
}

function printModels(results: ModelBenchResult[]): void {
  const table = new Table({
    head: ['experiment', 'backend', 'batch', 'samples/s (median)', 'ms/step', 'rounds (samples/s)', 'per CPU-second (median)', 'CPU per step: kernels + overhead (ms)', 'largest kernels, CPU ms per step'],
  });
  for (const r of results) {
    const kernels = (r.kernelMs ?? []).slice(0, 6).map((k) => `${k.kernel} ${k.ms.toFixed(0)}`);
    const split = r.insideKernelsMs === undefined || r.outsideKernelsMs === undefined
      ? '—'
      : `${r.insideKernelsMs.toFixed(0)} + ${r.outsideKernelsMs.toFixed(0)} (${((100 * r.outsideKernelsMs) / (r.insideKernelsMs + r.outsideKernelsMs)).toFixed(0)}% overhead)`;
    table.push([
      `${r.experiment} (${r.profile})`, r.backend, r.batchSize, fixed(r.medianSamplesPerSecond), fixed(r.medianStepMs),
      r.samplesPerSecond.map((v) => v.toFixed(0)).join(' '), fixed(r.medianSamplesPerCpuSecond), split, kernels.join('\n'),
    ]);
  }
  log(table.toString());
}

/** Activates a backend; an unavailable one is skipped when it was only tried by default, an error when asked for. */
async function activate(name: BackendName, requested: boolean): Promise<BackendChoice | string> {
  try {
    return await lib.selectBackend(name);
  } catch (error) {
    if (requested || !(error instanceof BackendUnavailableError)) throw error;
    return error.message;
  }
}

async function benchBackend(name: BackendName, requested: boolean, options: CliOptions): Promise<BackendReport> {
  const choice = await activate(name, requested);
  if (typeof choice === 'string') {
    log(`\n# ${name}: skipped (${choice})`);
    return { backend: name, skipped: choice };
  }
  log(`\n# ${name} backend (${choice.packageVersion}): ${choice.reason}`);
  const report: BackendReport = { backend: name, environment: describeEnvironment(choice) };
  if (options.only.includes('kernels')) {
    log('\n## kernel micro-benchmarks');
    report.kernels = await lib.benchmarkKernels({ convBatch: name === 'cpu' ? 16 : 128, timeMs: 300, minIterations: options.rounds });
    printKernels(report.kernels);
  }
  if (options.only.includes('optimizers')) {
    log('\n## optimizer steps');
    report.optimizers = await lib.benchmarkOptimizers(options.rounds);
    printOptimizers(report.optimizers);
  }
  if (options.only.includes('models')) {
    log(`\n## training steps (the real loop on synthetic batches; median of ${options.rounds} rounds of ${options.steps} steps)`);
    report.models = [];
    for (const experiment of lib.MODEL_EXPERIMENTS.filter((e) => options.experiments.includes(e.name))) {
      const profile = experiment.profiles[options.profile] ? options.profile : experiment.defaultProfile;
      report.models.push(await lib.benchmarkModel(experiment, profile, { rounds: options.rounds, stepsPerRound: options.steps, batchSize: options.batchSize }));
      log(`   ${experiment.name}: ${fixed(report.models.at(-1)!.medianSamplesPerSecond)} samples/s`);
    }
    printModels(report.models);
  }
  if (lib.tf.memory().numTensors > 0) log(`warning: ${lib.tf.memory().numTensors} tensors left on ${name} after the benchmarks (a leak)`);
  return report;
}

async function bench(options: CliOptions): Promise<void> {
  lib = await loadBenchModules();
  const startedAt = new Date().toISOString();
  const start = loadAverage();
  log(`load average at start: ${start.join(', ')} on ${os.cpus().length} cores`);
  // Default: wasm always, native TensorFlow when it loads; cpu (~100× slower than wasm) only when asked for.
  const backends: [BackendName, boolean][] = options.backend ? options.backend.map((b) => [b, true]) : [['wasm', true], ['tensorflow', false]];
  const reports: BackendReport[] = [];
  for (const [name, requested] of backends) reports.push(await benchBackend(name, requested, options));
  const end = loadAverage();
  log(`\nload average at end: ${end.join(', ')}`);
  const { out, ...recorded } = options;
  const file: BenchFile = {
    startedAt, finishedAt: new Date().toISOString(), command: process.argv.slice(2), machine: machine(),
    loadAverage: { start, end }, options: recorded, backends: reports,
  };
  await writeFileAtomic(out, `${JSON.stringify(file, null, 2)}\n`);
  log(`wrote ${out}`);
}

export function buildProgram(): Command {
  const experimentNames = [...MODEL_EXPERIMENT_NAMES];
  return new Command('bench')
    .description('Benchmark the hot kernels, the optimizer steps and whole training steps of every experiment model; write bench.json.')
    .addOption(new Option('--only <parts>', `comma-separated parts to run: ${PARTS.join(', ')}`).argParser(listOf('--only', PARTS)).default([...PARTS], PARTS.join(',')))
    .addOption(new Option('--rounds <n>', 'timed rounds per measurement (the median is reported)').argParser(positiveInteger('--rounds')).default(5))
    .addOption(new Option('--steps <n>', 'training steps per timed round (models)').argParser(positiveInteger('--steps')).default(2))
    .addOption(new Option('--backend <names>', `comma-separated backends: ${BACKEND_NAMES.join(', ')} (default: wasm, plus tensorflow if @tensorflow/tfjs-node loads)`)
      .argParser(listOf('--backend', BACKEND_NAMES) as (value: string) => BackendName[]))
    .addOption(new Option('--experiments <names>', `comma-separated model experiments (models)`).argParser(listOf('--experiments', experimentNames)).default(experimentNames, experimentNames.join(',')))
    .option('--profile <name>', "experiment profile whose batch size and input shapes are used (models; experiments without it use their default)", 'full')
    .addOption(new Option('--batch-size <n>', "override the profile's batch size (models)").argParser(positiveInteger('--batch-size')))
    .option('--out <file>', 'where to write the results (atomically)', 'bench.json')
    .showHelpAfterError()
    .action(async (options: CliOptions) => bench(options));
}

await runCommand(buildProgram(), { badInput: [BackendUnavailableError] });
