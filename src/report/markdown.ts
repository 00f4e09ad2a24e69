/** report.md: the report as Markdown, with charts as relative links to the PNGs beside it. */
import { NO_CHARTS, scorecardTable, scorecardTally, type Cell, type ReportContent, type Table } from './content.js';

/**
 * Text from results.json is data, not markup: backslash-escape the characters that start Markdown
 * emphasis, code, links, raw HTML or table cells, and flatten newlines, which would end a table row.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|~]/g, '\\$&').replace(/\s*\n\s*/g, ' ');
}

function cell(c: Cell): string {
  const text = escapeMarkdown(c.text);
  return c.best ? `**${text}** ★` : text;
}

export function table(t: Table): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [row(t.headers.map(escapeMarkdown)), row(t.headers.map(() => '---')), ...t.rows.map((r) => row(r.map(cell)))].join('\n');
}

export function renderReportMarkdown(content: ReportContent): string {
  const sections = [
    `# ${escapeMarkdown(content.title)}`,
    escapeMarkdown(content.subtitle),
    ...content.headline.map((line) => `**${escapeMarkdown(line)}**`),
    ...content.completion.map((line) => `> ${escapeMarkdown(line)}`),
    '## Findings scorecard',
    escapeMarkdown(scorecardTally(content.scorecard, content.scorecardCaveat)),
    table(scorecardTable(content.scorecard)),
    '## Results',
    escapeMarkdown(content.resultsNote),
    table(content.results),
    ...(content.sections ?? []).flatMap((section) => [
      `## ${escapeMarkdown(section.title)}`, ...section.paragraphs.map(escapeMarkdown), ...section.tables.map(table),
    ]),
    '## Charts',
    content.charts.length ? content.charts.map((c) => `![${escapeMarkdown(c.title)}](${c.id}.png)`).join('\n\n') : escapeMarkdown(NO_CHARTS),
    '## What ran',
    content.facts.map((f) => `- **${escapeMarkdown(f.label)}:** ${escapeMarkdown(f.value)}`).join('\n'),
    '## Optimizer conventions',
    table(content.conventions),
  ];
  return `${sections.join('\n\n')}\n`;
}
