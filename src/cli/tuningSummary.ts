/** The console's summary of a --tune run: the defaults-vs-tuned table of the report, as text. */
import Table from 'cli-table3';
import type { RunResults } from '../results/schema.js';
import { compareDefaultsAndTuned, comparisonTable, rankingNote } from '../report/tuning.js';

export function tuningSummary(results: RunResults): string {
  const comparison = compareDefaultsAndTuned(results);
  const content = comparisonTable(comparison);
  const table = new Table({ head: content.headers, style: { head: [], border: [] } });
  for (const row of content.rows) table.push(row.map((cell) => (cell.best ? `${cell.text} ★` : cell.text)));
  return `${table.toString()}\n${rankingNote(comparison)}`;
}
