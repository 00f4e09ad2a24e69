/**
 * The study-level scorecard: every experiment's findings side by side and the article's overall
 * conclusion ("Adam is a good default"), judged across experiments. Per profile, it takes the newest run
 * of each experiment under a reports root (complete runs before partial ones), so `experiment all`,
 * `merge` and `report` all refresh it; it is written to `<root>/study.md` and `<root>/study.html` and shown
 * in `<root>/index.html`.
 */
import path from 'node:path';
import type { Claim, StudyClaim } from '../claims/claim.js';
import { writeFileAtomic } from '../common/atomicWrite.js';
import type { RunResults } from '../results/schema.js';
import { scorecardTable, scorecardTally, verdictText, type Table } from './content.js';
import { escapeHtml, pageShell, table as htmlTable } from './html.js';
import { escapeMarkdown, table as markdownTable } from './markdown.js';
import { profileCaveat, scoreClaim, scoreStudyClaim, type ScoredClaim } from './scoring.js';

export const STUDY_FILES = { markdown: 'study.md', html: 'study.html' } as const;

/** What the study is judged by, handed over by the CLI (the report does not look experiments up). */
export interface StudyClaims {
  /** Each experiment's findings (experiments/claims/). */
  claimsFor(experiment: string): Claim[];
  /** Findings across experiments (experiments/claims/study.ts). */
  claims: StudyClaim[];
}

export interface StudyRun {
  results: RunResults;
  /** The run directory relative to the reports root, for links. */
  relativeDir: string;
}

export interface ExperimentLine {
  experiment: string;
  title: string;
  run: StudyRun;
  scorecard: ScoredClaim[];
}

export interface StudyScorecard {
  profile: string;
  caveat?: string;
  experiments: ExperimentLine[];
  /** Cross-experiment findings, scored on the runs above. */
  claims: ScoredClaim[];
}

/** Profiles in the order a reader wants them: the study first, the CI-sized one last. */
const PROFILE_ORDER = ['study', 'full', 'quick'];

const profileRank = (profile: string) => {
  const index = PROFILE_ORDER.indexOf(profile);
  return index < 0 ? PROFILE_ORDER.length - 1 : index;
};

/** The profiles the runs have, in reading order. */
export function profilesOf(runs: StudyRun[]): string[] {
  return [...new Set(runs.map((r) => r.results.profile))].sort((a, b) => profileRank(a) - profileRank(b) || a.localeCompare(b));
}

/** The newest run of each experiment for one profile, complete runs preferred over partial ones. */
export function newestPerExperiment(runs: StudyRun[]): StudyRun[] {
  const chosen = new Map<string, StudyRun>();
  const better = (a: StudyRun, b: StudyRun) =>
    a.results.status !== b.results.status ? a.results.status === 'complete' : a.results.startedAt > b.results.startedAt;
  for (const run of runs) {
    const seen = chosen.get(run.results.experiment);
    if (!seen || better(run, seen)) chosen.set(run.results.experiment, run);
  }
  return [...chosen.values()].sort((a, b) => a.results.experiment.localeCompare(b.results.experiment));
}

/** One scorecard per profile that has runs, study profile first. */
export function buildStudyScorecards(runs: StudyRun[], study: StudyClaims): StudyScorecard[] {
  return profilesOf(runs).map((profile) => {
    const chosen = newestPerExperiment(runs.filter((r) => r.results.profile === profile));
    const caveat = profileCaveat(profile);
    return {
      profile,
      ...(caveat ? { caveat } : {}),
      experiments: chosen.map((run) => ({
        experiment: run.results.experiment,
        title: run.results.title,
        run,
        scorecard: study.claimsFor(run.results.experiment).map((claim) => scoreClaim(claim, run.results)),
      })),
      claims: study.claims.map((claim) => scoreStudyClaim(claim, chosen.map((r) => r.results))),
    };
  });
}

function experimentsTable(card: StudyScorecard): Table {
  return {
    headers: ['experiment', 'run', 'seeds', 'findings'],
    rows: card.experiments.map((line) => [
      { text: `${line.title} (${line.experiment})` },
      { text: `${line.run.relativeDir} — ${line.run.results.status}` },
      { text: line.run.results.seeds.join(', ') },
      { text: line.scorecard.length ? scorecardTally(line.scorecard) : 'no findings of the study for this experiment' },
    ]),
  };
}

const heading = (card: StudyScorecard) => `Profile '${card.profile}'`;

export function renderStudyMarkdown(cards: StudyScorecard[]): string {
  const sections = ['# The study, finding by finding', 'The newest run of each experiment per profile, scored against the article\'s findings; the overall conclusion is judged across them.'];
  if (!cards.length) sections.push('No runs yet.');
  for (const card of cards) {
    sections.push(
      `## ${escapeMarkdown(heading(card))}`,
      ...(card.caveat ? [`**${escapeMarkdown(card.caveat)}**`] : []),
      '### Across experiments',
      markdownTable(scorecardTable(card.claims)),
      '### Per experiment',
      markdownTable(experimentsTable(card)),
      ...card.experiments.filter((line) => line.scorecard.length).flatMap((line) => [`#### ${escapeMarkdown(line.title)}`, markdownTable(scorecardTable(line.scorecard))]),
    );
  }
  return `${sections.join('\n\n')}\n`;
}

/** The study-level findings of every profile, compact: for the top of reports/index.html. */
export function studySectionHtml(cards: StudyScorecard[]): string {
  if (!cards.length) return '';
  const rows = cards.flatMap((card) => card.claims.map((claim) => [
    { text: card.profile },
    { text: claim.statement },
    { text: verdictText(claim), tone: claim.verdict },
    { text: `${claim.evidence}${card.caveat ? ` ${card.caveat}` : ''}` },
  ]));
  return `<h2>The study across experiments</h2>
<p class="note">The article's overall conclusion, judged on the newest run of each experiment per profile. Details: <a href="${STUDY_FILES.html}">study report</a>.</p>
${htmlTable({ headers: ['profile', 'finding', 'verdict (seed mean)', 'evidence'], rows })}`;
}

export function renderStudyHtml(cards: StudyScorecard[]): string {
  const body = cards.map((card) => `
<h2>${escapeHtml(heading(card))}</h2>
${card.caveat ? `<p><strong>${escapeHtml(card.caveat)}</strong></p>` : ''}
<h3>Across experiments</h3>
${htmlTable(scorecardTable(card.claims))}
<h3>Per experiment</h3>
${htmlTable(experimentsTable(card))}
${card.experiments.filter((line) => line.scorecard.length).map((line) => `<h3>${escapeHtml(line.title)}</h3>\n${htmlTable(scorecardTable(line.scorecard))}`).join('\n')}`).join('\n');
  return pageShell('The study — optbench', `
<nav><a href="index.html">All runs</a></nav>
<header><h1>The study, finding by finding</h1><p class="subtitle">The newest run of each experiment per profile, scored against the article's findings; the overall conclusion is judged across them.</p></header>
${body || '<p>No runs yet.</p>'}`);
}

/** Writes study.md and study.html under the reports root; returns the HTML path. */
export async function writeStudyReport(root: string, cards: StudyScorecard[]): Promise<string> {
  await writeFileAtomic(path.join(root, STUDY_FILES.markdown), renderStudyMarkdown(cards));
  const html = path.join(root, STUDY_FILES.html);
  await writeFileAtomic(html, renderStudyHtml(cards));
  return html;
}
