/**
 * How much of a run's plan has finished: a partial run (interrupted, still going, or a merge that lacks
 * units) reports its finished units and lists the planned-but-unfinished ones as such.
 */
import { OPTIMIZERS } from '../optimizers/registry.js';
import type { PlannedUnitRecord, RunResults } from './schema.js';
import { selectShard } from './shard.js';

export interface UnfinishedUnit {
  id: string;
  optimizer: string;
  /** The optimizer's display name, e.g. "Adam". */
  name: string;
  /** "Adam (scratch) seed 2", as a reader names the unit. */
  label: string;
}

export interface Completion {
  finished: number;
  /** Units planned; null when the run did not record its plan (runs written before plannedUnits existed). */
  planned: number | null;
  unfinished: UnfinishedUnit[];
}

/** What a report writes for a unit that has no result yet. */
export const NOT_FINISHED = 'planned, not finished';

function labelOf(unit: Pick<PlannedUnitRecord, 'optimizer' | 'impl' | 'seed' | 'learningRate'>, results: RunResults): string {
  const name = OPTIMIZERS[unit.optimizer]?.label ?? unit.optimizer;
  const seed = results.seeds.length > 1 ? ` seed ${unit.seed}` : '';
  const rate = unit.learningRate === undefined ? '' : ` lr=${unit.learningRate}`;
  return `${name}${unit.impl === 'scratch' ? ' (scratch)' : ''}${seed}${rate}`;
}

/** The units this run directory is meant to hold, when it recorded them. */
function plan(results: RunResults): PlannedUnitRecord[] | null {
  if (results.plannedUnits) return results.plannedUnits;
  // A shard records the whole plan; its own part is dealt round-robin (src/results/shard.ts).
  if (results.shard) return selectShard(results.shard.plannedUnits, results.shard);
  return null;
}

export function completionOf(results: RunResults): Completion {
  // A merge lists units no input delivered as 'skipped' runs (src/results/merge.ts): planned, not finished.
  const finishedRuns = results.runs.filter((run) => run.status !== 'skipped');
  const recorded = new Set(finishedRuns.map((run) => run.id));
  const planned = plan(results);
  const missing = planned
    ? planned.filter((unit) => !recorded.has(unit.id))
    : results.runs.filter((run) => run.status === 'skipped');
  return {
    finished: finishedRuns.length,
    planned: planned ? Math.max(planned.length, finishedRuns.length) : results.runs.length > finishedRuns.length ? results.runs.length : null,
    unfinished: missing.map((unit) => ({ id: unit.id, optimizer: unit.optimizer, name: OPTIMIZERS[unit.optimizer]?.label ?? unit.optimizer, label: labelOf(unit, results) })),
  };
}

/** "3 of 8 finished", or "3 finished (plan not recorded)" for a partial run that did not record its plan. */
export function completionText(results: RunResults): string {
  const { finished, planned } = completionOf(results);
  if (planned !== null) return `${finished} of ${planned} finished`;
  return results.status === 'complete' ? `${finished} of ${finished} finished` : `${finished} finished (this run did not record its plan)`;
}
