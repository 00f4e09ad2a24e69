import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BASELINE_FORMAT, buildBaseline, defaultBaselinePath, parseBaseline, readBaseline, writeBaseline,
} from '../../src/check/baseline.js';
import { BaselineNotFoundError, InvalidBaselineError, TooFewSeedsError } from '../../src/check/errors.js';
import { InvalidResultsError } from '../../src/results/errors.js';
import { ADAM, referenceRun, results, seedsOf, SPREAD, unit } from './fixtures.js';

describe('building a baseline', () => {
  const baseline = buildBaseline(referenceRun(), new Date('2024-02-03T04:05:06Z'));

  it('records per epoch the mean, std, min and max over the seeds', () => {
    const adam = baseline.groups.adam.curves.valLoss!;
    // Seeds are the curve 1.0 → 0.8 → 0.6 shifted by −0.01, 0, +0.01.
    expect(adam.epochs.map((s) => s.mean)).toEqual([expect.closeTo(1.0, 12), expect.closeTo(0.8, 12), expect.closeTo(0.6, 12)]);
    for (const s of adam.epochs) expect(s.std).toBeCloseTo(0.01, 12);
    expect(adam.epochs[0].min).toBeCloseTo(0.99, 12);
    expect(adam.epochs[0].max).toBeCloseTo(1.01, 12);
  });

  it('records the final value and the AUC (mean over epochs) over the seeds, for val and train loss', () => {
    const adam = baseline.groups.adam.curves;
    expect(adam.valLoss!.final.mean).toBeCloseTo(0.6, 12);
    expect(adam.valLoss!.auc.mean).toBeCloseTo(0.8, 12); // (1.0 + 0.8 + 0.6) / 3
    expect(adam.valLoss!.auc.std).toBeCloseTo(0.01, 12);
    expect(adam.loss!.final.mean).toBeCloseTo(0.5, 12); // fixture train loss = val loss − 0.1
  });

  it('records what was measured: experiment, profile, backend, settings, versions and source run', () => {
    expect(baseline).toMatchObject({
      format: BASELINE_FORMAT, formatVersion: 1, createdAt: '2024-02-03T04:05:06.000Z',
      experiment: 'fashion', profile: 'quick', backend: 'wasm',
      settings: { epochs: 3, batchSize: 64, trainSamples: 5000, validationSamples: 1000, loss: 'categoricalCrossentropy' },
      source: { runId: 'run-under-test', seeds: [1, 2, 3] },
    });
    expect(baseline.versions['@tensorflow/tfjs-core']).toBe('4.22.0');
    expect(Object.keys(baseline.groups)).toEqual(['adam', 'sgd']);
  });

  it('refuses fewer than 3 seeds and says to run with --seeds 3', () => {
    const twoSeeds = results(seedsOf('adam', ADAM, [0, 0.01]));
    expect(() => buildBaseline(twoSeeds)).toThrow(TooFewSeedsError);
    expect(() => buildBaseline(twoSeeds)).toThrow(/--seeds 3/);
  });

  it('builds from one seed when the run is deterministic (its spread is 0 however many seeds)', () => {
    const oneSeed = results(seedsOf('adam', ADAM, [0]), { deterministic: true });
    const adam = buildBaseline(oneSeed).groups.adam;
    expect(adam.okSeeds).toEqual([1]);
    expect(adam.curves.valLoss!.final).toEqual({ mean: ADAM.at(-1), std: 0, min: ADAM.at(-1), max: ADAM.at(-1) });
    expect(() => buildBaseline(results(seedsOf('adam', ADAM, [0])))).toThrow(TooFewSeedsError);
  });

  it('refuses a partial run, which would silently lack optimizers', () => {
    expect(() => buildBaseline(referenceRun({ status: 'partial' }))).toThrow(InvalidResultsError);
  });

  it('keeps diverged seeds out of the statistics but records them, and drops optimizers that never ran', () => {
    const run = results([
      ...seedsOf('adam', ADAM, [0, 0.01]),
      unit({ optimizer: 'adam', seed: 3, valLoss: ADAM, status: 'diverged' }),
      ...seedsOf('ftrl', ADAM, SPREAD, { status: 'unavailable' }),
    ]);
    const adam = buildBaseline(run).groups.adam;
    expect(adam.okSeeds).toEqual([1, 2]);
    expect(adam.brokenSeeds).toEqual([3]);
    expect(adam.curves.valLoss!.final.mean).toBeCloseTo(0.605, 12);
    expect(buildBaseline(run).groups.ftrl).toBeUndefined();
  });

  it('stores no validation curve for an experiment without validation', () => {
    const run = results([1, 2, 3].map((seed) => unit({ optimizer: 'adam', seed, valLoss: null, loss: [0.5, 0.4] })));
    const adam = buildBaseline(run).groups.adam.curves;
    expect(adam.valLoss).toBeUndefined();
    expect(adam.loss!.final.mean).toBeCloseTo(0.4, 12);
  });

  it('keys groups like unit ids without the seed: implementation and learning rate appear when the run varies them', () => {
    const sweep = results([
      ...seedsOf('sgd', ADAM, SPREAD, { learningRate: 0.1 }),
      ...seedsOf('sgd', ADAM, SPREAD, { learningRate: 0.01 }),
      ...seedsOf('adam', ADAM, SPREAD, { impl: 'scratch' }),
      ...seedsOf('adam', ADAM, SPREAD, { impl: 'builtin' }),
    ]);
    expect(Object.keys(buildBaseline(sweep).groups).sort()).toEqual(['adam@builtin#lr=0.001', 'adam@scratch#lr=0.001', 'sgd@builtin#lr=0.01', 'sgd@builtin#lr=0.1']);
  });
});

