/**
 * --resume on the real CLI: a run killed with SIGKILL mid-run (2 workers) and resumed ends with the curves
 * of an uninterrupted run, without retraining the units recorded before the kill nor the epochs a unit
 * had finished; a resume with other settings exits 2 naming what differs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { OptimizerRun, RunResults } from '../../src/results/schema.js';
import { checkpointEpochs } from '../../src/train/checkpoint.js';
import { cliTestTimeout, MIRROR } from '../reliability/helpers.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const work = mkdtempSync(path.join(tmpdir(), 'optbench-resume-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const env = { ...process.env, OPTBENCH_DATA_MIRROR: MIRROR, OPTBENCH_DATA_DIR: path.join(work, 'cache') };
const RUN = ['boston', '--profile', 'quick', '--epochs', '15', '--optimizers', 'adam,sgd,rmsprop,adagrad', '--no-report'];
// node itself (not the tsx wrapper, which runs node as a child), so the pid killed is the CLI's.
const cli = (args: string[]) => [...['--import', tsxLoader, path.join(repo, 'src/cli/experiment.ts')], ...args];

function runCli(args: string[]) {
  const result = spawnSync(process.execPath, cli(args), { cwd: repo, env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const onlyRunDir = (root: string) => {
  const runs = readdirSync(path.join(root, 'boston'));
  expect(runs).toHaveLength(1);
  return path.join(root, 'boston', runs[0]);
};
const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const unitFiles = (runDir: string) => (existsSync(path.join(runDir, 'units')) ? readdirSync(path.join(runDir, 'units')).filter((f) => f.endsWith('.json')) : []);
const curves = (run: OptimizerRun) => ({ ...run, totalSeconds: undefined, samplesPerSecond: undefined, epochs: run.epochs.map((e) => ({ ...e, seconds: undefined })) });

/** Starts the CLI, waits for its first unit file, kills it with SIGKILL; returns the unit files recorded by then. */
async function killAfterFirstUnit(out: string): Promise<Map<string, string>> {
  const child = spawn(process.execPath, cli([...RUN, '--workers', '2', '--out', out]), { cwd: repo, env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (;;) {
    const root = path.join(out, 'boston');
    const runDir = existsSync(root) ? readdirSync(root).map((name) => path.join(root, name))[0] : undefined;
    if (runDir && unitFiles(runDir).length) break;
    if (child.exitCode !== null) throw new Error('the CLI finished before writing a unit file');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  await exited;
  const runDir = onlyRunDir(out);
  return new Map(unitFiles(runDir).map((file) => [file, readFileSync(path.join(runDir, 'units', file), 'utf8')]));
}

describe('--resume after the CLI is killed', () => {
  // An uninterrupted run, then a run with 2 workers killed and its resume with 2 workers.
  it('finishes the run with the curves of an uninterrupted run, keeping the units recorded before the kill', { timeout: cliTestTimeout(7) }, async () => {
    const whole = path.join(work, 'whole');
    expect(runCli([...RUN, '--workers', '1', '--out', whole]).code).toBe(0);
    const expected = readJson<RunResults>(path.join(onlyRunDir(whole), 'results.json'));

    const out = path.join(work, 'killed');
    const before = await killAfterFirstUnit(out);
    expect(before.size).toBeGreaterThan(0);
    expect(before.size).toBeLessThan(4);
    const killed = readJson<RunResults>(path.join(onlyRunDir(out), 'results.json'));
    expect(killed.status).toBe('partial');

    const resumed = runCli([...RUN, '--workers', '2', '--out', out, '--resume']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resuming ${onlyRunDir(out)}`);
    const runDir = onlyRunDir(out);
    const results = readJson<RunResults>(path.join(runDir, 'results.json'));
    expect(results.status).toBe('complete');
    expect(results.startedAt).toBe(killed.startedAt);
    expect(results.runs.map(curves)).toEqual(expected.runs.map(curves));
    // Units recorded before the kill were kept as they were, not trained again.
    for (const [file, text] of before) expect(readFileSync(path.join(runDir, 'units', file), 'utf8')).toBe(text);
  });

  it('continues a unit killed (kill -9) between epochs from its last finished epoch, to bit-identical curves (built-in Adam, from-scratch Nadam and Ftrl)', { timeout: cliTestTimeout(3) }, async () => {
    const run = ['boston', '--profile', 'quick', '--epochs', '5', '--optimizers', 'adam,nadam,ftrl', '--workers', '1', '--no-report'];
    const whole = path.join(work, 'whole-epochs');
    expect(runCli([...run, '--out', whole]).code).toBe(0);
    const expected = readJson<RunResults>(path.join(onlyRunDir(whole), 'results.json'));

    const out = path.join(work, 'killed-epochs');
    const child = spawn(process.execPath, cli([...run, '--out', out]), { cwd: repo, env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let saved = new Map<string, number>();
    for (;;) {
      const root = path.join(out, 'boston');
      const runDir = existsSync(root) ? readdirSync(root).map((name) => path.join(root, name))[0] : undefined;
      if (runDir) saved = checkpointEpochs(runDir);
      if ([...saved.values()].some((epoch) => epoch >= 2)) break;
      if (child.exitCode !== null) throw new Error('the CLI finished before a unit saved its second epoch');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    await exited;
    const runDir = onlyRunDir(out);
    const [unit, epoch] = [...checkpointEpochs(runDir)].find(([, e]) => e >= 2)!;

    const resumed = runCli([...run, '--out', out, '--resume']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resuming from checkpoints: ${unit} at epoch ${epoch + 1}`);
    expect(resumed.stdout).toContain(`[${unit}] continues from its checkpoint at epoch ${epoch + 1}/5`);
    const results = readJson<RunResults>(path.join(runDir, 'results.json'));
    expect(results.status).toBe('complete');
    expect(results.runs.map(curves)).toEqual(expected.runs.map(curves));
    expect(checkpointEpochs(runDir).size).toBe(0);
  });

  it('exits 2 naming what differs when the run directory holds other settings', () => {
    const out = path.join(work, 'mismatch');
    expect(runCli([...RUN, '--epochs', '1', '--workers', '1', '--out', out]).code).toBe(0);
    const runDir = onlyRunDir(out);
    const { code, stderr } = runCli([...RUN, '--epochs', '2', '--workers', '1', '--out', out, '--resume', runDir]);
    expect(code).toBe(2);
    expect(stderr).toContain(`cannot resume ${runDir}`);
    expect(stderr).toContain('epochs: 2 here, 1 in');
    expect(stderr).not.toContain('profile:');
  });
});
