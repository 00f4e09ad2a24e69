/** The one message an interrupted run prints: what was kept, and the exact command that continues it. */
import path from 'node:path';
import type { RunInterruptedError } from '../train/errors.js';

const SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

/** A word as a POSIX shell reads it back. */
export function shellQuote(word: string): string {
  return SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that continues the run: the same arguments, with any --resume replaced by
 * `--resume <runDir>` (or a bare `--resume` for `all`, which continues each experiment's newest run).
 */
export function resumeCommand(args: readonly string[], options: { runDir: string; all: boolean; resumeValue?: string | boolean; cwd?: string }): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--resume=')) continue;
    if (args[i] === '--resume') {
      if (typeof options.resumeValue === 'string' && args[i + 1] === options.resumeValue) i++;
      continue;
    }
    kept.push(args[i]);
  }
  const relative = path.relative(options.cwd ?? process.cwd(), options.runDir);
  const dir = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : options.runDir;
  const resume = options.all ? ['--resume'] : ['--resume', dir];
  return `npm run experiment -- ${[...kept, ...resume].map(shellQuote).join(' ')}`;
}

export function interruptMessage(error: RunInterruptedError, command: string): string {
  const total = error.finished.length + error.saved.length + error.notStarted.length;
  const lines = [`\nStopped by ${error.signal}. Kept in ${error.runDir}:`];
  lines.push(`  finished: ${error.finished.length ? `${error.finished.join(', ')} (${error.finished.length} of ${total} units, in units/)` : `none of ${total} units`}`);
  if (error.saved.length) lines.push(`  saved at the end of an epoch (checkpoints/): ${error.saved.map((unit) => `${unit.id} after epoch ${unit.epoch} of ${error.epochs}`).join(', ')}`);
  if (error.notStarted.length) lines.push(`  nothing saved yet (start from epoch 1): ${error.notStarted.join(', ')}`);
  lines.push(`Continue with:\n  ${command}`);
  return lines.join('\n');
}
