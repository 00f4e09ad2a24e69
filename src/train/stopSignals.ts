/**
 * The signals that stop a run (Ctrl-C's SIGINT, SIGTERM) and the exit codes that report them, as shells
 * do (128 + the signal's number). Workers exit with these codes so the parent knows why they stopped.
 */
export const STOP_SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof STOP_SIGNAL_EXIT_CODES;
