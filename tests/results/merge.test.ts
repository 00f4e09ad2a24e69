/**
 * Merging shards: three shards of a plan merge into the run a single machine makes (timings aside);
 * missing shards leave a partial run listing what is missing, which --resume completes; runs of
 * different measurements or with conflicting units are refused.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendChoice } from '../../src/backend/select.js';
import { mergeRunDirectories, mergeRuns } from '../../src/results/merge.js';
import { MergeError } from '../../src/results/errors.js';
import { readUnits } from '../../src/results/runDirectory.js';
import type { OptimizerRun, RunResults } from '../../src/results/schema.js';
import { runModelExperiment } from '../../src/train/runExperiment.js';
import type { RunPlan } from '../../src/train/plan.js';
import { selectShard } from '../../src/results/shard.js';
import { tinyExperiment } from '../helpers/tinyExperiment.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(tmpdir(), 'optbench-merge-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let backend: BackendChoice;

const experiment = tinyExperiment({ epochs: 3 });
function plan(overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    experiment, profileName: 'quick', profile: experiment.profiles.quick,
    optimizers: ['adam', 'sgd', 'rmsprop'], seeds: [1, 2], learningRates: [], implsFor: () => ['builtin'], ...overrides,
  };
}
async function run(root: string, shard?: { index: number; count: number }, overrides: Partial<RunPlan> = {}, runDir?: string) {
  return runModelExperiment(plan(overrides), backend, { cacheDir: path.join(work, 'cache'), log: () => {} },
    { reportsRoot: path.join(work, root), ...(runDir ? { runDir } : {}) }, {}, shard ? { shard } : {});
}
const curves = (r: OptimizerRun) => ({ ...r, totalSeconds: undefined, samplesPerSecond: undefined, epochs: r.epochs.map((e) => ({ ...e, seconds: undefined })) });
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

let single: RunResults;
const shardDirs: string[] = [];
beforeAll(async () => {
  backend = await selectBackend('wasm');
  single = json((await run('single')).results);
  for (let index = 1; index <= 3; index++) shardDirs.push((await run(`shard${index}`, { index, count: 3 })).runDir);
});

describe('mergeRunDirectories', () => {
  it('makes the run of a single machine from its three shards (equal curves, settings and order; no shard left)', () => {
    const shardRuns = shardDirs.map((dir) => JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResults);
    expect(shardRuns.map((r) => r.runs.length)).toEqual([2, 2, 2]);
    expect(shardRuns[1].shard?.plannedUnits.map((u) => u.id)).toEqual(single.runs.map((r) => r.id));

    const { runDir, results, missing } = mergeRunDirectories([shardDirs[2], shardDirs[0], shardDirs[1]], path.join(work, 'merged'));
    expect(missing).toEqual([]);
    expect(results.status).toBe('complete');
    expect(results.shard).toBeUndefined();
    expect(results.runs.map(curves)).toEqual(single.runs.map(curves));
    for (const key of ['experiment', 'title', 'profile', 'seeds', 'settings', 'referenceLines', 'schemaVersion'] as const) expect(results[key]).toEqual(single[key]);
    expect(JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8'))).toEqual(json(results));
    expect([...readUnits(runDir).keys()].sort()).toEqual(single.runs.map((r) => r.id).sort());
  });

  it('leaves a partial run listing the missing shard\'s units as skipped, which --resume of the merged run completes', async () => {
    const { runDir, results, missing } = mergeRunDirectories([shardDirs[0], shardDirs[1]], path.join(work, 'partial'));
    const absent = selectShard(single.runs.map((r) => r.id), { index: 3, count: 3 });
    expect(missing).toEqual(absent);
    expect(results.status).toBe('partial');
    expect(results.finishedAt).toBeNull();
    expect(results.runs.map((r) => r.id)).toEqual(single.runs.map((r) => r.id));
    for (const id of absent) {
      const skipped = results.runs.find((r) => r.id === id);
      expect(skipped?.status).toBe('skipped');
      expect(skipped?.reason).toBe('missing: none of the merged run directories has this unit (it belongs to shard 3/3)');
    }
    expect([...readUnits(runDir).keys()].some((id) => absent.includes(id))).toBe(false);

    const resumed = await run('unused', undefined, {}, runDir);
    expect(resumed.results.status).toBe('complete');
    expect(resumed.results.runs.map(curves)).toEqual(single.runs.map(curves));
  });

  it('merges a unit delivered twice with equal curves (a shard re-run elsewhere) into one', async () => {
    const again = (await run('shard1-again', { index: 1, count: 3 })).runDir;
    const { results } = mergeRuns([...shardDirs, again]);
    expect(results.runs.map(curves)).toEqual(single.runs.map(curves));
  });

  it('refuses a unit delivered twice with different results, naming it and both directories', () => {
    const copy = path.join(work, 'conflict');
    cpSync(shardDirs[0], copy, { recursive: true });
    const file = path.join(copy, 'results.json');
    const altered = JSON.parse(readFileSync(file, 'utf8')) as RunResults;
    altered.runs[0].epochs[0].loss += 1;
    writeFileSync(file, JSON.stringify(altered));
    expect(() => mergeRuns([...shardDirs, copy])).toThrow(MergeError);
    expect(() => mergeRuns([...shardDirs, copy])).toThrow(`unit '${altered.runs[0].id}' is in both ${shardDirs[0]} and ${copy} with different results`);
  });

  it('refuses shards of different measurements or plans, saying what differs', async () => {
    const longer = (await run('longer', { index: 3, count: 3 }, { profile: { ...experiment.profiles.quick, epochs: 4 } })).runDir;
    expect(() => mergeRuns([shardDirs[0], longer])).toThrow(MergeError);
    expect(() => mergeRuns([shardDirs[0], longer])).toThrow(`epochs: 4 here, 3 in ${shardDirs[0]}`);
    const otherPlan = (await run('other-plan', { index: 3, count: 3 }, { optimizers: ['adam', 'sgd'] })).runDir;
    expect(() => mergeRuns([shardDirs[0], otherPlan])).toThrow(/planned units differ/);
    expect(() => mergeRuns([shardDirs[0], path.join(work, 'single', 'tiny', single.runId)])).toThrow(/shardCount: "none" here, 3 in/);
    expect(() => mergeRuns([path.join(work, 'nowhere')])).toThrow(/has no results.json/);
    expect(() => mergeRuns([])).toThrow(MergeError);
  });
});

describe('npm run merge', () => {
  const merge = (args: string[]) => spawnSync(path.join(repo, 'node_modules/.bin/tsx'), [path.join(repo, 'src/cli/merge.ts'), ...args], { cwd: work, encoding: 'utf8' });

  it('writes the merged run and its report', () => {
    const out = path.join(work, 'cli-merged');
    const result = merge([...shardDirs, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [runId] = readdirSync(path.join(out, 'tiny'));
    expect(existsSync(path.join(out, 'tiny', runId, 'report.html'))).toBe(true);
    expect(result.stdout).toContain('merged 3 run directories: 6 units of tiny');
  });

  it('exits 2 with the reason when the runs cannot be merged', () => {
    const result = merge([shardDirs[0], path.join(work, 'single', 'tiny', single.runId), '--no-report']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: cannot merge .* not the same measurement \(shardCount/);
  });
});
