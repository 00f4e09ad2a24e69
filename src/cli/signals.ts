/**
 * Stopping a command as a whole, whatever process of its tree is signalled.
 *
 * `npm run experiment` is npm → sh → node (this process) → worker processes. A signal sent to npm alone
 * (`kill -TERM <npm>`, a CI runner's timeout) kills npm and its shell but never reaches node, which
 * would train on as an orphan. So every command watches the processes that launched it (its parent and,
 * above it, the shells and node processes of the launcher: npm, npx, tsx) and stops as if it got SIGTERM
 * when one of them is gone. Workers watch their parent through their IPC channel (./../train/workerMain.ts).
 */
import { readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

import { STOP_SIGNAL_EXIT_CODES, type StopSignal } from '../train/stopSignals.js';

const WATCH_INTERVAL_MS = 500;
/** After a stop signal, the process exits at the latest this much later even if cleanup hangs. */
export const FORCED_EXIT_MS = 4000;

export interface ProcessInfo {
  ppid: number;
  /** Executable's base name (node, sh, bash...). */
  exe: string;
}

/** Parent pid and executable of a process, from /proc; null where unknown (gone, a zombie, or not Linux). */
function processInfo(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after its last ')'.
    const [state, ppidField] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has exited; only its parent has not collected it yet.
    if (state === 'Z') return null;
    const ppid = Number(ppidField);
    let exe = '';
    try {
      exe = path.basename(readlinkSync(`/proc/${pid}/exe`));
    } catch {
      // Another user's process: its executable is unreadable, and it is no launcher of ours.
    }
    return Number.isInteger(ppid) ? { ppid, exe } : null;
  } catch {
    return null;
  }
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh']);
const NODE = path.basename(process.execPath);

/**
 * The processes whose end means this command must stop: the parent and each ancestor above it, as long
 * as they are part of a launcher — a node process (npm, npx, tsx, a test runner) or the shell a node
 * process started for a script. A user's own shell is not: a command started from it directly, or with
 * nohup, is left to the user (the terminal's signals reach it anyway).
 */
export function launcherChain(info: (pid: number) => ProcessInfo | null = processInfo, ppid = process.ppid): number[] {
  const isLauncher = (self: ProcessInfo): boolean => {
    if (self.exe === NODE) return true;
    return SHELLS.has(self.exe) && info(self.ppid)?.exe === NODE;
  };
  const chain: number[] = [];
  for (let pid = ppid; pid > 1 && chain.length < 16;) {
    const self = info(pid);
    if (!self || !isLauncher(self)) break;
    chain.push(pid);
    pid = self.ppid;
  }
  return chain;
}

/** True while every link of the chain stands: each process is still the child of the next, the last alive. */
export function chainIntact(chain: readonly number[], info: (pid: number) => ProcessInfo | null = processInfo, ppid = process.ppid): boolean {
  if (chain.length === 0) return true;
  if (ppid !== chain[0]) return false;
  for (let i = 0; i < chain.length - 1; i++) {
    if (info(chain[i])?.ppid !== chain[i + 1]) return false;
  }
  return info(chain[chain.length - 1]) !== null;
}

/**
 * Calls `onGone` once when a process of the launcher chain is gone. The timer does not keep the process
 * alive. Returns a function that stops watching.
 */
export function watchLaunchers(onGone: () => void): () => void {
  const chain = launcherChain();
  const timer = setInterval(() => {
    if (chainIntact(chain)) return;
    clearInterval(timer);
    onGone();
  }, WATCH_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Turns SIGINT and SIGTERM into `controller.abort(signal)` (the run stops between batches and says what
 * it kept); a forced exit follows after FORCED_EXIT_MS if cleanup hangs. Returns a function that removes
 * the handlers.
 */
export function abortOnSignals(controller: AbortController): () => void {
  const handlers = (Object.keys(STOP_SIGNAL_EXIT_CODES) as StopSignal[]).map((signal) => {
    const handler = () => {
      if (controller.signal.aborted) return;
      controller.abort(signal);
      setTimeout(() => {
        process.stderr.write(`\nStopped by ${signal} (forced: cleaning up took over ${FORCED_EXIT_MS / 1000} s). Finished units and epochs are in the run directory; continue with --resume.\n`);
        process.exit(STOP_SIGNAL_EXIT_CODES[signal]);
      }, FORCED_EXIT_MS).unref();
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
