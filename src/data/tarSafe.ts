/**
 * Reads files out of a (gzipped) tar archive as a stream, refusing archives with entries that would
 * land outside an extraction directory. Nothing is written to disk: reading reviews straight from the
 * stream is much faster than extracting ~100k small files, but an archive that carries absolute paths,
 * `..` components or links pointing outside its root is hostile or broken either way, so it is rejected
 * before any of its contents are used.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { DataFormatError, UnsafeArchiveError } from './errors.js';

/** What the safety check needs to know about one archive entry. */
export interface TarEntryHeader {
  path: string;
  type: string;
  linkpath?: string;
}

/** Why extracting `entry` into some directory would touch a path outside it; undefined when it would not. */
export function unsafeEntryReason(entry: TarEntryHeader): string | undefined {
  const pathProblem = pathEscapeReason(entry.path);
  if (pathProblem) return `its path ${pathProblem}`;
  if (entry.linkpath === undefined) return undefined;
  if (entry.type === 'SymbolicLink') {
    // A symlink target is relative to the link's own directory.
    if (isAbsolute(entry.linkpath)) return `it is a symbolic link to the absolute path '${entry.linkpath}'`;
    const target = path.posix.join(path.posix.dirname(entry.path), entry.linkpath);
    if (escapesRoot(target)) return `it is a symbolic link to '${entry.linkpath}', outside the archive root`;
  }
  if (entry.type === 'Link') {
    // A hard-link target is a path inside the archive, relative to its root.
    const linkProblem = pathEscapeReason(entry.linkpath);
    if (linkProblem) return `it is a hard link whose target ${linkProblem}`;
  }
  return undefined;
}

/** How much an archive may unpack to: memory holds one wanted file at a time, the total bounds the time. */
export interface TarLimits {
  /** Largest wanted file (its contents are held in memory). */
  maxFileBytes: number;
  /** Largest sum of all entries' sizes, wanted or not. */
  maxTotalBytes: number;
}

/**
 * Streams `archivePath` (tar or tar.gz), checks every entry with `unsafeEntryReason`, and hands the
 * contents of each regular file whose path `wanted` accepts to `onFile`, in archive order.
 * Rejects with UnsafeArchiveError on the first unsafe entry and with DataFormatError when the file is
 * not a complete, readable tar archive or passes `limits` (checked on each entry's header, before its
 * contents are read).
 */
export async function readTarFiles(
  archivePath: string,
  wanted: (entryPath: string) => boolean,
  onFile: (entryPath: string, content: Buffer) => void,
  limits: TarLimits = { maxFileBytes: 64 * 2 ** 20, maxTotalBytes: 2 * 2 ** 30 },
): Promise<void> {
  let totalBytes = 0;
  const parser: tar.Parser = tar.t({
    strict: true,
    onReadEntry: (entry) => {
      totalBytes += entry.size ?? 0;
      if (totalBytes > limits.maxTotalBytes) {
        parser.abort(new DataFormatError(
          `Refusing to read ${archivePath}: its entries add up to more than ${limits.maxTotalBytes} bytes (at '${entry.path}'), ` +
            `far more than the dataset holds. The archive is not the dataset (or a decompression bomb); delete it and fetch it again.`,
        ));
        return;
      }
      const wantedFile = isRegularFile(entry.type) && wanted(entry.path);
      if (wantedFile && (entry.size ?? 0) > limits.maxFileBytes) {
        parser.abort(new DataFormatError(
          `Refusing to read ${archivePath}: entry '${entry.path}' is ${entry.size} bytes, more than the ${limits.maxFileBytes} ` +
            `bytes such a file may have; it was not read. The archive is not the dataset; delete it and fetch it again.`,
        ));
        return;
      }
      const reason = unsafeEntryReason(entry);
      if (reason) {
        parser.abort(
          new UnsafeArchiveError(
            `Refusing to read ${archivePath}: entry '${entry.path}' would be written outside the ` +
              `extraction directory (${reason}). The archive is corrupt or was tampered with; delete it ` +
              `and fetch the dataset again from its canonical URL.`,
          ),
        );
        return;
      }
      if (!wantedFile) return; // tar.t drains skipped entries
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => {
        try {
          onFile(entry.path, Buffer.concat(chunks));
        } catch (error) {
          parser.abort(error as Error); // an exception thrown here would escape the stream machinery
        }
      });
    },
  });
  const input = createReadStream(archivePath);
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      input.destroy();
      reject(error);
    };
    input.on('error', fail);
    parser.on('error', fail);
    parser.on('end', () => resolve());
    input.pipe(parser);
  }).catch((error: unknown) => {
    if (error instanceof DataFormatError) throw error;
    throw new DataFormatError(
      `${archivePath} is not a complete, readable tar archive (${(error as Error).message}). ` +
        `Delete it and fetch the dataset again.`,
      { cause: error },
    );
  });
}

function isRegularFile(type: string): boolean {
  return type === 'File' || type === 'OldFile' || type === 'ContiguousFile';
}

/** Why `entryPath` is not a plain relative path inside the root, or undefined when it is. */
function pathEscapeReason(entryPath: string): string | undefined {
  if (isAbsolute(entryPath)) return `'${entryPath}' is absolute`;
  // Any '..' is refused, as node-tar's own extraction does, even when it would stay inside.
  if (entryPath.split(/[\\/]/).includes('..')) return `'${entryPath}' contains '..'`;
  return undefined;
}

/** POSIX or Windows absolute path (a drive letter or UNC prefix would also escape on Windows). */
function isAbsolute(entryPath: string): boolean {
  return path.posix.isAbsolute(entryPath) || path.win32.isAbsolute(entryPath);
}

function escapesRoot(relativePath: string): boolean {
  const normalized = path.posix.normalize(relativePath);
  return normalized === '..' || normalized.startsWith('../');
}
