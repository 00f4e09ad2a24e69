/**
 * What a person sees while a run trains: the plan and an estimate of the whole run before training, then
 * on a terminal one bar per lane (worker) and an overall bar with the time left; elsewhere (CI logs) a
 * line per epoch and a heartbeat line at least every 30 s. The summary table at the end.
 */
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import type { OptimizerRun, RunResults } from '../results/schema.js';
import type { Profile } from '../train/definition.js';
import type { TrainProgress } from '../train/loop.js';
import type { PlannedUnit, RunOverview, RunReporter } from '../train/plan.js';
import { formatDuration, RunEstimator, type Estimate } from './eta.js';

const format = (value: number | null | undefined, digits = 4): string =>
  value === null || value === undefined || Number.isNaN(value) ? '—' : value.toPrecision(digits);

/** A run expected to take longer than this says so and names the other profiles. */
export const LONG_RUN_SECONDS = 15 * 60;
/** Without a terminal, a line at least this often. */
export const HEARTBEAT_SECONDS = 30;

function epochLine(metricLabel: string, run: { id: string }, record: OptimizerRun['epochs'][number], epochs: number): string {
  const parts = [`[${run.id}] epoch ${record.epoch}/${epochs}`, `loss ${format(record.loss)}`];
  if (record.metric !== null) parts.push(`${metricLabel} ${format(record.metric)}`);
  if (record.valLoss !== null) parts.push(`val_loss ${format(record.valLoss)}`);
  if (record.valMetric !== null) parts.push(`val_${metricLabel} ${format(record.valMetric)}`);
  parts.push(`${record.seconds.toFixed(1)} s`);
  return parts.join('  ');
}

const count = (n: number) => n.toLocaleString('en-US');

/** The plan in words: what will run, where, and what a resume keeps. */
export function planLines(overview: RunOverview, backend: string, unitWord: string): string[] {
  const lines: string[] = [];
  const batches = Math.ceil(overview.trainSamples / overview.batchSize);
  const work = overview.trainSamples > 0
    ? `${overview.epochs} epochs × ${count(overview.trainSamples)} training samples (${count(batches)} batches of ${overview.batchSize}), ${count(overview.validationSamples)} validation samples`
    : `${overview.epochs} ${unitWord}`;
  lines.push(`plan: ${overview.todo.length} unit${overview.todo.length === 1 ? '' : 's'} to train (${overview.todo.map((u) => u.id).join(', ') || 'none'}) × ${work}; `
    + `${overview.lanes} at a time (${overview.lanes > 1 ? `${overview.lanes} worker processes` : 'in this process'}); backend ${backend}`);
  if (overview.recorded) lines.push(`resuming: ${overview.recorded} of ${overview.units} units already finished, kept as recorded`);
  const continued = overview.todo.filter((unit) => unit.fromEpoch > 1);
  if (continued.length) lines.push(`resuming from checkpoints: ${continued.map((unit) => `${unit.id} at epoch ${unit.fromEpoch}`).join(', ')}`);
  lines.push(`run directory: ${overview.runDir}`);
  return lines;
}

/**
 * The estimate announced once the first batches are timed; for a long run, what the other profiles of
 * the experiment would take at the same speed.
 */
export function estimateLines(estimate: Estimate, context: { profileName: string; profiles: Record<string, Profile>; trainSamples: number; epochs: number; units: number; lanes: number; now?: Date }): string[] {
  const finish = new Date((context.now ?? new Date()).getTime() + estimate.remainingSeconds * 1000);
  const lines = [`estimated time for the whole run: ~${formatDuration(estimate.remainingSeconds)} (done around ${finish.toISOString().slice(11, 16)} UTC), `
    + `measured at ${formatDuration(estimate.secondsPerEpoch)} per epoch per lane; refined as it runs`];
  if (estimate.remainingSeconds > LONG_RUN_SECONDS) {
    // This run saw only its own profile's share of the training set when that profile limits it: a profile
    // that takes more (or all of it) trains on a number of samples this run cannot know.
    const limitedHere = context.profiles[context.profileName]?.trainLimit !== undefined;
    const samplesPerSecond = context.trainSamples / Math.max(1e-9, estimate.secondsPerEpoch);
    const others = Object.entries(context.profiles).filter(([name]) => name !== context.profileName).map(([name, profile]) => {
      if (limitedHere && (profile.trainLimit ?? Infinity) > context.trainSamples) {
        return `--profile ${name} (${profile.epochs} epochs of ${profile.trainLimit === undefined ? 'the whole training set' : `${count(profile.trainLimit)} samples`}, at about ${count(Math.round(samplesPerSecond))} samples/s per worker here)`;
      }
      const samples = Math.min(profile.trainLimit ?? context.trainSamples, context.trainSamples);
      const seconds = (context.units * profile.epochs * estimate.secondsPerEpoch * (samples / Math.max(1, context.trainSamples))) / Math.max(1, Math.min(context.lanes, context.units));
      return `--profile ${name} (${profile.epochs} epochs of ${count(samples)} samples, roughly ${formatDuration(seconds)} here)`;
    });
    lines.push(`this is a long run (profile '${context.profileName}').`
      + (others.length ? ` At this speed the other profiles would take: ${others.join('; ')}.` : '')
      + ' Ctrl-C stops it keeping every finished epoch; --resume continues it.');
  }
  return lines;
}

