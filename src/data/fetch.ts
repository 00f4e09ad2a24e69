/**
 * Obtains dataset files: verified cache → mirror (directory or http(s) base URL) → canonical URL.
 *
 * Every file is checked against the registry (size, then sha256) before it is handed out. Hashing a
 * 26 MB file on every run is wasteful, so after a successful check a small sidecar
 * (`<file>.verified.json`: size, mtime, sha256) is written atomically and later runs trust the file
 * while its size and mtime are unchanged.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { fileInTheWay, makeDirectory, writeFileAtomic } from '../common/atomicWrite.js';
import { processExists } from '../common/processes.js';
import type { DataContext, DownloadLimits } from './types.js';
import { DataConfigError, DataIntegrityError, DataUnavailableError, type DataError } from './errors.js';
import type { FetchedFile, RemoteFile } from './types.js';
import { digestingMeter } from './digestingMeter.js';

export const MIRROR_ENV = 'OPTBENCH_DATA_MIRROR';
export const CACHE_DIR_ENV = 'OPTBENCH_DATA_DIR';
/** `<repo>/data/cache`, git-ignored. */
export const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../data/cache', import.meta.url));

export const IDLE_TIMEOUT_ENV = 'OPTBENCH_DOWNLOAD_IDLE_TIMEOUT';
export const TOTAL_TIMEOUT_ENV = 'OPTBENCH_DOWNLOAD_TIMEOUT';

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = { headersTimeoutMs: 30_000, idleTimeoutMs: 60_000, totalTimeoutMs: 30 * 60_000 };
/** Most bytes a download of a file with neither a known size nor its own `maxSize` may bring. */
export const UNKNOWN_SIZE_CEILING = 1 << 30;
/** Temp files of our writers: `<name>.<pid>-<8 hex>.tmp` (downloads) and `<name>.<pid>.<8 hex>.tmp` (atomic writes). */
const TEMP_FILE = /\.(\d+)[-.][0-9a-f]{8}\.tmp$/;
/** A temp file this old is removed even if its pid is alive (the pid was reused). */
const STALE_TEMP_AGE_MS = 24 * 3600_000;
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
  const downloads = { ...downloadLimitsFromEnv(env), ...overrides.downloads };
  return {
    mirror: mirror === undefined ? undefined : isHttpUrl(mirror) ? mirror : path.resolve(mirror),
    cacheDir: path.resolve(cacheDir),
    log: overrides.log ?? ((message) => process.stderr.write(`${message}\n`)),
    ...(Object.keys(downloads).length ? { downloads } : {}),
  };
}

/** The download limits set by OPTBENCH_DOWNLOAD_IDLE_TIMEOUT and OPTBENCH_DOWNLOAD_TIMEOUT (seconds). */
function downloadLimitsFromEnv(env: NodeJS.ProcessEnv): Partial<DownloadLimits> {
  const seconds = (name: string): number | undefined => {
    const value = nonEmpty(env[name]);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!(parsed > 0) || !Number.isFinite(parsed)) {
      throw new DataConfigError(`${name}=${value} is not a number of seconds; set it to a positive number (e.g. ${name}=120) or unset it.`);
    }
    return parsed * 1000;
  };
  const idle = seconds(IDLE_TIMEOUT_ENV);
  const total = seconds(TOTAL_TIMEOUT_ENV);
  return { ...(idle !== undefined ? { idleTimeoutMs: idle } : {}), ...(total !== undefined ? { totalTimeoutMs: total } : {}) };
}

/** Limits for a download: the context's (a worker's context has none: the environment's then), else the defaults. */
function downloadLimitsOf(ctx: DataContext): DownloadLimits {
  return { ...DEFAULT_DOWNLOAD_LIMITS, ...downloadLimitsFromEnv(process.env), ...ctx.downloads };
}

/** Where `file` lives in the cache of `ctx`. */
export function cachePathFor(file: RemoteFile, ctx: DataContext): string {
  return path.join(ctx.cacheDir, ...file.id.split('/'));
}

