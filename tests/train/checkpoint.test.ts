/**
 * Per-epoch checkpoints: a unit stopped after an epoch and resumed from its checkpoint ends with exactly
 * the curves of an uninterrupted one, for every optimizer of the registry (built-in and from scratch) on
 * a model with dropout; damaged or foreign checkpoints are discarded with a warning; files are whole.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select.js';
import { OPTIMIZERS } from '../../src/optimizers/registry.js';
import type { OptimizerImpl, OptimizerRun } from '../../src/results/schema.js';
import {
  checkpointEpochs, checkpointFile, decodeCheckpoint, encodeCheckpoint, readCheckpoint, writeCheckpoint, type UnitCheckpoint,
} from '../../src/train/checkpoint.js';
import type { LoadedData } from '../../src/data/types.js';
import { CheckpointError, TrainingStoppedError } from '../../src/train/errors.js';
import type { UnitSpec } from '../../src/results/units.js';
import { runUnit, trainAndRecord } from '../../src/train/unit.js';
import { tinyExperiment } from '../helpers/tinyExperiment.js';

const work = mkdtempSync(path.join(tmpdir(), 'optbench-checkpoint-'));
const EPOCHS = 4;
const experiment = tinyExperiment({ epochs: EPOCHS, samples: 64 });
const profile = experiment.profiles.quick;
let data: LoadedData;
let dirs = 0;
const freshDir = () => path.join(work, `run${++dirs}`);

beforeAll(async () => {
  await selectBackend('wasm');
  data = await experiment.loadData({ cacheDir: '', log: () => {} }, profile);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Everything but wall-clock timings. */
const curves = (run: OptimizerRun) => ({ ...run, totalSeconds: undefined, samplesPerSecond: undefined, epochs: run.epochs.map((e) => ({ ...e, seconds: undefined })) });

/** Trains the unit until epoch `stopAfter` is finished (and checkpointed), then stops it as Ctrl-C would. */
async function stoppedAfter(runDir: string, spec: UnitSpec, stopAfter: number): Promise<void> {
  let stop = false;
  const stopped = runUnit(experiment, profile, data, spec, spec.optimizer, {
    checkpointDir: runDir,
    onProgress: (event) => { if (event.kind === 'epoch' && event.record.epoch === stopAfter) stop = true; },
    shouldStop: () => stop,
  });
  await expect(stopped).rejects.toBeInstanceOf(TrainingStoppedError);
}

const units: UnitSpec[] = Object.values(OPTIMIZERS).flatMap((entry) => (['builtin', 'scratch'] as OptimizerImpl[])
  .filter((impl) => (impl === 'builtin' ? entry.builtin : entry.scratch))
  .map((impl) => ({ optimizer: entry.name, impl, seed: 3, learningRate: 0.01 })));

describe('resuming a unit from its checkpoint', () => {
  it.each(units.map((spec) => [`${spec.optimizer} (${spec.impl})`, spec] as const))('%s: the curves are bit-identical to an uninterrupted run', async (_name, spec) => {
    const whole = await runUnit(experiment, profile, data, spec, spec.optimizer, { checkpointDir: freshDir() });
    const runDir = freshDir();
    await stoppedAfter(runDir, spec, 2);
    expect(checkpointEpochs(runDir).get(spec.optimizer)).toBe(2);
    const before = tf.memory().numTensors;
    const starts: number[] = [];
    const resumed = await runUnit(experiment, profile, data, spec, spec.optimizer, {
      checkpointDir: runDir, onProgress: (event) => { if (event.kind === 'start') starts.push(event.epoch); },
    });
    expect(starts).toEqual([3]);
    expect(whole.status).toBe('ok');
    expect(curves(resumed)).toEqual(curves(whole));
    // A resume restores state into the unit's own tensors and frees them with it.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('continues after a resume from a resumed unit (two interruptions)', async () => {
    const spec: UnitSpec = { optimizer: 'nadam', impl: 'scratch', seed: 5 };
    const whole = await runUnit(experiment, profile, data, spec, 'nadam', {});
    const runDir = freshDir();
    await stoppedAfter(runDir, spec, 1);
    await stoppedAfter(runDir, spec, 3);
    expect(checkpointEpochs(runDir).get('nadam')).toBe(3);
    expect(curves(await runUnit(experiment, profile, data, spec, 'nadam', { checkpointDir: runDir }))).toEqual(curves(whole));
  });

  it('removes the checkpoint once the unit is recorded, and keeps it when the unit is stopped', async () => {
    const spec: UnitSpec = { optimizer: 'adam', impl: 'builtin', seed: 1 };
    const runDir = freshDir();
    await stoppedAfter(runDir, spec, 1);
    expect(existsSync(checkpointFile(runDir, 'adam'))).toBe(true);
    await trainAndRecord(runDir, spec, 'adam', () => runUnit(experiment, profile, data, spec, 'adam', { checkpointDir: runDir }));
    expect(existsSync(checkpointFile(runDir, 'adam'))).toBe(false);
    expect(existsSync(path.join(runDir, 'units', 'adam.json'))).toBe(true);
  });
});

