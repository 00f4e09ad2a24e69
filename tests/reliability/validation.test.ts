/**
 * Results files validated against their schema (issue 17, class 6): a unit of `{}`, `epochs: null`, a
 * loss of null in a finished unit, two units with one id, a seed out of range are refused with exit 2
 * naming the unit and the field, by report and by --resume. A run directory written by main before
 * this change (fixtures/written-by-main-536bb04) still validates, reports and resumes.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidResultsError } from '../../src/results/errors.js';
import { parseResults, readResults } from '../../src/results/io.js';
import { readUnits } from '../../src/results/runDirectory.js';
import type { RunResults } from '../../src/results/schema.js';
import { lineTrajectory, makeResults, writeRun } from '../fixtures/results/makeResults.js';
import { inBatches, repo, runCli, runDirsUnder, tempDirs } from './helpers.js';

const dirs = tempDirs('validation');
afterAll(() => dirs.cleanup());

const MAIN_RUN = path.join(import.meta.dirname, 'fixtures', 'written-by-main-536bb04', 'boston', '2026-11-29T16-47-39Z-294724');
const sample = () => makeResults([{ optimizer: 'adam' }, { optimizer: 'sgd' }]);
const raw = (results: unknown) => JSON.stringify(results);

/** The message parseResults refuses `results` with, or '' when it accepts them. */
function refusal(results: unknown): string {
  try {
    parseResults(raw(results), 'r.json');
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidResultsError);
    return (error as Error).message;
  }
}

describe('what is accepted', () => {
  it('a run directory written by main before this change: results.json and every unit file', async () => {
    const results = await readResults(path.join(MAIN_RUN, 'results.json'));
    expect(results.runs).toHaveLength(8);
    expect([...readUnits(MAIN_RUN).keys()].sort()).toEqual(results.runs.map((r) => r.id).sort());
  });

  it('the study runs committed under reference/ (written by main\'s code): results.json and every unit file', async () => {
    const reference = path.join(repo, 'reference');
    // Directories only: rendering a reference run's report writes reference/index.html and study.html beside them.
    const experiments = existsSync(reference) ? readdirSync(reference, { withFileTypes: true }).filter((entry) => entry.isDirectory()) : [];
    const runs = experiments.flatMap((experiment) => runDirsUnder(reference, experiment.name));
    expect(runs.length).toBeGreaterThan(0);
    for (const runDir of runs) {
      const results = await readResults(path.join(runDir, 'results.json'));
      expect(readUnits(runDir).size).toBeGreaterThanOrEqual(results.runs.length);
    }
  });

  it('diverged units with null validation values, surface trajectories, shards, and fields added later (kept, not dropped)', () => {
    const results = makeResults([
      { optimizer: 'adam' },
      { optimizer: 'sgd', status: 'diverged', reason: 'validation loss became NaN', valLoss: [0.5, null] as (number | null)[], loss: [0.4, 0.3] },
      { optimizer: 'rmsprop', trajectories: [lineTrajectory('quadratic', (x, y) => x * x + y * y, [1, 1], [0, 0])] },
    ]);
    const withExtras = {
      ...results, addedByAFutureVersion: { any: 'thing' },
      shard: { index: 1, count: 2, plannedUnits: results.runs.map(({ id, optimizer, impl, seed }) => ({ id, optimizer, impl, seed })) },
      runs: results.runs.map((run) => ({ ...run, peakMemoryBytes: 123 })),
    };
    const parsed = parseResults(raw(withExtras), 'r.json') as RunResults & { addedByAFutureVersion: unknown };
    expect(parsed.addedByAFutureVersion).toEqual({ any: 'thing' });
    expect((parsed.runs[0] as unknown as { peakMemoryBytes: number }).peakMemoryBytes).toBe(123);
    // A diverged unit may have lost its loss to Infinity (written as null); a finished one may not.
    const diverged = structuredClone(results);
    (diverged.runs[1].epochs[1] as { loss: number | null }).loss = null;
    expect(refusal(diverged)).toBe('');
  });
});

