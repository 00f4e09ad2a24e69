import * as tf from '@tensorflow/tfjs-core';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { surfaces } from '../../experiments/surfaces.js';
import { cliTestTimeout } from '../reliability/helpers.js';
import { selectBackend, type BackendChoice } from '../../src/backend/select.js';
import { defaultImpl, OPTIMIZERS } from '../../src/optimizers/registry.js';
import { readResults } from '../../src/results/io.js';
import type { SurfaceExperiment } from '../../src/train/definition.js';
import type { RunPlan } from '../../src/train/plan.js';
import { runSurfaceUnit } from '../../src/train/runSurfaces.js';
import { runSurfaceExperiment, surfaceSeeds } from '../../src/train/runExperiment.js';
import { makeResults, writeRun } from '../fixtures/results/makeResults.js';
import { QUADRATIC, ROSENBROCK, SADDLE } from '../../experiments/costSurfaces.js';

let backend: BackendChoice;
const scratchDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'optbench-surfaces-'));
  scratchDirs.push(dir);
  return dir;
};

beforeAll(async () => {
  backend = await selectBackend('wasm');
});
afterAll(() => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** The real experiment cut down to a few surfaces and steps, so a test runs in a second. */
function smallPlan(overrides: Partial<RunPlan<SurfaceExperiment>> = {}): RunPlan<SurfaceExperiment> {
  const experiment: SurfaceExperiment = { ...surfaces, surfaces: [QUADRATIC, SADDLE] };
  return {
    experiment, profileName: 'quick', profile: { ...surfaces.profiles.quick, epochs: 20 },
    optimizers: ['sgd', 'adam'], implsFor: () => ['builtin'], seeds: [1], learningRates: [],
    ...overrides,
  };
}

describe('runSurfaceExperiment', () => {
  it('records one trajectory per surface start with every step, at the experiment\'s learning rates, leaking nothing', async () => {
    const runsRoot = tempDir();
    const tensorsBefore = tf.memory().numTensors;
    const { runDir, results } = await runSurfaceExperiment(smallPlan(), backend, { reportsRoot: runsRoot });
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    // Read back through the per-step columns files: every number as the JSON form would hold it.
    const written = await readResults(path.join(runDir, 'results.json'));
    expect(written).toStrictEqual(JSON.parse(JSON.stringify(results)));
    expect(written.status).toBe('complete');
    expect(written.experiment).toBe('surfaces');
    expect(written.settings.epochs).toBe(20);
    expect(written.settings.data).toMatchObject({ steps: 20, learningRates: { perOptimizer: surfaces.learningRates, rationale: surfaces.learningRateRationale } });
    expect(readdirSync(path.join(runDir, 'units')).sort()).toEqual(['adam.columns.gz', 'adam.json', 'sgd.columns.gz', 'sgd.json']);

    for (const run of written.runs) {
      expect(run.status).toBe('ok');
      expect(run.reason).toBeUndefined();
      // The convergence curve: per step, the mean distance to the nearest minimum over the trajectories.
      expect(run.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const meanFinalDistance = run.trajectories!.reduce((sum, t) => sum + t.finalDistanceToMinimum, 0) / run.trajectories!.length;
      expect(run.epochs[19].loss).toBeCloseTo(meanFinalDistance, 12);
      expect(run.epochs[19].loss).toBeLessThan(run.epochs[0].loss);
      expect(run.learningRate).toBe(surfaces.learningRates[run.optimizer]);
      expect(run.hyperparameters.learningRate).toBe(surfaces.learningRates[run.optimizer]);
      expect(run.trajectories!.map((t) => [t.surface, t.start])).toEqual([['quadratic', [1, -1]], ['saddle', [1, 0.001]]]);
      for (const t of run.trajectories!) {
        expect(t.points.map((p) => p.step)).toEqual(Array.from({ length: 21 }, (_, i) => i));
        const surface = t.surface === 'quadratic' ? QUADRATIC : SADDLE;
        for (const p of t.points) expect(p.f).toBe(surface.f(p.x, p.y));
        const last = t.points[20];
        expect(t.finalDistanceToMinimum).toBeCloseTo(Math.hypot(last.x - t.nearestMinimum[0], last.y - t.nearestMinimum[1]), 12);
        expect(last.f).toBeLessThan(t.points[0].f);
      }
    }
    // A fresh optimizer per start: Adam's first step moves each coordinate by ~lr whatever the gradient,
    // which only holds if no moment estimates carried over from the previous trajectory.
    const adamOnSaddle = written.runs.find((r) => r.optimizer === 'adam')!.trajectories![1].points[1];
    expect(Math.abs(adamOnSaddle.y - 0.001)).toBeCloseTo(surfaces.learningRates.adam, 3);
  });

  it('runs one seed when asked for several (every seed gives the same trajectories) and records the run deterministic', async () => {
    const { results } = await runSurfaceExperiment(smallPlan({ optimizers: ['sgd'], seeds: [4, 5, 6] }), backend, { reportsRoot: tempDir() });
    expect(results.seeds).toEqual([4]);
    expect(results.runs.map((r) => [r.id, r.seed])).toEqual([['sgd', 4]]);
    expect(results.deterministic).toBe(true);
  });

  it('keeps the seeds of a run directory being resumed that recorded several (written before surfaces ran one)', async () => {
    const runDir = await writeRun(tempDir(), makeResults([{ optimizer: 'sgd', seed: 1 }, { optimizer: 'sgd', seed: 2 }], { experiment: 'surfaces' }));
    expect(surfaceSeeds([1, 2], { reportsRoot: tempDir(), runDir })).toEqual([1, 2]);
    expect(surfaceSeeds([1, 2], { reportsRoot: tempDir() })).toEqual([1]);
    expect(surfaceSeeds([3], { reportsRoot: tempDir(), runDir })).toEqual([3]);
  });

  it('uses the swept rate instead of the table, and records it', async () => {
    const { results } = await runSurfaceExperiment(smallPlan({ optimizers: ['sgd'], learningRates: [0.05] }), backend, { reportsRoot: tempDir() });
    expect(results.runs.map((r) => [r.id, r.learningRate])).toEqual([['sgd#lr=0.05', 0.05]]);
    expect(results.settings.data).toMatchObject({ learningRates: { sweep: [0.05], rationale: expect.stringContaining('--lr') } });
    // One step of SGD at 0.05 from (1, −1), gradient (2, −5).
    const first = results.runs[0].trajectories![0].points[1];
    expect(first.x).toBeCloseTo(0.9, 6);
    expect(first.y).toBeCloseTo(-0.75, 6);
  });

  it('marks a unit diverged (and says where) when one of its trajectories overflows, and keeps the others', async () => {
    const experiment: SurfaceExperiment = { ...surfaces, surfaces: [ROSENBROCK, QUADRATIC] };
    const tensorsBefore = tf.memory().numTensors;
    const run = await runSurfaceUnit(experiment, 100, { optimizer: 'sgd', impl: 'builtin', seed: 1, learningRate: 0.1 }, 'sgd');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(run.status).toBe('diverged');
    expect(run.reason).toMatch(/^non-finite position or value at step \d+ on rosenbrock from \(-1\.2, 1\)$/);
    expect(run.trajectories!.map((t) => t.status)).toEqual(['diverged', 'ok']);
    expect(run.trajectories![1].points).toHaveLength(101);
  });

  it('records an optimizer without the requested implementation as unavailable', async () => {
    const run = await runSurfaceUnit(surfaces, 10, { optimizer: 'nadam', impl: 'builtin', seed: 1 }, 'nadam');
    expect(run.status).toBe('unavailable');
    expect(run.reason).toMatch(/nadam.*builtin/);
    expect(run.trajectories).toBeUndefined();
  });

  // Within the full profile's steps: Keras's Adadelta builds its step up from √ε and needs more than the quick profile's 200.
  it('every optimizer of the registry, at the experiment\'s learning rate, brings the quadratic down at least tenfold in the full profile\'s steps', async () => {
    const experiment: SurfaceExperiment = { ...surfaces, surfaces: [QUADRATIC] };
    for (const name of Object.keys(OPTIMIZERS)) {
      expect(surfaces.learningRates[name], `no surfaces learning rate for ${name}`).toBeDefined();
      // The implementation the experiment runs by default: the rates are set for it (tfjs's Adadelta is SGD).
      const impl = defaultImpl(name);
      const run = await runSurfaceUnit(experiment, surfaces.profiles.full.epochs, { optimizer: name, impl, seed: 1, learningRate: surfaces.learningRates[name] }, name);
      expect(run.status, `${name}: ${run.reason}`).toBe('ok');
      const points = run.trajectories![0].points;
      expect(points.at(-1)!.f, name).toBeLessThan(points[0].f / 10);
    }
  });
});

describe('npm run experiment -- surfaces --profile quick', () => {
  it('runs end to end and writes results.json with every optimizer\'s trajectories', { timeout: cliTestTimeout(1) }, async () => {
    const out = tempDir();
    // --no-report: drawing five contour charts to SVG and PNG doubled this test's time; tests/report draws them.
    // --workers 1: two worker processes would load tfjs twice more than the run's own work; tests/train/workers.test.ts covers them.
    const { stdout } = await promisify(execFile)(
      process.execPath, ['--import', 'tsx', 'src/cli/experiment.ts', 'surfaces', '--profile', 'quick', '--backend', 'wasm', '--workers', '1', '--out', out, '--no-report'],
      { cwd: path.resolve(import.meta.dirname, '../..'), maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toContain('final distance to the nearest minimum');
    const [runId] = readdirSync(path.join(out, 'surfaces'));
    const results = await readResults(path.join(out, 'surfaces', runId, 'results.json'));
    expect(results.status).toBe('complete');
    expect(results.profile).toBe('quick');
    expect(results.runs.map((r) => r.optimizer)).toEqual(surfaces.defaultOptimizers);
    const starts = surfaces.surfaces.flatMap((s) => s.starts.map((start) => [s.name, start]));
    for (const run of results.runs) {
      expect(run.status === 'ok' || run.status === 'diverged', `${run.id}: ${run.status} ${run.reason ?? ''}`).toBe(true);
      expect(run.trajectories!.map((t) => [t.surface, t.start])).toEqual(starts);
      for (const t of run.trajectories!) {
        if (t.status === 'ok') expect(t.points).toHaveLength(surfaces.profiles.quick.epochs + 1);
      }
    }
  });
});
