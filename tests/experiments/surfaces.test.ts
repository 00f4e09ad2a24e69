/**
 * The surfaces experiment as defined (its surfaces, starts and one learning rate per family) run through
 * the real optimizers, scored by its own claims: what the article's figures show must show here, and
 * the same from the run directory as from the runs in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claims } from '../../experiments/claims/surfaces.js';
import { FAMILY_RATES, surfaces } from '../../experiments/surfaces.js';
import { selectBackend } from '../../src/backend/select.js';
import { defaultImpl } from '../../src/optimizers/registry.js';
import { readResults } from '../../src/results/io.js';
import { readUnits, writeResults, writeUnit } from '../../src/results/runDirectory.js';
import type { OptimizerRun, RunResults } from '../../src/results/schema.js';
import { runSurfaceUnit } from '../../src/train/runSurfaces.js';
import { BEALE, LONG_VALLEY, SADDLE } from '../../experiments/costSurfaces.js';
import type { Surface } from '../../src/train/surface.js';
import { makeResults } from '../fixtures/results/makeResults.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** The figures' six methods. */
const FIGURE_OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop'];

async function runOn(surfaceList: Surface[], steps: number): Promise<OptimizerRun[]> {
  const experiment = { ...surfaces, surfaces: surfaceList };
  return Promise.all(FIGURE_OPTIMIZERS.map((optimizer) => runSurfaceUnit(
    experiment, steps, { optimizer, impl: defaultImpl(optimizer), seed: 1, learningRate: surfaces.learningRates[optimizer] }, optimizer,
  )));
}

function resultsOf(runs: OptimizerRun[], steps: number) {
  const base = makeResults([], { experiment: 'surfaces', profile: 'full' });
  return { ...base, runs, settings: { ...base.settings, epochs: steps, trainSamples: 0, validationSamples: 0, batchSize: 1 } };
}

const claim = (id: string) => claims.find((c) => c.id === id)!;

/** Beale and the saddle, 1000 steps: trained once for the tests below. */
let bealeAndSaddle: Promise<RunResults> | undefined;
const onBealeAndSaddle = () => (bealeAndSaddle ??= runOn([BEALE, SADDLE], 1000).then((runs) => resultsOf(runs, 1000)));

const runDir = mkdtempSync(path.join(tmpdir(), 'optbench-surfaces-claims-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe('surfaces experiment', () => {
  it('gives every optimizer of a family the same learning rate, and Keras\'s Adadelta 1.0', () => {
    expect(['sgd', 'momentum', 'nesterov'].map((o) => surfaces.learningRates[o])).toEqual([0.0005, 0.0005, 0.0005]);
    expect(['rmsprop', 'adam', 'adamax', 'nadam', 'adamw'].map((o) => surfaces.learningRates[o])).toEqual(Array(5).fill(FAMILY_RATES.perCoordinate));
    expect(surfaces.learningRates.adagrad).toBe(surfaces.learningRates.ftrl);
    expect(surfaces.learningRates.adadelta).toBe(1);
  });

  it('in 1000 steps: the accelerated methods overshoot Beale and SGD does not; Adadelta, Adagrad and RMSprop leave the saddle much faster', async () => {
    const results = await onBealeAndSaddle();
    const overshoot = claim('surfaces-beale-accelerated-overshoot').score(results);
    expect(overshoot.verdict, overshoot.evidence).toBe('reproduced');
    const saddle = claim('surfaces-saddle-adaptive-escape').score(results);
    expect(saddle.verdict, saddle.evidence).toBe('reproduced');
    // Keras's Adadelta at 1.0 moves: it leaves the saddle.
    expect(saddle.evidence).toMatch(/Adadelta \d+,/);
  });

  it('scores every claim the same from the run directory (per-step columns) as from the runs in memory and their JSON form', async () => {
    const trained = await onBealeAndSaddle();
    for (const run of trained.runs) writeUnit(runDir, run);
    writeResults(runDir, trained);
    const fromResults = await readResults(path.join(runDir, 'results.json'));
    const units = readUnits(runDir);
    const fromUnits = { ...trained, runs: trained.runs.map((run) => units.get(run.id)!) };
    // What a run directory held before the columns format: every number inline in JSON.
    const asJson = JSON.parse(JSON.stringify(trained)) as RunResults;
    for (const read of [fromResults, fromUnits]) {
      expect(read.runs).toStrictEqual(asJson.runs);
      for (const c of claims) expect(c.score(read), c.id).toStrictEqual(c.score(trained));
    }
  });

  it('on the valley, SGD\'s first steps head across the floor; the verdict on "never" waits for a study-length run', async () => {
    const results = resultsOf(await runOn([LONG_VALLEY], 20), 20);
    const score = claim('surfaces-valley-sgd-wrong-way').score(results);
    expect(score).toMatchObject({ verdict: 'inconclusive', qualifier: 'run too short' });
    const sgdAngle = Number(/Angle to the floor after 10 steps: SGD ([\d.]+)°/.exec(score.evidence)![1]);
    const rmspropAngle = Number(/RMSprop ([\d.]+)°/.exec(score.evidence)![1]);
    expect(sgdAngle).toBeGreaterThan(80);
    expect(rmspropAngle).toBeLessThan(50);
  });
});