describe('baseline files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'optbench-baseline-'));

  it('live at baselines/<experiment>.<profile>.<backend>.json by default', () => {
    expect(defaultBaselinePath(referenceRun())).toBe(path.join('baselines', 'fashion.quick.wasm.json'));
    expect(defaultBaselinePath(referenceRun({ profile: 'full' }), '/ci/b')).toBe('/ci/b/fashion.full.wasm.json');
  });

  it('round-trip through write (creating the directory) and read', async () => {
    const file = path.join(dir, 'nested', 'b.json');
    const baseline = buildBaseline(referenceRun());
    writeBaseline(file, baseline);
    expect(await readBaseline(file)).toEqual(baseline);
  });

  it('that do not exist say how to create one', async () => {
    await expect(readBaseline(path.join(dir, 'absent.json'))).rejects.toThrow(BaselineNotFoundError);
    await expect(readBaseline(path.join(dir, 'absent.json'))).rejects.toThrow(/--update-baseline/);
  });

  it('that are not JSON, not baselines or of another format version are refused', () => {
    const good = JSON.parse(JSON.stringify(buildBaseline(referenceRun())));
    expect(() => parseBaseline('{"format":', 'x.json')).toThrow(/not JSON/);
    expect(() => parseBaseline(JSON.stringify({ ...good, format: 'other' }), 'x.json')).toThrow(InvalidBaselineError);
    expect(() => parseBaseline(JSON.stringify({ ...good, formatVersion: 2 }), 'x.json')).toThrow(/newer optbench/);
    expect(() => parseBaseline(JSON.stringify({ ...good, groups: null }), 'x.json')).toThrow(/'groups'/);
  });

  it('are replaced whole by an update, leaving no temporary file beside them', () => {
    const file = path.join(dir, 'atomic', 'b.json');
    writeBaseline(file, buildBaseline(referenceRun()));
    writeBaseline(file, buildBaseline(referenceRun({ runId: 'second' })));
    expect(readdirSync(path.dirname(file))).toEqual(['b.json']);
    expect(JSON.parse(readFileSync(file, 'utf8')).source.runId).toBe('second');
  });
});
