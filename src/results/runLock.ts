/**
 * One process trains a run directory at a time: two `--resume` of one run at once would train the same
 * units twice and race on results.json. A run holds `<runDir>/run.lock` while it trains; the lock says
 * who holds it (pid, host, start time), so a second process can tell the user.
 *
 * The lock is a symbolic link whose target is that record (as Emacs locks files): creating it is atomic
 * (it fails if the name exists), it is never seen half-written, and it takes no data block, so a run on a
 * nearly full disk fails on its own files with the usual message rather than on its lock.
 *
 * A lock whose process no longer exists on this host (killed with `kill -9`, out of memory) is stale and
 * taken over with a note. A lock of another host (a run directory on a shared volume) is never taken
 * over: its pid means nothing here, so the user is told to delete it once that run is known to be gone.
 */
import { readlinkSync, renameSync, rmdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDirectory } from '../common/atomicWrite.js';
import { OutputWriteError } from '../common/errors.js';
import { processExists } from '../common/processes.js';
import { RunLockedError, type RunLockHolder } from './errors.js';

export const LOCK_FILE = 'run.lock';

function readHolder(lockFile: string): RunLockHolder | undefined {
  try {
    const holder = JSON.parse(readlinkSync(lockFile)) as Partial<RunLockHolder>;
    if (typeof holder.pid === 'number' && typeof holder.host === 'string') {
      return { pid: holder.pid, host: holder.host, startedAt: String(holder.startedAt) };
    }
  } catch {
    // gone, or not a lock this version wrote
  }
  return undefined;
}

/** A holder that cannot be running any more: on this host, and its pid is gone. An unreadable lock (not ours) is stale too. */
function isStale(holder: RunLockHolder | undefined): boolean {
  if (!holder) return true;
  return holder.host === os.hostname() && holder.pid !== process.pid && !processExists(holder.pid);
}

const sameHolder = (a: RunLockHolder | undefined, b: RunLockHolder | undefined) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Takes `<runDir>/run.lock` (creating runDir) and returns the function that releases it; the lock is also
 * released if the process exits without calling it. Throws RunLockedError when a live process holds it.
 */
export function acquireRunLock(runDir: string, note: (line: string) => void): () => void {
  const lockFile = path.join(runDir, LOCK_FILE);
  const me: RunLockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  let firstCreated: string | undefined;
  try {
    firstCreated = makeDirectory(runDir);
  } catch (error) {
    throw new OutputWriteError(runDir, (error as NodeJS.ErrnoException).code, error);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(lockFile, me)) {
      const release = () => {
        process.off('exit', release);
        if (sameHolder(readHolder(lockFile), me)) rmSync(lockFile, { force: true });
        if (firstCreated !== undefined) removeEmptyDirectories(runDir, firstCreated);
      };
      process.once('exit', release);
      return release;
    }
    const holder = readHolder(lockFile);
    if (!isStale(holder)) throw new RunLockedError(lockFile, holder!, holder!.host === os.hostname());
    takeOver(lockFile, holder, note);
  }
  const holder = readHolder(lockFile) ?? { pid: 0, host: 'unknown', startedAt: 'unknown' };
  throw new RunLockedError(lockFile, holder, holder.host === os.hostname());
}

/** A run that wrote nothing (its data was unavailable) leaves no empty directories behind. */
function removeEmptyDirectories(from: string, upTo: string): void {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty: the run wrote something
    }
    if (dir === upTo || path.dirname(dir) === dir) return;
  }
}

/** Creates the lock holding `me`; false when it exists already. */
function tryCreate(lockFile: string, me: RunLockHolder): boolean {
  try {
    symlinkSync(JSON.stringify(me), lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new OutputWriteError(lockFile, (error as NodeJS.ErrnoException).code, error);
  }
}

/**
 * Moves a stale lock aside (rename is atomic: of two processes taking over, one wins). If what was moved
 * is not the lock judged stale (another process took over in between and wrote its own), it is put back.
 */
function takeOver(lockFile: string, stale: RunLockHolder | undefined, note: (line: string) => void): void {
  const aside = `${lockFile}.stale-${process.pid}`;
  try {
    renameSync(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // released or taken meanwhile: try again
    throw new OutputWriteError(lockFile, (error as NodeJS.ErrnoException).code, error);
  }
  const moved = readHolder(aside);
  if (!sameHolder(moved, stale)) {
    try {
      symlinkSync(readlinkSync(aside), lockFile);
    } catch {
      // someone created a lock meanwhile: theirs stands
    }
    rmSync(aside, { force: true });
    return;
  }
  rmSync(aside, { force: true });
  note(stale
    ? `note: took over ${lockFile} left by pid ${stale.pid} on ${stale.host} (started ${stale.startedAt}), which is no longer running.`
    : `note: took over ${lockFile}, which was unreadable (left by a crashed run).`);
}
