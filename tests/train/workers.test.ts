/**
 * Units in worker processes: the same curves as in-process, a worker killed mid-unit costs only that
 * unit, and a worker's data error reaches the caller as its own class.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendChoice } from '../../src/backend/select.js';
import { DataUnavailableError } from '../../src/data/errors.js';
import { readUnits } from '../../src/results/runDirectory.js';
import type { OptimizerRun, RunResults } from '../../src/results/schema.js';
import type { ModelExperiment } from '../../src/train/definition.js';
import { runModelExperiment } from '../../src/train/runExperiment.js';
import type { ExecutionOptions, RunPlan } from '../../src/train/plan.js';
import { EXPERIMENTS } from './workersFixture.js';

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

  it('2 workers train every unit with the same curves as one process, and record each unit file', async () => {
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

  it('records a unit whose worker is killed (SIGKILL) mid-unit as failed and trains the others in a replacement', async () => {
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

  it('rethrows a worker\'s DataUnavailableError as that class, so the CLI skips the experiment as in-process', async () => {
    await expect(run(EXPERIMENTS.tinyUnavailable, { workers: 2 })).rejects.toThrow(DataUnavailableError);
    await expect(run(EXPERIMENTS.tinyUnavailable, { workers: 2 })).rejects.toThrow(/unavailable on purpose/);
  });
});
