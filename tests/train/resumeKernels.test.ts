/**
 * --resume refuses a run trained with another build of the wasm kernels (its numbers would mix two builds),
 * and says which build to use.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendChoice } from '../../src/backend/select.js';
import { simdKernelsBuildDigests, simdKernelsDigest } from '../../src/backend/kernels/simd/module.js';
import { ResumeError } from '../../src/results/errors.js';
import type { RunResults } from '../../src/results/schema.js';
import { runModelExperiment } from '../../src/train/runExperiment.js';
import type { RunPlan } from '../../src/train/plan.js';
import { EXPERIMENTS } from './workersFixture.js';

const work = mkdtempSync(path.join(tmpdir(), 'optbench-resume-kernels-'));
let backend: BackendChoice;
let runDir: string;

const plan: RunPlan = {
  experiment: EXPERIMENTS.tiny, profileName: 'quick', profile: EXPERIMENTS.tiny.profiles.quick,
  optimizers: ['sgd'], seeds: [1], learningRates: [], implsFor: () => ['builtin'],
};
const resume = () => runModelExperiment(plan, backend, { cacheDir: path.join(work, 'cache'), log: () => {} }, { reportsRoot: work, runDir }, {}, { workers: 1 });

/** Rewrites the run's recorded kernel digest, as if another build had trained it. */
function recordKernels(digest: string): void {
  const file = path.join(runDir, 'results.json');
  const results = JSON.parse(readFileSync(file, 'utf8')) as RunResults;
  results.environment.kernels = { 'training_kernels.wasm': digest };
  results.runs = []; // the unit is trained again on resume, where the kernels are checked first
  writeFileSync(file, JSON.stringify(results));
  rmSync(path.join(runDir, 'units'), { recursive: true, force: true });
}

beforeAll(async () => {
  backend = await selectBackend('wasm');
  const first = await runModelExperiment(plan, backend, { cacheDir: path.join(work, 'cache'), log: () => {} }, { reportsRoot: work }, {}, { workers: 1 });
  runDir = first.runDir;
  expect(first.results.environment.kernels).toEqual({ 'training_kernels.wasm': simdKernelsDigest() });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('--resume and the wasm kernel build', () => {
  it('refuses a run trained with a build this checkout does not have, naming both digests and how to find its commit', async () => {
    const other = `sha256:${'ab'.repeat(32)}`;
    recordKernels(other);
    const attempt = resume();
    await expect(attempt).rejects.toThrow(ResumeError);
    await expect(attempt).rejects.toThrow(new RegExp(`trained with the wasm kernel build ${other}.*this checkout loads ${simdKernelsDigest()}`));
    await expect(attempt).rejects.toThrow(/git log --format=%h -- src\/backend\/kernels\/simd .*grep -q abab/);
  });

  it('points to OPTBENCH_WASM_KERNELS=baseline for a run trained with this checkout\'s fallback build', async () => {
    recordKernels(simdKernelsBuildDigests().baseline);
    await expect(resume()).rejects.toThrow(/resume with OPTBENCH_WASM_KERNELS=baseline/);
  });

  it('lets a finished run be resumed (nothing left to train) whatever build trained it', async () => {
    recordKernels(simdKernelsDigest());
    await resume(); // finishes the run with this build
    const file = path.join(runDir, 'results.json');
    const results = JSON.parse(readFileSync(file, 'utf8')) as RunResults;
    results.environment.kernels = { 'training_kernels.wasm': `sha256:${'cd'.repeat(32)}` };
    writeFileSync(file, JSON.stringify(results));
    const again = await resume();
    expect(again.results.status).toBe('complete');
  });

  it('resumes a run trained with the build it loads', async () => {
    recordKernels(simdKernelsDigest());
    const resumed = await resume();
    expect(resumed.results.status).toBe('complete');
  });
});
