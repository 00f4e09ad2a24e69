/**
 * writeReport: turns a run directory's results.json into charts (Vega-Lite spec, SVG, PNG),
 * report.md, a self-contained report.html, and refreshes the index of all runs.
 */
import path from 'node:path';
import { claimsFor } from '../../experiments/claims/index.js';
import { writeFileAtomic } from '../results/atomicWrite.js';
import { readResults } from '../results/io.js';
import { SURFACES } from '../train/surfaces.js';
import type { Claim } from './claims.js';
import { buildContent, scoreClaims } from './content.js';
import { renderHtml } from './html.js';
import { writeReportsIndex } from './indexPage.js';
import { renderMarkdown } from './markdown.js';
import { renderSvg, svgToPng } from './render.js';
import { buildCharts, type SurfaceInfo } from './specs.js';
import { summarize } from './summary.js';
import { tuningReport } from './tuningSection.js';
import { studyView } from '../results/phases.js';

export interface ReportOptions {
  /** Findings to score; default: the claim set of the run's experiment (experiments/claims/). */
  claims?: Claim[];
  /** Cost surfaces whose contours are drawn under the trajectories; default: all of src/train/surfaces.ts. */
  surfaces?: SurfaceInfo[];
  /** Root whose index.html lists all runs; default: two levels up (`reports/<experiment>/<runId>`). */
  reportsRoot?: string;
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
  const summary = summarize(results);
  const charts = [...buildCharts(results, summary, options.surfaces ?? SURFACES), ...(tuning?.charts ?? [])];
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
  const content = buildContent(results, summary, charts, options.claims ?? claimsFor(results.experiment));
  if (tuning) {
    content.sections = tuning.sections;
    content.scorecard.push(...scoreClaims(tuning.claims, run));
  }
  const markdown = path.join(runDir, 'report.md');
  const html = path.join(runDir, 'report.html');
  await writeFileAtomic(markdown, renderMarkdown(content));
  await writeFileAtomic(html, await renderHtml(content));
  const index = await writeReportsIndex(options.reportsRoot ?? path.resolve(runDir, '..', '..'));
  return { markdown, html, index, charts: chartFiles };
}
