/** The CLI hands a run's report what its experiment knows: the claims to score, the surfaces to draw. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTOUR_COLOR } from '../../src/report/colors.js';
import { writeRunReport } from '../../src/cli/writeRunReport.js';
import { makeResults, writeRun } from '../fixtures/results/makeResults.js';
import { bostonLike, surfacesLike } from '../fixtures/results/sampleRuns.js';

describe('writeRunReport', () => {
  let root: string;
  beforeAll(async () => { root = await mkdtemp(path.join(tmpdir(), 'optbench-cli-report-')); });
  afterAll(async () => { await rm(root, { recursive: true, force: true }); });

  it("scores the claims of the run's experiment", async () => {
    const markdown = await readFile((await writeRunReport(await writeRun(root, bostonLike()))).markdown, 'utf8');
    expect(markdown).toContain('## Findings scorecard');
    // The fixture is a 20-epoch Boston run: its claims are the experiment's, and each says it is too short to judge.
    const row = markdown.split('\n').find((line) => line.startsWith('| RMSprop is the best in absolute terms. |'));
    expect(row).toContain('inconclusive: run too short');
  });

  it('draws the contours of the surfaces experiment\'s cost functions', async () => {
    const { charts } = await writeRunReport(await writeRun(root, surfacesLike()));
    // The contour layer is the grey lines under the trajectories; without the surface there are none.
    expect(await readFile(charts[0].spec, 'utf8')).toContain(`"color":"${CONTOUR_COLOR}"`);
  });

  it('scores nothing for an experiment this build does not know', async () => {
    const markdown = await readFile((await writeRunReport(await writeRun(root, makeResults([{ optimizer: 'adam' }], { experiment: 'retired' })))).markdown, 'utf8');
    expect(markdown).toContain('0 of 0 findings reproduced');
  });
});
