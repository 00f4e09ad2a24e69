/** Limits of a run's plan, kept apart from the planner so the command-line parsers can check them cheaply. */

/**
 * Most units one plan may hold (docs/scaling.md). A unit trains for seconds to hours, so a bigger plan is
 * a typo (`--seeds 100000000`), and building it would take gigabytes before the first unit ran.
 */
export const MAX_PLAN_UNITS = 10_000;
