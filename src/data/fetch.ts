/**
 * Obtains dataset files: verified cache → mirror (directory or http(s) base URL) → canonical URL.
 *
 * Every file is checked against the registry (size, then sha256) before it is handed out. Hashing a
 * 26 MB file on every run is wasteful, so after a successful check a small sidecar
 * (`<file>.verified.json`: size, mtime, sha256) is written atomically and later runs trust the file
 * while its size and mtime are unchanged.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { writeFileAtomic } from '../common/atomicWrite.js';
import type { DataContext } from './types.js';
import { DataIntegrityError, DataUnavailableError, type DataError } from './errors.js';
import type { FetchedFile, RemoteFile } from './types.js';
import { digestingMeter } from './digestingMeter.js';

export const MIRROR_ENV = 'OPTBENCH_DATA_MIRROR';
export const CACHE_DIR_ENV = 'OPTBENCH_DATA_DIR';
/** `<repo>/data/cache`, git-ignored. */
export const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../data/cache', import.meta.url));

/** Give up on a server that accepts the connection but sends no response headers for this long. */
const RESPONSE_TIMEOUT_MS = 30_000;
/** Without a TTY, log download progress at every this fraction of the file. */
const LOG_PROGRESS_STEP = 0.1;

type Verification = FetchedFile['verification'];

/** What a sidecar records about a file whose contents were checked. */
interface VerifiedRecord {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  verification: Verification;
  origin: string;
}

/** One source (mirror, URL) could not deliver the file; the next source is tried. */
class SourceUnavailable extends Error {
  override name = 'SourceUnavailable';
}

/**
 * Builds the data context from the environment: `OPTBENCH_DATA_MIRROR` (directory, resolved against
 * the working directory, or http(s) base URL) and `OPTBENCH_DATA_DIR` (cache root). Overrides win.
 */
export function resolveDataContext(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<DataContext> = {},
): DataContext {
  const mirror = overrides.mirror ?? nonEmpty(env[MIRROR_ENV]);
  const cacheDir = overrides.cacheDir ?? nonEmpty(env[CACHE_DIR_ENV]) ?? DEFAULT_CACHE_DIR;
  return {
    mirror: mirror === undefined ? undefined : isHttpUrl(mirror) ? mirror : path.resolve(mirror),
    cacheDir: path.resolve(cacheDir),
    log: overrides.log ?? ((message) => process.stderr.write(`${message}\n`)),
  };
}

/** Where `file` lives in the cache of `ctx`. */
export function cachePathFor(file: RemoteFile, ctx: DataContext): string {
  return path.join(ctx.cacheDir, ...file.id.split('/'));
}

/** Returns a verified local copy of `file`, downloading it if needed. */
export async function fetchFile(file: RemoteFile, ctx: DataContext): Promise<FetchedFile> {
  const cachePath = cachePathFor(file, ctx);
  const attempts: string[] = [];

  const cached = await checkCachedFile(file, cachePath, ctx);
  if (cached) return cached;
  attempts.push(`cache: ${cachePath} is not there`);

  if (ctx.mirror !== undefined) {
    try {
      return isHttpUrl(ctx.mirror)
        ? await downloadTo(file, joinUrl(ctx.mirror, file.mirrorPath), 'mirror', cachePath, ctx)
        : await useMirrorDirectory(file, path.join(ctx.mirror, ...file.mirrorPath.split('/')), ctx);
    } catch (error) {
      if (!(error instanceof SourceUnavailable)) throw error;
      attempts.push(`mirror: ${error.message}`);
      ctx.log(`${file.id}: mirror unusable (${error.message}); trying ${file.url}`);
    }
  } else {
    attempts.push(`mirror: ${MIRROR_ENV} is not set`);
  }

  try {
    return await downloadTo(file, file.url, 'download', cachePath, ctx);
  } catch (error) {
    if (!(error instanceof SourceUnavailable)) throw error;
    attempts.push(`download: ${error.message}`);
  }
  throw new DataUnavailableError(
    `Cannot obtain dataset file ${file.id}.\n` +
      attempts.map((attempt) => `  - ${attempt}`).join('\n') +
      `\nTo fix: allow downloads from ${file.url} (it is saved to ${cachePath}), put a copy of that file ` +
      `there yourself, or point ${MIRROR_ENV} at a dataset mirror laid out like ../shared/datasets ` +
      `(e.g. set ${MIRROR_ENV}=../shared/datasets).`,
  );
}

