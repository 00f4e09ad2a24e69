/**
 * The guard proven on real training: Boston (quick profile, 3 epochs, one seed, four optimizers) run
 * from a copy of the source tree, once unmodified for the baseline and once per planted defect, each
 * checked with the real CLI as .ci/run does. Every defect must fail the check (exit 1) naming the
 * optimizers it touches and its cause; the others must pass; an unmodified re-run must pass.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTree, DEFECTS, OPTIMIZERS, plant, REPO, removeTree, unplant } from './plantedDefects.js';

const MIRROR = process.env.OPTBENCH_DATA_MIRROR ?? path.resolve(REPO, '../shared/datasets');
const work = mkdtempSync(path.join(tmpdir(), 'optbench-planted-run-'));
const baselineFile = path.join(work, 'boston.quick.wasm.json');
const tsx = path.join(REPO, 'node_modules/.bin/tsx');
let tree: string;

function experiment(): string {
  const result = spawnSync(tsx, [path.join(tree, 'src/cli/experiment.ts'), 'boston', '--profile', 'quick', '--epochs', '3', '--seed', '1',
    '--backend', 'wasm', '--optimizers', OPTIMIZERS.join(','), '--out', path.join(work, 'reports'), '--no-report'], {
    cwd: tree, encoding: 'utf8', env: { ...process.env, OPTBENCH_DATA_MIRROR: MIRROR, OPTBENCH_DATA_DIR: path.join(work, 'cache') },
  });
  const results = /results: (.+)\/results\.json/.exec(result.stdout);
  if (result.status !== 0 || !results) throw new Error(`the experiment failed (${result.status}): ${result.stderr}`);
  return results[1];
}

function check(runDir: string, ...args: string[]) {
  const result = spawnSync(tsx, [path.join(REPO, 'src/cli/check.ts'), runDir, '--baseline', baselineFile, ...args], {
    cwd: work, encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: '' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Optimizers the report's table marks as failing. */
const failingRows = (markdown: string) => [...markdown.matchAll(/^\| (\S+) \| ❌ [^|]+\|/gm)].map((match) => match[1]);
/** The detail line of one optimizer. */
const detailOf = (markdown: string, optimizer: string) => markdown.split('\n').find((line) => line.startsWith(`- **${optimizer}** —`)) ?? '';

describe('the convergence check catches defects planted in a real Boston run', () => {
  beforeAll(() => {
    tree = copyTree();
    expect(check(experiment(), '--update-baseline').code).toBe(0);
  }, 180_000);
  afterAll(() => {
    removeTree(tree);
    removeTree(work);
  });

  it('passes an unmodified re-run, every optimizer replayed exactly', () => {
    const { code, stdout } = check(experiment());
    expect(stdout).toContain('✅ no change');
    for (const optimizer of OPTIMIZERS) expect(stdout).toMatch(new RegExp(`^\\| ${optimizer} \\| ✅ ok \\| replay: seed 1 identical`, 'm'));
    expect(code).toBe(0);
  }, 120_000);

  for (const defect of DEFECTS) {
    it(`fails on ${defect.name}, naming ${defect.caughtOn.join(', ')} and the cause`, () => {
      plant(tree, defect);
      let result: ReturnType<typeof check>;
      try {
        result = check(experiment());
      } finally {
        unplant(tree, defect);
      }
      expect(result.code, result.stdout + result.stderr).toBe(1);
      const changed = failingRows(result.stdout);
      const settingRows = [...result.stdout.matchAll(/^\| `([^.`]+)\.[^`]*` \|.*❌ not accepted \|$/gm)].map((match) => match[1]);
      // Caught: the curves changed, or an unrequested setting of that optimizer differs (or both).
      expect([...new Set([...changed, ...settingRows])].sort()).toEqual([...defect.caughtOn].sort());
      for (const optimizer of defect.caughtOn) {
        const explained = detailOf(result.stdout, optimizer) + result.stdout.split('\n').filter((line) => line.startsWith(`| \`${optimizer}.`)).join('\n');
        expect(explained).toMatch(defect.cause);
      }
    }, 120_000);
  }
});
