/**
 * The guard proven on real training: Boston (quick profile cut to 2 epochs, seed 1, four optimizers)
 * trained by a copy of the source tree, once unmodified for the baseline and once per planted defect,
 * each checked against that baseline. Every defect must fail the check naming the optimizers it touches
 * and its cause; the others must pass; an unmodified re-run must pass. The copies' training code is
 * imported into this process (the tfjs packages resolve to the one already running), so no run pays for
 * a process start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend, type BackendChoice } from '../../src/backend/select.js';
import { buildBaseline, type Baseline } from '../../src/check/baseline.js';
import { checkRun } from '../../src/check/compare.js';
import { renderCheckMarkdown } from '../../src/check/markdown.js';
import type { RunResults } from '../../src/results/schema.js';
import type * as RegistryModule from '../../src/optimizers/registry.js';
import type * as RunExperimentModule from '../../src/train/runExperiment.js';
import type * as BostonModule from '../../experiments/boston.js';
import { copyTree, DEFECTS, OPTIMIZERS, plant, REPO, removeTree } from './plantedDefects.js';

const MIRROR = process.env.OPTBENCH_DATA_MIRROR ?? path.resolve(REPO, '../shared/datasets');
const work = mkdtempSync(path.join(tmpdir(), 'optbench-planted-run-'));
const trees: string[] = [];
let backend: BackendChoice;
let baseline: Baseline;

/** Boston quick, 2 epochs (enough for every defect: one that stops reshuffling shows from epoch 2), seed 1, trained by `tree`'s code. */
async function trainWith(tree: string): Promise<RunResults> {
  const { runModelExperiment } = (await import(path.join(tree, 'src/train/runExperiment.ts'))) as typeof RunExperimentModule;
  const { defaultImpl } = (await import(path.join(tree, 'src/optimizers/registry.ts'))) as typeof RegistryModule;
  const { boston } = (await import(path.join(tree, 'experiments/boston.ts'))) as typeof BostonModule;
  const { results } = await runModelExperiment(
    { experiment: boston, profileName: 'quick', profile: { ...boston.profiles.quick, epochs: 2 }, optimizers: OPTIMIZERS, seeds: [1], learningRates: [], implsFor: (o) => [defaultImpl(o)] },
    backend, { mirror: MIRROR, cacheDir: path.join(work, 'cache'), log: () => {} }, { reportsRoot: path.join(work, 'reports') },
  );
  return results;
}

/** Optimizers the report's table marks as changed (either direction). */
const changedRows = (markdown: string) => [...markdown.matchAll(/^\| (\S+) \| (❌|✨) [^|]+\|/gm)].map((match) => match[1]);
/** Optimizers with a setting that differs unaccepted. */
const settingRows = (markdown: string) => [...markdown.matchAll(/^\| `([^.`]+)\.[^`]*` \|.*❌ not accepted \|$/gm)].map((match) => match[1]);
/** The detail line of one optimizer. */
const detailOf = (markdown: string, optimizer: string) => markdown.split('\n').find((line) => line.startsWith(`- **${optimizer}** —`)) ?? '';

function tree(): string {
  const copy = copyTree();
  trees.push(copy);
  return copy;
}

describe('the convergence check catches defects planted in a real Boston run', () => {
  beforeAll(async () => {
    backend = await selectBackend('wasm');
    baseline = buildBaseline(await trainWith(tree()));
  }, 120_000);
  afterAll(() => {
    for (const copy of trees) removeTree(copy);
    removeTree(work);
  });

  it('passes an unmodified re-run, every optimizer replayed exactly; a 5% worse AUC of any one of them fails', async () => {
    const rerun = await trainWith(tree());
    const report = checkRun(rerun, baseline);
    expect(report.failed).toBe(false);
    expect(report.groups.map((g) => [g.key, g.verdict, g.replays.map((r) => r.identical)])).toEqual(OPTIMIZERS.map((o) => [o, 'ok', [true]]));
    for (const optimizer of OPTIMIZERS) {
      const worse = { ...rerun, runs: rerun.runs.map((run) => (run.optimizer !== optimizer ? run : { ...run, epochs: run.epochs.map((e) => ({ ...e, valLoss: e.valLoss! * 1.05 })) })) };
      const judged = checkRun(worse, baseline);
      expect(judged.failed).toBe(true);
      expect(judged.groups.filter((g) => g.verdict !== 'ok').map((g) => [g.key, g.verdict, Number(g.auc!.worsening!.toFixed(6))])).toEqual([[optimizer, 'worse', 0.05]]);
    }
  }, 120_000);

  for (const defect of DEFECTS) {
    it(`fails on ${defect.name}, naming ${defect.caughtOn.join(', ')} and the cause`, async () => {
      const copy = tree();
      plant(copy, defect);
      const report = checkRun(await trainWith(copy), baseline);
      const markdown = renderCheckMarkdown(report);
      expect(report.failed, markdown).toBe(true);
      // Caught: the curves changed, or an unrequested setting of that optimizer differs (or both).
      expect([...new Set([...changedRows(markdown), ...settingRows(markdown)])].sort(), markdown).toEqual([...defect.caughtOn].sort());
      for (const optimizer of defect.caughtOn) expect(detailOf(markdown, optimizer), markdown).toMatch(defect.cause);
    }, 120_000);
  }
});
