/**
 * Every command-line entry point, run as a real process, on bad input: exit code 2 and a message that
 * names the bad value and what would be valid; `--help` exits 0. Nothing trains in these tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeResults } from '../fixtures/results/makeResults.js';
import { choice, learningRates, listOf, nonNegativeInteger, positiveInteger } from '../../src/cli/options.js';
import { parseShard } from '../../src/results/shard.js';
import { cliTestTimeout, inBatches, listFiles, repo, runCli, tempDirs, type CliName } from './helpers.js';

const dirs = tempDirs('cli');
afterAll(() => dirs.cleanup());
const work = dirs.make();
const out = path.join(work, 'out');

/** A run directory whose results.json holds `content`. */
function runDirWith(name: string, content: string): string {
  const dir = path.join(work, 'runs', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'results.json'), content);
  return dir;
}

const corruptRun = runDirWith('corrupt', '{"schemaVersion": 1, "runId": "cut off mid-wri');
const futureRun = runDirWith('future', JSON.stringify({ ...makeResults([{ optimizer: 'adam' }]), schemaVersion: 99 }));
const tunedRun = runDirWith('tuned', JSON.stringify({
  ...makeResults([{ optimizer: 'adam' }]),
  tuning: { protocol: 'test', holdout: { fraction: 0.2, seed: 1 }, gridSeeds: [1], finalSeeds: [1], gridPoints: 7, gridRatio: 3.16, choices: [] },
}));

interface BadInput {
  args: string[];
  /** Every one of these must appear in stderr: the bad value, and the valid choices or form. */
  says: string[];
}

/**
 * One case per validator and per kind of refusal, as real processes: they prove the wiring (exit 2, the
 * message on stderr). The validators' full range of bad values is checked in-process below, which is
 * instant, where a process costs seconds of tfjs start-up.
 */
const EXPERIMENT_CASES: BadInput[] = [
  { args: ['nope'], says: ["'nope'", 'boston, fashion, imdb, temperature, surfaces, all'] },
  { args: ['boston', '--optimizers', 'adam,foo'], says: ["'foo'", 'adadelta, adagrad, adam'] },
  { args: ['boston', '--profile', 'huge'], says: ["'huge'", 'full, quick'] },
  { args: ['boston', '--backend', 'gpu'], says: ["'gpu'", 'tensorflow, wasm, cpu'] },
  { args: ['boston', '--epochs', '-1'], says: ["'-1'", 'positive whole number'] },
  { args: ['boston', '--epochs', '1.5'], says: ["'1.5'", 'positive whole number'] },
  { args: ['boston', '--seed', '-3'], says: ["'-3'", 'whole number ≥ 0'] },
  { args: ['boston', '--lr', 'abc'], says: ["'abc'", 'start:end:count'] },
  { args: ['boston', '--shard', '3/2'], says: ["'3/2'", '1 ≤ i ≤ n'] },
  { args: ['boston', '--frobnicate'], says: ["'--frobnicate'"] },
  // Conflicting flags: a run directory names one experiment's run.
  { args: ['all', '--resume', path.join(work, 'some-run')], says: ['--resume <runDir>', "'all'"] },
  // --resume of a run directory whose results.json is cut off, or from a newer optbench.
  { args: ['boston', '--resume', corruptRun], says: [corruptRun, 'not a valid results file', 'Re-run'] },
  { args: ['boston', '--resume', futureRun], says: [futureRun, 'schemaVersion 99', 'upgrade optbench'] },
  // A tuning run's units are not an ordinary run's: resuming one as the other is refused.
  { args: ['boston', '--resume', tunedRun], says: [tunedRun, 'is a --tune run; add --tune'] },
];

const REPORT_CASES: BadInput[] = [
  { args: [], says: ["missing required argument 'runDir'"] },
  { args: [path.join(work, 'no-such-run')], says: [path.join(work, 'no-such-run', 'results.json'), 'does not exist', 'reports/<experiment>/<runId>'] },
  { args: [corruptRun], says: [corruptRun, 'not a valid results file'] },
  { args: [futureRun], says: ['schemaVersion 99', 'upgrade optbench'] },
];

const MERGE_CASES: BadInput[] = [
  { args: [], says: ["missing required argument 'runDirs'"] },
  { args: [path.join(work, 'no-such-run')], says: [path.join(work, 'no-such-run'), 'not a run directory', 'reports/<experiment>/<runId>'] },
  { args: [corruptRun, futureRun], says: [corruptRun, 'not a valid results file'] },
];

async function expectRefused(name: CliName, cases: BadInput[]): Promise<void> {
  // A run that got past validation would write under `out`, and quickly: no report.
  const extra = name === 'experiment' || name === 'merge' ? ['--out', out, '--no-report'] : [];
  const results = await inBatches(cases, 2, (c) => runCli(name, [...c.args, ...extra]));
  const failures = cases.flatMap((c, i) => {
    const { code, stderr } = results[i];
    const missing = c.says.filter((text) => !stderr.includes(text));
    return code === 2 && missing.length === 0 ? [] : [`${name} ${c.args.join(' ')} → exit ${code}, missing ${JSON.stringify(missing)} in stderr:\n${stderr}`];
  });
  expect(failures).toEqual([]);
}

describe('bad command-line input exits 2 naming the bad value and the valid choices', () => {
  it('npm run experiment', { timeout: cliTestTimeout(EXPERIMENT_CASES.length) }, async () => {
    await expectRefused('experiment', EXPERIMENT_CASES);
    // Refused before anything was written: no run directory, no report.
    expect(listFiles(out)).toEqual([]);
  });

  it('npm run merge', { timeout: cliTestTimeout(MERGE_CASES.length) }, async () => {
    await expectRefused('merge', MERGE_CASES);
  });

  it('npm run report', { timeout: cliTestTimeout(REPORT_CASES.length) }, async () => {
    await expectRefused('report', REPORT_CASES);
    expect(existsSync(path.join(corruptRun, 'report.html'))).toBe(false);
  });
});

