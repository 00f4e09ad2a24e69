/**
 * Units in worker processes: the same curves as in-process, a worker killed mid-unit costs only that
 * unit (and only its unfinished epoch: --resume continues it from its checkpoint), and a worker's data
 * error reaches the caller as its own class.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendChoice } from '../../src/backend/select.js';
import { DataUnavailableError } from '../../src/data/errors.js';
import { readUnits } from '../../src/results/runDirectory.js';
import type { OptimizerRun, RunResults } from '../../src/results/schema.js';
import type { ModelExperiment } from '../../src/train/definition.js';
import { checkpointEpochs } from '../../src/train/checkpoint.js';
import { RunInterruptedError } from '../../src/train/errors.js';
import type { TrainProgress } from '../../src/train/loop.js';
import { runModelExperiment } from '../../src/train/runExperiment.js';
import type { ExecutionOptions, PlannedUnit, RunPlan } from '../../src/train/plan.js';
import { EXPERIMENTS } from './workersFixture.js';
import { cliTestTimeout } from '../reliability/helpers.js';

const fixtureModule = new URL('./workersFixture.ts', import.meta.url).href;
const work = mkdtempSync(path.join(tmpdir(), 'optbench-workers-'));
let backend: BackendChoice;

beforeAll(async () => {
  backend = await selectBackend('wasm');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function plan(experiment: ModelExperiment, options: Record<string, string> = {}): RunPlan {
  return {
    experiment, profileName: 'quick', profile: { ...experiment.profiles.quick, options },
    optimizers: ['adam', 'sgd', 'rmsprop'], seeds: [1, 2], learningRates: [], implsFor: () => ['builtin'],
  };
}

async function run(experiment: ModelExperiment, execution: ExecutionOptions, options: Record<string, string> = {}) {
  const logs: string[] = [];
  const outcome = await runModelExperiment(
    plan(experiment, options), backend, { cacheDir: path.join(work, 'cache'), log: (line) => logs.push(line) },
    { reportsRoot: path.join(work, 'reports') }, {}, { experimentsModule: fixtureModule, ...execution },
  );
  return { ...outcome, logs };
}

/** What must not depend on where a unit ran: everything but wall-clock timings. */
function curves(run: OptimizerRun) {
  return { ...run, totalSeconds: undefined, samplesPerSecond: undefined, epochs: run.epochs.map((e) => ({ ...e, seconds: undefined })) };
}

