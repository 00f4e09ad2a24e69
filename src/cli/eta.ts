/**
 * How far a run is and how long the rest will take, from the progress events of its units.
 *
 * Work is counted in epochs (an epoch's batches plus its validation). The time an epoch takes on one lane
 * is measured: from finished epochs once there are some, before that from the batches so far (the first
 * seconds of a run). The rest takes (epochs left) × (seconds per epoch) / (lanes still busy).
 */
import type { EpochRecord } from '../results/schema.js';
import type { RunOverview } from '../train/plan.js';

/** Batches measured before an estimate is given (one batch includes warm-up)... */
const MIN_MEASURED_BATCHES = 3;
/** ...or this much training time, whichever comes first. */
const MIN_MEASURED_SECONDS = 2;

interface UnitProgress {
  epoch: number;
  /** Batches of the current epoch done. */
  batch: number;
  batches: number;
  finished: boolean;
  /** When the previous batch event of this unit arrived (ms), within the current epoch. */
  lastBatchAt: number | null;
  lastBatch: number;
  /** Samples per second of the unit's latest measured stretch. */
  samplesPerSecond: number | null;
  lastSamples: number;
}

export interface Estimate {
  /** Seconds until the whole run is done. */
  remainingSeconds: number;
  /** Fraction of the run's epochs done, 0..1. */
  fraction: number;
  /** Seconds one epoch takes on one lane. */
  secondsPerEpoch: number;
}

export class RunEstimator {
  private readonly units = new Map<string, UnitProgress>();
  private readonly totalEpochs: number;
  private measuredBatchSeconds = 0;
  private measuredBatches = 0;
  private readonly epochSeconds: number[] = [];

  constructor(private readonly overview: Pick<RunOverview, 'todo' | 'epochs' | 'lanes' | 'trainSamples' | 'batchSize'>, private readonly now: () => number = () => performance.now()) {
    const batches = Math.max(1, Math.ceil(overview.trainSamples / overview.batchSize));
    for (const { id, fromEpoch } of overview.todo) {
      this.units.set(id, { epoch: fromEpoch, batch: 0, batches, finished: false, lastBatchAt: null, lastBatch: 0, samplesPerSecond: null, lastSamples: 0 });
    }
    this.totalEpochs = this.remainingEpochs();
  }

  private unit(id: string): UnitProgress | undefined {
    return this.units.get(id);
  }

  started(id: string, epoch: number, batches: number): void {
    const unit = this.unit(id);
    if (!unit) return;
    Object.assign(unit, { epoch, batches, batch: 0, lastBatchAt: null, lastBatch: 0, lastSamples: 0 });
  }

  batch(id: string, event: { epoch: number; batch: number; batches: number; samples: number; at?: number }): void {
    const unit = this.unit(id);
    if (!unit) return;
    // The trainer's own time stamp when it sent one (see the batch event); arrival time otherwise.
    const at = event.at ?? this.now();
    if (unit.lastBatchAt !== null && event.epoch === unit.epoch && event.batch > unit.lastBatch) {
      const seconds = (at - unit.lastBatchAt) / 1000;
      this.measuredBatchSeconds += seconds;
      this.measuredBatches += event.batch - unit.lastBatch;
      if (seconds > 0) unit.samplesPerSecond = (event.samples - unit.lastSamples) / seconds;
    }
    Object.assign(unit, { epoch: event.epoch, batch: event.batch, batches: event.batches, lastBatchAt: at, lastBatch: event.batch, lastSamples: event.samples });
  }

  epoch(id: string, record: EpochRecord): void {
    const unit = this.unit(id);
    if (!unit) return;
    this.epochSeconds.push(record.seconds);
    Object.assign(unit, { epoch: record.epoch + 1, batch: 0, lastBatchAt: null, lastBatch: 0, lastSamples: 0 });
  }

  finished(id: string): void {
    const unit = this.unit(id);
    if (unit) unit.finished = true;
  }

  /** Samples per second of a unit's latest batches, null before two batch events. */
  samplesPerSecond(id: string): number | null {
    return this.unit(id)?.samplesPerSecond ?? null;
  }

  private remainingEpochs(): number {
    let epochs = 0;
    for (const unit of this.units.values()) {
      if (unit.finished) continue;
      epochs += Math.max(0, this.overview.epochs - unit.epoch + 1) - (unit.batches ? unit.batch / unit.batches : 0);
    }
    return epochs;
  }

  /** The estimate, or null until enough batches have been timed. */
  estimate(): Estimate | null {
    let secondsPerEpoch: number;
    if (this.epochSeconds.length) {
      // The latest epochs: the first one carries warm-up, and the machine's load changes.
      const recent = this.epochSeconds.slice(-8);
      secondsPerEpoch = recent.reduce((a, b) => a + b, 0) / recent.length;
    } else {
      if (this.measuredBatches < MIN_MEASURED_BATCHES && this.measuredBatchSeconds < MIN_MEASURED_SECONDS) return null;
      if (this.measuredBatches === 0) return null;
      const batches = [...this.units.values()][0]?.batches ?? 1;
      secondsPerEpoch = (this.measuredBatchSeconds / this.measuredBatches) * batches;
    }
    const remaining = this.remainingEpochs();
    const busy = [...this.units.values()].filter((unit) => !unit.finished).length;
    const lanes = Math.max(1, Math.min(this.overview.lanes, busy));
    return {
      remainingSeconds: (remaining * secondsPerEpoch) / lanes,
      fraction: this.totalEpochs > 0 ? Math.min(1, Math.max(0, 1 - remaining / this.totalEpochs)) : 1,
      secondsPerEpoch,
    };
  }
}

/** "2 h 05 min", "4 min 10 s", "45 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
