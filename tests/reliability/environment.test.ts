/**
 * Environment problems (issue 17, class 10): data variables pointing at files, a cache that cannot be
 * written, a --baseline that is a directory, an unwritable $GITHUB_STEP_SUMMARY. Each gets a message
 * naming the variable or option and what to do, not a raw ENOTDIR/EACCES/EISDIR; a summary that cannot be
 * written does not change the check's verdict.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataConfigError } from '../../src/data/errors.js';
import { fetchFile, resolveDataContext } from '../../src/data/fetch.js';
import type { RemoteFile } from '../../src/data/types.js';
import { makeResults, writeRun } from '../fixtures/results/makeResults.js';
import { inBatches, listFiles, runCli, tempDirs, TINY_RUN, type CliResult } from './helpers.js';

const dirs = tempDirs('environment');
const mounts: string[] = [];
afterAll(() => {
  for (const mount of mounts) execFileSync('umount', [mount]);
  dirs.cleanup();
});
const work = dirs.make();
const aFile = path.join(work, 'a-file');
writeFileSync(aFile, 'not a directory\n');

/**
 * A directory no one can write: a read-only tmpfs when running as root (root ignores permissions; CI runs
 * as root), else a directory without write permission.
 */
function unwritableDirectory(): string {
  const dir = path.join(dirs.make(), 'read-only');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    mounts.push(dir);
  } catch {
    chmodSync(dir, 0o555);
  }
  return dir;
}

describe('data variables pointing at a file', () => {
  it('exit 2 naming the variable, before any training', async () => {
    const out = path.join(work, 'out');
    const [mirror, cache] = await inBatches<Record<string, string>, CliResult>([
      { OPTBENCH_DATA_MIRROR: aFile },
      { OPTBENCH_DATA_DIR: path.join(aFile, 'cache') },
    ], 2, (env) => runCli('experiment', [...TINY_RUN, '--no-report', '--out', out], env));
    expect(mirror.code).toBe(2);
    expect(mirror.stderr).toContain(`error: OPTBENCH_DATA_MIRROR=${aFile} is a file, not a dataset mirror: point it at a directory laid out like ../shared/datasets`);
    expect(cache.code).toBe(2);
    expect(cache.stderr).toContain(`error: The dataset cache directory ${path.join(aFile, 'cache')} cannot be used: ${aFile} is a file, not a directory. Point OPTBENCH_DATA_DIR at a directory`);
    for (const run of [mirror, cache]) expect(run.stderr).not.toMatch(/ENOTDIR|\n\s+at /);
    expect(listFiles(out)).toEqual([]);
  });
});

describe('a cache directory that cannot be written', () => {
  it('with a verified mirror directory: the mirror file is used in place, with a warning saying what to do', async () => {
    const cacheDir = unwritableDirectory();
    const out = path.join(dirs.make(), 'out');
    const run = await runCli('experiment', [...TINY_RUN, '--no-report', '--out', out], { OPTBENCH_DATA_DIR: cacheDir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/warning: \S+boston_housing\.npz is verified and used, but the record of it cannot be written to \S+ \(E(ROFS|ACCES)\); the next run checks the file again/);
    expect(run.stdout).toContain('point OPTBENCH_DATA_DIR at a writable directory');
  });

  it('when a download needs it: DataConfigError naming the cache, OPTBENCH_DATA_DIR and the mirror way out', async () => {
    const body = Buffer.from('dataset bytes');
    const server = createServer((_request, response) => response.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const file: RemoteFile = {
        id: 'local/file.bin', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/file.bin`,
        sha256: createHash('sha256').update(body).digest('hex'), size: body.length, mirrorPath: 'local/file.bin', mirrorVerification: 'sha256',
      };
      const cacheDir = unwritableDirectory();
      const error = await fetchFile(file, resolveDataContext({}, { cacheDir, log: () => {} })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataConfigError);
      expect((error as Error).message).toMatch(new RegExp(`^Cannot write to the dataset cache ${cacheDir} \\(E(ROFS|ACCES)\\)\\. Make it writable, point OPTBENCH_DATA_DIR at a writable directory, or set OPTBENCH_DATA_MIRROR`));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('npm run check', () => {
  it('--baseline <a directory>: exit 2 naming the option; an unwritable $GITHUB_STEP_SUMMARY: a warning, and the verdict stands', async () => {
    const runDir = await writeRun(dirs.make(), makeResults([1, 2, 3].map((seed) => ({ optimizer: 'adam', seed }))));
    const baseline = path.join(dirs.make(), 'adam.json');
    const made = await runCli('check', [runDir, '--baseline', baseline, '--update-baseline']);
    expect(made.code).toBe(0);

    const [directory, summary] = await inBatches<{ args: string[]; env: Record<string, string> }, CliResult>([
      { args: [runDir, '--baseline', work], env: {} },
      // A directory cannot be appended to: EISDIR, as an unwritable file gives EACCES.
      { args: [runDir, '--baseline', baseline], env: { GITHUB_STEP_SUMMARY: work } },
    ], 2, ({ args, env }) => runCli('check', args, env));
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain(`--baseline '${work}' is a directory; pass a baseline file`);
    expect(directory.stderr).not.toContain('EISDIR: illegal operation');

    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain('adam'); // the summary itself still went to stdout
    expect(summary.stderr).toContain(`warning: could not append the summary to GITHUB_STEP_SUMMARY=${work} (EISDIR); the result above and the exit code stand.`);
  });
});
