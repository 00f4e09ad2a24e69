/**
 * The one way optbench writes a file: a temp file beside it, every byte written, fsync, rename. Readers
 * see the old file or the new one, never part of one, even when the process is killed mid-write or the
 * disk fills up.
 *
 * Not write-file-atomic: it issues a single write(2) and renames whatever that wrote, and on a nearly
 * full disk write(2) writes part of the data without failing, so a truncated file replaced a good one
 * (seen on a 96 KiB tmpfs: a 34 KB PNG renamed into place at 16,384 bytes). Node's writeFile on a
 * descriptor loops until every byte is written or an error is raised.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { OutputWriteError } from './errors.js';

/**
 * The deepest existing part of `target` when it is not a directory (a file where a directory must go), or
 * undefined when every existing part is a directory and the rest can be created.
 */
export function fileInTheWay(target: string): string | undefined {
  for (let current = path.resolve(target); ; current = path.dirname(current)) {
    try {
      return statSync(current).isDirectory() ? undefined : current;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined; // e.g. EACCES: the write will say so
    }
    if (path.dirname(current) === current) return undefined;
  }
}

/**
 * `mkdir -p` that reports why it failed. Node's recursive mkdir says ENOENT when a directory cannot be
 * created on a read-only file system (EROFS) or without permission (EACCES); creating the first missing
 * directory alone gives the real reason. Returns the first directory created, as mkdirSync does.
 */
export function makeDirectory(dir: string): string | undefined {
  try {
    return mkdirSync(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = path.resolve(dir);
    while (!existsSync(path.dirname(missing)) && path.dirname(missing) !== missing) missing = path.dirname(missing);
    mkdirSync(missing); // throws the real reason (EROFS, EACCES...)
    throw error;
  }
}

/** `<file>.<pid>.<random>.tmp`: unique per process and call, so concurrent writers never share one. */
function tempPathFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function wrapped(file: string, error: unknown): OutputWriteError {
  return new OutputWriteError(file, (error as NodeJS.ErrnoException).code, error);
}

/**
 * Removes a temp file after a failed write. Its own failure (ENOTDIR when a part of the path is a file,
 * EACCES...) is ignored: the write's error is the one that says what went wrong.
 */
function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // nothing was written there, or nothing can be: the original error is reported
  }
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temp = tempPathFor(file);
  try {
    makeDirectory(path.dirname(file));
    const fd = openSync(temp, 'wx');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    removeQuietly(() => rmSync(temp, { force: true }));
    throw wrapped(file, error);
  }
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(file);
  try {
    makeDirectory(path.dirname(file));
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw wrapped(file, error);
  }
}
