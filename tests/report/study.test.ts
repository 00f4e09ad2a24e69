import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReportsIndex } from '../../src/report/indexPage.js';
import { buildStudyScorecards, renderStudyHtml, renderStudyMarkdown, STUDY_FILES, type StudyRun } from '../../src/report/study.js';
import type { RunResults } from '../../src/results/schema.js';
import { makeResults, writeRun, type UnitFixture } from '../fixtures/results/makeResults.js';
import { experimentNamed } from '../../experiments/index.js';
import { studyClaims } from '../../experiments/claims/study.js';

/** What the CLI hands the report: the experiments' claims and the study-level ones. */
const STUDY = { claimsFor: (name: string) => experimentNamed(name)?.claims ?? [], claims: studyClaims };

/** Adam ends at `adamEnd`, the others at 0.3, 0.5 and 0.9. */
function run(experiment: string, profile: string, startedAt: string, adamEnd: number, status: RunResults['status'] = 'complete'): StudyRun {
  const units: UnitFixture[] = [{ optimizer: 'adam', end: adamEnd }, { optimizer: 'rmsprop', end: 0.3 }, { optimizer: 'sgd', end: 0.5 }, { optimizer: 'adadelta', end: 0.9 }];
  const runId = `${startedAt.replace(/:/g, '-')}-${experiment}`;
  return { results: makeResults(units, { experiment, profile, startedAt, status, runId }), relativeDir: `${experiment}/${runId}` };
}

describe('buildStudyScorecards', () => {
  const runs = [
    run('boston', 'quick', '2024-05-01T10:00:00Z', 0.2),
    run('boston', 'study', '2024-05-01T11:00:00Z', 0.9),
    run('boston', 'study', '2024-05-02T11:00:00Z', 0.2),
    // Newer but partial: the complete run is preferred.
    run('boston', 'study', '2024-05-03T11:00:00Z', 0.9, 'partial'),
    run('fashion', 'study', '2024-05-01T12:00:00Z', 0.25),
    run('imdb', 'study', '2024-05-01T13:00:00Z', 0.4),
  ];
  const cards = buildStudyScorecards(runs, STUDY);

  it('has one scorecard per profile, the study first, with the newest complete run of each experiment', () => {
    expect(cards.map((c) => c.profile)).toEqual(['study', 'quick']);
    expect(cards[0].experiments.map((e) => [e.experiment, e.run.results.startedAt])).toEqual([
      ['boston', '2024-05-02T11:00:00Z'], ['fashion', '2024-05-01T12:00:00Z'], ['imdb', '2024-05-01T13:00:00Z'],
    ]);
  });
  it('scores each experiment\'s findings and the study-level ones across the chosen runs', () => {
    expect(cards[0].experiments[0].scorecard.length).toBeGreaterThan(0);
    // Adam is in the better half on all three (rank 1, 1, 2 of 4).
    expect(cards[0].claims.map((c) => [c.id, c.verdict])).toEqual([['study-adam-good-default', 'reproduced']]);
    // The quick profile has only Boston: too few experiments.
    expect(cards[1].claims[0].verdict).toBe('inconclusive');
  });
  it('says a quick-profile scorecard is indicative only', () => {
    expect(cards[0].caveat).toBeUndefined();
    expect(cards[1].caveat).toMatch(/^Indicative only/);
    expect(renderStudyMarkdown(cards)).toContain('**Indicative only');
    expect(renderStudyHtml(cards)).toContain('<strong>Indicative only');
  });
  it('renders every profile, experiment and finding in Markdown and HTML', () => {
    const markdown = renderStudyMarkdown(cards);
    expect(markdown).toContain("## Profile 'study'");
    expect(markdown).toContain('| Adam is a good default: it behaves adequately across different problems. | ✓ reproduced |');
    expect(markdown).toContain('boston/2024-05-02T11-00-00Z-boston — complete');
    expect(renderStudyHtml(cards)).toContain('<td class="verdict-reproduced">✓ reproduced</td>');
  });
});

describe('writeReportsIndex', () => {
  const roots: string[] = [];
  afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));
  it('writes study.md and study.html beside index.html, and shows the study-level findings in the index', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'optbench-study-'));
    roots.push(root);
    for (const { results } of [run('boston', 'study', '2024-05-02T11:00:00Z', 0.2), run('imdb', 'study', '2024-05-02T12:00:00Z', 0.2)]) await writeRun(root, results);
    const index = await readFile(await writeReportsIndex(root, STUDY), 'utf8');
    expect(index).toContain('<h2>The study across experiments</h2>');
    expect(index).toContain(`<a href="${STUDY_FILES.html}">study report</a>`);
    expect(index).toContain('Adam is a good default');
    expect(await readFile(path.join(root, STUDY_FILES.markdown), 'utf8')).toContain('#### Boston');
    expect(await readFile(path.join(root, STUDY_FILES.html), 'utf8')).toContain('<h3>Across experiments</h3>');
  });
});
