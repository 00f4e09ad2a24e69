/**
 * writeReport: turns a run directory's results.json into charts (Vega-Lite spec, SVG, PNG),
 * report.md, a self-contained report.html, and refreshes the index of all runs.
 */
import path from 'node:path';
import { writeFileAtomic } from '../common/atomicWrite.js';
import { readResults } from '../results/io.js';
import type { Claim } from '../claims/claim.js';
import { buildContent, scoreClaims } from './content.js';
import { renderHtml } from './html.js';
import { writeReportsIndex } from './indexPage.js';
import { renderReportMarkdown } from './markdown.js';
import { renderSvg, svgToPng } from './render.js';
import { buildCharts, type SurfaceInfo } from './specs.js';
import { summarizeRun } from '../results/summary.js';
import type { StudyClaims } from './study.js';
import { studyView } from '../results/phases.js';
import { tuningReport } from './tuningSection.js';

export interface ReportOptions {
  /** Findings to score, handed over with the run by its experiment (experiments/claims/); default none. */
  claims?: Claim[];
  /** Cost surfaces whose contours are drawn under the trajectories (the surfaces experiment's); default none. */
  surfaces?: SurfaceInfo[];
  /** Root whose index.html lists all runs; default: two levels up (`reports/<experiment>/<runId>`). */
  reportsRoot?: string;
  /** The study's claims, for the study-level scorecard beside the index (study.md, study.html); default none. */
  study?: StudyClaims;
}

export interface ChartFiles {
  id: string;
  spec: string;
  svg: string;
  png: string;
}

export interface ReportFiles {
  markdown: string;
  html: string;
  index: string;
  charts: ChartFiles[];
}

export async function writeReport(runDir: string, options: ReportOptions = {}): Promise<ReportFiles> {
  const run = await readResults(path.join(runDir, 'results.json'));
  // The study's view (a --tune run's default-rate units) feeds the standard report; the tuning part has its own.
  const results = studyView(run);
  const tuning = run.tuning ? tuningReport(run) : null;
  const summary = summarizeRun(results);
  const charts = [...buildCharts(results, summary, options.surfaces ?? []), ...(tuning?.charts ?? [])];
  const chartFiles: ChartFiles[] = [];
  for (const chart of charts) {
    const files = { id: chart.id, spec: path.join(runDir, `${chart.id}.vl.json`), svg: path.join(runDir, `${chart.id}.svg`), png: path.join(runDir, `${chart.id}.png`) };
    const svg = await renderSvg(chart.spec);
    // Compact: surface specs carry thousands of contour vertices; any JSON viewer re-indents.
    await writeFileAtomic(files.spec, `${JSON.stringify(chart.spec)}\n`);
    await writeFileAtomic(files.svg, svg);
    await writeFileAtomic(files.png, svgToPng(svg));
    chartFiles.push(files);
  }
  const content = buildContent(results, summary, charts, options.claims ?? []);
  if (tuning) {
    content.sections = tuning.sections;
    content.scorecard = [...content.scorecard, ...scoreClaims(tuning.claims, run)];
  }
  const markdown = path.join(runDir, 'report.md');
  const html = path.join(runDir, 'report.html');
  await writeFileAtomic(markdown, renderReportMarkdown(content));
  await writeFileAtomic(html, await renderHtml(content));
  const index = await writeReportsIndex(options.reportsRoot ?? path.resolve(runDir, '..', '..'), options.study);
  return { markdown, html, index, charts: chartFiles };
}
