/** Which processes a command watches, and when it decides they are gone. */
import { describe, expect, it } from 'vitest';
import { chainIntact, launcherChain, type ProcessInfo } from '../../src/cli/signals.js';

/** A fake process table: pid → (ppid, executable). */
const table = (entries: Record<number, [number, string]>) => (pid: number): ProcessInfo | null =>
  (entries[pid] ? { ppid: entries[pid][0], exe: entries[pid][1] } : null);

// sshd(10) → bash(20) → npm(30, node) → sh(40) → this CLI (ppid 40).
const npmRun = { 10: [1, 'sshd'], 20: [10, 'bash'], 30: [20, 'node'], 40: [30, 'sh'] } as Record<number, [number, string]>;

describe('launcherChain', () => {
  it('watches npm\'s shell and npm, not the user\'s shell (a nohup run outlives its terminal)', () => {
    expect(launcherChain(table(npmRun), 40)).toEqual([40, 30]);
  });

  it('watches tsx and npx (node processes) above the CLI', () => {
    expect(launcherChain(table({ ...npmRun, 50: [40, 'node'] }), 50)).toEqual([50, 40, 30]);
  });

  it('watches nothing when started from a user\'s shell directly', () => {
    expect(launcherChain(table(npmRun), 20)).toEqual([]);
  });
});

describe('chainIntact', () => {
  it('breaks when the parent changed (it died and this process was re-parented)', () => {
    expect(chainIntact([40, 30], table(npmRun), 40)).toBe(true);
    expect(chainIntact([40, 30], table(npmRun), 1)).toBe(false);
  });

  it('breaks when a process above the parent died (npm killed while its shell lives on)', () => {
    expect(chainIntact([40, 30], table({ ...npmRun, 40: [1, 'sh'] }), 40)).toBe(false);
  });

  it('holds for an empty chain (nothing watched)', () => {
    expect(chainIntact([], table(npmRun), 1)).toBe(true);
  });
});
