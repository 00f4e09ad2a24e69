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
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { OutputWriteError } from './errors.js';

/** `<file>.<pid>.<random>.tmp`: unique per process and call, so concurrent writers never share one. */
function tempPathFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function wrapped(file: string, error: unknown): OutputWriteError {
  return new OutputWriteError(file, (error as NodeJS.ErrnoException).code, error);
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  const temp = tempPathFor(file);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(temp, 'wx');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw wrapped(file, error);
  }
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(file);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw wrapped(file, error);
  }
}
