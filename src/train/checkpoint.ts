/**
 * Per-epoch checkpoints of a unit in training, `<runDir>/checkpoints/<unit>.ckpt`: everything a resumed
 * unit needs to compute exactly what the uninterrupted one would have — model weights, the optimizer's
 * state (./../optimizers/state.ts), the shuffling generator and the current sample order, the dropout
 * layers' generators, and the curves so far.
 *
 * One binary file, written atomically (temp file + rename): a magic line, the header's length (uint32
 * LE), the header as JSON (typed arrays replaced by references into the payload, plus the payload's
 * sha256), then the payload. A file that is truncated, altered or of another unit is refused with a
 * CheckpointError saying why; the caller discards it and trains the unit from its first epoch.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../common/atomicWrite.js';
import type { EpochRecord } from '../results/schema.js';
import type { OptimizerState, SavedTensor } from '../optimizers/state.js';
import type { UnitSpec } from '../results/units.js';
import { CheckpointError } from './errors.js';

const MAGIC = 'OPTBENCH-CHECKPOINT 1\n';
const CHECKPOINTS_DIR = 'checkpoints';
const EXTENSION = '.ckpt';

/** Where the shared loop stands after a finished epoch. */
export interface LoopState {
  /** The last finished epoch (1-based). */
  epoch: number;
  records: EpochRecord[];
  trainSeconds: number;
  samplesTrained: number;
  /** The shuffling generator's state and the sample order it shuffles in place every epoch. */
  shuffleState: number;
  order: Int32Array;
}

export interface UnitCheckpoint {
  unitId: string;
  spec: UnitSpec;
  /** The run's settings the checkpoint belongs to: a checkpoint of other settings is not resumed. */
  epochs: number;
  batchSize: number;
  /** Wall time the unit had spent so far (its record's totalSeconds goes on from here). */
  elapsedSeconds: number;
  loop: LoopState;
  /** Generator states of the model's SeededDropout layers, in layer order. */
  dropout: number[];
  /** model.getWeights(), in order. */
  weights: SavedTensor[];
  optimizer: OptimizerState;
}

export function checkpointFile(runDir: string, unitId: string): string {
  return path.join(runDir, CHECKPOINTS_DIR, `${encodeURIComponent(unitId)}${EXTENSION}`);
}

type ArrayRef = { $array: number; dtype: 'float32' | 'int32' };

export function encodeCheckpoint(checkpoint: UnitCheckpoint): Buffer {
  const arrays: Uint8Array[] = [];
  const layout: { offset: number; length: number }[] = [];
  let offset = 0;
  const json = JSON.stringify(checkpoint, (_key, value: unknown) => {
    if (value instanceof Float32Array || value instanceof Int32Array) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      arrays.push(bytes);
      layout.push({ offset, length: value.length });
      offset += bytes.byteLength;
      return { $array: arrays.length - 1, dtype: value instanceof Float32Array ? 'float32' : 'int32' } satisfies ArrayRef;
    }
    return value;
  });
  const payload = Buffer.concat(arrays);
  const header = Buffer.from(JSON.stringify({ body: json, arrays: layout, payloadBytes: payload.byteLength, sha256: createHash('sha256').update(payload).digest('hex') }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.byteLength);
  return Buffer.concat([Buffer.from(MAGIC), length, header, payload]);
}

