/**
 * Runs under faults, with real processes: SIGKILL while results and reports are being written and while
 * workers train, two runs into one output directory at once, a diverging optimizer, and a full (or
 * read-only) disk. After every fault, no file in the run directory is partial, and the next run (or
 * --resume) finishes the work.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/results/io.js';
import type { RunResults } from '../../src/results/schema.js';
import { childPids, cliTestTimeout, isAlive, listFiles, runCli, runDirsUnder, startCli, tempDirs, TINY_RUN, waitFor } from './helpers.js';

const dirs = tempDirs('runs');
const mounts: string[] = [];
afterAll(() => {
  for (const mount of mounts) execFileSync('umount', [mount]);
  dirs.cleanup();
});

const PNG_END = Buffer.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * Files under `dir` that are not complete: JSON that does not parse, SVG/HTML without their closing tag,
 * PNG without its IEND chunk, an empty Markdown file. Temp files (`*.tmp`) are listed by `tempFiles`.
 */
function partialFiles(dir: string): string[] {
  return listFiles(dir).filter((file) => {
    const bytes = readFileSync(path.join(dir, file));
    const text = () => bytes.toString('utf8').trimEnd();
    if (file.endsWith('.json')) {
      try {
        JSON.parse(bytes.toString('utf8'));
        return false;
      } catch {
        return true;
      }
    }
    if (file.endsWith('.svg')) return !text().endsWith('</svg>');
    if (file.endsWith('.html')) return !text().endsWith('</html>');
    if (file.endsWith('.png')) return !bytes.subarray(-PNG_END.length).equals(PNG_END);
    if (file.endsWith('.md')) return text() === '';
    return false;
  });
}

const tempFiles = (dir: string) => listFiles(dir).filter((file) => file.endsWith('.tmp'));
const resultsOf = (runDir: string) => JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')) as RunResults;

