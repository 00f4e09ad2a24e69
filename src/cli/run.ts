/**
 * The exit-code contract every optbench command keeps: 0 success or help, 2 bad input (an unknown name,
 * a malformed value, an unreadable results file...), 1 any other failure. Commands name their own
 * bad-input error classes. Errors print their message, which says what to fix; OPTBENCH_DEBUG=1 adds the stack.
 */
import type { Command } from 'commander';
import { InvalidResultsError } from '../results/errors.js';
import { UnsupportedResultsVersionError } from '../results/errors.js';
import { UsageError } from './errors.js';
import { watchLaunchers } from './signals.js';

type ErrorClass = abstract new (...args: never[]) => Error;

const ALWAYS_BAD_INPUT: ErrorClass[] = [UsageError, InvalidResultsError, UnsupportedResultsVersionError];

export const EXIT_BAD_INPUT = 2;

export async function runCommand(program: Command, options: {
  /**
   * Errors that mean the user's input was wrong (exit 2), beyond the common ones: a class, or the name of
   * one whose module the command loads only after parsing its arguments.
   */
  badInput?: (ErrorClass | string)[];
  /** Exit code for any other error; the convergence check uses 2 so that 1 always means "regressed". */
  otherErrorExit?: number;
} = {}): Promise<void> {
  program.exitOverride();
  // Stop as on SIGTERM when the processes that launched this one are gone (./signals.ts).
  const stopWatching = watchLaunchers(() => process.kill(process.pid, 'SIGTERM'));
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code?.startsWith('commander.')) {
      // commander has printed its own message (or the help) already.
      process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : EXIT_BAD_INPUT;
      return;
    }
    const badInput = [...ALWAYS_BAD_INPUT, ...(options.badInput ?? [])]
      .some((type) => (typeof type === 'string' ? (error as Error | undefined)?.name === type : error instanceof type));
    // Messages say what went wrong and what to do; the stack is for debugging optbench itself.
    const message = error instanceof Error ? (process.env.OPTBENCH_DEBUG ? error.stack ?? error.message : error.message) : String(error);
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = badInput ? EXIT_BAD_INPUT : options.otherErrorExit ?? 1;
  } finally {
    stopWatching();
  }
}
