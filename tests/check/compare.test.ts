import { describe, expect, it } from 'vitest';
import { buildBaseline } from '../../src/check/baseline.js';
import { checkRun, type CheckReport } from '../../src/check/compare.js';
import { BaselineMismatchError } from '../../src/check/errors.js';
import type { OptimizerRun, RunResults } from '../../src/results/schema.js';
import { ADAM, referenceRun, results, SGD, seedsOf, SPREAD, unit } from './fixtures.js';

const baseline = buildBaseline(referenceRun());
const group = (report: CheckReport, key: string) => report.groups.find((g) => g.key === key)!;
/** The reference run with every seed of one optimizer's curves passed through `change`. */
function referenceWith(optimizer: string, change: (run: OptimizerRun) => OptimizerRun, overrides: Partial<RunResults> = {}): RunResults {
  const run = referenceRun(overrides);
  return { ...run, runs: run.runs.map((unitRun) => (unitRun.optimizer === optimizer ? change(unitRun) : unitRun)) };
}
const scaleValLoss = (factor: number) => (run: OptimizerRun): OptimizerRun => ({
  ...run, epochs: run.epochs.map((record) => ({ ...record, valLoss: record.valLoss! * factor })),
});

describe('exact replay (same environment, same seeds)', () => {
  it('passes an identical run, every seed replayed', () => {
    const report = checkRun(referenceRun(), baseline);
    expect(report.failed).toBe(false);
    expect(report.replayBlockers).toEqual([]);
    for (const g of report.groups) {
      expect(g.verdict).toBe('ok');
      expect(g.modes).toEqual(['replay']);
      expect(g.replays.map((r) => r.identical)).toEqual([true, true, true]);
    }
  });

  it('fails a 5% worse AUC as changed (worse), naming the optimizer, the first epoch and the size', () => {
    const report = checkRun(referenceWith('adam', scaleValLoss(1.05)), baseline);
    expect(report.failed).toBe(true);
    expect(group(report, 'adam').verdict).toBe('worse');
    expect(group(report, 'sgd').verdict).toBe('ok');
    expect(group(report, 'adam').auc!.worsening).toBeCloseTo(0.05, 10);
    expect(group(report, 'adam').reasons[0]).toMatch(/^seed 1 replayed exactly differs: first differs at epoch 1: validation loss 0\.99 → 1\.0395 \(\+5\.0%\).*identical throughout: training loss.*AUC 0\.79 → 0\.8295 \(5\.0% worse\)/);
  });

  it('fails any change beyond float32 rounding, however small, and ignores less', () => {
    expect(group(checkRun(referenceWith('adam', scaleValLoss(1 + 1e-6)), baseline), 'adam').verdict).toBe('worse');
    expect(group(checkRun(referenceWith('adam', scaleValLoss(1 + 1e-9)), baseline), 'adam').verdict).toBe('ok');
  });

  it('fails an improvement too, as changed (better), unless it is allowed', () => {
    const better = referenceWith('sgd', scaleValLoss(0.95));
    const report = checkRun(better, baseline);
    expect(group(report, 'sgd').verdict).toBe('better');
    expect(report.failed).toBe(true);
    expect(checkRun(better, baseline, { allowImprovement: true }).failed).toBe(false);
  });

  it('calls a change worse when either the final value or the AUC is worse (ending better but slower is a regression)', () => {
    const slowerStart = referenceWith('adam', (u) => ({ ...u, epochs: u.epochs.map((e, i) => ({ ...e, valLoss: i === 0 ? e.valLoss! + 0.3 : i === 2 ? e.valLoss! - 0.01 : e.valLoss! })) }));
    const adam = group(checkRun(slowerStart, baseline), 'adam');
    expect(adam.verdict).toBe('worse');
    expect(adam.reasons[0]).toMatch(/final 0\.59 → 0\.58 \(1\.7% better\), AUC 0\.79 → 0\.886667 \(12\.2% worse\)/);
  });

  it('reads the direction of a higher-is-better curve the right way round (accuracy up = better)', () => {
    const withAccuracy = (shift: number) => results([...seedsOf('adam', ADAM, SPREAD).map((u) => ({ ...u, epochs: u.epochs.map((e, i) => ({ ...e, valMetric: 0.5 + 0.1 * i + shift })) }))]);
    const accuracyBaseline = buildBaseline(withAccuracy(0));
    expect(group(checkRun(withAccuracy(0.01), accuracyBaseline, { curve: 'valMetric' }), 'adam').verdict).toBe('better');
    expect(group(checkRun(withAccuracy(-0.01), accuracyBaseline, { curve: 'valMetric' }), 'adam').verdict).toBe('worse');
  });

  it('says when only the training curves changed (validation identical throughout)', () => {
    const run = referenceWith('adam', (u) => ({ ...u, epochs: u.epochs.map((e, i) => (i === 0 ? e : { ...e, loss: e.loss + 0.01 })) }));
    const adam = group(checkRun(run, baseline), 'adam');
    expect(adam.verdict).toBe('changed');
    expect(adam.reasons[0]).toMatch(/first differs at epoch 2: training loss .*identical throughout: validation loss/);
  });

  it('fails a seed that diverges where the baseline\'s trained', () => {
    const run = referenceWith('adam', (u) => (u.seed === 2 ? unit({ optimizer: 'adam', seed: 2, valLoss: ADAM, status: 'diverged' }) : u));
    const adam = group(checkRun(run, baseline), 'adam');
    expect(adam.verdict).toBe('worse');
    expect(adam.reasons.join()).toMatch(/seed 2 replayed: status ok → diverged/);
  });
});

