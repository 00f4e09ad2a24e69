/**
 * Shared plumbing of the reliability suite: the real command-line entry points run as real processes,
 * in throw-away output and cache directories, against the dataset mirror.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MIRROR = process.env.OPTBENCH_DATA_MIRROR ?? path.resolve(repo, '../shared/datasets');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export type CliName = 'experiment' | 'report' | 'check' | 'merge' | 'bench';

/** The smallest real training run: Boston, one epoch, two optimizers, one process, no report. */
export const TINY_RUN = ['boston', '--profile', 'quick', '--epochs', '1', '--optimizers', 'adam,sgd', '--workers', '1'];

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A fresh directory under the system temp dir; `cleanup()` removes every one made. */
export function tempDirs(prefix: string) {
  const made: string[] = [];
  return {
    make(): string {
      const dir = mkdtempSync(path.join(tmpdir(), `optbench-${prefix}-`));
      made.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `src/cli/<name>.ts` in node itself (tsx as a loader, not the tsx wrapper, which would run node
 * as a grandchild), so the pid a test kills is the CLI's own.
 */
export function startCli(name: CliName, args: string[], env: Record<string, string> = {}): ChildProcess & { done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, path.join(repo, 'src', 'cli', `${name}.ts`), ...args], {
    cwd: repo,
    env: { ...process.env, OPTBENCH_DATA_MIRROR: MIRROR, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(child, { done });
}

export function runCli(name: CliName, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(name, args, env).done;
}

/** Runs `jobs` at most `limit` at a time (the machine's cores are shared), results in input order. */
export async function inBatches<T, R>(items: readonly T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await job(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * Polls `condition` every 10 ms until it holds. No clock of its own: what it waits for is real work
 * (processes starting, epochs training), which on a loaded machine takes many times longer than idle, so
 * the test's time limit bounds the wait (see cliTestTimeout). `giveUp` ends the wait at once with an
 * error (e.g. the process that should get there has exited).
 */
export async function waitFor(condition: () => boolean, what: string, giveUp: () => boolean = () => false): Promise<void> {
  while (!condition()) {
    if (giveUp()) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The time limit of a test that starts `processes` optbench processes (CLIs and their workers): each
 * loads Node, tsx, TensorFlow.js and the wasm kernels before it does anything, measured at 4.5–5 CPU-s
 * (`experiment boston --resume <missing dir>`, load 26 on 2 cores, where it took 38–40 s of wall clock).
 * The limit grows with that work, 60 s a process on top of vitest's 180 s, instead of one limit for a
 * test with one process and one with fourteen.
 */
export function cliTestTimeout(processes: number): number {
  return 180_000 + processes * 60_000;
}

/** Every file below `dir`, as paths relative to it (sorted); [] when `dir` does not exist. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** The run directories `<out>/<experiment>/<runId>` under a reports root. */
export function runDirsUnder(out: string, experiment = 'boston'): string[] {
  const root = path.join(out, experiment);
  return existsSync(root) ? readdirSync(root).sort().map((name) => path.join(root, name)) : [];
}

/** Direct child processes of `pid` (Linux /proc), e.g. a CLI's training workers. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after its ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); // a zombie has exited
  } catch {
    return false;
  }
}
