/**
 * `npm run report -- <run dir>`: (re)writes the charts, report.md, report.html of a run directory and
 * the index of all runs beside it. Exit codes: 0 written, 1 failed while writing, 2 bad input (usage,
 * no or unreadable results.json), as the other commands.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { writeRunReport } from './writeRunReport.js';
import { UsageError } from './errors.js';
import { outputDirectory } from './options.js';
import { STUDY_FILES } from '../report/study.js';
import { runCommand } from './run.js';

export function buildProgram(): Command {
  return new Command('report')
    .description('Write charts, report.md and report.html for a run directory holding results.json, and refresh reports/index.html.')
    .argument('<runDir>', 'run directory, e.g. reports/boston/2024-05-01T10-00-00Z-abc123')
    .option('--reports-root <dir>', 'directory whose index.html lists all runs (default: two levels above the run directory)', outputDirectory('--reports-root'))
    .showHelpAfterError()
    .action(async (runDir: string, options: { reportsRoot?: string }) => {
      if (!existsSync(path.join(runDir, 'results.json'))) {
        throw new UsageError(`${path.join(runDir, 'results.json')} does not exist: pass a run directory such as reports/<experiment>/<runId>.`);
      }
      const files = await writeRunReport(runDir, { reportsRoot: options.reportsRoot });
      console.log(`report: ${files.html}\n        ${files.markdown}\ncharts: ${files.charts.length} (SVG + PNG + .vl.json)\nindex:  ${files.index}`
        + `\nstudy:  ${path.join(path.dirname(files.index), STUDY_FILES.html)}`);
    });
}

await runCommand(buildProgram());
