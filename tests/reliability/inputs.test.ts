/**
 * Input a hostile or careless user gives, second round (issue 17): plans too big to build, seeds and
 * learning rates that alias one unit, output options pointing through a file, an empty --out, a
 * mistyped --resume directory, the same directory merged twice. Each is refused with exit 2 naming the
 * option, before anything is written, as real processes; the limits themselves are checked in-process.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { learningRates, nonNegativeInteger, outputDirectory, positiveInteger, runSeeds } from '../../src/cli/options.js';
import { mergeRuns } from '../../src/results/merge.js';
import { MergeError, ResumeError } from '../../src/results/errors.js';
import { assertRunDirectory } from '../../src/results/runDirectory.js';
import { fileInTheWay, writeFileAtomic, writeFileAtomicSync } from '../../src/common/atomicWrite.js';
import { OutputWriteError } from '../../src/common/errors.js';
import { EXPERIMENTS } from '../../experiments/index.js';
import { MAX_PLAN_UNITS } from '../../src/train/planLimits.js';
import { PlanError } from '../../src/train/errors.js';
import { MAX_SEED, SeededRandom } from '../../src/common/random.js';
import { planUnits } from '../../src/train/plan.js';
import { makeResults, writeRun } from '../fixtures/results/makeResults.js';
import { inBatches, listFiles, runCli, tempDirs, type CliName } from './helpers.js';

const dirs = tempDirs('inputs');
afterAll(() => dirs.cleanup());
const work = dirs.make();
const out = path.join(work, 'out');
const aFile = path.join(work, 'a-file.txt');
writeFileSync(aFile, 'not a directory\n');
const run = await writeRun(path.join(work, 'runs'), makeResults([{ optimizer: 'adam' }, { optimizer: 'sgd' }]));

interface Refusal {
  name: CliName;
  args: string[];
  /** Every one must appear in stderr. */
  says: string[];
}

/**
 * One process per kind of refusal (each costs seconds of start-up on a shared machine); the full range
 * of values of each check is covered in-process below.
 */
const CASES: Refusal[] = [
  // Class 3: plans too big, refused before they are built.
  { name: 'experiment', args: ['boston', '--seeds', '100000000'], says: ['--seeds takes at most 10000', "'100000000'"] },
  { name: 'experiment', args: ['boston', '--lr', '1e-4:1e-1:100000000'], says: ["--lr '1e-4:1e-1:100000000' asks for 100000000 learning rates", 'at most 10000'] },
  // Class 7: units that would alias each other.
  { name: 'experiment', args: ['boston', '--lr', '0.1:0.1:3'], says: ["--lr '0.1:0.1:3' does not give 3 different learning rates", 'start and end are equal'] },
  { name: 'experiment', args: ['boston', '--seed', '9007199254740991', '--seeds', '3'], says: ['--seed takes a whole number from 0 to 4294967295', "'9007199254740991'"] },
  // Class 4: output options through a file.
  { name: 'experiment', args: ['boston', '--out', aFile], says: [`--out '${aFile}' cannot be a directory: ${aFile} is a file`] },
  { name: 'experiment', args: ['boston', '--resume', aFile], says: [`--resume ${aFile}: it is a file, not a run directory`] },
  { name: 'merge', args: [run, '--out', aFile], says: [`--out '${aFile}' cannot be a directory: ${aFile} is a file`] },
  { name: 'report', args: [run, '--reports-root', aFile], says: [`--reports-root '${aFile}' cannot be a directory: ${aFile} is a file`] },
  // Class 11: silently accepted input.
  { name: 'experiment', args: ['boston', '--out', ''], says: ['--out needs a directory; got an empty string'] },
  { name: 'experiment', args: ['boston', '--resume', path.join(out, 'boston', 'no-such-run')], says: [`--resume ${path.join(out, 'boston', 'no-such-run')}: no such directory`] },
  { name: 'merge', args: [run, path.join(run, '..', path.basename(run))], says: ['is named twice', `also as ${run}`] },
];

describe('refused with exit 2 naming the option, before anything is written', () => {
  it('experiment, merge and report', { timeout: 900_000 }, async () => {
    // Defaults first: a case's own --out comes later and wins (commander keeps the last value).
    const defaults = (name: CliName) => (name === 'report' ? [] : ['--no-report', '--out', out]);
    const results = await inBatches(CASES, 2, (c) => runCli(c.name, [...defaults(c.name), ...c.args]));
    const failures = CASES.flatMap((c, i) => {
      const { code, stderr } = results[i];
      const missing = c.says.filter((text) => !stderr.includes(text));
      const stack = /\n\s+at /.test(stderr);
      return code === 2 && missing.length === 0 && !stack ? [] : [`${c.name} ${c.args.join(' ')} → exit ${code}, missing ${JSON.stringify(missing)}:\n${stderr}`];
    });
    expect(failures).toEqual([]);
    // Nothing was trained or written: no run directory, no merged run, no report beside the fixture run.
    expect(listFiles(out)).toEqual([]);
    expect(listFiles(run)).toEqual(['results.json']);
    expect(existsSync(path.join(work, 'runs', 'index.html'))).toBe(false);
  });
});