describe('what is refused, naming the unit and the field', () => {
  const cases: [string, (r: RunResults) => unknown, string][] = [
    ['a unit of {}', (r) => ({ ...r, runs: [r.runs[0], {}] }), "field 'runs[1].id' must be a string, got nothing"],
    ['epochs: null', (r) => ({ ...r, runs: [{ ...r.runs[0], epochs: null }] }), `unit '${sample().runs[0].id}', field 'runs[0].epochs' must be an array, got null`],
    ['a loss of null in an ok unit', (r) => { r.runs[1].epochs[3] = { ...r.runs[1].epochs[3], loss: null as unknown as number }; return r; },
      `unit '${sample().runs[1].id}', field 'runs[1].epochs[3].loss' is null in a unit with status 'ok'`],
    ['a loss given as text', (r) => { r.runs[0].epochs[0] = { ...r.runs[0].epochs[0], loss: '0.5' as unknown as number }; return r; }, "field 'runs[0].epochs[0].loss' must be a number, got \"0.5\""],
    ['two units with one id', (r) => ({ ...r, runs: [r.runs[0], r.runs[0]] }), `field 'runs[1].id' '${sample().runs[0].id}' is the id of an earlier unit too`],
    ['a seed the generator cannot tell from 0', (r) => ({ ...r, runs: [{ ...r.runs[0], seed: 2 ** 32 }] }), "field 'runs[0].seed'"],
    ['an unknown status', (r) => ({ ...r, runs: [{ ...r.runs[0], status: 'great' }] }), "field 'runs[0].status' must be one of \"ok\", \"diverged\", \"failed\", \"unavailable\", \"skipped\", got \"great\""],
    ['settings without epochs', (r) => ({ ...r, settings: { ...r.settings, epochs: undefined } }), "field 'settings.epochs' must be a number, got nothing"],
  ];
  it.each(cases)('%s', (_label, damage, says) => {
    const message = refusal(damage(sample()));
    expect(message).toContain('r.json is not a valid results file: ');
    expect(message).toContain(says);
  });
});

describe('through the commands', () => {
  it('report of a results.json with a unit of {} or epochs: null exits 2 naming the field (was a TypeError); --resume of a unit with loss null exits 2 naming its file; main\'s run directory resumes and reports', { timeout: 900_000 }, async () => {
    const root = dirs.make();
    const broken = sample();
    const emptyUnit = await writeRun(path.join(root, 'empty-unit'), { ...broken, runs: [broken.runs[0], {} as never] });
    const nullEpochs = await writeRun(path.join(root, 'null-epochs'), { ...broken, runs: [{ ...broken.runs[0], epochs: null as never }] });

    // A copy of main's run with one unit edited by hand: its last loss set to null, status still 'ok'.
    const edited = path.join(root, 'edited', 'boston', path.basename(MAIN_RUN));
    cpSync(MAIN_RUN, edited, { recursive: true });
    const unitFile = path.join(edited, 'units', 'adam.json');
    const unit = JSON.parse(readFileSync(unitFile, 'utf8'));
    unit.epochs[19].loss = null;
    writeFileSync(unitFile, JSON.stringify(unit));
    // An untouched copy: every unit recorded, so resuming trains nothing.
    const intact = path.join(root, 'intact', 'boston', path.basename(MAIN_RUN));
    cpSync(MAIN_RUN, intact, { recursive: true });
    const resumeArgs = ['boston', '--profile', 'quick', '--epochs', '20', '--workers', '1'];

    const [empty, nulls, resumedEdited, resumedIntact] = await inBatches([
      ['report', [emptyUnit]], ['report', [nullEpochs]],
      ['experiment', [...resumeArgs, '--no-report', '--resume', edited]], ['experiment', [...resumeArgs, '--resume', intact]],
    ] as const, 2, ([name, args]) => runCli(name, [...args]));

    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`${path.join(emptyUnit, 'results.json')} is not a valid results file: field 'runs[1].id' must be a string`);
    expect(nulls.code).toBe(2);
    expect(nulls.stderr).toContain(`unit '${broken.runs[0].id}', field 'runs[0].epochs' must be an array, got null`);
    for (const run of [empty, nulls]) expect(run.stderr).not.toMatch(/TypeError|\n\s+at /);

    expect(resumedEdited.code).toBe(2);
    expect(resumedEdited.stderr).toContain(`error: ${unitFile} is not a valid results file: field 'epochs[19].loss' is null in a unit with status 'ok'`);
    expect(resumedEdited.stderr).toContain('Delete the file to train that unit again, or fix it.');

    expect(resumedIntact.stderr).toBe('');
    expect(resumedIntact.code).toBe(0);
    const before = JSON.parse(readFileSync(path.join(MAIN_RUN, 'results.json'), 'utf8')) as RunResults;
    const after = JSON.parse(readFileSync(path.join(intact, 'results.json'), 'utf8')) as RunResults;
    expect(after.runs).toEqual(before.runs); // nothing retrained: every unit exactly as main recorded it
    expect(after.status).toBe('complete');
    expect(readFileSync(path.join(intact, 'report.md'), 'utf8')).toContain('adam');
  });
});
