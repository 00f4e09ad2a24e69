/** The check's command line as CI runs it: exit codes 0 (no change), 1 (a change), 2 (bad input). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/results/schema.js';
import { ADAM, referenceRun, results, SGD, seedsOf, SPREAD } from './fixtures.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(tmpdir(), 'optbench-check-cli-'));

/** `tsx src/cli/check.ts …`, as `npm run check -- …` runs it. */
function runCheck(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(path.join(repo, 'node_modules/.bin/tsx'), [path.join(repo, 'src/cli/check.ts'), ...args], {
    cwd: options.cwd ?? work, encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: '', ...options.env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dirs = 0;
function runDir(content: RunResults | string): string {
  const dir = path.join(work, `run-${++dirs}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'results.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const baselineFile = path.join(work, 'baselines', 'reference.json');
const reference = runDir(referenceRun());

describe('npm run check', () => {
  it('--update-baseline writes the baseline (every seed\'s curves) and exits 0', () => {
    const { code, stdout } = runCheck([reference, '--update-baseline', '--baseline', baselineFile]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/baseline written to .*reference\.json: 2 optimizer groups, seeds 1, 2, 3/);
    expect(Object.keys(JSON.parse(readFileSync(baselineFile, 'utf8')).groups.adam.seeds)).toEqual(['1', '2', '3']);
  });

  it('exits 0 and prints the report when nothing changed', () => {
    const { code, stdout } = runCheck([reference, '--baseline', baselineFile]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/✅ no change/);
  });

  it('exits 1 naming the optimizer that changed, and appends the report to $GITHUB_STEP_SUMMARY', () => {
    const summary = path.join(work, 'step-summary.md');
    writeFileSync(summary, 'earlier step\n');
    const worse = runDir(results([...seedsOf('adam', ADAM, SPREAD), ...seedsOf('sgd', SGD.map((v) => v + 0.1), SPREAD)]));
    const { code, stdout } = runCheck([worse, '--baseline', baselineFile], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(code).toBe(1);
    expect(stdout).toMatch(/\| sgd \| ❌ changed \(worse\) \|/);
    expect(stdout).toMatch(/\| adam \| ✅ ok \|/);
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('earlier step\n## Convergence check')).toBe(true);
    expect(written).toContain('| sgd | ❌ changed (worse) |');
  });

  it('exits 1 on an improvement unless --allow-improvement', () => {
    const better = runDir(results([...seedsOf('adam', ADAM, SPREAD), ...seedsOf('sgd', SGD.map((v) => v - 0.1), SPREAD)]));
    expect(runCheck([better, '--baseline', baselineFile]).code).toBe(1);
    expect(runCheck([better, '--baseline', baselineFile, '--allow-improvement']).code).toBe(0);
  });

  it('exits 1 on a setting nobody asked for to change, 0 once it is accepted (--accept or --force)', () => {
    const bigger = runDir(referenceRun({ settings: { ...referenceRun().settings, batchSize: 128 } }));
    const refused = runCheck([bigger, '--baseline', baselineFile]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('| `settings.batchSize` | 64 | 128 | ❌ not accepted |');
    expect(runCheck([bigger, '--baseline', baselineFile, '--accept', 'settings.batchSize']).code).toBe(0);
    expect(runCheck([bigger, '--baseline', baselineFile, '--force']).code).toBe(0);
  });

  it('finds baselines/<experiment>.<profile>.<backend>.json by default', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'optbench-check-cwd-'));
    expect(runCheck([reference, '--update-baseline'], { cwd }).code).toBe(0);
    expect(existsSync(path.join(cwd, 'baselines', 'fashion.quick.wasm.json'))).toBe(true);
    expect(runCheck([reference], { cwd }).code).toBe(0);
  });

  it('judges the direction on another curve with --curve (and its former name --metric)', () => {
    const trainWorse = runDir(results([...seedsOf('adam', ADAM, SPREAD, { loss: [0.9, 0.7, 0.7] }), ...seedsOf('sgd', SGD, SPREAD)]));
    for (const flag of ['--curve', '--metric']) {
      const { code, stdout } = runCheck([trainWorse, '--baseline', baselineFile, flag, 'loss']);
      expect(code).toBe(1);
      expect(stdout).toMatch(/\*\*training loss\*\*/);
      expect(stdout).toMatch(/\| adam \| ❌ changed \(worse\) \|/);
    }
  });

  it('writes a one-seed baseline, saying it guards exact replays only', () => {
    const oneSeed = runDir(results(seedsOf('adam', ADAM, [0])));
    const { code, stdout } = runCheck([oneSeed, '--update-baseline', '--baseline', path.join(work, 'one.json')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/guards exact replays only.*--seeds 3/);
  });

  it('exits 2 on another experiment, even with --force', () => {
    const other = runDir(referenceRun({ experiment: 'imdb' }));
    const { code, stderr } = runCheck([other, '--baseline', baselineFile, '--force']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/experiment 'imdb'/);
  });

  it('exits 2 on bad input: no results.json, malformed JSON, unknown schema, missing baseline, bad option', () => {
    const cases: [string[], RegExp][] = [
      [[path.join(work, 'nowhere')], /no results\.json in/],
      [[runDir('{"schemaVersion": 1, "runs": ['), '--baseline', baselineFile], /not JSON/],
      [[runDir(JSON.stringify({ ...referenceRun(), schemaVersion: 99 })), '--baseline', baselineFile], /schemaVersion 99.*newer optbench/],
      [[reference, '--baseline', path.join(work, 'absent.json')], /does not exist.*--update-baseline/],
      [[reference, '--baseline', baselineFile, '--curve', 'accuracy'], /--curve must be one of valLoss, loss, valMetric, metric/],
      [[reference, '--baseline', baselineFile, '--accept', ','], /--accept takes setting names/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = runCheck(args);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toMatch(message);
    }
  });

  it('exits 2 on a malformed baseline', () => {
    const bad = path.join(work, 'bad-baseline.json');
    writeFileSync(bad, JSON.stringify({ format: 'something-else' }));
    const { code, stderr } = runCheck([reference, '--baseline', bad]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/not a valid convergence baseline/);
  });
});