describe('the settings diff', () => {
  it('lists a changed hyperparameter and fails when it was not asked for, replaying to show its effect', () => {
    const run = referenceWith('sgd', (u) => ({ ...u, hyperparameters: { learningRate: 0.007 }, epochs: u.epochs.map((e) => ({ ...e, valLoss: e.valLoss! + 0.05 })) }));
    const report = checkRun(run, baseline);
    expect(report.differences).toEqual([{ key: 'sgd.hyperparameters.learningRate', scope: 'optimizer', group: 'sgd', baseline: 0.001, run: 0.007, accepted: false }]);
    expect(report.failed).toBe(true);
    expect(group(report, 'sgd')).toMatchObject({ verdict: 'worse', modes: ['replay'] });
  });

  it('accepts a difference asked for with --accept (key or prefix), then judges that optimizer statistically', () => {
    const run = referenceWith('sgd', (u) => ({ ...u, hyperparameters: { learningRate: 0.007 } }));
    for (const accept of ['sgd.hyperparameters.learningRate', 'sgd', '*']) {
      const report = checkRun(run, baseline, { accept: [accept] });
      expect(report.differences[0].accepted).toBe(true);
      expect(report.failed).toBe(false);
    }
    // Identical curves replay as identical whatever changed; changed ones go to the statistical mode.
    const shifted = referenceWith('sgd', (u) => ({ ...scaleValLoss(1.001)(u), hyperparameters: { learningRate: 0.007 } }));
    const sgd = group(checkRun(shifted, baseline, { accept: ['sgd'] }), 'sgd');
    expect(sgd.modes).toEqual(['statistical']);
    expect(sgd.verdict).toBe('ok');
  });

  it('compares run settings and data notes, ignoring where the data was read from', () => {
    const moved = referenceRun({ settings: { ...referenceRun().settings, data: { sha256: 'a', origin: '/elsewhere', source: 'download' } } });
    const base = buildBaseline(referenceRun({ settings: { ...referenceRun().settings, data: { sha256: 'a', origin: '/work/mirror', source: 'mirror' } } }));
    expect(checkRun(moved, base).differences).toEqual([]);
    const halved = referenceRun({ settings: { ...referenceRun().settings, validationSamples: 500, data: { sha256: 'b' } } });
    expect(checkRun(halved, base).differences.map((d) => d.key)).toEqual(['settings.validationSamples', 'settings.data.sha256']);
    expect(checkRun(halved, base).failed).toBe(true);
  });

  it('lists environment differences; curves identical to the baseline\'s still pass replay', () => {
    const upgraded = referenceRun({ environment: { ...referenceRun().environment, versions: { ...referenceRun().environment.versions, '@tensorflow/tfjs-core': '4.23.0', optbench: '9.9.9', node: '22.0.0' } } });
    const report = checkRun(upgraded, baseline, { accept: ['versions'] });
    expect(report.differences.map((d) => d.key)).toEqual(['versions.@tensorflow/tfjs-core']);
    expect(report.groups.every((g) => g.verdict === 'ok' && g.modes[0] === 'replay')).toBe(true);
    expect(report.failed).toBe(false);
    // Not accepted, yet every seed replayed bit for bit: the change evidently did nothing, so it does not fail.
    const unaccepted = checkRun(upgraded, baseline);
    expect(unaccepted.differences[0]).toMatchObject({ accepted: false, harmless: true });
    expect(unaccepted.failed).toBe(false);
    // With a seed that no longer replays, the environment change cannot be ruled out: it fails unless accepted.
    const moved = { ...upgraded, runs: upgraded.runs.map((u) => (u.optimizer === 'adam' ? scaleValLoss(1.001)(u) : u)) };
    expect(checkRun(moved, baseline).failed).toBe(true);
    expect(checkRun(moved, baseline, { accept: ['versions'] }).failed).toBe(false);
  });

  it('judges statistically, not by replay, where the environment differs (another kernel build)', () => {
    const rebuilt = referenceWith('adam', scaleValLoss(1.001), { environment: { ...referenceRun().environment, kernels: { 'training_kernels.wasm': 'sha256:beef' } } });
    const report = checkRun(rebuilt, baseline, { accept: ['kernels'] });
    expect(report.replayBlockers).toEqual(['kernels.training_kernels.wasm differs']);
    expect(group(report, 'adam')).toMatchObject({ verdict: 'ok', modes: ['statistical'] });
    expect(group(report, 'adam').reasons[0]).toMatch(/replay cannot judge because kernels\.training_kernels\.wasm differs: judged statistically/);
  });

  it('checks a results.json that does not record the kernels (written before they were): identical seeds pass', () => {
    const old = referenceRun();
    delete old.environment.kernels;
    const report = checkRun(old, baseline);
    expect(report.failed).toBe(false);
    expect(report.notes.join()).toMatch(/kernels\.training_kernels\.wasm not recorded by both/);
    expect(checkRun(referenceRun(), buildBaseline(old)).failed).toBe(false);
  });

  it('fails an optimizer missing from the run or new in it unless accepted', () => {
    const onlyAdam = results(seedsOf('adam', ADAM, SPREAD));
    expect(group(checkRun(onlyAdam, baseline), 'sgd').verdict).toBe('missing');
    expect(checkRun(onlyAdam, baseline).failed).toBe(true);
    expect(checkRun(onlyAdam, baseline, { accept: ['sgd'] }).failed).toBe(false);
    const extra = results([...referenceRun().runs, ...seedsOf('nadam', ADAM, SPREAD)]);
    expect(group(checkRun(extra, baseline), 'nadam').verdict).toBe('new');
    expect(checkRun(extra, baseline).failed).toBe(true);
  });

  it('refuses another experiment or profile outright', () => {
    expect(() => checkRun(referenceRun({ experiment: 'imdb' }), baseline)).toThrow(BaselineMismatchError);
    expect(() => checkRun(referenceRun({ profile: 'full' }), baseline, { accept: ['*'] })).toThrow(/profile 'full'/);
  });
});

