/**
 * reports/index.html: the study-level findings (study.ts, also written to study.md and study.html), the
 * time-to-target view across experiments (acrossExperiments.ts, written to across/) and every run under
 * `<reports root>/<experiment>/<runId>/results.json`, newest first.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.js';
import { readResults } from '../results/io.js';
import type { RunResults } from '../results/schema.js';
import { escapeHtml, pageShell } from './html.js';
import { completionText } from '../results/completion.js';
import { summarizeRun } from '../results/summary.js';
import { headline } from './content.js';
import { buildStudyScorecards, studySectionHtml, writeStudyReport, type StudyClaims } from './study.js';
import { acrossSectionHtml, buildAcrossViews, writeAcrossExperimentsReport } from './acrossExperiments.js';

export const INDEX_FILE = 'index.html';

interface Listed {
  dir: string;
  results?: RunResults;
  error?: string;
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

async function listRuns(root: string): Promise<Listed[]> {
  const runDirs = (await Promise.all((await subdirectories(root)).map(subdirectories))).flat();
  const listed = await Promise.all(
    runDirs
      .filter((dir) => existsSync(path.join(dir, 'results.json')))
      .map(async (dir): Promise<Listed> => {
        try {
          return { dir, results: await readResults(path.join(dir, 'results.json')) };
        } catch (error) {
          return { dir, error: (error as Error).message };
        }
      }),
  );
  // Run ids start with the start time, so the directory name orders unreadable runs too.
  const sortKey = (l: Listed) => l.results?.startedAt ?? path.basename(l.dir);
  return listed.sort((a, b) => sortKey(b).localeCompare(sortKey(a)));
}

/** "partial: 3 of 8 finished", plus how many finished units did not run ok. */
function statusText(results: RunResults): string {
  const notOk = results.runs.filter((run) => run.status !== 'ok' && run.status !== 'skipped').length;
  return `${results.status}: ${completionText(results)}${notOk ? `, ${notOk} not ok` : ''}`;
}

function row(root: string, listed: Listed): string {
  const href = path.relative(root, path.join(listed.dir, 'report.html')).split(path.sep).map(encodeURIComponent).join('/');
  const runName = path.relative(root, listed.dir).split(path.sep).join(' / ');
  if (!listed.results) return `<tr><td colspan="5">${escapeHtml(runName)}</td><td>unreadable: ${escapeHtml(listed.error ?? '')}</td></tr>`;
  const r = listed.results;
  const best = headline(r, summarizeRun(r));
  const link = existsSync(path.join(listed.dir, 'report.html')) ? `<a href="${escapeHtml(href)}">report</a>` : 'no report yet';
  return `<tr><td>${escapeHtml(r.startedAt)}</td><td>${escapeHtml(r.title)}<br><span class="note">${escapeHtml(runName)}</span></td><td>${escapeHtml(r.profile)}</td><td>${escapeHtml(statusText(r))}</td><td>${best.length ? best.map(escapeHtml).join('<br>') : '—'}</td><td>${link}</td></tr>`;
}

/**
 * Regenerates the index of all runs under `root` and, given the study's claims, the study report beside
 * it; returns the index's path.
 */
export async function writeReportsIndex(root: string, studyClaims?: StudyClaims): Promise<string> {
  const runs = await listRuns(root);
  const readable = runs.flatMap((l) => (l.results ? [{ results: l.results, relativeDir: path.relative(root, l.dir).split(path.sep).join('/') }] : []));
  const study = studyClaims ? buildStudyScorecards(readable, studyClaims) : [];
  if (studyClaims) await writeStudyReport(root, study);
  const across = buildAcrossViews(readable);
  if (across.length) await writeAcrossExperimentsReport(root, across);
  const body = `
<header><h1>optbench reports</h1><p class="subtitle">${runs.length} runs, newest first.</p></header>
${studySectionHtml(study)}
${acrossSectionHtml(across)}
<h2>Runs</h2>
<div class="scroll"><table>
<thead><tr><th>started</th><th>experiment</th><th>profile</th><th>status</th><th>best</th><th></th></tr></thead>
<tbody>
${runs.map((listed) => row(root, listed)).join('\n')}
</tbody></table></div>`;
  const file = path.join(root, INDEX_FILE);
  await writeFileAtomic(file, pageShell('optbench reports', body));
  return file;
}
