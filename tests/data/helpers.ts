/** Shared set-up for data tests: throw-away cache directories and the real dataset mirror. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataContext } from '../../src/data/types.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The dataset mirror the loader tests read: `OPTBENCH_DATA_MIRROR` when set, else ../shared/datasets
 * next to the clone (where CI provides it).
 */
export function testMirrorDir(): string {
  const fromEnv = process.env.OPTBENCH_DATA_MIRROR;
  return fromEnv ? path.resolve(fromEnv) : path.resolve(REPO_ROOT, '..', 'shared', 'datasets');
}

export interface TempDataContext extends DataContext {
  messages: string[];
  cleanup(): Promise<void>;
}

/** A data context with an empty cache directory of its own; log messages are collected. */
export async function tempDataContext(mirror?: string): Promise<TempDataContext> {
  const cacheDir = await mkdtemp(path.join(tmpdir(), 'optbench-cache-'));
  const messages: string[] = [];
  return {
    mirror,
    cacheDir,
    log: (message) => messages.push(message),
    messages,
    cleanup: () => rm(cacheDir, { recursive: true, force: true }),
  };
}

/** Every regular file under `dir`, as paths relative to it. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}