/**
 * Removes a fetched file from the cache after its loader found the contents unusable (e.g. corrupt
 * gzip), so the next run fetches it again. Mirror directories are shared and never touched.
 * Returns whether something was removed.
 */
export async function discardCachedFile(fetched: FetchedFile, ctx: DataContext): Promise<boolean> {
  const relative = path.relative(ctx.cacheDir, fetched.path);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return false;
  await removeWithSidecar(fetched.path);
  ctx.log(`Removed ${fetched.path} from the cache; it will be fetched again next time.`);
  return true;
}

/**
 * What a loader throws when a fetched file passed (or skipped) its hash check but its contents are
 * unusable (corrupt, truncated, unsafe, not the dataset): a cached copy is removed so the next run
 * fetches it again, and `error`'s message (its class kept) gains what was done and what to do.
 */
export async function unusableFileError<E extends DataError>(fetched: FetchedFile, ctx: DataContext, error: E): Promise<E> {
  const sentenceEnd = /[.!?]$/.test(error.message) ? ' ' : '. ';
  if (await discardCachedFile(fetched, ctx)) {
    error.message += `${sentenceEnd}The bad copy was removed from the cache; run again to fetch it anew.`;
  } else if (fetched.source === 'mirror') {
    error.message += `${sentenceEnd}It is a mirror file: replace it with a good copy, or unset ${MIRROR_ENV} to download it.`;
  }
  return error;
}

async function checkCachedFile(
  file: RemoteFile,
  cachePath: string,
  ctx: DataContext,
): Promise<FetchedFile | undefined> {
  const stats = await statIfExists(cachePath);
  if (!stats) return undefined;
  const sidecarPath = cacheSidecarPath(cachePath);
  const record = await readTrustedRecord(sidecarPath, cachePath, stats, file);
  if (record) {
    return { path: cachePath, source: 'cache', verification: record.verification, origin: record.origin };
  }

  // No trustworthy sidecar (e.g. a file copied in by hand): check the contents once.
  const actual = { size: stats.size, sha256: await hashFile(cachePath) };
  const problem = integrityProblem(file, actual, 'sha256');
  if (problem) {
    ctx.log(`${file.id}: cached copy ${cachePath} is not the expected file (${problem}); removing it.`);
    await removeWithSidecar(cachePath);
    return undefined;
  }
  const verification = verificationFor(file, 'sha256');
  await writeRecord(sidecarPath, cachePath, actual, verification, cachePath);
  return { path: cachePath, source: 'cache', verification, origin: cachePath };
}

/** Uses a file of a mirror directory in place (no copy) once it is verified. */
async function useMirrorDirectory(file: RemoteFile, mirrorPath: string, ctx: DataContext): Promise<FetchedFile> {
  const stats = await statIfExists(mirrorPath);
  if (!stats) throw new SourceUnavailable(`${mirrorPath} does not exist`);
  if (file.mirrorVerification === 'structure') {
    return { path: mirrorPath, source: 'mirror', verification: 'structure', origin: mirrorPath };
  }
  // Mirror directories may be read-only, so their sidecars live in the cache.
  const sidecarPath = path.join(ctx.cacheDir, 'mirror-verified', ...`${file.id}.verified.json`.split('/'));
  const record = await readTrustedRecord(sidecarPath, mirrorPath, stats, file);
  if (record) {
    return { path: mirrorPath, source: 'mirror', verification: record.verification, origin: mirrorPath };
  }

  const actual = { size: stats.size, sha256: await hashFile(mirrorPath) };
  const problem = integrityProblem(file, actual, 'sha256');
  if (problem) {
    throw new DataIntegrityError(
      `Mirror file ${mirrorPath} is not ${file.id}: ${problem}. The mirror is corrupt or outdated; ` +
        `replace the file with the one from ${file.url}, or unset ${MIRROR_ENV} to download it.`,
    );
  }
  const verification = verificationFor(file, 'sha256');
  await writeRecord(sidecarPath, mirrorPath, actual, verification, mirrorPath);
  return { path: mirrorPath, source: 'mirror', verification, origin: mirrorPath };
}