/** Returns a verified local copy of `file`, downloading it if needed. */
export async function fetchFile(file: RemoteFile, ctx: DataContext): Promise<FetchedFile> {
  checkDataLocations(ctx);
  await removeStaleTempFiles(ctx);
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
 * The cache and a mirror directory must be directories (or, for the cache, creatable): a variable that
 * points at a file would otherwise surface as a raw ENOTDIR naming neither variable.
 */
function checkDataLocations(ctx: DataContext): void {
  const blocking = fileInTheWay(ctx.cacheDir);
  if (blocking !== undefined) {
    throw new DataConfigError(
      `The dataset cache directory ${ctx.cacheDir} cannot be used: ${blocking} is a file, not a directory. ` +
        `Point ${CACHE_DIR_ENV} at a directory (it is created when missing), or unset it for ${DEFAULT_CACHE_DIR}.`,
    );
  }
  if (ctx.mirror === undefined || isHttpUrl(ctx.mirror)) return;
  let isDirectory: boolean;
  try {
    isDirectory = statSync(ctx.mirror).isDirectory();
  } catch {
    return; // missing: each file reports the mirror as unusable and the download is tried
  }
  if (!isDirectory) {
    throw new DataConfigError(
      `${MIRROR_ENV}=${ctx.mirror} is a file, not a dataset mirror: point it at a directory laid out like ` +
        `../shared/datasets (fashion-mnist/, boston-housing/, imdb/, jena-climate/) or an http(s) base URL, or unset it.`,
    );
  }
}

const cleanedCaches = new Set<string>();

/**
 * Removes temp files that interrupted downloads and writes left in the cache (a killed run cannot clean
 * up after itself), once per cache per process. A temp file whose process still runs is another run's
 * download in progress and is kept, unless it is a day old (its pid was reused).
 */
async function removeStaleTempFiles(ctx: DataContext): Promise<void> {
  if (cleanedCaches.has(ctx.cacheDir)) return;
  cleanedCaches.add(ctx.cacheDir);
  let names: string[];
  try {
    names = (await readdir(ctx.cacheDir, { recursive: true })).filter((name) => TEMP_FILE.test(name));
  } catch {
    return; // no cache yet
  }
  const removed: string[] = [];
  for (const name of names) {
    const file = path.join(ctx.cacheDir, name);
    const pid = Number(TEMP_FILE.exec(name)![1]);
    try {
      const { mtimeMs } = await stat(file);
      if (processExists(pid) && Date.now() - mtimeMs < STALE_TEMP_AGE_MS) continue;
      await rm(file, { force: true });
      removed.push(name);
    } catch {
      // gone meanwhile, or the cache is read-only: nothing to clean then
    }
  }
  if (removed.length) ctx.log(`Removed ${removed.length} temp file(s) left in ${ctx.cacheDir} by interrupted downloads: ${removed.join(', ')}`);
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
  let removed: boolean;
  try {
    removed = await discardCachedFile(fetched, ctx);
  } catch (removal) {
    error.message += `${sentenceEnd}The bad copy could not be removed from the cache (${(removal as NodeJS.ErrnoException).code}): ` +
      `delete ${fetched.path} and run again to fetch it anew.`;
    return error;
  }
  if (removed) {
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

  // No trustworthy sidecar (e.g. a file copied in by hand): check the contents once (the size first,
  // so a huge wrong file is not read through).
  const actual = await checkedContents(file, cachePath, stats.size);
  const problem = integrityProblem(file, actual, 'sha256');
  if (problem) {
    ctx.log(`${file.id}: cached copy ${cachePath} is not the expected file (${problem}); removing it.`);
    try {
      await removeWithSidecar(cachePath);
    } catch (error) {
      throw new DataConfigError(`${file.id}: the cached copy ${cachePath} is not the expected file (${problem}) and cannot be removed ` +
        `(${(error as NodeJS.ErrnoException).code}): delete it, or point ${CACHE_DIR_ENV} at a writable directory.`);
    }
    return undefined;
  }
  const verification = verificationFor(file, 'sha256');
  await writeRecord(sidecarPath, cachePath, actual, verification, cachePath, ctx);
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

  const actual = await checkedContents(file, mirrorPath, stats.size);
  const problem = integrityProblem(file, actual, 'sha256');
  if (problem) {
    throw new DataIntegrityError(
      `Mirror file ${mirrorPath} is not ${file.id}: ${problem}. The mirror is corrupt or outdated; ` +
        `replace the file with the one from ${file.url}, or unset ${MIRROR_ENV} to download it.`,
    );
  }
  const verification = verificationFor(file, 'sha256');
  await writeRecord(sidecarPath, mirrorPath, actual, verification, mirrorPath, ctx);
  return { path: mirrorPath, source: 'mirror', verification, origin: mirrorPath };
}

/**
 * Streams `url` to a temp file next to `cachePath`, verifies it as `file` requires for this source,
 * then renames it into place. Transport failures and timeouts throw SourceUnavailable (the next source
 * is tried); a transfer with the wrong size or hash throws DataIntegrityError. The transfer stops as soon
 * as it passes the file's size bound, so a server sending an endless body never fills the disk.
 */
async function downloadTo(
  file: RemoteFile,
  url: string,
  source: 'mirror' | 'download',
  cachePath: string,
  ctx: DataContext,
): Promise<FetchedFile> {
  const expectation: Verification = source === 'mirror' ? file.mirrorVerification : 'sha256';
  const bound = sizeBound(file, expectation);
  const transfer = startTransfer(url, downloadLimitsOf(ctx));
  try {
    const response = await requestFile(url, transfer);
    const declaredLength = Number(response.headers.get('content-length'));
    if (declaredLength > bound.bytes) {
      await response.body.cancel();
      throw new DataIntegrityError(
        `${url} announces ${declaredLength} bytes for ${file.id}, more than ${bound.why} (${bound.bytes} bytes); nothing was downloaded. ` +
          `The server is serving another file; point ${MIRROR_ENV} at a verified mirror (e.g. ../shared/datasets) or fix the server.`,
      );
    }
    const tempPath = `${cachePath}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
    try {
      makeDirectory(path.dirname(cachePath));
    } catch (error) {
      throw cacheNotWritable(ctx, error);
    }
    const progress = startProgress(`${file.id}`, declaredLength > 0 ? declaredLength : file.size, ctx);
    const meter = digestingMeter('sha256', (bytes) => progress.update(bytes));
    try {
      await pipeline(
        Readable.fromWeb(response.body as WebReadableStream), transfer.guard(bound.bytes), meter.stream, createWriteStream(tempPath, { flags: 'wx' }),
      );
    } catch (error) {
      await rm(tempPath, { force: true }).catch(() => {});
      if (error instanceof SizeBoundExceeded) {
        throw new DataIntegrityError(
          `Downloaded ${file.id} from ${url} is not the expected file: the server sent more than ${bound.why} (${bound.bytes} bytes), ` +
            `so the download was stopped there and nothing was cached. Point ${MIRROR_ENV} at a verified mirror (e.g. ../shared/datasets) or fix the server.`,
        );
      }
      if (isWriteError(error)) throw cacheNotWritable(ctx, error);
      const stopped = transfer.stopReason();
      throw new SourceUnavailable(stopped
        ? `download of ${url} was stopped after ${meter.bytes()} bytes: ${stopped}`
        : `download of ${url} broke off after ${meter.bytes()} bytes (${describeCause(error)})`);
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
    await writeRecord(cacheSidecarPath(cachePath), cachePath, actual, verification, url, ctx);
    ctx.log(`${file.id}: saved ${received} bytes from ${url} to ${cachePath}`);
    return { path: cachePath, source, verification, origin: url };
  } finally {
    transfer.end();
  }
}

/** The most bytes a download of `file` may bring, and why, for the message when a server sends more. */
function sizeBound(file: RemoteFile, expectation: Verification): { bytes: number; why: string } {
  if (expectation !== 'structure' && file.size !== undefined) return { bytes: file.size, why: `its known size` };
  if (file.maxSize !== undefined) return { bytes: file.maxSize, why: `the ceiling for ${file.id} (src/data/datasets.ts)` };
  return { bytes: UNKNOWN_SIZE_CEILING, why: 'the ceiling for files of unknown size (UNKNOWN_SIZE_CEILING in src/data/fetch.ts)' };
}

/** A server sent more bytes than the file may have. */
class SizeBoundExceeded extends Error {
  override name = 'SizeBoundExceeded';
}

/**
 * The clock of one download: the headers, idle and total limits abort the request (and so the body
 * stream) with a reason; `guard` counts the body bytes, re-arms the idle limit on each chunk and stops
 * the stream before a chunk would pass the size bound.
 */
function startTransfer(url: string, limits: DownloadLimits) {
  const controller = new AbortController();
  let reason: string | undefined;
  const stop = (why: string) => {
    reason ??= why;
    controller.abort(new Error(why));
  };
  const seconds = (ms: number) => `${Number((ms / 1000).toPrecision(3))} s`;
  const timer = (ms: number, why: string) => {
    const handle = setTimeout(() => stop(why), ms);
    handle.unref(); // never keeps the process alive by itself
    return handle;
  };
  const total = timer(limits.totalTimeoutMs, `not finished within ${seconds(limits.totalTimeoutMs)} (${TOTAL_TIMEOUT_ENV} raises the limit)`);
  let idle = timer(limits.headersTimeoutMs, `no response within ${seconds(limits.headersTimeoutMs)}`);
  const rearmIdle = () => {
    clearTimeout(idle);
    idle = timer(limits.idleTimeoutMs, `no data for ${seconds(limits.idleTimeoutMs)} (${IDLE_TIMEOUT_ENV} raises the limit)`);
  };
  return {
    url,
    signal: controller.signal,
    /** The headers arrived: from now on the idle limit applies. */
    headersReceived: rearmIdle,
    stopReason: () => reason,
    guard(maxBytes: number): Transform {
      let bytes = 0;
      return new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          rearmIdle();
          bytes += chunk.length;
          callback(bytes > maxBytes ? new SizeBoundExceeded(`more than ${maxBytes} bytes`) : null, bytes > maxBytes ? undefined : chunk);
        },
      });
    },
    end() {
      clearTimeout(total);
      clearTimeout(idle);
      if (!controller.signal.aborted) controller.abort(); // closes the connection of a download that failed midway
    },
  };
}

async function requestFile(url: string, transfer: ReturnType<typeof startTransfer>): Promise<Response & { body: ReadableStream<Uint8Array> }> {
  let response: Response;
  try {
    response = await fetch(url, { signal: transfer.signal });
  } catch (error) {
    const stopped = transfer.stopReason();
    throw new SourceUnavailable(stopped ? `request of ${url} was stopped: ${stopped}` : `cannot reach ${url} (${describeCause(error)})`);
  }
  transfer.headersReceived();
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new SourceUnavailable(`${url} answered HTTP ${response.status} ${response.statusText}`.trim());
  }
  return response as Response & { body: ReadableStream<Uint8Array> };
}

/** An error of the local file system (not of the network) while writing the download. */
function isWriteError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EEXIST'].includes(code);
}

/** The cache cannot take a download: say which directory, why, and the ways out. */
function cacheNotWritable(ctx: DataContext, error: unknown): DataConfigError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new DataConfigError(
    `Cannot write to the dataset cache ${ctx.cacheDir} (${code}). Make it writable, point ${CACHE_DIR_ENV} at a ` +
      `writable directory, or set ${MIRROR_ENV} to a local mirror directory (its files are used in place, no copy is written).`,
  );
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

/**
 * Records a successful check. Only a shortcut for later runs: when the cache cannot be written (read-only,
 * full) the verified file is still used, and the next run checks it again.
 */
async function writeRecord(
  sidecarPath: string,
  filePath: string,
  actual: { size: number; sha256: string },
  verification: Verification,
  origin: string,
  ctx: DataContext,
): Promise<void> {
  const { mtimeMs } = await stat(filePath);
  const record: VerifiedRecord = {
    path: filePath,
    ...actual,
    mtimeMs,
    verification,
    origin,
  };
  try {
    await writeFileAtomic(sidecarPath, `${JSON.stringify(record, null, 2)}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    ctx.log(`warning: ${filePath} is verified and used, but the record of it cannot be written to ${sidecarPath} (${code ?? (error as Error).message}); ` +
      `the next run checks the file again. Make ${ctx.cacheDir} writable or point ${CACHE_DIR_ENV} at a writable directory to skip that.`);
  }
}

function cacheSidecarPath(filePath: string): string {
  return `${filePath}.verified.json`;
}

async function removeWithSidecar(filePath: string): Promise<void> {
  await rm(cacheSidecarPath(filePath), { force: true });
  await rm(filePath, { force: true });
}

/** Size and sha256 of a file, hashing it only when its size is right (a huge wrong file is not read through). */
async function checkedContents(file: RemoteFile, filePath: string, size: number): Promise<{ size: number; sha256: string }> {
  const wrongSize = file.size !== undefined && size !== file.size;
  return { size, sha256: wrongSize ? 'not computed (wrong size)' : await hashFile(filePath) };
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
    // ENOTDIR: a part of the path is a file (a mirror laid out wrongly): the file is not there either.
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
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