export function decodeCheckpoint(bytes: Buffer, file: string): UnitCheckpoint {
  const damaged = (why: string) => new CheckpointError(file, why);
  if (bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw damaged('it is not an optbench checkpoint (wrong magic line)');
  if (bytes.byteLength < MAGIC.length + 4) throw damaged('it is truncated');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerEnd = MAGIC.length + 4 + headerLength;
  if (headerEnd > bytes.byteLength) throw damaged('it is truncated inside its header');
  let header: { body: string; arrays: { offset: number; length: number }[]; payloadBytes: number; sha256: string };
  try {
    header = JSON.parse(bytes.subarray(MAGIC.length + 4, headerEnd).toString('utf8'));
  } catch {
    throw damaged('its header is not valid JSON');
  }
  const payload = bytes.subarray(headerEnd);
  if (payload.byteLength !== header.payloadBytes) throw damaged(`its data is ${payload.byteLength} bytes, the header says ${header.payloadBytes}`);
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256) throw damaged('its data does not match its checksum');
  // Copied out so every array is aligned whatever its offset in the file.
  const copy = new Uint8Array(payload).buffer;
  return JSON.parse(header.body, (_key, value: unknown) => {
    if (value && typeof value === 'object' && '$array' in value) {
      const ref = value as ArrayRef;
      const { offset, length } = header.arrays[ref.$array];
      return ref.dtype === 'float32' ? new Float32Array(copy.slice(offset, offset + length * 4)) : new Int32Array(copy.slice(offset, offset + length * 4));
    }
    return value;
  }) as UnitCheckpoint;
}

export function writeCheckpoint(runDir: string, checkpoint: UnitCheckpoint): void {
  writeFileAtomicSync(checkpointFile(runDir, checkpoint.unitId), encodeCheckpoint(checkpoint));
}

/**
 * The unit's checkpoint, null when there is none, or a CheckpointError when the file is damaged or
 * belongs to other settings (`expected`).
 */
export function readCheckpoint(runDir: string, unitId: string, expected: { spec: UnitSpec; epochs: number; batchSize: number }): UnitCheckpoint | null {
  const file = checkpointFile(runDir, unitId);
  if (!existsSync(file)) return null;
  let checkpoint: UnitCheckpoint;
  try {
    checkpoint = decodeCheckpoint(readFileSync(file), file);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(file, (error as Error).message);
  }
  const mismatch = checkpoint.unitId !== unitId ? `it is unit '${checkpoint.unitId}'s`
    : JSON.stringify(checkpoint.spec) !== JSON.stringify(expected.spec) ? `its unit settings ${JSON.stringify(checkpoint.spec)} differ from ${JSON.stringify(expected.spec)}`
      : checkpoint.epochs !== expected.epochs || checkpoint.batchSize !== expected.batchSize
        ? `it was saved for ${checkpoint.epochs} epochs of batch ${checkpoint.batchSize}, this run has ${expected.epochs} of batch ${expected.batchSize}` : null;
  if (mismatch) throw new CheckpointError(file, mismatch);
  return checkpoint;
}

export function removeCheckpoint(runDir: string, unitId: string): void {
  rmSync(checkpointFile(runDir, unitId), { force: true });
}

/**
 * The last finished epoch of every unit with a checkpoint in the run directory, read from the headers
 * (for plans and the interrupt message; damaged files are left to the unit to discard).
 */
export function checkpointEpochs(runDir: string): Map<string, number> {
  const epochs = new Map<string, number>();
  let names: string[] = [];
  try {
    names = readdirSync(path.join(runDir, CHECKPOINTS_DIR)).filter((name) => name.endsWith(EXTENSION));
  } catch {
    return epochs;
  }
  for (const name of names) {
    try {
      const body = JSON.parse(readHeader(path.join(runDir, CHECKPOINTS_DIR, name)).body) as Pick<UnitCheckpoint, 'unitId' | 'loop'>;
      epochs.set(body.unitId, body.loop.epoch);
    } catch {
      // Reported (and discarded) when its unit starts.
    }
  }
  return epochs;
}

/** Only the header of a checkpoint file (not its possibly large payload). */
function readHeader(file: string): { body: string } {
  const fd = openSync(file, 'r');
  try {
    const start = Buffer.alloc(MAGIC.length + 4);
    readSync(fd, start, 0, start.byteLength, 0);
    if (start.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new Error('not a checkpoint');
    const header = Buffer.alloc(start.readUInt32LE(MAGIC.length));
    if (readSync(fd, header, 0, header.byteLength, start.byteLength) !== header.byteLength) throw new Error('truncated');
    return JSON.parse(header.toString('utf8'));
  } finally {
    closeSync(fd);
  }
}