/**
 * Streams `url` to a temp file next to `cachePath`, verifies it as `file` requires for this source,
 * then renames it into place. Transport failures throw SourceUnavailable (the next source is tried);
 * a complete transfer with the wrong size or hash throws DataIntegrityError.
 */
async function downloadTo(
  file: RemoteFile,
  url: string,
  source: 'mirror' | 'download',
  cachePath: string,
  ctx: DataContext,
): Promise<FetchedFile> {
  const expectation: Verification = source === 'mirror' ? file.mirrorVerification : 'sha256';
  const response = await requestFile(url);
  await mkdir(path.dirname(cachePath), { recursive: true });
  const tempPath = `${cachePath}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
  const declaredLength = Number(response.headers.get('content-length'));
  const progress = startProgress(`${file.id}`, declaredLength > 0 ? declaredLength : file.size, ctx);
  const meter = digestingMeter('sha256', (bytes) => progress.update(bytes));
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), meter.stream, createWriteStream(tempPath));
  } catch (error) {
    await rm(tempPath, { force: true });
    throw new SourceUnavailable(`download of ${url} broke off after ${meter.bytes()} bytes (${describeCause(error)})`);
  } finally {
    progress.stop();
  }

  const received = meter.bytes();
  const actual = { size: received, sha256: meter.digest() };
  const problem = integrityProblem(file, actual, expectation);
  if (problem) {
    await rm(tempPath, { force: true });
    throw new DataIntegrityError(
      `Downloaded ${file.id} from ${url} is not the expected file: ${problem}. Nothing was cached. ` +
        `The server may have returned an error page or a different version; try again later, or ` +
        `point ${MIRROR_ENV} at a verified mirror (e.g. ../shared/datasets).`,
    );
  }
  await rename(tempPath, cachePath);
  const verification = verificationFor(file, expectation);
  await writeRecord(cacheSidecarPath(cachePath), cachePath, actual, verification, url);
  ctx.log(`${file.id}: saved ${received} bytes from ${url} to ${cachePath}`);
  return { path: cachePath, source, verification, origin: url };
}

async function requestFile(url: string): Promise<Response & { body: ReadableStream<Uint8Array> }> {
  // Only the wait for headers is limited: a signal still armed while streaming would cut off slow,
  // healthy downloads of the large files.
  const headersDeadline = new AbortController();
  const timer = setTimeout(() => headersDeadline.abort(new Error('no response')), RESPONSE_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, { signal: headersDeadline.signal });
  } catch (error) {
    throw new SourceUnavailable(`cannot reach ${url} (${describeCause(error)})`);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new SourceUnavailable(`${url} answered HTTP ${response.status} ${response.statusText}`.trim());
  }
  return response as Response & { body: ReadableStream<Uint8Array> };
}

/** Why `actual` is not `file`, or undefined when it is. 'structure' skips both checks (repacked copies). */
function integrityProblem(
  file: RemoteFile,
  actual: { size: number; sha256: string },
  expectation: Verification,
): string | undefined {
  if (expectation === 'structure') return undefined;
  if (file.size !== undefined && actual.size !== file.size) {
    return `size is ${actual.size} bytes, expected ${file.size}`;
  }
  if (file.sha256 !== undefined && actual.sha256 !== file.sha256) {
    return `sha256 is ${actual.sha256}, expected ${file.sha256}`;
  }
  return undefined;
}

/** 'sha256' only when a hash was actually compared; otherwise the loader must validate the contents. */
function verificationFor(file: RemoteFile, expectation: Verification): Verification {
  return expectation === 'sha256' && file.sha256 !== undefined ? 'sha256' : 'structure';
}

async function readTrustedRecord(
  sidecarPath: string,
  filePath: string,
  stats: { size: number; mtimeMs: number },
  file: RemoteFile,
): Promise<VerifiedRecord | undefined> {
  let record: VerifiedRecord;
  try {
    record = JSON.parse(await readFile(sidecarPath, 'utf8')) as VerifiedRecord;
  } catch {
    return undefined; // missing or unreadable sidecar: verify the file again
  }
  const unchanged =
    record.path === filePath && record.size === stats.size && sameMtime(record.mtimeMs, stats.mtimeMs);
  // A 'sha256' record must match the registry's current hash, in case the registry changed.
  const sameIdentity = record.verification === 'structure' || record.sha256 === file.sha256;
  return unchanged && sameIdentity ? record : undefined;
}

async function writeRecord(
  sidecarPath: string,
  filePath: string,
  actual: { size: number; sha256: string },
  verification: Verification,
  origin: string,
): Promise<void> {
  const { mtimeMs } = await stat(filePath);
  const record: VerifiedRecord = {
    path: filePath,
    ...actual,
    mtimeMs,
    verification,
    origin,
  };
  await mkdir(path.dirname(sidecarPath), { recursive: true });
  await writeFileAtomic(sidecarPath, `${JSON.stringify(record, null, 2)}\n`);
}

function cacheSidecarPath(filePath: string): string {
  return `${filePath}.verified.json`;
}

async function removeWithSidecar(filePath: string): Promise<void> {
  await rm(cacheSidecarPath(filePath), { force: true });
  await rm(filePath, { force: true });
}

async function hashFile(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(filePath), hash);
  return hash.digest('hex');
}

async function statIfExists(filePath: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const stats = await stat(filePath);
    return stats.isFile() ? stats : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

interface Progress {
  update(bytes: number): void;
  stop(): void;
}

/** A progress bar on a terminal; otherwise a log line at every 10 % (or nothing when the size is unknown). */
function startProgress(label: string, totalBytes: number | undefined, ctx: DataContext): Progress {
  const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);
  if (process.stderr.isTTY && totalBytes !== undefined) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% {done}/{total_mb} MB`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(totalBytes, 0, { done: megabytes(0), total_mb: megabytes(totalBytes) });
    return {
      update: (bytes) => bar.update(bytes, { done: megabytes(bytes) }),
      stop: () => bar.stop(),
    };
  }
  let nextReport = LOG_PROGRESS_STEP;
  ctx.log(`${label}: downloading${totalBytes === undefined ? '' : ` ${megabytes(totalBytes)} MB`}`);
  return {
    update(bytes) {
      if (totalBytes === undefined || bytes < nextReport * totalBytes) return;
      ctx.log(`${label}: ${Math.floor((bytes / totalBytes) * 100)}% (${megabytes(bytes)} MB)`);
      while (nextReport * totalBytes <= bytes) nextReport += LOG_PROGRESS_STEP;
    },
    stop() {},
  };
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as (Error & { code?: string }) | undefined;
  return cause ? `${error.message}: ${cause.code ?? cause.message}` : error.message;
}

function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

function joinUrl(base: string, relativePath: string): string {
  return `${base.replace(/\/+$/, '')}/${relativePath.split('/').map(encodeURIComponent).join('/')}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * mtimes match within a millisecond: a stat → utimes round trip (copying, restoring a backup) does not
 * keep sub-millisecond digits, and may land just below the original millisecond (…326.49 → …325.999).
 */
function sameMtime(recordedMs: number, currentMs: number): boolean {
  return Math.abs(recordedMs - currentMs) < 1;
}
