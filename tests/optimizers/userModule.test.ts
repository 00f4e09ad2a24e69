/**
 * --optimizer-file: a user's module becomes one more registry entry that trains like a built-in (in this
 * process and in workers), and a malformed module is refused before any training with a message that
 * names the file and what is missing (exit 2 from the command line).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { InvalidHyperparameterError, OptimizerModuleError } from '../../src/optimizers/errors.js';
import { defaultImpl, getOptimizerSpec, OPTIMIZERS } from '../../src/optimizers/registry.js';
import { registerOptimizerFiles } from '../../src/optimizers/userModule.js';
import type { RunResults } from '../../src/results/schema.js';
import { runUnit } from '../../src/train/unit.js';
import { tinyExperiment } from '../helpers/tinyExperiment.js';
import { repo, startCli, tempDirs } from '../reliability/helpers.js';

const fixture = (name: string) => path.join('tests/fixtures/optimizers', name);
const LION = 'examples/optimizers/lion.ts';
const ADABELIEF = 'examples/optimizers/adabelief.ts';
const dirs = tempDirs('user-optimizers');

beforeAll(async () => {
  await selectBackend('wasm');
});
afterAll(() => dirs.cleanup());

describe('a malformed module is refused, naming the file and the problem', () => {
  it.each([
    ['noExport.ts', 'exports no optimizer'],
    ['noName.ts', 'has no `name`'],
    ['noLearningRate.ts', '`defaults.learningRate` must be a positive number'],
    ['noUpdate.ts', 'neither `transform`'],
    ['badTransform.ts', 'did not return a gradient transformation'],
    ['builtinName.ts', "name 'adam' is already taken by a built-in optimizer"],
    ['throws.ts', 'this module is broken on purpose'],
    ['missing.ts', 'no such file'],
  ])('%s', async (file, problem) => {
    const error = await registerOptimizerFiles([fixture(file)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptimizerModuleError);
    expect((error as Error).message).toContain(`--optimizer-file ${fixture(file)}`);
    expect((error as Error).message).toContain(problem);
    expect(Object.hasOwn(OPTIMIZERS, 'noupdate') || Object.hasOwn(OPTIMIZERS, 'badtransform')).toBe(false);
  });
});

describe('registered modules', () => {
  let records: Awaited<ReturnType<typeof registerOptimizerFiles>>;
  beforeAll(async () => {
    records = await registerOptimizerFiles([LION, ADABELIEF, fixture('tfSgd.ts')]);
  });

  it('are registry entries with their defaults, and results.json gets where they came from', () => {
    expect(records.map((r) => r.name)).toEqual(['lion', 'adabelief', 'mysgd']);
    expect(getOptimizerSpec('lion').defaults.learningRate).toBe(1e-4);
    expect(getOptimizerSpec('adabelief').label).toBe('AdaBelief');
    // A transform chain runs as the from-scratch implementation, a tf.Optimizer factory as the ready-made one.
    expect(defaultImpl('lion')).toBe('scratch');
    expect(defaultImpl('mysgd')).toBe('builtin');
    expect(records[0].sha256).toBe(createHash('sha256').update(readFileSync(path.join(repo, LION))).digest('hex'));
    expect(path.isAbsolute(records[0].file)).toBe(true);
  });

  it('the same name twice is refused', async () => {
    await expect(registerOptimizerFiles([LION])).rejects.toThrow(/name 'lion' is already taken/);
  });

  it('an override must be one of its hyperparameters, of the default\'s type', () => {
    const spec = getOptimizerSpec('lion');
    expect(() => spec.scratch!({ ...spec.defaults, beta3: 0.5 })).toThrow(InvalidHyperparameterError);
    expect(() => spec.scratch!({ ...spec.defaults, beta1: 'high' })).toThrow(/'beta1' must be a number/);
  });

  it('a tf.Optimizer factory trains a unit exactly as the same built-in does', async () => {
    const experiment = tinyExperiment();
    const profile = experiment.profiles.quick;
    const data = await experiment.loadData({ cacheDir: '', log: () => {} }, profile);
    const mine = await runUnit(experiment, profile, data, { optimizer: 'mysgd', impl: 'builtin', seed: 3 }, 'mysgd');
    const builtin = await runUnit(experiment, profile, data, { optimizer: 'sgd', impl: 'builtin', seed: 3 }, 'sgd');
    expect(mine.status).toBe('ok');
    const curve = (epochs: typeof mine.epochs) => epochs.map(({ seconds: _seconds, ...rest }) => rest);
    expect(curve(mine.epochs)).toEqual(curve(builtin.epochs));
  });
});

describe('from the command line', () => {
  it('a malformed module exits 2 before training, naming what is missing', async () => {
    const out = dirs.make();
    const result = await startCli('experiment', ['boston', '--profile', 'quick', '--epochs', '1', '--workers', '1', '--no-report', '--out', out,
      '--optimizer-file', fixture('noUpdate.ts')]).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('neither `transform` (a chain of gradient transformations) nor `optimizer`');
    // Refused before anything ran: no run directory was made.
    expect(readdirSync(out)).toEqual([]);
  });

  it('--optimizers may name a module\'s optimizer only when its file is given', async () => {
    const out = dirs.make();
    const result = await startCli('experiment', ['boston', '--optimizers', 'lion', '--workers', '1', '--no-report', '--out', out]).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--optimizers: unknown 'lion'");
  });

  it('Lion trains beside the others in worker processes, and the run records its file', async () => {
    const out = dirs.make();
    const result = await startCli('experiment', ['boston', '--profile', 'quick', '--epochs', '1', '--optimizers', 'sgd,lion', '--workers', '2',
      '--no-report', '--out', out, '--optimizer-file', LION]).done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [runId] = readdirSync(path.join(out, 'boston'));
    const results = JSON.parse(readFileSync(path.join(out, 'boston', runId, 'results.json'), 'utf8')) as RunResults;
    expect(results.runs.map((r) => [r.optimizer, r.status, r.convention])).toEqual([['sgd', 'ok', 'tfjs'], ['lion', 'ok', 'chen-2023']]);
    expect(results.userOptimizers?.map((u) => u.name)).toEqual(['lion']);
    // No unit left tensors behind (trainAndRecord would name them in the reason).
    expect(results.runs.map((r) => r.reason)).toEqual([undefined, undefined]);
  });
});