describe('worker processes', () => {
  let inProcess: RunResults;
  beforeAll(async () => {
    inProcess = (await run(EXPERIMENTS.tiny, { workers: 1 })).results;
  });

  it('2 workers train every unit with the same curves as one process, and record each unit file', { timeout: cliTestTimeout(2) }, async () => {
    const { runDir, results } = await run(EXPERIMENTS.tiny, { workers: 2 });
    expect(results.status).toBe('complete');
    expect(results.runs.map((r) => r.id)).toEqual(inProcess.runs.map((r) => r.id));
    expect(results.runs.map(curves)).toEqual(inProcess.runs.map(curves));
    expect(results.runs.every((r) => r.status === 'ok' && r.epochs.length === 3)).toBe(true);
    // Written by the workers, read back by the parent: the files hold what results.json holds.
    expect([...readUnits(runDir).values()].map(curves).sort((a, b) => a.id.localeCompare(b.id)))
      .toEqual(results.runs.map(curves).sort((a, b) => a.id.localeCompare(b.id)));
    const written = JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')) as RunResults;
    expect(written.runs.map(curves)).toEqual(JSON.parse(JSON.stringify(results.runs.map(curves))));
    expect(results.settings).toEqual(inProcess.settings);
  });

  // 2 workers and the replacement.
  it('records a unit whose worker is killed (SIGKILL) mid-unit as failed and trains the others in a replacement', { timeout: cliTestTimeout(3) }, async () => {
    const marker = path.join(work, 'kill-marker');
    const { results } = await run(EXPERIMENTS.tinyKilled, { workers: 2 }, { killMarker: marker });
    expect(results.status).toBe('complete');
    expect(results.runs).toHaveLength(inProcess.runs.length);
    const failed = results.runs.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toMatch(/worker process \(pid \d+\) killed by SIGKILL while training this unit/);
    expect(failed[0].epochs).toEqual([]);
    // Every other unit trained normally, with the curves of the uninterrupted in-process run.
    const expected = new Map(inProcess.runs.map((r) => [r.id, curves(r)]));
    for (const other of results.runs.filter((r) => r !== failed[0])) {
      expect(other.status).toBe('ok');
      expect(curves(other)).toEqual(expected.get(other.id));
    }
  });

  // 2 workers, their replacement, 2 for the resume.
  it('resumes a unit whose worker was killed (SIGKILL) between epochs from its checkpoint, to the curves of an uninterrupted run', { timeout: cliTestTimeout(5) }, async () => {
    // Built-in Adam, from-scratch Nadam and Ftrl, on a model with dropout; 5 epochs.
    const resumePlan = (experiment: ModelExperiment, options: Record<string, string> = {}): RunPlan => ({
      experiment, profileName: 'quick', profile: { ...experiment.profiles.quick, epochs: 5, options },
      optimizers: ['adam', 'nadam', 'ftrl'], seeds: [4], learningRates: [], implsFor: (optimizer) => [optimizer === 'adam' ? 'builtin' : 'scratch'],
    });
    const data = { cacheDir: path.join(work, 'cache'), log: () => {} };
    const reportsRoot = path.join(work, 'between-epochs');
    const execution = { experimentsModule: fixtureModule, workers: 2 };
    const whole = await runModelExperiment(resumePlan(EXPERIMENTS.tiny), backend, data, { reportsRoot }, {}, { ...execution, workers: 1 });

    const options = { killMarker: path.join(work, 'kill-between-epochs'), killAtBatch: '13' };
    const killed = await runModelExperiment(resumePlan(EXPERIMENTS.tinyKilled, options), backend, data, { reportsRoot }, {}, execution);
    const failed = killed.results.runs.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.reason)).toEqual([expect.stringMatching(/killed by SIGKILL/)]);
    expect(checkpointEpochs(killed.runDir)).toEqual(new Map([[failed[0].id, 2]]));

    const starts: [string, number][] = [];
    const reporter = { progress: (unit: PlannedUnit, event: TrainProgress) => { if (event.kind === 'start') starts.push([unit.id, event.epoch]); } };
    const resumed = await runModelExperiment(resumePlan(EXPERIMENTS.tinyKilled, options), backend, data, { reportsRoot, runDir: killed.runDir }, reporter, execution);
    expect(starts).toEqual([[failed[0].id, 3]]);
    expect(resumed.results.status).toBe('complete');
    expect(resumed.results.runs.map(curves)).toEqual(whole.results.runs.map(curves));
    expect(checkpointEpochs(killed.runDir).size).toBe(0);
  });

  // Up to 2 workers for the run and 2 for the resume.
  it.each([1, 2])('stops between batches when interrupted (%i worker(s)), says what it kept, and a resume completes the run identically', { timeout: cliTestTimeout(4) }, async (workers) => {
    const reportsRoot = path.join(work, `interrupted-${workers}`);
    const interrupt = new AbortController();
    const reporter = { progress: (_unit: PlannedUnit, event: TrainProgress) => { if (event.kind === 'epoch') interrupt.abort('SIGINT'); } };
    const execution = { experimentsModule: fixtureModule, workers };
    const planned = plan(EXPERIMENTS.tiny);
    const data = { cacheDir: path.join(work, 'cache'), log: () => {} };
    const stopped = await runModelExperiment(planned, backend, data, { reportsRoot }, reporter, { ...execution, interrupt }).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(RunInterruptedError);
    const { signal, runDir, finished, saved, notStarted } = stopped as RunInterruptedError;
    expect(signal).toBe('SIGINT');
    expect(finished).toEqual([]);
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.every((unit) => unit.epoch >= 1)).toBe(true);
    expect([...saved.map((unit) => unit.id), ...notStarted].sort()).toEqual(inProcess.runs.map((r) => r.id).sort());
    expect(readUnits(runDir).size).toBe(0);

    const resumed = await runModelExperiment(planned, backend, data, { reportsRoot, runDir }, {}, execution);
    expect(resumed.results.runs.map(curves)).toEqual(inProcess.runs.map(curves));
  });

  it('resumes a run directory without checkpoints (written before they existed): unfinished units train from epoch 1', async () => {
    const { runDir } = await run(EXPERIMENTS.tiny, { workers: 1 });
    // As a run killed by today's main leaves it: some units recorded, no checkpoints/.
    rmSync(path.join(runDir, 'units', 'sgd%23seed%3D2.json'));
    rmSync(path.join(runDir, 'checkpoints'), { recursive: true, force: true });
    const starts: [string, number][] = [];
    const reporter = { progress: (unit: PlannedUnit, event: TrainProgress) => { if (event.kind === 'start') starts.push([unit.id, event.epoch]); } };
    const resumed = await runModelExperiment(plan(EXPERIMENTS.tiny), backend, { cacheDir: path.join(work, 'cache'), log: () => {} }, { reportsRoot: path.join(work, 'reports'), runDir }, reporter, { experimentsModule: fixtureModule, workers: 1 });
    expect(starts).toEqual([['sgd#seed=2', 1]]);
    expect(resumed.results.runs.map(curves)).toEqual(inProcess.runs.map(curves));
  });

  it('loads the data in every worker at once when the experiment names its files (fetched first, by the parent)', { timeout: cliTestTimeout(2) }, async () => {
    const { results } = await run(EXPERIMENTS.tinyTogether, { workers: 2 }, { barrierDir: path.join(work, 'barrier') });
    expect(results.runs.map((r) => r.status)).toEqual(Array(6).fill('ok'));
    expect(readdirSync(path.join(work, 'barrier'))).toHaveLength(2);
  });

  // Twice 2 workers.
  it('rethrows a worker\'s DataUnavailableError as that class, so the CLI skips the experiment as in-process', { timeout: cliTestTimeout(4) }, async () => {
    await expect(run(EXPERIMENTS.tinyUnavailable, { workers: 2 })).rejects.toThrow(DataUnavailableError);
    await expect(run(EXPERIMENTS.tinyUnavailable, { workers: 2 })).rejects.toThrow(/unavailable on purpose/);
  });
});
