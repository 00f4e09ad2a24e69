/**
 * The guard proven on real training: Boston (quick profile, 3 epochs, one seed, four optimizers) run
 * from a copy of the source tree, once unmodified for the baseline and once per planted defect, each
 * checked with the real CLI as .ci/run does. Every defect must fail the check (exit 1) naming the
 * optimizers it touches and its cause; the others must pass; an unmodified re-run must pass.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTree, DEFECTS, OPTIMIZERS, plant, REPO, removeTree } from './plantedDefects.js';

const MIRROR = process.env.OPTBENCH_DATA_MIRROR ?? path.resolve(REPO, '../shared/datasets');
const work = mkdtempSync(path.join(tmpdir(), 'optbench-planted-run-'));
const baselineFile = path.join(work, 'boston.quick.wasm.json');
const tsx = path.join(REPO, 'node_modules/.bin/tsx');
/** Two epochs: enough for every defect to show (a loop that stops reshuffling differs from epoch 2 on). */
const EPOCHS = '2';
const trees: string[] = [];
/** Run directory of the unmodified re-run and of each defect's run, by name. */
const runs = new Map<string, string>();

/** Boston quick, seed 1, from the source tree `tree`; resolves to the run directory. */
async function experiment(tree: string): Promise<string> {
  const { stdout } = await promisify(execFile)(tsx, [path.join(tree, 'src/cli/experiment.ts'), 'boston', '--profile', 'quick', '--epochs', EPOCHS, '--seed', '1',
    '--backend', 'wasm', '--optimizers', OPTIMIZERS.join(','), '--out', path.join(work, 'reports'), '--no-report'], {
    cwd: tree, encoding: 'utf8', env: { ...process.env, OPTBENCH_DATA_MIRROR: MIRROR, OPTBENCH_DATA_DIR: path.join(work, 'cache') },
  });
  const results = /results: (.+)\/results\.json/.exec(stdout);
  if (!results) throw new Error(`the experiment printed no results path: ${stdout}`);
  return results[1];
}

function check(runDir: string, ...args: string[]) {
  const result = spawnSync(tsx, [path.join(REPO, 'src/cli/check.ts'), runDir, '--baseline', baselineFile, ...args], {
    cwd: work, encoding: 'utf8', env: { ...process.env, GITHUB_STEP_SUMMARY: '' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Optimizers the report's table marks as changed (either direction). */
const changedRows = (markdown: string) => [...markdown.matchAll(/^\| (\S+) \| (❌|✨) [^|]+\|/gm)].map((match) => match[1]);
/** The detail line of one optimizer. */
const detailOf = (markdown: string, optimizer: string) => markdown.split('\n').find((line) => line.startsWith(`- **${optimizer}** —`)) ?? '';

describe('the convergence check catches defects planted in a real Boston run', () => {
  beforeAll(async () => {
    const clean = copyTree();
    trees.push(clean);
    runs.set('baseline', await experiment(clean));
    expect(check(runs.get('baseline')!, '--update-baseline').code).toBe(0);
    const jobs: [string, string][] = [['unmodified', clean], ...DEFECTS.map((defect): [string, string] => {
      const tree = copyTree();
      trees.push(tree);
      plant(tree, defect);
      return [defect.name, tree];
    })];
    // Two at a time: the runs are independent processes and CI has two cores.
    for (let i = 0; i < jobs.length; i += 2) {
      const pair = jobs.slice(i, i + 2);
      const dirs = await Promise.all(pair.map(([, tree]) => experiment(tree)));
      pair.forEach(([name], j) => runs.set(name, dirs[j]));
    }
  }, 600_000);
  afterAll(() => {
    for (const tree of trees) removeTree(tree);
    removeTree(work);
  });

  it('passes an unmodified re-run, every optimizer replayed exactly', () => {
    const { code, stdout } = check(runs.get('unmodified')!);
    expect(stdout).toContain('✅ no change');
    for (const optimizer of OPTIMIZERS) expect(stdout).toMatch(new RegExp(`^\\| ${optimizer} \\| ✅ ok \\| replay: seed 1 identical`, 'm'));
    expect(code).toBe(0);
  });

  for (const defect of DEFECTS) {
    it(`fails on ${defect.name}, naming ${defect.caughtOn.join(', ')} and the cause`, () => {
      const result = check(runs.get(defect.name)!);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      const settingRows = [...result.stdout.matchAll(/^\| `([^.`]+)\.[^`]*` \|.*❌ not accepted \|$/gm)].map((match) => match[1]);
      // Caught: the curves changed, or an unrequested setting of that optimizer differs (here both).
      expect([...new Set([...changedRows(result.stdout), ...settingRows])].sort()).toEqual([...defect.caughtOn].sort());
      for (const optimizer of defect.caughtOn) expect(detailOf(result.stdout, optimizer)).toMatch(defect.cause);
    });
  }
});
