/**
 * Views of a --tune run's units by phase (schema.ts TuningPhase). Reports and the convergence check read
 * the study's numbers from `studyView`: the units an ordinary run would have (no phase) or, in a tuning
 * run, the default-rate units, so grid units (validated on held-out training data) and tuned units never
 * mix into curves, claims or baselines meant for the defaults.
 */
import type { RunResults, TuningPhase } from './schema.js';

/** The run with only the units that pass `keep`, finished and planned alike. */
function filtered(results: RunResults, keep: (unit: { phase?: TuningPhase }) => boolean): RunResults {
  // The plan too: a report of the default-rate units would otherwise list every grid and tuned unit as
  // "planned, not finished" (and call a complete run's 8 units "8 of 72").
  return { ...results, runs: results.runs.filter(keep), ...(results.plannedUnits ? { plannedUnits: results.plannedUnits.filter(keep) } : {}) };
}

/** The run with only the units of `phase`. */
export function phaseView(results: RunResults, phase: TuningPhase): RunResults {
  return filtered(results, (unit) => unit.phase === phase);
}

/** The run as an ordinary (untuned) run: units without a phase and default-rate units. Unchanged for an ordinary run. */
export function studyView(results: RunResults): RunResults {
  if (!results.runs.some((run) => run.phase !== undefined) && !results.plannedUnits?.some((unit) => unit.phase !== undefined)) return results;
  return filtered(results, (unit) => unit.phase === undefined || unit.phase === 'default');
}
