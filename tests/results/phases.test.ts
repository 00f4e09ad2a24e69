/** Phase views: the study's numbers of a --tune run come from its default-rate units only. */
import { describe, expect, it } from 'vitest';
import { phaseView, studyView } from '../../src/results/phases.js';
import { completionOf } from '../../src/results/completion.js';
import type { TuningPhase } from '../../src/results/schema.js';
import { results, unit } from '../check/fixtures.js';

const tagged = (optimizer: string, phase?: TuningPhase) => ({ ...unit({ optimizer, seed: 1, valLoss: [1] }), id: `${optimizer}#${phase ?? 'plain'}`, ...(phase ? { phase } : {}) });

describe('phase views', () => {
  const tuned = results([tagged('adam', 'grid'), tagged('adam', 'default'), tagged('adam', 'tuned'), tagged('sgd', 'default')]);

  it('studyView keeps the default-rate units of a tuning run, and an ordinary run as it is', () => {
    expect(studyView(tuned).runs.map((r) => r.id)).toEqual(['adam#default', 'sgd#default']);
    const ordinary = results([tagged('adam'), tagged('sgd')]);
    expect(studyView(ordinary)).toBe(ordinary);
  });

  it('keeps the plan to the same units, so a complete tuning run reads as complete', () => {
    const planned = (id: string, phase: TuningPhase) => ({ id, optimizer: 'adam', impl: 'builtin' as const, seed: 1, phase });
    const withPlan = { ...tuned, plannedUnits: [planned('adam#grid', 'grid'), planned('adam#default', 'default'), planned('adam#tuned', 'tuned'), planned('sgd#default', 'default')] };
    expect(studyView(withPlan).plannedUnits!.map((u) => u.id)).toEqual(['adam#default', 'sgd#default']);
    expect(phaseView(withPlan, 'grid').plannedUnits!.map((u) => u.id)).toEqual(['adam#grid']);
    expect(completionOf(studyView(withPlan)).unfinished).toEqual([]);
    // A tuning run that has not finished any unit yet is still a tuning run.
    expect(studyView({ ...withPlan, runs: [] }).plannedUnits).toHaveLength(2);
  });

  it('phaseView keeps one phase', () => {
    expect(phaseView(tuned, 'grid').runs.map((r) => r.id)).toEqual(['adam#grid']);
    expect(phaseView(tuned, 'tuned').runs.map((r) => r.id)).toEqual(['adam#tuned']);
  });
});
