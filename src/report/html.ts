/**
 * report.html: one self-contained file. Vega, Vega-Lite and vega-embed are inlined from node_modules
 * (the file must work opened from disk, offline), charts are drawn as SVG with vega-tooltip tooltips,
 * and every piece of text from results.json is escaped.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { formatNumber } from '../common/numbers.js';
import { NUMBER_FORMAT_TYPE, type Chart } from './specs.js';
import { NO_CHARTS, scorecardTable, scorecardTally, type Cell, type ReportContent, type Table } from './content.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** JSON inside <script>: '<' escaped so no data can close the script element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The browser (UMD) builds sit beside each package's entry point; package exports hide the path itself. */
const BUNDLES = [
  ['vega', 'vega.min.js'],
  ['vega-lite', 'vega-lite.min.js'],
  ['vega-embed', 'vega-embed.min.js'],
] as const;

async function inlineScripts(): Promise<string> {
  const require = createRequire(import.meta.url);
  const sources = await Promise.all(BUNDLES.map(([pkg, file]) => readFile(path.join(path.dirname(require.resolve(pkg)), file), 'utf8')));
  return sources.map((source) => `<script>${source.replace(/<\/script/gi, '<\\/script')}</script>`).join('\n');
}

export const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --best: #fff4c2; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1000px; padding: 1rem; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); }
h1 { font-size: 1.6rem; margin: 0.5rem 0 0; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
.subtitle, .note, nav { color: var(--muted); font-size: 0.9rem; }
.headline { font-size: 1.15rem; font-weight: 600; margin: 0.5rem 0; }
.completion { border-left: 4px solid #bf8700; background: #fff8e1; padding: 0.4rem 0.75rem; margin: 0.5rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
td.best { background: var(--best); font-weight: 600; }
td.best::after { content: " ★"; }
figure { margin: 1.5rem 0; } .chart { width: 100%; }
.verdict-reproduced { color: #1a7f37; font-weight: 600; } .verdict-not-reproduced { color: #cf222e; font-weight: 600; } .verdict-inconclusive { color: var(--muted); }
td { white-space: normal; } td.verdict-reproduced, td.verdict-not-reproduced, td.verdict-inconclusive { min-width: 10em; max-width: 16em; }
@media (max-width: 600px) {
  body { padding: 0.5rem; font-size: 15px; }
  dl { grid-template-columns: 1fr; } dt { margin-top: 0.5rem; }
}
`;

function cell(c: Cell): string {
  const className = c.best ? 'best' : c.tone ? `verdict-${c.tone}` : '';
  return `<td${className ? ` class="${className}"` : ''}>${escapeHtml(c.text)}</td>`;
}

export function table(t: Table): string {
  const head = `<tr>${t.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = t.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;
}

/**
 * Draws each chart into its figure, as wide as the page; on a phone the legend moves below the plot
 * and titles are cut to the width. A chart that fails says so in place instead of leaving a blank.
 */
const EMBED_SCRIPT = `
vega.expressionFunction(${JSON.stringify(NUMBER_FORMAT_TYPE)}, ${formatNumber.toString()});
const specs = JSON.parse(document.getElementById('chart-specs').textContent);
// Bar charts are one step per row high, so Vega-Lite fits them to the width only, as asked, but warns that it
// "drops fit-y" every time: that one warning is noise, every other one still reaches the console.
const logger = vega.logger(vega.Warn);
const warn = logger.warn.bind(logger);
logger.warn = (...args) => (String(args[0]).startsWith('Dropping "fit-y" because spec has discrete height') ? logger : warn(...args));
for (const element of document.querySelectorAll('[data-chart]')) {
  const spec = specs[element.dataset.chart];
  const narrow = element.clientWidth < 600;
  const config = narrow ? { legend: { orient: 'bottom', columns: 2 }, title: { limit: element.clientWidth - 8, subtitleFontSize: 10 } } : {};
  const sized = { ...spec, width: 'container', autosize: { type: 'fit-x', contains: 'padding' }, config: { ...spec.config, ...config } };
  vegaEmbed(element, sized, { renderer: 'svg', actions: false, logger }).catch((error) => {
    element.textContent = 'This chart could not be drawn: ' + error.message;
    console.error(error);
  });
}
`;

export function pageShell(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

/** A chart's place on the page; chartScripts draws it there. */
export function figureHtml(chart: Chart): string {
  return `<figure><div class="chart" data-chart="${escapeHtml(chart.id)}" role="img" aria-label="${escapeHtml(chart.title)}"></div></figure>`;
}

/** The end of a page with charts: their specs, the inlined Vega bundles and the script that draws each figure. */
export async function chartScripts(charts: Chart[]): Promise<string> {
  const specs = Object.fromEntries(charts.map((c) => [c.id, c.spec]));
  return `<script type="application/json" id="chart-specs">${scriptJson(specs)}</script>
${await inlineScripts()}
<script>${EMBED_SCRIPT}</script>`;
}

export async function renderHtml(content: ReportContent): Promise<string> {
  const figures = content.charts.map(figureHtml).join('\n');
  const paragraphs = (lines: string[], className: string) => lines.map((line) => `<p class="${className}">${escapeHtml(line)}</p>`).join('\n');
  const body = `
<nav><a href="../../index.html">All runs</a></nav>
<header><h1>${escapeHtml(content.title)}</h1><p class="subtitle">${escapeHtml(content.subtitle)}</p></header>
${paragraphs(content.headline, 'headline')}
${paragraphs(content.completion, 'completion')}
<h2>Findings scorecard</h2>
<p>${escapeHtml(scorecardTally(content.scorecard, content.scorecardCaveat))}</p>
${table(scorecardTable(content.scorecard))}
<h2>Results</h2>
<p class="note">${escapeHtml(content.resultsNote)}</p>
${table(content.results)}
${(content.sections ?? []).map((section) => `<h2>${escapeHtml(section.title)}</h2>
${section.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${section.tables.map(table).join('\n')}`).join('\n')}
<h2>Charts</h2>
${content.charts.length ? '<p class="note">Hover or tap a point for its values.</p>' : `<p class="note">${escapeHtml(NO_CHARTS)}</p>`}
${figures}
<h2>What ran</h2>
<dl>${content.facts.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`).join('\n')}</dl>
<h2>Optimizer conventions</h2>
${table(content.conventions)}
${await chartScripts(content.charts)}`;
  return pageShell(`${content.title} — optbench report`, body);
}