describe('a checkpoint that cannot be used', () => {
  const spec: UnitSpec = { optimizer: 'ftrl', impl: 'scratch', seed: 2 };

  async function damagedThenResumed(damage: (file: string) => void) {
    const whole = await runUnit(experiment, profile, data, spec, 'ftrl', {});
    const runDir = freshDir();
    await stoppedAfter(runDir, spec, 2);
    damage(checkpointFile(runDir, 'ftrl'));
    const warnings: string[] = [];
    const starts: number[] = [];
    const resumed = await runUnit(experiment, profile, data, spec, 'ftrl', {
      checkpointDir: runDir, log: (line) => warnings.push(line), onProgress: (event) => { if (event.kind === 'start') starts.push(event.epoch); },
    });
    return { whole, resumed, warnings, starts, runDir };
  }

  it('is discarded with a warning when truncated, and the unit trains from epoch 1 to the same curves', async () => {
    const { whole, resumed, warnings, starts } = await damagedThenResumed((file) => {
      const bytes = readFileSync(file);
      writeFileSync(file, bytes.subarray(0, bytes.byteLength - 7));
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/checkpoint .*ftrl\.ckpt is unusable: .* bytes.*discarded it, \[ftrl\] starts again from epoch 1/);
    expect(starts).toEqual([1]);
    expect(curves(resumed)).toEqual(curves(whole));
  });

  it('is discarded when a byte of its data changed (checksum)', async () => {
    const { warnings, starts } = await damagedThenResumed((file) => {
      const bytes = readFileSync(file);
      bytes[bytes.byteLength - 1] ^= 0xff;
      writeFileSync(file, bytes);
    });
    expect(warnings[0]).toContain('does not match its checksum');
    expect(starts).toEqual([1]);
  });

  it('is discarded when it is not a checkpoint at all', async () => {
    const { warnings, starts } = await damagedThenResumed((file) => writeFileSync(file, '{"hand": "written"}'));
    expect(warnings[0]).toContain('not an optbench checkpoint');
    expect(starts).toEqual([1]);
  });

  it('is refused when saved for other settings (epochs, unit)', () => {
    const runDir = freshDir();
    const checkpoint = { unitId: 'ftrl', spec, epochs: 9, batchSize: 16, elapsedSeconds: 1, loop: { epoch: 1, records: [], trainSeconds: 0, samplesTrained: 0, shuffleState: 1, order: new Int32Array(4) }, dropout: [], weights: [], optimizer: { kind: 'transform', className: 'x', iterations: 0, scalars: {}, variables: {}, slots: {} } } satisfies UnitCheckpoint;
    writeCheckpoint(runDir, checkpoint);
    expect(() => readCheckpoint(runDir, 'ftrl', { spec, epochs: EPOCHS, batchSize: 16 })).toThrow(/saved for 9 epochs of batch 16, this run has 4/);
    expect(() => readCheckpoint(runDir, 'ftrl', { spec: { ...spec, seed: 3 }, epochs: 9, batchSize: 16 })).toThrow(CheckpointError);
  });
});

describe('the checkpoint file', () => {
  it('round-trips typed arrays bit for bit, including NaN payloads and -0', () => {
    const values = new Float32Array([0, -0, 1.5, Number.NaN, 3.4e38, 1e-45]);
    const order = new Int32Array([3, 1, 2, 0]);
    const checkpoint = {
      unitId: 'u', spec: { optimizer: 'adam', impl: 'builtin', seed: 1 }, epochs: 2, batchSize: 1, elapsedSeconds: 0.5,
      loop: { epoch: 1, records: [], trainSeconds: 0.25, samplesTrained: 4, shuffleState: 4294967295, order },
      dropout: [123], weights: [{ shape: [2, 3], dtype: 'float32', values }],
      optimizer: { kind: 'builtin', className: 'Adam', iterations: 7, scalars: { s: 0.1 + 0.2 }, variables: {}, slots: { m: [{ shape: [6], dtype: 'float32', values }] } },
    } satisfies UnitCheckpoint;
    const decoded = decodeCheckpoint(encodeCheckpoint(checkpoint), 'memory');
    expect(new Uint8Array(decoded.weights[0].values.buffer)).toEqual(new Uint8Array(values.buffer));
    expect(decoded.loop.order).toEqual(order);
    expect(decoded.loop.order).toBeInstanceOf(Int32Array);
    expect(decoded.optimizer.scalars.s).toBe(0.1 + 0.2);
    expect(decoded.loop.shuffleState).toBe(4294967295);
  });
});
