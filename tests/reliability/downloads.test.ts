/**
 * Hostile HTTP mirrors and download servers (issue 17, class 1), on a local server on 127.0.0.1: an
 * endless body, a server silent after its headers or before them, a trickle that never ends, bodies of
 * the wrong size. Each download fails within its limits naming the URL, never writes more than the
 * file's size to disk, and leaves no temp file; temp files that a killed run left are cleaned next time.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataIntegrityError, DataUnavailableError } from '../../src/data/errors.js';
import { cachePathFor, fetchFile, resolveDataContext } from '../../src/data/fetch.js';
import type { DataContext, DownloadLimits, RemoteFile } from '../../src/data/types.js';
import { listFiles, runCli, tempDirs, TINY_RUN } from './helpers.js';

const dirs = tempDirs('downloads');
const FILE_BYTES = Buffer.alloc(64 * 1024, 7);
const FILE_SHA256 = createHash('sha256').update(FILE_BYTES).digest('hex');
const CHUNK = Buffer.alloc(16 * 1024, 1);

let server: Server;
let base: string;
/** Responses still streaming (endless bodies, trickles), ended when the client goes away or at the end. */
const streams = new Set<ServerResponse>();

const ROUTES: Record<string, (response: ServerResponse) => void> = {
  '/good': (response) => response.end(FILE_BYTES),
  // Writes as fast as the client reads, forever, with no Content-Length.
  '/endless': (response) => {
    const pump = () => {
      while (!response.destroyed && response.write(CHUNK));
      if (!response.destroyed) response.once('drain', pump);
    };
    pump();
  },
  '/silent-after-headers': (response) => {
    response.writeHead(200);
    response.flushHeaders();
  },
  '/silent': () => {},
  // One byte every 50 ms: never idle, never finished.
  '/trickle': (response) => {
    response.writeHead(200);
    const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write('x')), 50);
  },
  '/short-body': (response) => {
    response.writeHead(200, { 'content-length': String(FILE_BYTES.length) });
    // The connection closes with 63 KB missing.
    response.write(FILE_BYTES.subarray(0, 1000), () => response.socket?.destroy());
  },
  '/wrong-size': (response) => response.end(FILE_BYTES.subarray(0, 5000)),
  '/announces-too-much': (response) => {
    response.writeHead(200, { 'content-length': String(10 * 2 ** 30) });
    response.write(CHUNK);
  },
  '/error-page': (response) => {
    response.writeHead(503);
    response.end('overloaded');
  },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    streams.add(response);
    response.on('close', () => streams.delete(response));
    // Mirror requests come as <mirror>/<dataset>/<file>: the first path segment picks the behaviour.
    const route = ROUTES[`/${(request.url ?? '').split('/')[1]}`];
    if (route) route(response);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of streams) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  dirs.cleanup();
});

/** A 64 KiB file whose canonical URL is `route` on the local server. */
const fileAt = (route: string): RemoteFile => ({
  id: 'hostile/file.bin', url: `${base}${route}`, sha256: FILE_SHA256, size: FILE_BYTES.length,
  mirrorPath: 'hostile/file.bin', mirrorVerification: 'sha256',
});

/**
 * Limits that never fire on a busy machine (a process there may not run for seconds), except the one a
 * test shortens to see it fire: each hostile case then ends in well under a second of waiting, and a case
 * that must not time out does not, however loaded the machine.
 */
const PATIENT: DownloadLimits = { headersTimeoutMs: 120_000, idleTimeoutMs: 120_000, totalTimeoutMs: 120_000 };

function context(lines: string[] = [], limits: Partial<DownloadLimits> = {}): DataContext {
  return resolveDataContext({}, {
    cacheDir: path.join(dirs.make(), 'cache'), log: (line) => lines.push(line),
    downloads: { ...PATIENT, ...limits },
  });
}