describe('the option validators refuse every malformed value, naming it and the valid form', () => {
  const refusals: [string, () => unknown, string[]][] = [
    ['--epochs 0', () => positiveInteger('--epochs')('0'), ["'0'", 'positive whole number']],
    ['--epochs 1e3', () => positiveInteger('--epochs')('1e3'), ["'1e3'"]],
    ['--epochs (empty)', () => positiveInteger('--epochs')(''), ["''"]],
    ['--epochs beyond 2^53', () => positiveInteger('--epochs')('99999999999999999999'), ["'99999999999999999999'"]],
    ['--epochs 0x10', () => positiveInteger('--epochs')('0x10'), ["'0x10'"]],
    ['--seed 1.0', () => nonNegativeInteger('--seed')('1.0'), ["'1.0'", 'whole number ≥ 0']],
    ['--seed NaN', () => nonNegativeInteger('--seed')('NaN'), ["'NaN'"]],
    ['--impl fast', () => choice('--impl', ['auto', 'builtin'])('fast'), ["'fast'", 'auto, builtin']],
    ['--optimizers ,', () => listOf('--optimizers', ['adam', 'sgd'])(','), ['at least one name', 'adam, sgd']],
    ['--optimizers adam,Adam', () => listOf('--optimizers', ['adam', 'sgd'])('adam,Adam'), ["'Adam'", 'adam, sgd']],
    ['--lr 0,0.1', () => learningRates('0,0.1'), ["'0,0.1'", 'positive numbers']],
    ['--lr -0.1', () => learningRates('-0.1'), ["'-0.1'"]],
    ['--lr 1e309 (Infinity)', () => learningRates('1e309'), ["'1e309'"]],
    ['--lr NaN', () => learningRates('NaN'), ["'NaN'"]],
    ['--lr 0.1,,0.2', () => learningRates('0.1,,0.2'), ["'0.1,,0.2'"]],
    ['--lr 1e-3:1:1 (one point)', () => learningRates('1e-3:1:1'), ["'1e-3:1:1'", 'start:end:count']],
    ['--lr 1e-3:1:2.5', () => learningRates('1e-3:1:2.5'), ["'1e-3:1:2.5'"]],
    ['--lr 0:1:3', () => learningRates('0:1:3'), ["'0:1:3'"]],
    ['--lr 1:2', () => learningRates('1:2'), ["'1:2'"]],
    ['--shard 0/2', () => parseShard('0/2'), ["'0/2'", '1 ≤ i ≤ n']],
    ['--shard 1/0', () => parseShard('1/0'), ["'1/0'"]],
    ['--shard 1.5/2', () => parseShard('1.5/2'), ["'1.5/2'"]],
    ['--shard -1/2', () => parseShard('-1/2'), ["'-1/2'"]],
  ];
  it.each(refusals)('%s', (_label, parse, says) => {
    let message = '';
    try {
      parse();
    } catch (error) {
      message = (error as Error).message;
    }
    for (const text of says) expect(message).toContain(text);
  });

  it('accept the valid forms they document', () => {
    expect(positiveInteger('--epochs')('12')).toBe(12);
    expect(nonNegativeInteger('--seed')('0')).toBe(0);
    expect(listOf('--optimizers', ['adam', 'sgd'])(' sgd, adam,sgd ')).toEqual(['sgd', 'adam']);
    expect(learningRates('1e-4:1e-1:4')).toEqual([0.0001, 0.001, 0.01, 0.1]);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
  });
});

describe('--help', () => {
  it.each<CliName>(['experiment', 'report', 'check', 'merge', 'bench'])('npm run %s -- --help exits 0 with the usage', async (name) => {
    const { code, stdout, stderr } = await runCli(name, ['--help']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: ${name} [options]`);
  });

  // TensorFlow.js takes seconds to load: --help and argument errors must not wait for it.
  const recorder = path.join(repo, 'tests/reliability/fixtures/recordTensorflowImports.mjs');
  function tensorflowImports(args: string[]): { imports: string[]; stdout: string; code: number | null } {
    const log = path.join(dirs.make(), 'imports.log');
    writeFileSync(log, '');
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', recorder, ...args], {
      cwd: repo, encoding: 'utf8', env: { ...process.env, OPTBENCH_IMPORT_LOG: log },
    });
    return { imports: readFileSync(log, 'utf8').split('\n').filter(Boolean), stdout: result.stdout, code: result.status };
  }

  it.each<CliName>(['experiment', 'report', 'check', 'merge', 'bench'])('npm run %s -- --help loads no @tensorflow module', (name) => {
    const { imports, stdout, code } = tensorflowImports([path.join('src', 'cli', `${name}.ts`), '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: ${name} [options]`);
    expect(imports).toEqual([]);
  });

  it('an argument error of npm run experiment loads no @tensorflow module either', () => {
    const { imports, code } = tensorflowImports(['src/cli/experiment.ts', 'boston', '--epochs', 'many']);
    expect(code).toBe(2);
    expect(imports).toEqual([]);
  });

  it('(the recorder sees a module that does load TensorFlow.js)', () => {
    const { imports } = tensorflowImports(['--input-type=module', '-e', "await import('./src/backend/select.ts')"]);
    expect(imports.some((url) => url.includes('/@tensorflow/tfjs-core/'))).toBe(true);
  });
});
