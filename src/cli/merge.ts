/**
 * `npm run merge -- <runDir...> [--out DIR]`: combine the run directories of one plan's shards
 * (`npm run experiment -- <name> --shard i/n` on several machines) into one run directory and report.
 * Exit 2 when the directories are not parts of one measurement.
 */
import { Command } from 'commander';
import path from 'node:path';
import { writeRunReport } from './writeRunReport.js';
import { mergeRunDirectories } from '../results/merge.js';
import { MergeError } from '../results/errors.js';
import { outputDirectory } from './options.js';
import { STUDY_FILES } from '../report/study.js';
import { runCommand } from './run.js';

const log = (line: string) => process.stdout.write(`${line}\n`);

export function buildProgram(): Command {
  return new Command('merge')
    .description('Merge the run directories of one plan\'s shards into one run directory (and its report).')
    .argument('<runDirs...>', 'run directories (reports/<experiment>/<runId>) to merge')
    .option('--out <dir>', 'reports root directory; the merged run goes to <dir>/<experiment>/<runId>', outputDirectory('--out'), 'reports')
    .option('--no-report', 'do not render the HTML/markdown report of the merged run')
    .showHelpAfterError()
    .action(async (runDirs: string[], options: { out: string; report: boolean }) => {
      const { runDir, results, missing } = mergeRunDirectories(runDirs.map((dir) => path.resolve(dir)), path.resolve(options.out));
      log(`merged ${runDirs.length} run directories: ${results.runs.length - missing.length} units of ${results.experiment} (profile '${results.profile}')`);
      if (missing.length) log(`partial: missing ${missing.length} unit(s): ${missing.join(', ')}`);
      log(`results: ${path.join(runDir, 'results.json')}`);
      if (options.report) {
        log(`report: ${(await writeRunReport(runDir)).html}`);
        log(`study:  ${path.join(path.resolve(options.out), STUDY_FILES.html)} (every experiment's newest run, and the findings across them)`);
      }
    });
}

await runCommand(buildProgram(), { badInput: [MergeError] });