/** A finished tiny run (no report) under a fresh reports root; returns the run directory. */
async function tinyRun(out: string, extra: string[] = []): Promise<string> {
  const run = await runCli('experiment', [...TINY_RUN, '--out', out, '--no-report', ...extra]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return runDirsUnder(out).at(-1)!;
}

describe('SIGKILL while files are being written', () => {
  it('leaves results.json and its neighbours whole: the previous version or the new one, never part of one', async () => {
    const runDir = path.join(dirs.make(), 'run');
    mkdirSync(runDir);
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const seen = new Set<string>();
    // Kills at different moments of the write loop (~2 MB of JSON and 1 MiB of binary per round, fsynced).
    // Each process numbers its versions from its own start (1000, 2000, …), so what it left is told apart
    // from what the one before it left however few versions it wrote before the kill (on a loaded machine,
    // maybe only its first).
    for (const [i, delayMs] of [0, 7, 19, 42, 85].entries()) {
      const firstVersion = (i + 1) * 1000;
      const child = spawn(process.execPath, ['--import', tsx, path.join(import.meta.dirname, 'fixtures', 'writeLoop.ts'), runDir, String(firstVersion)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      process.kill(child.pid!, 'SIGKILL');
      await exited;
      expect(partialFiles(runDir)).toEqual([]);
      const results = await readResults(path.join(runDir, 'results.json'));
      // This process's version: its first write replaced the previous process's files, whole.
      expect(Number(/^version (\d+)$/.exec(results.title)?.[1])).toBeGreaterThanOrEqual(firstVersion);
      expect(results.runs).toHaveLength(60);
      const blob = readFileSync(path.join(runDir, 'blob.bin'));
      expect(blob.length).toBe(1 << 20);
      expect(new Set(blob).size).toBe(1);
      seen.add(results.title);
    }
    // Every process replaced the files of the one before: they kept changing, whole each time.
    expect(seen.size).toBe(5);
  });

  // 1 run and 4 reports.
  it('during report writing: every chart, report and index file present is complete, and the next report run finishes', { timeout: cliTestTimeout(5) }, async () => {
    const out = dirs.make();
    const runDir = await tinyRun(out);
    const resultsBefore = readFileSync(path.join(runDir, 'results.json'), 'utf8');
    // Kill as soon as the run directory holds this many more files than results.json and units/.
    for (const filesWritten of [1, 4, 7]) {
      const before = listFiles(runDir).length;
      const child = startCli('report', [runDir]);
      await waitFor(() => listFiles(runDir).length >= before + filesWritten || child.exitCode !== null, 'report files');
      process.kill(child.pid!, 'SIGKILL');
      await child.done;
      expect(partialFiles(out)).toEqual([]);
      expect(readFileSync(path.join(runDir, 'results.json'), 'utf8')).toBe(resultsBefore);
    }
    const finished = await runCli('report', [runDir]);
    expect(finished.code).toBe(0);
    expect(partialFiles(out)).toEqual([]);
    for (const file of ['report.md', 'report.html', 'loss.png', 'val-loss.svg']) expect(existsSync(path.join(runDir, file))).toBe(true);
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toContain(path.basename(runDir));
  });

  // 2 runs, each with 2 workers.
  it('during training with worker processes: the workers exit too, and --resume completes the run', { timeout: cliTestTimeout(6) }, async () => {
    const out = dirs.make();
    const args = ['boston', '--profile', 'quick', '--epochs', '15', '--optimizers', 'adam,sgd,rmsprop', '--workers', '2', '--no-report', '--out', out];
    const child = startCli('experiment', args);
    const unitsDir = () => path.join(runDirsUnder(out)[0] ?? out, 'units');
    let workers: number[] = [];
    await waitFor(() => {
      workers = childPids(child.pid!);
      return workers.length === 2 && existsSync(unitsDir()) && readdirSync(unitsDir()).some((f) => f.endsWith('.json'));
    }, 'two workers and a first finished unit', () => child.exitCode !== null);
    process.kill(child.pid!, 'SIGKILL');
    await child.done;
    // Orphaned workers notice their parent is gone (IPC closed) and exit rather than train on.
    await waitFor(() => workers.every((pid) => !isAlive(pid)), `workers ${workers.join(', ')} to exit`);

    const [runDir] = runDirsUnder(out);
    expect(partialFiles(runDir)).toEqual([]);
    const killed = resultsOf(runDir);
    expect(killed.status).toBe('partial');

    const resumed = await runCli('experiment', [...args, '--resume']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const results = resultsOf(runDir);
    expect(results.status).toBe('complete');
    expect(results.runs.map((r) => [r.id, r.status, r.epochs.length])).toEqual([['adam', 'ok', 15], ['sgd', 'ok', 15], ['rmsprop', 'ok', 15]]);
    expect(runDirsUnder(out)).toEqual([runDir]);
  });
});

describe('two runs into the same output directory at the same time', () => {
  it('get their own run directories, and the shared index.html is always a whole page listing both', { timeout: cliTestTimeout(2) }, async () => {
    const out = dirs.make();
    const [a, b] = await Promise.all([runCli('experiment', [...TINY_RUN, '--out', out]), runCli('experiment', [...TINY_RUN, '--out', out, '--seed', '2'])]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const runs = runDirsUnder(out);
    expect(runs).toHaveLength(2);
    for (const runDir of runs) {
      expect(resultsOf(runDir).status).toBe('complete');
      expect(existsSync(path.join(runDir, 'report.html'))).toBe(true);
    }
    expect(partialFiles(out)).toEqual([]);
    expect(tempFiles(out)).toEqual([]);
    const index = readFileSync(path.join(out, 'index.html'), 'utf8');
    for (const runDir of runs) expect(index).toContain(path.basename(runDir));
  });
});

describe('a diverging optimizer', () => {
  it('is recorded as diverged with the reason, and the run goes on to the next unit and the report', async () => {
    const out = dirs.make();
    const run = await runCli('experiment', ['boston', '--profile', 'quick', '--epochs', '3', '--optimizers', 'sgd', '--lr', '1e6,0.001', '--workers', '1', '--out', out]);
    expect(run.code).toBe(0);
    const [runDir] = runDirsUnder(out);
    const results = resultsOf(runDir);
    expect(results.status).toBe('complete');
    const [wild, tame] = results.runs;
    expect(wild).toMatchObject({ id: 'sgd#lr=1000000', status: 'diverged' });
    expect(wild.reason).toMatch(/NaN|Infinity/);
    expect(tame).toMatchObject({ id: 'sgd#lr=0.001', status: 'ok' });
    expect(tame.epochs).toHaveLength(3);
    // A sweep's report compares one rate per optimizer; the sweep chart shows every rate, this one as diverged.
    const heatmap = JSON.parse(readFileSync(path.join(runDir, 'lr-heatmap.vl.json'), 'utf8')) as { data: { values: unknown[] } };
    expect(heatmap.data.values).toContainEqual(expect.objectContaining({ learningRate: '1000000', value: null, label: 'diverged' }));
  });
});

/**
 * Makes `dir` refuse new data: a tmpfs mounted on it and filled up when the test runs as root (ENOSPC,
 * a real full disk), else a read-only directory (EACCES; root ignores permissions, hence the tmpfs).
 */
function tryTmpfs(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
    return true;
  } catch {
    return false;
  }
}

/** Fills the tmpfs on `dir` up to `leaveFree` bytes (whole 4 KiB pages), or makes `dir` read-only. */
function fillUp(dir: string, tmpfs: boolean, leaveFree = 0): void {
  if (!tmpfs) {
    for (const sub of [dir, ...listFiles(dir).map((f) => path.dirname(path.join(dir, f)))]) chmodSync(sub, 0o555);
    return;
  }
  let pages = 0;
  try {
    for (; ; pages++) writeFileSync(path.join(dir, `filler-${pages}`), Buffer.alloc(4096));
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
  rmSync(path.join(dir, `filler-${pages}`), { force: true });
  for (let freed = 0; freed < leaveFree; freed += 4096) rmSync(path.join(dir, `filler-${--pages}`));
}

describe('a disk that fills up (or turns read-only)', () => {
  it('fails the report and --resume with the file and what to do, keeps results.json as it was, and leaves no partial or temp files', { timeout: cliTestTimeout(3) }, async () => {
    const out = dirs.make();
    const tmpfs = tryTmpfs(out);
    const runDir = await tinyRun(out);
    const before = readFileSync(path.join(runDir, 'results.json'), 'utf8');
    // Room for a few small files but not for the charts: on a nearly full disk write(2) writes part of a
    // file without failing, and that part must not replace anything.
    fillUp(out, tmpfs, 12 * 1024);
    const advice = tmpfs ? 'The disk is full. Files written before are intact' : 'The directory is not writable. Files written before are intact';

    const report = await runCli('report', [runDir]);
    expect(report.code).toBe(1);
    expect(partialFiles(out)).toEqual([]);
    expect(report.stderr).toMatch(new RegExp(`^error: Could not write ${runDir}/\\S+: E(NOSPC|ACCES)`));
    expect(report.stderr).toContain(advice);

    fillUp(out, tmpfs);

    const resume = await runCli('experiment', [...TINY_RUN, '--out', out, '--no-report', '--resume', runDir]);
    expect(resume.code).toBe(1);
    expect(resume.stderr).toContain(`error: Could not write ${path.join(runDir, 'results.json')}`);
    expect(resume.stderr).toContain(advice);
    expect(resume.stderr).not.toMatch(/\n\s+at /);

    expect(readFileSync(path.join(runDir, 'results.json'), 'utf8')).toBe(before);
    expect(partialFiles(out)).toEqual([]);
    expect(tempFiles(out)).toEqual([]);
    if (!tmpfs) for (const sub of [out, ...listFiles(out).map((f) => path.dirname(path.join(out, f)))]) chmodSync(sub, 0o755);
  });

  it('stops a run whose worker cannot record its unit with one clear message, not a crash of every process', { timeout: cliTestTimeout(4) }, async () => {
    const out = dirs.make();
    const tmpfs = tryTmpfs(out);
    // Room for results.json (one page) and nothing more; without a tmpfs, a units/ directory no one may write to.
    const runDir = path.join(out, 'boston', 'run');
    mkdirSync(path.join(runDir, 'units'), { recursive: true });
    if (tmpfs) fillUp(out, true, 4096);
    else chmodSync(path.join(runDir, 'units'), 0o555);

    const run = await runCli('experiment', [...TINY_RUN, '--workers', '2', '--out', out, '--no-report', '--resume', runDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: Could not write ${runDir}/\\S+: E(NOSPC|ACCES)`, 'm'));
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace...
    expect(run.stderr.length).toBeLessThan(2000); // ...and no minified module source
    expect(resultsOf(runDir).status).toBe('partial');
    expect(partialFiles(out)).toEqual([]);
    expect(tempFiles(out)).toEqual([]);
    if (!tmpfs) chmodSync(path.join(runDir, 'units'), 0o755);
  });
});