describe('plan limits, in-process', () => {
  const boston = EXPERIMENTS.boston;
  const plan = (seeds: number[], rates: number[] = []) => ({
    experiment: boston, profileName: 'quick', profile: boston.profiles.quick, optimizers: ['adam', 'sgd'],
    implsFor: () => ['builtin' as const], seeds, learningRates: rates,
  });

  it('the range and list parsers refuse more rates than a plan may hold without allocating them', () => {
    expect(() => learningRates(`1e-4:1e-1:${Number.MAX_SAFE_INTEGER}`)).toThrow(/at most 10000/);
    expect(() => learningRates(Array.from({ length: MAX_PLAN_UNITS + 1 }, (_, i) => `${i + 1}`).join(','))).toThrow(/asks for 10001 learning rates/);
    expect(learningRates(`1e-4:1e-1:${MAX_PLAN_UNITS}`)).toHaveLength(MAX_PLAN_UNITS);
    expect(() => positiveInteger('--seeds', MAX_PLAN_UNITS)('10001')).toThrow(/at most 10000/);
    expect(() => positiveInteger('--seeds', MAX_PLAN_UNITS)('100000000')).toThrow(/at most 10000/);
  });

  it('planUnits refuses a plan over the limit, and two units with one id', () => {
    expect(() => planUnits(plan(Array.from({ length: 3 }, (_, i) => i), Array.from({ length: 2000 }, (_, i) => (i + 1) / 1e4)))).toThrow(PlanError);
    expect(() => planUnits(plan([1, 2, 3], Array.from({ length: 2000 }, (_, i) => (i + 1) / 1e4)))).toThrow('the plan holds 12,000 units');
    expect(() => planUnits(plan([1, 1]))).toThrow("the plan holds unit 'adam#seed=1' twice");
    expect(() => planUnits(plan([1], [0.1, 0.1]))).toThrow("the plan holds unit 'adam#lr=0.1' twice");
    expect(planUnits(plan([1, 2], [0.01, 0.1])).map((u) => u.id)).toEqual([
      'adam#seed=1,lr=0.01', 'adam#seed=1,lr=0.1', 'adam#seed=2,lr=0.01', 'adam#seed=2,lr=0.1',
      'sgd#seed=1,lr=0.01', 'sgd#seed=1,lr=0.1', 'sgd#seed=2,lr=0.01', 'sgd#seed=2,lr=0.1',
    ]);
  });

  it('a range too narrow for its count is refused; a wide one gives distinct rates', () => {
    expect(() => learningRates('1e-3:1.000001e-3:50')).toThrow(/does not give 50 different learning rates .*widen the range/);
    expect(new Set(learningRates('1e-3:1e-1:50')).size).toBe(50);
  });

  it('seeds: the generator keeps 32 bits, so 2^32 would alias 0; seeds past MAX_SEED are refused', () => {
    // Why the limit: the two generators draw the same numbers.
    const draws = (seed: number) => Array.from({ length: 4 }, (() => { const r = new SeededRandom(seed); return () => r.nextUint32(); })());
    expect(draws(2 ** 32)).toEqual(draws(0));
    expect(MAX_SEED).toBe(2 ** 32 - 1);
    expect(() => nonNegativeInteger('--seed', MAX_SEED)(String(2 ** 32))).toThrow(/from 0 to 4294967295/);
    expect(runSeeds(MAX_SEED - 2, 3)).toEqual([MAX_SEED - 2, MAX_SEED - 1, MAX_SEED]);
    expect(() => runSeeds(MAX_SEED - 1, 3)).toThrow(/past 4294967295/);
  });
});

describe('output and resume paths, in-process', () => {
  it('--out, --run-dir, --reports-root: empty, a file, or a path through a file are refused naming the option', () => {
    expect(() => outputDirectory('--out')('')).toThrow('--out needs a directory; got an empty string');
    expect(() => outputDirectory('--out')('  ')).toThrow('got an empty string');
    expect(() => outputDirectory('--run-dir')(path.join(aFile, 'deep', 'er'))).toThrow(`--run-dir '${path.join(aFile, 'deep', 'er')}' cannot be a directory: ${aFile} is a file`);
    expect(outputDirectory('--out')(path.join(work, 'new', 'dirs'))).toBe(path.join(work, 'new', 'dirs'));
    expect(fileInTheWay(work)).toBeUndefined();
  });

  it('--resume <dir> must be a run directory: missing, a file, or a directory without results.json or units/ are refused', () => {
    expect(() => assertRunDirectory(path.join(work, 'typo'))).toThrow(ResumeError);
    expect(() => assertRunDirectory(aFile)).toThrow('it is a file');
    expect(() => assertRunDirectory(work)).toThrow(`--resume ${work}: it holds neither results.json nor units/`);
    expect(() => assertRunDirectory(run)).not.toThrow();
    const killedEarly = path.join(work, 'killed-early');
    mkdirSync(path.join(killedEarly, 'units'), { recursive: true });
    expect(() => assertRunDirectory(killedEarly)).not.toThrow();
  });

  it('merging one directory twice is refused, however it is spelled (also through a symbolic link)', () => {
    const link = path.join(work, 'link-to-run');
    symlinkSync(run, link);
    for (const twice of [[run, run], [run, `${run}/`], [run, link]]) expect(() => mergeRuns(twice)).toThrow(MergeError);
    expect(() => mergeRuns([run, link])).toThrow(`${link} is named twice (also as ${run})`);
  });
});

describe('a write that fails because a part of the path is a file', () => {
  it('names the file it was writing and why, never its temp file (the cleanup used to throw ENOTDIR over it)', async () => {
    const target = path.join(aFile, 'results.json');
    for (const write of [() => writeFileAtomicSync(target, '{}'), () => writeFileAtomic(target, '{}')]) {
      const error = await Promise.resolve().then(write).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutputWriteError);
      const message = (error as Error).message;
      expect(message).toContain(`Could not write ${target}:`);
      expect(message).toContain('A part of the path is a file, not a directory');
      expect(message).not.toMatch(/\.tmp/);
    }
    mkdirSync(path.join(work, 'a-dir'));
    const intoDirectory = await writeFileAtomic(path.join(work, 'a-dir'), '{}').catch((e: unknown) => e);
    expect((intoDirectory as Error).message).toMatch(/a-dir: .*The path is a directory, not a file/);
  });
});
