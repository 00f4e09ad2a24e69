/**
 * Live progress: a bar with ETA per unit on a terminal, one line per epoch otherwise (CI logs), and
 * the summary table at the end.
 */
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import type { OptimizerRun, RunResults } from '../results/schema.js';
import type { RunReporter } from '../train/plan.js';

const format = (value: number | null | undefined, digits = 4): string =>
  value === null || value === undefined || Number.isNaN(value) ? '—' : value.toPrecision(digits);

function epochLine(metricLabel: string, run: { id: string }, record: OptimizerRun['epochs'][number], epochs: number): string {
  const parts = [`[${run.id}] epoch ${record.epoch}/${epochs}`, `loss ${format(record.loss)}`];
  if (record.metric !== null) parts.push(`${metricLabel} ${format(record.metric)}`);
  if (record.valLoss !== null) parts.push(`val_loss ${format(record.valLoss)}`);
  if (record.valMetric !== null) parts.push(`val_${metricLabel} ${format(record.valMetric)}`);
  parts.push(`${record.seconds.toFixed(1)} s`);
  return parts.join('  ');
}

export function consoleReporter(options: { epochs: number; metricLabel: string; interactive: boolean; log: (line: string) => void }): RunReporter {
  let bar: cliProgress.SingleBar | null = null;
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  return {
    dataLoaded(data, seconds) {
      options.log(`data ready in ${seconds.toFixed(1)} s: ${data.train.size} training and ${data.validation.size} validation samples`);
    },
    unitStarted(unit, index, total) {
      if (!options.interactive) {
        options.log(`[${unit.id}] (${index + 1}/${total}) training`);
        return;
      }
      bar = new cliProgress.SingleBar({
        format: `{unit} |{bar}| {percentage}% | epoch {epoch}/${options.epochs} | ETA {eta_formatted} | loss {loss}`,
        hideCursor: true, etaBuffer: 50, clearOnComplete: false,
      }, cliProgress.Presets.shades_classic);
      bar.start(1, 0, { unit: `(${index + 1}/${total}) ${unit.id}`.padEnd(22), epoch: 1, loss: '—' });
    },
    progress(unit, event) {
      if (event.kind === 'batch') {
        if (bar) {
          bar.setTotal(event.batches * options.epochs);
          bar.update((event.epoch - 1) * event.batches + event.batch, { epoch: event.epoch });
        }
        return;
      }
      if (bar) bar.update({ loss: format(event.record.loss) });
      else options.log(epochLine(options.metricLabel, unit, event.record, options.epochs));
    },
    unitFinished(run) {
      stopBar();
      if (run.status !== 'ok') options.log(`[${run.id}] ${run.status}: ${run.reason ?? ''}`);
    },
  };
}

export function summaryTable(results: RunResults, metricLabel: string): string {
  const table = new Table({
    head: ['optimizer', 'status', 'loss', metricLabel, 'val loss', `val ${metricLabel}`, 's/epoch', 'samples/s'],
    style: { head: [], border: [] },
  });
  for (const run of results.runs) {
    const last = run.epochs.at(-1);
    const secondsPerEpoch = run.epochs.length ? run.epochs.reduce((s, e) => s + e.seconds, 0) / run.epochs.length : null;
    table.push([
      run.id, run.status, format(last?.loss), format(last?.metric), format(last?.valLoss), format(last?.valMetric),
      secondsPerEpoch === null ? '—' : secondsPerEpoch.toFixed(1), run.samplesPerSecond === null ? '—' : run.samplesPerSecond.toFixed(0),
    ]);
  }
  return table.toString();
}

/** Final distance to the nearest minimum per unit (rows) and surface start (columns), for the console. */
export function surfaceSummaryTable(results: RunResults): string {
  const columns = results.runs.find((r) => r.trajectories?.length)?.trajectories?.map((t) => `${t.surface} (${t.start.join(', ')})`) ?? [];
  const table = new Table({ head: ['optimizer', 'lr', 'status', ...columns], style: { head: [], border: [] } });
  for (const run of results.runs) {
    const cells = (run.trajectories ?? []).map((t) => `${t.finalDistanceToMinimum.toPrecision(3)}${t.status === 'diverged' ? ' ✗' : ''}`);
    table.push([run.id, String(run.learningRate), run.status, ...cells, ...Array<string>(columns.length - cells.length).fill('—')]);
  }
  return `final distance to the nearest minimum (✗ = diverged, distance from the last finite point)\n${table.toString()}`;
}
