/**
 * Per-step columns (src/results/columns.ts): a surfaces unit's every step goes to units/<id>.columns.gz,
 * read back exactly as the JSON form held it; a run directory written before (numbers inline) still
 * reads; a missing, foreign or damaged columns file is refused saying which file and what to do.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { columnsFileOf } from '../../src/results/columns.js';
import { InvalidResultsError } from '../../src/results/errors.js';
import { readResults, writeJsonAtomic } from '../../src/results/io.js';
import { readUnits, writeResults, writeUnit } from '../../src/results/runDirectory.js';
import type { OptimizerRun, RunResults, SurfaceTrajectory } from '../../src/results/schema.js';
import { makeResults, makeUnit } from '../fixtures/results/makeResults.js';

const made: string[] = [];
const tempRunDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'optbench-columns-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** What the JSON form of a value reads back as: the reference every read of the columns must match. */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * A descent like the surfaces experiment records: float32 positions after a float64 start that float32
 * cannot hold, f in float64, a diverged trajectory whose last value overflowed, and a −0.
 */
function descent(steps: number, start: [number, number], status: SurfaceTrajectory['status'] = 'ok'): SurfaceTrajectory {
  const f = (x: number, y: number) => (x - 3) ** 2 / 100 + 10 * y * y;
  const points = Array.from({ length: steps + 1 }, (_, step) => {
    const x = step === 0 ? start[0] : Math.fround(start[0] + (3 - start[0]) * (1 - 0.999 ** step));
    const y = step === 0 ? start[1] : Math.fround(start[1] * Math.cos(step) * 0.99 ** step);
    return { step, x, y, f: f(x, y) };
  });
  if (status === 'diverged') points[steps].f = Number.POSITIVE_INFINITY;
  points[1].y = -0;
  return { surface: 'valley', start, points, finalDistanceToMinimum: 0.25, nearestMinimum: [3, 0], status };
}

/** A surfaces unit with id `id` (its optimizer: the id up to any '#'). */
function surfaceUnit(id: string, steps: number): OptimizerRun {
  const trajectories = [descent(steps, [-3, 0.5]), descent(steps, [0.001, -1.2]), descent(Math.floor(steps / 3), [1, 0.001], 'diverged')];
  const unit = { ...makeUnit({ optimizer: id.split('#')[0], trajectories, status: 'diverged', reason: 'non-finite value' }), id };
  // The distance curve a surfaces unit records: one loss per step, no validation, no metric.
  unit.epochs = Array.from({ length: steps }, (_, k) => ({
    epoch: k + 1, loss: Math.abs(trajectories[0].points[k + 1].x - 3) / 3, metric: null, valLoss: null, valMetric: null, seconds: 12.3 / steps,
  }));
  return unit;
}

const surfacesResults = (runs: OptimizerRun[]): RunResults => ({ ...makeResults([]), experiment: 'surfaces', runs });
const unitJson = (runDir: string, id: string) => JSON.parse(readFileSync(path.join(runDir, 'units', `${encodeURIComponent(id)}.json`), 'utf8')) as Record<string, unknown>;