/** Runs `fetchFile`, sampling the bytes on disk under the cache every few ms; the error and the peak. */
async function fetchWatchingDisk(file: RemoteFile, ctx: DataContext): Promise<{ error: unknown; peakBytes: number }> {
  let peakBytes = 0;
  let done = false;
  const sample = async () => {
    while (!done) {
      const bytes = listFiles(ctx.cacheDir).reduce((sum, name) => {
        try {
          return sum + statSync(path.join(ctx.cacheDir, name)).size;
        } catch {
          return sum; // renamed or removed between listing and stat
        }
      }, 0);
      peakBytes = Math.max(peakBytes, bytes);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  const sampling = sample();
  const error = await fetchFile(file, ctx).then(() => undefined, (e: unknown) => e);
  done = true;
  await sampling;
  return { error, peakBytes };
}

describe('a hostile download server', () => {
  it('serves the good file: the control case', async () => {
    const ctx = context();
    const fetched = await fetchFile(fileAt('/good'), ctx);
    expect(fetched).toMatchObject({ source: 'download', verification: 'sha256' });
    expect(listFiles(ctx.cacheDir)).toEqual(['hostile/file.bin', 'hostile/file.bin.verified.json']);
  });

  it('an endless body is stopped at the file size: the URL named, disk use within the size, no temp file', async () => {
    const ctx = context();
    const { error, peakBytes } = await fetchWatchingDisk(fileAt('/endless'), ctx);
    expect(error).toBeInstanceOf(DataIntegrityError);
    expect((error as Error).message).toContain(`from ${base}/endless is not the expected file: the server sent more than its known size (65536 bytes)`);
    expect(peakBytes).toBeLessThanOrEqual(FILE_BYTES.length);
    expect(listFiles(ctx.cacheDir)).toEqual([]);
  });

  it('a Content-Length above the size bound is refused before anything is written', async () => {
    const ctx = context();
    const { error, peakBytes } = await fetchWatchingDisk(fileAt('/announces-too-much'), ctx);
    expect((error as Error).message).toContain(`${base}/announces-too-much announces 10737418240 bytes for hostile/file.bin, more than its known size (65536 bytes); nothing was downloaded`);
    expect(peakBytes).toBe(0);
  });

  it.each<[string, Partial<DownloadLimits>, ...string[]]>([
    ['/silent-after-headers', { idleTimeoutMs: 500 }, 'download of URL was stopped after 0 bytes: no data for 0.5 s (OPTBENCH_DOWNLOAD_IDLE_TIMEOUT raises the limit)'],
    ['/silent', { headersTimeoutMs: 500 }, 'request of URL was stopped: no response within 0.5 s'],
    ['/trickle', { totalTimeoutMs: 3000 }, 'was stopped after', 'not finished within 3 s (OPTBENCH_DOWNLOAD_TIMEOUT raises the limit)'],
    ['/short-body', {}, 'download of URL broke off after', 'terminated'],
    ['/error-page', {}, 'answered HTTP 503'],
  ])('%s: gives up with the URL and what happened, leaving nothing in the cache', async (route, limits, ...says) => {
    const ctx = context([], limits);
    const { error, peakBytes } = await fetchWatchingDisk(fileAt(route), ctx);
    expect(error).toBeInstanceOf(DataUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain(`${base}${route}`);
    for (const text of says) expect(message).toContain(text.replace('URL', `${base}${route}`));
    expect(peakBytes).toBeLessThanOrEqual(FILE_BYTES.length);
    expect(listFiles(ctx.cacheDir)).toEqual([]);
  });

  it('a body of the wrong size is refused as not the file, naming the URL and both sizes', async () => {
    const ctx = context();
    const error = await fetchFile(fileAt('/wrong-size'), ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataIntegrityError);
    expect((error as Error).message).toContain(`from ${base}/wrong-size is not the expected file: size is 5000 bytes, expected 65536`);
    expect(listFiles(ctx.cacheDir)).toEqual([]);
  });

  it('a bad timeout variable is refused naming it', () => {
    expect(() => resolveDataContext({ OPTBENCH_DOWNLOAD_IDLE_TIMEOUT: 'soon' })).toThrow('OPTBENCH_DOWNLOAD_IDLE_TIMEOUT=soon is not a number of seconds');
    expect(resolveDataContext({ OPTBENCH_DOWNLOAD_TIMEOUT: '90' }).downloads).toEqual({ totalTimeoutMs: 90_000 });
  });
});

describe('temp files left by a killed download', () => {
  it('are removed on the next run when their process is gone; a live download\'s temp file is kept', async () => {
    const lines: string[] = [];
    const ctx = context(lines);
    const cachePath = cachePathFor(fileAt('/good'), ctx);
    mkdirSync(path.dirname(cachePath), { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!; // exited: its pid is free
    const stale = [`${cachePath}.${deadPid}-0badf00d.tmp`, path.join(ctx.cacheDir, `other.npz.${deadPid}.0badf00d.tmp`)];
    const live = `${cachePath}.${process.pid}-c0ffee00.tmp`;
    for (const file of [...stale, live]) writeFileSync(file, 'partial download');
    const old = Date.now() / 1000 - 3600;
    utimesSync(stale[0], old, old);

    await fetchFile(fileAt('/good'), ctx);
    const left = readdirSync(path.dirname(cachePath));
    expect(left.sort()).toEqual(['file.bin', path.basename(live), 'file.bin.verified.json'].sort());
    expect(listFiles(ctx.cacheDir)).not.toContain(path.basename(stale[1]));
    expect(lines.join('\n')).toContain(`Removed 2 temp file(s) left in ${ctx.cacheDir} by interrupted downloads`);
  });
});

describe('npm run experiment with a hostile HTTP mirror', () => {
  it('an endless body for boston_housing.npz: exit 1 naming the URL, nothing left in the cache', async () => {
    const work = dirs.make();
    const cacheDir = path.join(work, 'cache');
    const run = await runCli('experiment', [...TINY_RUN, '--no-report', '--out', path.join(work, 'out')], {
      OPTBENCH_DATA_MIRROR: `${base}/endless`, OPTBENCH_DATA_DIR: cacheDir,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: Downloaded boston-housing/boston_housing.npz from ${base}/endless/boston-housing/boston_housing.npz is not the expected file: the server sent more than its known size (57026 bytes)`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(listFiles(cacheDir)).toEqual([]);
  });

  it('silent after headers: the mirror is given up after OPTBENCH_DOWNLOAD_IDLE_TIMEOUT, naming the URL', async () => {
    const work = dirs.make();
    const run = await runCli('experiment', [...TINY_RUN, '--no-report', '--out', path.join(work, 'out')], {
      OPTBENCH_DATA_MIRROR: `${base}/silent-after-headers`, OPTBENCH_DATA_DIR: path.join(work, 'cache'), OPTBENCH_DOWNLOAD_IDLE_TIMEOUT: '0.5',
    });
    // Then the canonical URL is tried: unreachable offline (exit 1), downloaded where there is a network (exit 0).
    expect(run.stdout + run.stderr).toContain(`mirror unusable (download of ${base}/silent-after-headers/boston-housing/boston_housing.npz was stopped after 0 bytes: no data for 0.5 s`);
    expect(listFiles(path.join(work, 'cache')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
