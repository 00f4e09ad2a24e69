import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BASELINE_FORMAT, buildBaseline, defaultBaselinePath, parseBaseline, readBaseline, writeBaseline,
} from '../../src/check/baseline.js';
import { BaselineNotFoundError, InvalidBaselineError } from '../../src/check/errors.js';
import { InvalidResultsError } from '../../src/results/errors.js';
import { ADAM, referenceRun, results, seedsOf, SPREAD, unit } from './fixtures.js';

describe('building a baseline', () => {
  const baseline = buildBaseline(referenceRun(), new Date('2024-02-03T04:05:06Z'));

  it('keeps every seed\'s curves, every epoch, as recorded', () => {
    const adam = baseline.groups.adam;
    expect(Object.keys(adam.seeds)).toEqual(['1', '2', '3']);
    expect(adam.seeds['1']).toEqual({ status: 'ok', curves: { valLoss: [0.99, 0.79, 0.59], loss: [0.89, 0.69, 0.49].map((v) => expect.closeTo(v, 12)) } });
    expect(adam.seeds['3'].curves.valLoss).toEqual([1.01, 0.81, 0.61]);
  });

  it('keeps the metric curves when the run records them (validation accuracy here)', () => {
    const run = results([unit({ optimizer: 'adam', seed: 1, valLoss: ADAM, valMetric: [0.5, 0.7, 0.8] })]);
    expect(buildBaseline(run).groups.adam.seeds['1'].curves.valMetric).toEqual([0.5, 0.7, 0.8]);
    expect(buildBaseline(run).groups.adam.seeds['1'].curves.metric).toBeUndefined();
  });

  it('records what the curves depend on: settings, environment with kernels, each optimizer\'s hyperparameters and convention', () => {
    expect(baseline).toMatchObject({
      format: BASELINE_FORMAT, formatVersion: 2, createdAt: '2024-02-03T04:05:06.000Z',
      experiment: 'fashion', profile: 'quick',
      environment: { backend: 'wasm', kernels: { 'training_kernels.wasm': 'sha256:feed' } },
      settings: { epochs: 3, batchSize: 64, trainSamples: 5000, validationSamples: 1000, loss: 'categoricalCrossentropy', metric: { name: 'accuracy', higherIsBetter: true } },
      source: { runId: 'run-under-test', seeds: [1, 2, 3] },
    });
    expect(baseline.environment.versions['@tensorflow/tfjs-core']).toBe('4.22.0');
    expect(baseline.groups.adam).toMatchObject({ optimizer: 'adam', impl: 'builtin', learningRate: 0.001, hyperparameters: { learningRate: 0.001 }, convention: 'tfjs' });
  });

  it('may be made from one seed (enough for exact replay)', () => {
    expect(Object.keys(buildBaseline(results(seedsOf('adam', ADAM, [0]))).groups.adam.seeds)).toEqual(['1']);
  });

  it('refuses a partial run, which would silently lack optimizers', () => {
    expect(() => buildBaseline(referenceRun({ status: 'partial' }))).toThrow(InvalidResultsError);
  });

  it('records diverged seeds with their status and reason, and drops optimizers that never ran', () => {
    const run = results([
      ...seedsOf('adam', ADAM, [0, 0.01]),
      unit({ optimizer: 'adam', seed: 3, valLoss: ADAM, status: 'diverged' }),
      ...seedsOf('ftrl', ADAM, SPREAD, { status: 'unavailable' }),
    ]);
    const adam = buildBaseline(run).groups.adam;
    expect(adam.seeds['3']).toEqual({ status: 'diverged', reason: 'diverged in the fixture', curves: { valLoss: [1.0], loss: [expect.closeTo(0.9, 12)] } });
    expect(adam.seeds['1'].status).toBe('ok');
    expect(buildBaseline(run).groups.ftrl).toBeUndefined();
  });

  it('stores no validation curve for an experiment without validation', () => {
    const run = results([1, 2, 3].map((seed) => unit({ optimizer: 'adam', seed, valLoss: null, loss: [0.5, 0.4] })));
    const curves = buildBaseline(run).groups.adam.seeds['1'].curves;
    expect(curves).toEqual({ loss: [0.5, 0.4] });
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
    expect(() => parseBaseline(JSON.stringify({ ...good, formatVersion: 3 }), 'x.json')).toThrow(/newer optbench/);
    expect(() => parseBaseline(JSON.stringify({ ...good, formatVersion: 1 }), 'x.json')).toThrow(/older format.*--update-baseline/);
    expect(() => parseBaseline(JSON.stringify({ ...good, groups: { adam: { optimizer: 'adam' } } }), 'x.json')).toThrow(/group 'adam' has no 'seeds'/);
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