describe('a surfaces unit written with its columns file', () => {
  it('reads back, from its unit file and from results.json, exactly what its JSON form held (nulls, −0, float64 starts, float32 steps)', async () => {
    const runDir = tempRunDir();
    const surfaces = surfaceUnit('adam#seed=2,lr=0.01', 300);
    const model = makeUnit({ optimizer: 'sgd' });
    const results = surfacesResults([surfaces, model]);
    writeUnit(runDir, surfaces);
    writeUnit(runDir, model);
    writeResults(runDir, results);

    expect(readUnits(runDir).get(surfaces.id)).toStrictEqual(asJson(surfaces));
    expect(readUnits(runDir).get(model.id)).toStrictEqual(asJson(model));
    expect(await readResults(path.join(runDir, 'results.json'))).toStrictEqual(asJson(results));
  });

  it('keeps the numbers out of both JSON files, which point to one shared columns file; a model unit stays inline', () => {
    const runDir = tempRunDir();
    const surfaces = surfaceUnit('rmsprop', 50);
    const model = makeUnit({ optimizer: 'sgd' });
    writeUnit(runDir, surfaces);
    writeUnit(runDir, model);
    writeResults(runDir, surfacesResults([surfaces, model]));

    const inUnit = unitJson(runDir, surfaces.id);
    const inResults = (JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')) as { runs: Record<string, unknown>[] }).runs[0];
    for (const packed of [inUnit, inResults]) {
      expect(packed.epochs).toBeUndefined();
      expect(packed.epochCount).toBe(50);
      expect((packed.trajectories as Record<string, unknown>[]).map((t) => [t.points, t.pointCount])).toEqual([[undefined, 51], [undefined, 51], [undefined, 17]]);
    }
    expect(inResults.columns).toEqual(inUnit.columns);
    expect((inUnit.columns as { file: string }).file).toBe(columnsFileOf(surfaces.id));
    expect(readdirSync(path.join(runDir, 'units')).sort()).toEqual(['rmsprop.columns.gz', 'rmsprop.json', `${encodeURIComponent(model.id)}.json`].sort());
    expect(unitJson(runDir, model.id)).toStrictEqual(asJson(model));
  });

  it('makes a study-length unit far smaller than its JSON form', () => {
    const runDir = tempRunDir();
    const unit = surfaceUnit('adam', 5000);
    writeUnit(runDir, unit);
    const onDisk = readdirSync(path.join(runDir, 'units')).reduce((sum, name) => sum + statSync(path.join(runDir, 'units', name)).size, 0);
    const asJsonFile = JSON.stringify(unit, null, 2).length;
    expect(onDisk).toBeLessThan(asJsonFile / 10);
  });

  it('keeps a unit whose records carry fields the columns do not know inline, dropping nothing', () => {
    const runDir = tempRunDir();
    const unit = surfaceUnit('adam', 20);
    (unit.trajectories![0].points[3] as unknown as { note: string }).note = 'added by a later version';
    writeUnit(runDir, unit);
    expect(existsSync(path.join(runDir, columnsFileOf(unit.id)))).toBe(false);
    expect(readUnits(runDir).get(unit.id)).toStrictEqual(asJson(unit));
  });
});

describe('run directories written before the columns format', () => {
  it('a schema-1 results.json and unit files with inline points read as before', async () => {
    const runDir = tempRunDir();
    const unit = surfaceUnit('adagrad', 40);
    const results = { ...surfacesResults([unit]), schemaVersion: 1 };
    writeJsonAtomic(path.join(runDir, 'results.json'), results);
    writeJsonAtomic(path.join(runDir, 'units', 'adagrad.json'), unit);
    expect(await readResults(path.join(runDir, 'results.json'))).toStrictEqual(asJson({ ...results, schemaVersion: 2 }));
    expect(readUnits(runDir).get(unit.id)).toStrictEqual(asJson(unit));
  });
});

describe('a columns file that does not fit is refused, naming the file and what to do', () => {
  const written = () => {
    const runDir = tempRunDir();
    const unit = surfaceUnit('adam', 30);
    const other = surfaceUnit('nadam', 31);
    writeUnit(runDir, unit);
    writeUnit(runDir, other);
    writeResults(runDir, surfacesResults([unit, other]));
    return { runDir, unit, other, columns: path.join(runDir, columnsFileOf(unit.id)) };
  };
  const refusal = async (runDir: string) => {
    const fromResults = await readResults(path.join(runDir, 'results.json')).then(() => null, (error: unknown) => error);
    const fromUnits = (() => {
      try {
        readUnits(runDir);
        return null;
      } catch (error) {
        return error;
      }
    })();
    for (const error of [fromResults, fromUnits]) expect(error).toBeInstanceOf(InvalidResultsError);
    return [(fromResults as Error).message, (fromUnits as Error).message];
  };

  it('missing (results.json copied without units/)', async () => {
    const { runDir, columns } = written();
    rmSync(columns);
    for (const message of await refusal(runDir)) {
      expect(message).toContain(`unit 'adam' keeps its per-step numbers in ${columns}, which cannot be read (ENOENT)`);
      expect(message).toContain('Copy the whole run directory (results.json and units/ together), or re-run the experiment');
    }
  });

  it('another unit\'s or another run\'s file', async () => {
    const { runDir, other, columns } = written();
    writeFileSync(columns, readFileSync(path.join(runDir, columnsFileOf(other.id))));
    for (const message of await refusal(runDir)) expect(message).toContain(`unit 'adam': ${columns} is not the file this unit was written with (sha256 differs)`);
  });

  it('counts that do not match the file', () => {
    const { runDir, unit } = written();
    const file = path.join(runDir, 'units', `${unit.id}.json`);
    writeFileSync(file, JSON.stringify({ ...unitJson(runDir, unit.id), epochCount: 29 }));
    const error = (() => {
      try {
        readUnits(runDir);
        return null;
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message).toMatch(/unit 'adam': .* holds \d+ values, but 29 epochs and the trajectories' point counts make \d+/);
  });

  it('a reference outside the run directory\'s units/', () => {
    const { runDir, unit } = written();
    const file = path.join(runDir, 'units', `${unit.id}.json`);
    const packed = unitJson(runDir, unit.id);
    writeFileSync(file, JSON.stringify({ ...packed, columns: { ...(packed.columns as object), file: '../../etc/passwd' } }));
    expect(() => readUnits(runDir)).toThrow(/names columns file '..\/..\/etc\/passwd', which is not in the run directory's units\//);
  });
});
