/**
 * One process per run directory (issue 17, class 11): two `--resume` of one run at once would train the
 * same units twice. The second is refused naming who holds the run; a lock left by a dead process is
 * taken over with a note; another host's lock is never taken over; a lock takes no data block, so a
 * nearly full disk fails on the run's own files (tests/reliability/runs.test.ts), not on the lock.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunLockedError } from '../../src/results/errors.js';
import { acquireRunLock, LOCK_FILE } from '../../src/results/runLock.js';
import { repo, runCli, startCli, tempDirs, TINY_RUN, waitFor } from './helpers.js';

const dirs = tempDirs('lock');
afterAll(() => dirs.cleanup());

/** The lock is a symbolic link to no file: existsSync would follow it and say false. */
const lockExists = (runDir: string) => { try { lstatSync(path.join(runDir, LOCK_FILE)); return true; } catch { return false; } };
const holderOf = (runDir: string) => JSON.parse(readlinkSync(path.join(runDir, LOCK_FILE))) as { pid: number; host: string; startedAt: string };
/** A lock as another process leaves it: a symbolic link whose target is the holder record. */
const plantLock = (runDir: string, holder: object) => symlinkSync(JSON.stringify(holder), path.join(runDir, LOCK_FILE));

describe('acquireRunLock', () => {
  it('refuses a second holder naming the first (pid, host, start), and is free again once released', () => {
    const runDir = path.join(dirs.make(), 'run');
    const release = acquireRunLock(runDir, () => {});
    expect(lockExists(runDir)).toBe(true);
    const holder = holderOf(runDir);
    expect(holder).toMatchObject({ pid: process.pid, host: os.hostname() });
    // Another process's view: this pid is alive, so the lock holds.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
      const { acquireRunLock } = await import(${JSON.stringify(path.join(repo, 'src/results/runLock.ts'))});
      try { acquireRunLock(${JSON.stringify(runDir)}, () => {}); console.log('acquired'); } catch (e) { console.log(e.name + ': ' + e.message); }
    `], { encoding: 'utf8', cwd: repo });
    expect(child.stdout).toContain(`RunLockedError: ${runDir} is being trained by another process: pid ${process.pid} on host ${os.hostname()}, since ${holder.startedAt}`);
    release();
    expect(lockExists(runDir)).toBe(false);
    acquireRunLock(runDir, () => {})();
  });

  it('takes over a lock whose process is gone, with a note naming it', () => {
    const runDir = path.join(dirs.make(), 'run');
    mkdirSync(runDir);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    plantLock(runDir, { pid: deadPid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' });
    const notes: string[] = [];
    const release = acquireRunLock(runDir, (line) => notes.push(line));
    expect(notes).toEqual([`note: took over ${path.join(runDir, LOCK_FILE)} left by pid ${deadPid} on ${os.hostname()} (started 2026-01-01T00:00:00.000Z), which is no longer running.`]);
    expect(holderOf(runDir).pid).toBe(process.pid);
    release();
  });

  it('never takes over another host\'s lock: it says who holds it and when to delete it', () => {
    const runDir = path.join(dirs.make(), 'run');
    mkdirSync(runDir);
    plantLock(runDir, { pid: 1, host: 'other-machine', startedAt: '2026-01-01T00:00:00.000Z' });
    const error = (() => {
      try {
        acquireRunLock(runDir, () => {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RunLockedError);
    expect((error as Error).message).toContain('pid 1 on host other-machine');
    expect((error as Error).message).toContain(`if that run is gone (its machine was lost), delete ${path.join(runDir, LOCK_FILE)}`);
  });

  it('a run that wrote nothing leaves no empty directories behind', () => {
    const out = dirs.make();
    const runDir = path.join(out, 'temperature', 'run-1');
    acquireRunLock(runDir, () => {})();
    expect(existsSync(path.join(out, 'temperature'))).toBe(false);
  });
});

describe('two processes on one run directory', () => {
  it('the second --resume is refused with exit 2 naming the first, which is not disturbed', { timeout: 900_000 }, async () => {
    const out = dirs.make();
    // Long enough that the second process starts while the first trains.
    const args = TINY_RUN.map((arg, i) => (TINY_RUN[i - 1] === '--epochs' ? '400' : arg));
    // The first run in a fixed directory (--run-dir, as a restartable job would).
    const runDir = path.join(out, 'fixed', 'run');
    const first = startCli('experiment', [...args, '--no-report', '--out', out, '--run-dir', runDir]);
    await waitFor(() => lockExists(runDir) || first.exitCode !== null, 'the first run to take its lock');
    const second = await runCli('experiment', [...args, '--no-report', '--out', out, '--resume', runDir]);
    const firstStillTraining = first.exitCode === null;
    first.kill('SIGKILL'); // enough: the rest of its training is not needed
    await first.done;
    expect(firstStillTraining).toBe(true);
    expect((await first.done).stdout).toContain(`starting the run in ${runDir}`);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`error: ${runDir} is being trained by another process: pid ${first.pid} on host ${os.hostname()}`);
    expect(second.stderr).not.toMatch(/\n\s+at /);
  });
});
