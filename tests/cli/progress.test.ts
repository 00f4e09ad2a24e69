/**
 * What the console shows: the plan, the estimate (and, for a long run, the other profiles), a heartbeat
 * at least every 30 s without a terminal, and on a terminal a bar per lane plus an overall bar.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleReporter, estimateLines, HEARTBEAT_SECONDS, planLines } from '../../src/cli/progress.js';
import type { Profile } from '../../src/train/definition.js';
import type { PlannedUnit, RunOverview } from '../../src/train/plan.js';

const profiles: Record<string, Profile> = {
  full: { epochs: 15, batchSize: 128, rationale: '' },
  quick: { epochs: 3, batchSize: 64, trainLimit: 5000, rationale: '' },
};
const overview: RunOverview = {
  runDir: '/r', units: 3, recorded: 1, todo: [{ id: 'adam', fromEpoch: 4 }, { id: 'sgd', fromEpoch: 1 }],
  lanes: 2, epochs: 15, batchSize: 128, trainSamples: 60_000, validationSamples: 10_000,
};
const unit = (id: string): PlannedUnit => ({ id, spec: { optimizer: id, impl: 'builtin', seed: 1 } });

afterEach(() => {
  vi.useRealTimers();
});

describe('the plan and the estimate', () => {
  it('names the units, epochs, samples, batches, lanes, backend, and what a resume keeps', () => {
    expect(planLines(overview, 'wasm', 'epochs')).toEqual([
      'plan: 2 units to train (adam, sgd) × 15 epochs × 60,000 training samples (469 batches of 128), 10,000 validation samples; 2 at a time (2 worker processes); backend wasm',
      'resuming: 1 of 3 units already finished, kept as recorded',
      'resuming from checkpoints: adam at epoch 4',
      'run directory: /r',
    ]);
  });

  it('says when a run is long and what the other profiles would take at the measured speed', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const context = { profileName: 'full', profiles, trainSamples: 60_000, epochs: 15, units: 8, lanes: 2, now };
    const long = estimateLines({ remainingSeconds: 4.75 * 3600, fraction: 0, secondsPerEpoch: 285 }, context);
    expect(long[0]).toBe('estimated time for the whole run: ~4 h 45 min (done around 16:45 UTC), measured at 4 min 45 s per epoch per lane; refined as it runs');
    // quick: 8 units × 3 epochs × 285 s × 5,000/60,000 on 2 lanes.
    expect(long[1]).toBe('this is a long run (profile \'full\'). At this speed the other profiles would take: --profile quick (3 epochs of 5,000 samples, roughly 4 min 45 s here). '
      + 'Ctrl-C stops it keeping every finished epoch; --resume continues it.');
    expect(estimateLines({ remainingSeconds: 600, fraction: 0, secondsPerEpoch: 10 }, context)).toHaveLength(1);
  });

  it('from a run on part of the data, gives the speed, not a made-up time, for a profile that trains on more', () => {
    // A quick run (5,000 samples) measured at 50 s an epoch: it cannot know the size of the whole training set.
    const context = { profileName: 'quick', profiles, trainSamples: 5000, epochs: 3, units: 8, lanes: 2, now: new Date('2026-01-01T12:00:00Z') };
    const long = estimateLines({ remainingSeconds: 23 * 60, fraction: 0, secondsPerEpoch: 50 }, context);
    expect(long[1]).toBe('this is a long run (profile \'quick\'). At this speed the other profiles would take: --profile full (15 epochs of the whole training set, at about 100 samples/s per worker here). '
      + 'Ctrl-C stops it keeping every finished epoch; --resume continues it.');
  });
});

describe('without a terminal', () => {
  it('prints the estimate once the first batches are timed, then a heartbeat line at least every 30 s', () => {
    vi.useFakeTimers();
    let clock = 0;
    const lines: string[] = [];
    const reporter = consoleReporter({ epochs: 15, metricLabel: 'acc', interactive: false, log: (l) => lines.push(l), backend: 'wasm', profileName: 'full', profiles, now: () => clock });
    reporter.runStarted!(overview);
    reporter.unitStarted!(unit('adam'), 1, 3, 0);
    reporter.progress!(unit('adam'), { kind: 'start', epoch: 4, epochs: 15, batches: 469 });
    expect(lines).toContain('[adam] continues from its checkpoint at epoch 4/15');
    for (let batch = 1; batch <= 4; batch++) {
      clock += 1000;
      reporter.progress!(unit('adam'), { kind: 'batch', epoch: 4, batch, batches: 469, samples: batch * 128 });
    }
    expect(lines.filter((l) => l.startsWith('estimated time for the whole run'))).toHaveLength(1);
    const before = lines.length;
    for (let seconds = 0; seconds < 2 * HEARTBEAT_SECONDS; seconds += 5) {
      clock += 5000;
      vi.advanceTimersByTime(5000);
    }
    const beats = lines.slice(before);
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toMatch(/^… \d+% done, ETA .* \| lane 1: adam epoch 4\/15 batch 4\/469 128 samples\/s \| lane 2: idle$/);
    reporter.runEnded!();
    vi.advanceTimersByTime(60_000);
    expect(lines.length).toBe(before + beats.length);
  });
});

describe('without a terminal, with two workers', () => {
  it('shows both lanes moving as soon as each has trained a batch, not a heartbeat later', () => {
    let clock = 0;
    const lines: string[] = [];
    const reporter = consoleReporter({ epochs: 15, metricLabel: 'acc', interactive: false, log: (l) => lines.push(l), backend: 'wasm', profileName: 'full', profiles, now: () => clock });
    reporter.runStarted!({ ...overview, recorded: 0, todo: [{ id: 'adam', fromEpoch: 1 }, { id: 'sgd', fromEpoch: 1 }] });
    reporter.unitStarted!(unit('adam'), 0, 2, 0);
    reporter.unitStarted!(unit('sgd'), 1, 2, 1);
    const status = () => lines.filter((l) => l.startsWith('… '));
    for (const id of ['adam', 'sgd']) reporter.progress!(unit(id), { kind: 'start', epoch: 1, epochs: 15, batches: 469 });
    for (let batch = 1; batch <= 3; batch++) {
      clock += 1000;
      reporter.progress!(unit('adam'), { kind: 'batch', epoch: 1, batch, batches: 469, samples: batch * 128 });
    }
    // Lane 2's worker is still starting: no line claims it is moving.
    expect(status()).toEqual([]);
    clock += 1000;
    reporter.progress!(unit('sgd'), { kind: 'batch', epoch: 1, batch: 1, batches: 469, samples: 128 });
    expect(status()).toHaveLength(1);
    expect(status()[0]).toMatch(/\| lane 1: adam epoch 1\/15 batch 3\/469 .*\| lane 2: sgd epoch 1\/15 batch 1\/469/);
    // Once: later batches wait for the heartbeat.
    clock += 1000;
    reporter.progress!(unit('sgd'), { kind: 'batch', epoch: 1, batch: 2, batches: 469, samples: 256 });
    expect(status()).toHaveLength(1);
    reporter.runEnded!();
  });
});

describe('on a terminal', () => {
  it('draws a bar per lane with optimizer, epoch, batch and samples/s, and an overall bar with the ETA', () => {
    let clock = 0;
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 160, rows: 40, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
    let screen = '';
    stream.on('data', (chunk: Buffer) => { screen += chunk.toString('utf8'); });
    const reporter = consoleReporter({
      epochs: 15, metricLabel: 'acc', interactive: true, log: () => {}, backend: 'wasm', profileName: 'full', profiles, now: () => clock, stream,
    });
    reporter.runStarted!(overview);
    reporter.unitStarted!(unit('adam'), 1, 3, 0);
    reporter.unitStarted!(unit('sgd'), 2, 3, 1);
    for (const id of ['adam', 'sgd']) reporter.progress!(unit(id), { kind: 'start', epoch: id === 'adam' ? 4 : 1, epochs: 15, batches: 469 });
    for (let batch = 1; batch <= 5; batch++) {
      clock += 500;
      reporter.progress!(unit('adam'), { kind: 'batch', epoch: 4, batch, batches: 469, samples: batch * 128 });
      reporter.progress!(unit('sgd'), { kind: 'batch', epoch: 1, batch, batches: 469, samples: batch * 128 });
    }
    reporter.runEnded!();
    expect(screen).toMatch(/lane 1 \|[█░]+\| adam epoch 4\/15 batch 5\/469 256 samples\/s/);
    expect(screen).toMatch(/lane 2 \|[█░]+\| sgd epoch 1\/15 batch 5\/469 256 samples\/s/);
    expect(screen).toMatch(/overall \|[█░]+\| 0\/2 units +ETA \d/);
  });
});