interface Lane {
  unit: PlannedUnit | null;
  label: string;
  epoch: number;
  batch: number;
  batches: number;
  bar: cliProgress.SingleBar | null;
}

export interface ConsoleReporterOptions {
  epochs: number;
  metricLabel: string;
  /** A terminal: bars redrawn in place. Otherwise lines (CI logs). */
  interactive: boolean;
  log: (line: string) => void;
  backend: string;
  profileName: string;
  profiles: Record<string, Profile>;
  /** What an epoch is called: 'epochs', or 'steps' for the surfaces. */
  unitWord?: string;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Output stream of the bars (default stdout). */
  stream?: NodeJS.WritableStream;
}

/** The reporter, and `log` for other lines of the run (data loading, warnings), printed above the bars. */
export function consoleReporter(options: ConsoleReporterOptions): RunReporter & { log(line: string): void } {
  const now = options.now ?? (() => performance.now());
  let estimator: RunEstimator | null = null;
  let overview: RunOverview | null = null;
  let announced = false;
  let multibar: cliProgress.MultiBar | null = null;
  let overall: cliProgress.SingleBar | null = null;
  const lanes: Lane[] = [];
  let finishedUnits = 0;
  let lastLineAt = now();
  let heartbeat: NodeJS.Timeout | null = null;

  const line = (text: string) => {
    lastLineAt = now();
    if (multibar) multibar.log(`${text}\n`);
    else options.log(text);
  };

  const laneOf = (unit: PlannedUnit) => lanes.findIndex((lane) => lane.unit?.id === unit.id);

  const laneStatus = (lane: Lane): string => {
    if (!lane.unit) return 'idle';
    const rate = estimator?.samplesPerSecond(lane.unit.id);
    return lane.batches
      ? `${lane.unit.id} epoch ${lane.epoch}/${options.epochs} batch ${lane.batch}/${lane.batches}${rate ? ` ${rate.toFixed(0)} samples/s` : ''}`
      : `${lane.unit.id} in progress`;
  };

  const remaining = (estimate: Estimate | null) => (estimate ? `ETA ${formatDuration(estimate.remainingSeconds)}` : 'ETA measuring…');

  const redraw = () => {
    if (!multibar || !overview) return;
    const estimate = estimator?.estimate() ?? null;
    lanes.forEach((lane, i) => {
      lane.bar?.update(lane.batch, {
        label: `lane ${i + 1}`, unit: lane.unit?.id ?? 'idle', epoch: lane.unit ? `epoch ${lane.epoch}/${options.epochs}` : '',
        batch: lane.batches ? `batch ${lane.batch}/${lane.batches}` : (lane.unit ? 'starting' : ''),
        rate: lane.unit && estimator?.samplesPerSecond(lane.unit.id) ? `${estimator.samplesPerSecond(lane.unit.id)!.toFixed(0)} samples/s` : '',
      });
      if (lane.batches) lane.bar?.setTotal(lane.batches);
    });
    overall?.update(Math.round((estimate?.fraction ?? 0) * 1000), {
      label: 'overall', unit: `${finishedUnits}/${overview.todo.length} units`, epoch: '', batch: remaining(estimate), rate: '',
    });
  };

  const announce = () => {
    if (announced || !estimator || !overview) return;
    const estimate = estimator.estimate();
    if (!estimate) return;
    announced = true;
    for (const text of estimateLines(estimate, {
      profileName: options.profileName, profiles: options.profiles, trainSamples: overview.trainSamples,
      epochs: overview.epochs, units: overview.todo.length, lanes: overview.lanes,
    })) line(text);
  };

  const beat = () => {
    announce();
    if (multibar) {
      redraw();
      return;
    }
    if (now() - lastLineAt < (HEARTBEAT_SECONDS - 5) * 1000) return;
    statusLine();
  };

  const statusLine = () => {
    const estimate = estimator?.estimate() ?? null;
    const done = estimate ? `${(estimate.fraction * 100).toFixed(0)}% done, ${remaining(estimate)}` : `${finishedUnits} of ${overview?.todo.length ?? 0} units done`;
    line(`… ${done} | ${lanes.map((lane, i) => `lane ${i + 1}: ${laneStatus(lane)}`).join(' | ')}`);
  };

  // Without a terminal, the first status line comes as soon as every busy lane has trained a batch, not
  // a heartbeat later: it shows that each worker is moving, and at what speed.
  let everyLaneShownMoving = false;
  const showLanesMoving = () => {
    if (multibar || everyLaneShownMoving || lanes.length < 2) return;
    if (!lanes.every((lane) => !lane.unit || lane.batch > 0)) return;
    everyLaneShownMoving = true;
    statusLine();
  };

  const stop = () => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
    if (multibar) {
      redraw();
      multibar.stop();
    }
    multibar = null;
  };

  return {
    log: line,
    dataLoaded(data, seconds) {
      line(`data ready in ${seconds.toFixed(1)} s: ${data.train.size} training and ${data.validation.size} validation samples`);
    },
    runStarted(plan) {
      overview = plan;
      for (const text of planLines(plan, options.backend, options.unitWord ?? 'epochs')) line(text);
      if (!plan.todo.length) return;
      estimator = new RunEstimator(plan, now);
      if (plan.trainSamples > 0) line('estimating the run time from the first batches…');
      for (let i = 0; i < plan.lanes; i++) lanes.push({ unit: null, label: `lane ${i + 1}`, epoch: 0, batch: 0, batches: 0, bar: null });
      if (options.interactive && plan.trainSamples > 0) {
        multibar = new cliProgress.MultiBar({
          format: '{label} |{bar}| {unit} {epoch} {batch} {rate}',
          // forceRedraw: a line printed above the bars moves them down, so a bar whose text did not change
          // must be drawn again too (cli-progress skips unchanged bars otherwise, leaving a stale line).
          hideCursor: true, clearOnComplete: false, stopOnComplete: false, autopadding: true, fps: 4, forceRedraw: true,
          barsize: 24, ...(options.stream ? { stream: options.stream } : {}),
        }, cliProgress.Presets.shades_classic);
        for (const lane of lanes) lane.bar = multibar.create(1, 0, { label: lane.label, unit: 'idle', epoch: '', batch: '', rate: '' });
        overall = multibar.create(1000, 0, { label: 'overall', unit: '', epoch: '', batch: '', rate: '' });
      }
      // Frequent enough for the 30 s heartbeat and the estimate's first announcement.
      heartbeat = setInterval(beat, 5000);
      heartbeat.unref();
    },
    unitStarted(unit, index, total, lane) {
      const state = lanes[lane];
      if (state) Object.assign(state, { unit, epoch: 1, batch: 0, batches: 0 });
      if (!multibar) line(`[${unit.id}] (${index + 1}/${total}) training${lanes.length > 1 ? ` in lane ${lane + 1}` : ''}`);
      redraw();
    },
    progress(unit, event: TrainProgress) {
      const lane = lanes[laneOf(unit)];
      if (event.kind === 'start') {
        estimator?.started(unit.id, event.epoch, event.batches);
        if (lane) Object.assign(lane, { epoch: event.epoch, batch: 0, batches: event.batches });
        if (event.epoch > 1) line(`[${unit.id}] continues from its checkpoint at epoch ${event.epoch}/${event.epochs}`);
      } else if (event.kind === 'batch') {
        estimator?.batch(unit.id, event);
        if (lane) Object.assign(lane, { epoch: event.epoch, batch: event.batch, batches: event.batches });
        if (!announced) announce();
        showLanesMoving();
      } else {
        estimator?.epoch(unit.id, event.record);
        line(epochLine(options.metricLabel, unit, event.record, options.epochs));
      }
      redraw();
    },
    unitFinished(run, _index, _total, lane) {
      finishedUnits += 1;
      estimator?.finished(run.id);
      const state = lanes[lane];
      if (state) Object.assign(state, { unit: null, epoch: 0, batch: 0, batches: 0 });
      if (run.status !== 'ok') line(`[${run.id}] ${run.status}: ${run.reason ?? ''}`);
      redraw();
    },
    runEnded: stop,
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