describe('the statistical mode (seeds the baseline does not hold)', () => {
  const otherSeeds = (center: number[], offsets: number[]) => results([...seedsOf('adam', center, offsets), ...seedsOf('sgd', SGD, offsets)].map((u) => ({ ...u, seed: u.seed + 10, id: `${u.optimizer}#seed=${u.seed + 10}` })));

  it('passes a run within the seed spread, and fails a shift far beyond it in either direction', () => {
    const report = checkRun(otherSeeds(ADAM, [0.005, -0.004, 0.002]), baseline);
    expect(report.replayBlockers).toEqual(['seeds 11, 12, 13 not in the baseline']);
    expect(group(report, 'adam')).toMatchObject({ verdict: 'ok', modes: ['statistical'] });
    expect(report.failed).toBe(false);
    expect(group(checkRun(otherSeeds(ADAM.map((v) => v + 0.5), SPREAD), baseline), 'adam').verdict).toBe('worse');
    expect(group(checkRun(otherSeeds(ADAM.map((v) => v - 0.5), SPREAD), baseline), 'adam').verdict).toBe('better');
  });

  it('reports the smallest change it could detect, relative to the baseline', () => {
    const adam = group(checkRun(otherSeeds(ADAM, SPREAD), baseline), 'adam');
    expect(adam.statistical!.final!.detectable).toBeGreaterThan(0);
    expect(adam.sensitivity.final!).toBeGreaterThan(0);
    // A shift just beyond the detectable size is caught, just within it is not.
    const detectable = adam.statistical!.auc!.detectable;
    expect(group(checkRun(otherSeeds(ADAM.map((v) => v + detectable * 1.01), SPREAD), baseline), 'adam').verdict).toBe('worse');
    expect(group(checkRun(otherSeeds(ADAM.map((v) => v + detectable * 0.99), SPREAD), baseline), 'adam').verdict).toBe('ok');
  });

  it('fails more seeds diverging than in the baseline', () => {
    const run = results([...seedsOf('adam', ADAM, [0, 0.01]), unit({ optimizer: 'adam', seed: 3, valLoss: ADAM, status: 'diverged' })].map((u) => ({ ...u, seed: u.seed + 10 })));
    const adam = group(checkRun(run, baseline, { accept: ['sgd'] }), 'adam');
    expect(adam.verdict).toBe('worse');
    expect(adam.reasons[0]).toMatch(/more seeds diverge or fail: seed 13 diverged/);
  });

  it('replays any seed of a deterministic experiment (the surfaces) against the baseline\'s seed', () => {
    const surfaceBaseline = buildBaseline(results(seedsOf('adam', ADAM, [0]), { deterministic: true }));
    const otherSeed = (center: number[]) => results(seedsOf('adam', center, [0]).map((u) => ({ ...u, seed: 7 })), { deterministic: true, seeds: [7] });
    expect(group(checkRun(otherSeed(ADAM), surfaceBaseline), 'adam')).toMatchObject({ verdict: 'ok', modes: ['replay'] });
    expect(group(checkRun(otherSeed(ADAM.map((v) => v * 1.01)), surfaceBaseline), 'adam')).toMatchObject({ verdict: 'worse', modes: ['replay'] });
  });

  it('does not judge a deterministic experiment (every seed identical) statistically: only replay guards it', () => {
    const flat = results(seedsOf('adam', ADAM, [0, 0, 0]));
    const flatBaseline = buildBaseline(flat);
    const moved = results(seedsOf('adam', ADAM.map((v) => v + 0.1), [0]).map((u) => ({ ...u, seed: 9 })));
    expect(group(checkRun(moved, flatBaseline), 'adam').verdict).toBe('unjudged');
  });
});
