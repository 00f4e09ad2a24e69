import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../../src/data/errors.js';
import { readTarFiles, unsafeEntryReason } from '../../src/data/tarSafe.js';
import { UnsafeArchiveError } from '../../src/data/errors.js';
import { craftTarGz, type CraftedEntry } from '../fixtures/tarballs.js';

describe('unsafeEntryReason', () => {
  it('accepts plain relative paths and links that stay inside the archive', () => {
    expect(unsafeEntryReason({ path: 'aclImdb/train/pos/0_9.txt', type: 'File' })).toBeUndefined();
    expect(unsafeEntryReason({ path: 'a/b/link', type: 'SymbolicLink', linkpath: '../c' })).toBeUndefined();
    expect(unsafeEntryReason({ path: 'a/hard', type: 'Link', linkpath: 'a/b/file' })).toBeUndefined();
  });

  it.each([
    ['an absolute POSIX path', { path: '/etc/cron.d/evil', type: 'File' }, /absolute/],
    ['an absolute Windows path', { path: 'C:\\Windows\\evil.dll', type: 'File' }, /absolute/],
    ['a leading ..', { path: '../evil.txt', type: 'File' }, /contains '\.\.'/],
    ['a .. in the middle', { path: 'aclImdb/../../evil.txt', type: 'File' }, /contains '\.\.'/],
    ['a symlink leaving the root', { path: 'a/link', type: 'SymbolicLink', linkpath: '../../etc' }, /outside/],
    ['a symlink to an absolute path', { path: 'a/link', type: 'SymbolicLink', linkpath: '/etc/passwd' }, /absolute/],
    ['a hard link leaving the root', { path: 'a/hard', type: 'Link', linkpath: '../secret' }, /hard link/],
    ['a hard link to an absolute path', { path: 'a/hard', type: 'Link', linkpath: '/etc/shadow' }, /hard link/],
  ])('refuses %s', (_label, entry, reason) => {
    expect(unsafeEntryReason(entry)).toMatch(reason);
  });
});

describe('readTarFiles on crafted archives', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'optbench-tar-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function archive(name: string, entries: CraftedEntry[]): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, craftTarGz(entries));
    return file;
  }

  async function readAll(file: string): Promise<Map<string, string>> {
    const files = new Map<string, string>();
    await readTarFiles(file, (entryPath) => entryPath.endsWith('.txt'), (entryPath, content) => {
      files.set(entryPath, content.toString('utf8'));
    });
    return files;
  }

  it('hands over the contents of the wanted regular files only', async () => {
    const file = await archive('good.tar.gz', [
      { path: 'root/', type: 'Directory' },
      { path: 'root/a.txt', content: 'alpha' },
      { path: 'root/skip.md', content: 'not wanted' },
      { path: 'root/big.txt', content: 'x'.repeat(1500) }, // spans several 512-byte blocks
      { path: 'root/inside-link.txt', type: 'SymbolicLink', linkpath: 'a.txt' },
    ]);
    expect(await readAll(file)).toEqual(
      new Map([
        ['root/a.txt', 'alpha'],
        ['root/big.txt', 'x'.repeat(1500)],
      ]),
    );
  });

  it.each<[string, CraftedEntry]>([
    ['a .. path', { path: 'root/../../evil.txt', content: 'pwned' }],
    ['an absolute path', { path: '/tmp/evil.txt', content: 'pwned' }],
    ['a symlink pointing out', { path: 'root/escape', type: 'SymbolicLink', linkpath: '../../../etc' }],
    ['a hard link pointing out', { path: 'root/hard.txt', type: 'Link', linkpath: '../outside.txt' }],
  ])('rejects the whole archive when one entry has %s', async (label, bad) => {
    const file = await archive(`bad-${label.replaceAll(' ', '-')}.tar.gz`, [
      { path: 'root/a.txt', content: 'alpha' },
      bad,
      { path: 'root/b.txt', content: 'beta' },
    ]);
    const attempt = readAll(file);
    await expect(attempt).rejects.toThrow(UnsafeArchiveError);
    await expect(attempt).rejects.toThrow(`entry '${bad.path}' would be written outside the extraction directory`);
  });

  it('reports a truncated archive as a DataFormatError instead of returning partial contents', async () => {
    const complete = craftTarGz([
      { path: 'root/a.txt', content: 'a'.repeat(5000) },
      { path: 'root/b.txt', content: 'b'.repeat(5000) },
    ]);
    const file = path.join(dir, 'truncated.tar.gz');
    await writeFile(file, complete.subarray(0, Math.floor(complete.length / 2)));
    await expect(readAll(file)).rejects.toThrow(DataFormatError);
  });

  it('reports a file that is not a tar archive as a DataFormatError naming the file', async () => {
    const file = path.join(dir, 'not-a-tar.tar.gz');
    await writeFile(file, 'this is an HTML error page, not an archive\n'.repeat(40));
    await expect(readAll(file)).rejects.toThrow(/not-a-tar\.tar\.gz is not a complete, readable tar archive/);
  });
});
