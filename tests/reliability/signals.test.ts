/**
 * Signals stop the whole process tree of a run, whichever process gets them, and a stopped run says what
 * it kept and the exact command that continues it (src/cli/signals.ts, src/cli/interrupt.ts). Real
 * processes: `npm run experiment` (npm → sh → node → workers) and the CLI itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/schema.js';
import { checkpointEpochs } from '../../src/train/checkpoint.js';
import { childPids, cliTestTimeout, isAlive, MIRROR, repo, runDirsUnder, startCli, tempDirs, waitFor } from './helpers.js';

const dirs = tempDirs('signals');
afterAll(() => dirs.cleanup());

/** The stop must be complete this long after the signal (the bound). */
const STOPPED_WITHIN_MS = 5000;

/** Every descendant of `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length;) {
    const next = frontier.flatMap(childPids);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** The training worker processes among a CLI's children. */
function workerPids(cli: number): number[] {
  return childPids(cli).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerMain');
    } catch {
      return false;
    }
  });
}

/** Polls until none of `pids` is alive or the bound has passed; returns those still alive. */
async function aliveAfter(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let alive = pids.filter(isAlive);
  while (alive.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    alive = alive.filter(isAlive);
  }
  return alive;
}

const started: ChildProcess[] = [];
afterEach(() => {
  // A failed test must not leave a run training: the npm runs have their own process group.
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const resultsOf = (runDir: string) => JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')) as RunResults;
const unitFiles = (runDir: string) => (existsSync(path.join(runDir, 'units')) ? readdirSync(path.join(runDir, 'units')) : []);

/** Waits until the run has two worker processes and a unit has saved an epoch; returns the run directory. */
async function trainingWithTwoWorkers(out: string, cli: () => number | undefined): Promise<string> {
  await waitFor(() => {
    const main = cli();
    const runDir = runDirsUnder(out)[0];
    return main !== undefined && workerPids(main).length === 2 && runDir !== undefined && checkpointEpochs(runDir).size > 0;
  }, 'two workers and a first saved epoch');
  return runDirsUnder(out)[0];
}

const EPOCHS = 6;
const RUN = ['boston', '--profile', 'quick', '--epochs', String(EPOCHS), '--optimizers', 'adam,nadam,ftrl', '--workers', '2', '--no-report'];

describe('a signal to npm run experiment', () => {
  // The CLI and 2 workers.
  it.each(['SIGTERM', 'SIGKILL'] as const)('(%s to the npm process) stops every process of the run within 5 s, keeping what it saved', { timeout: cliTestTimeout(3) }, async (signal) => {
    const out = dirs.make();
    const npm = spawn('npm', ['run', '--silent', 'experiment', '--', ...RUN, '--out', out], {
      cwd: repo, detached: true, env: { ...process.env, OPTBENCH_DATA_MIRROR: MIRROR, OPTBENCH_DATA_DIR: path.join(out, 'cache') },
    });
    started.push(npm);
    let stderr = '';
    npm.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    npm.stdout!.resume();
    // npm → sh → node (the CLI) → 2 workers.
    const cliPid = () => descendants(npm.pid!).find((pid) => workerPids(pid).length === 2);
    const runDir = await trainingWithTwoWorkers(out, cliPid);
    const tree = descendants(npm.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(3);

    process.kill(npm.pid!, signal);
    expect(await aliveAfter(tree, STOPPED_WITHIN_MS)).toEqual([]);

    // What finished epochs left is on disk, and the stopped units are not recorded as failed.
    expect(checkpointEpochs(runDir).size + unitFiles(runDir).length).toBeGreaterThan(0);
    expect(resultsOf(runDir).runs.filter((run) => run.status === 'failed')).toEqual([]);
    if (signal === 'SIGTERM') {
      expect(stderr).toContain('Stopped by SIGTERM');
      expect(stderr).toContain(`Continue with:\n  npm run experiment -- ${RUN.join(' ')} --out ${out} --resume ${runDir}`);
    }
  });
});

describe('Ctrl-C (SIGINT) of the CLI', () => {
  // The CLI and 2 workers, then the resumed CLI.
  it('stops its workers, exits 130 with what it kept and the resume command, and that command finishes the run', { timeout: cliTestTimeout(4) }, async () => {
    const out = dirs.make();
    const env = { OPTBENCH_DATA_DIR: path.join(out, 'cache') };
    const cli = startCli('experiment', [...RUN, '--out', out], env);
    const runDir = await trainingWithTwoWorkers(out, () => cli.pid);
    const workers = workerPids(cli.pid!);
    process.kill(cli.pid!, 'SIGINT');
    const { code, stderr } = await cli.done;
    expect(code).toBe(130);
    expect(await aliveAfter(workers, STOPPED_WITHIN_MS)).toEqual([]);
    const saved = checkpointEpochs(runDir);
    expect(saved.size).toBeGreaterThan(0);
    expect(stderr).toContain(`Stopped by SIGINT. Kept in ${runDir}:`);
    for (const [unit, epoch] of saved) expect(stderr).toContain(`${unit} after epoch ${epoch} of ${EPOCHS}`);
    const command = /Continue with:\n {2}(.+)\n/.exec(stderr)?.[1];
    expect(command).toBe(`npm run experiment -- ${RUN.join(' ')} --out ${out} --resume ${runDir}`);

    const resumed = spawnSync('sh', ['-c', `${command!} --workers 1`], { cwd: repo, env: { ...process.env, OPTBENCH_DATA_MIRROR: MIRROR, ...env }, encoding: 'utf8' });
    expect(resumed.status).toBe(0);
    for (const [unit, epoch] of saved) expect(resumed.stdout).toContain(`[${unit}] continues from its checkpoint at epoch ${epoch + 1}/${EPOCHS}`);
    const results = resultsOf(runDir);
    expect(results.status).toBe('complete');
    expect(results.runs.map((run) => [run.id, run.status, run.epochs.length])).toEqual([['adam', 'ok', EPOCHS], ['nadam', 'ok', EPOCHS], ['ftrl', 'ok', EPOCHS]]);
    expect(checkpointEpochs(runDir).size).toBe(0);
  });

  it('a SIGTERM to one worker stops the whole run (exit 143), and its unit is not recorded as failed', { timeout: cliTestTimeout(3) }, async () => {
    const out = dirs.make();
    const cli = startCli('experiment', [...RUN, '--out', out], { OPTBENCH_DATA_DIR: path.join(out, 'cache') });
    const runDir = await trainingWithTwoWorkers(out, () => cli.pid);
    const workers = workerPids(cli.pid!);
    process.kill(workers[0], 'SIGTERM');
    const { code, stderr } = await cli.done;
    expect(code).toBe(143);
    expect(stderr).toContain('Stopped by SIGTERM');
    expect(await aliveAfter(workers, STOPPED_WITHIN_MS)).toEqual([]);
    expect(resultsOf(runDir).runs.filter((run) => run.status === 'failed')).toEqual([]);
  });
});
