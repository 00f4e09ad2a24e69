/** The run's estimate: from timed batches first, then from finished epochs, over the lanes still busy. */
import { describe, expect, it } from 'vitest';
import { formatDuration, RunEstimator } from '../../src/cli/eta.js';

const record = (epoch: number, seconds: number) => ({ epoch, loss: 1, metric: null, valLoss: null, valMetric: null, seconds });

function estimator(todo: { id: string; fromEpoch: number }[], lanes = 2) {
  let clock = 0;
  const estimate = new RunEstimator({ todo, epochs: 10, lanes, trainSamples: 1000, batchSize: 100 }, () => clock);
  return { estimate, advance: (ms: number) => { clock += ms; } };
}

describe('RunEstimator', () => {
  it('gives nothing until batches are timed, then (epochs left × batch time × batches) / lanes', () => {
    const { estimate, advance } = estimator([{ id: 'a', fromEpoch: 1 }, { id: 'b', fromEpoch: 1 }, { id: 'c', fromEpoch: 1 }, { id: 'd', fromEpoch: 1 }]);
    expect(estimate.estimate()).toBeNull();
    estimate.started('a', 1, 10);
    estimate.batch('a', { epoch: 1, batch: 1, batches: 10, samples: 100 });
    expect(estimate.estimate()).toBeNull();
    for (let batch = 2; batch <= 4; batch++) {
      advance(500);
      estimate.batch('a', { epoch: 1, batch, batches: 10, samples: batch * 100 });
    }
    const first = estimate.estimate()!;
    // 0.5 s a batch, 10 batches an epoch; 40 epochs less 0.4 of one done, on 2 lanes.
    expect(first.secondsPerEpoch).toBeCloseTo(5);
    expect(first.remainingSeconds).toBeCloseTo((39.6 * 5) / 2);
    expect(first.fraction).toBeCloseTo(0.4 / 40);
    expect(estimate.samplesPerSecond('a')).toBeCloseTo(200);
  });

  it('times batches by the trainer\'s own stamps, so events that arrive in a burst keep their real rate', () => {
    const { estimate } = estimator([{ id: 'a', fromEpoch: 1 }]);
    estimate.started('a', 1, 10);
    // Four batches 0.5 s apart on the worker, all received at the same instant by the parent.
    for (let batch = 1; batch <= 4; batch++) estimate.batch('a', { epoch: 1, batch, batches: 10, samples: batch * 100, at: 1_000_000 + batch * 500 });
    expect(estimate.samplesPerSecond('a')).toBeCloseTo(200);
    expect(estimate.estimate()!.secondsPerEpoch).toBeCloseTo(5);
  });

  it('switches to finished epochs\' times (validation included) and counts checkpointed epochs as done', () => {
    const { estimate } = estimator([{ id: 'a', fromEpoch: 9 }, { id: 'b', fromEpoch: 1 }]);
    estimate.epoch('a', record(9, 8));
    const value = estimate.estimate()!;
    expect(value.secondsPerEpoch).toBe(8);
    // a has epoch 10 left, b all 10: 11 epochs on 2 lanes.
    expect(value.remainingSeconds).toBeCloseTo((11 * 8) / 2);
  });

  it('divides by the lanes still busy: the last unit runs alone', () => {
    const { estimate } = estimator([{ id: 'a', fromEpoch: 1 }, { id: 'b', fromEpoch: 1 }]);
    estimate.epoch('a', record(1, 4));
    estimate.finished('b');
    expect(estimate.estimate()!.remainingSeconds).toBeCloseTo(9 * 4);
    estimate.finished('a');
    expect(estimate.estimate()!).toMatchObject({ remainingSeconds: 0, fraction: 1 });
  });
});

describe('formatDuration', () => {
  it('reads as hours and minutes, minutes and seconds, or seconds', () => {
    expect(formatDuration(17_100)).toBe('4 h 45 min');
    expect(formatDuration(250)).toBe('4 min 10 s');
    expect(formatDuration(44.6)).toBe('45 s');
  });
});
