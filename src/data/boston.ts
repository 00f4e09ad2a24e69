/**
 * Boston housing exactly as `keras.datasets.boston_housing.load_data(test_split=0.2, seed=113)`:
 * rows shuffled by `np.random.RandomState(113).shuffle(np.arange(506))`, the first 404 for training
 * and the last 102 for testing. Values stay float64 as in the npz.
 */
import type { DataContext } from './types.js';
import { BOSTON_HOUSING_FILE } from './datasets.js';
import { DataFormatError } from './errors.js';
import { fetchFile, unusableFileError } from './fetch.js';
import type { NpyArray } from './npy.js';
import { readNpz } from './npz.js';
import { NumpyRandomState } from './numpyRandom.js';

export const BOSTON_FEATURES = 13;
const TEST_SPLIT = 0.2;
const SPLIT_SEED = 113;
/** x is 506 × 13 float64 (52,608 bytes) plus its header: a member past 1 MiB is not Boston housing. */
const BOSTON_MAX_MEMBER_BYTES = 2 ** 20;

export interface BostonHousing {
  /** trainCount × 13 features, row-major. */
  xTrain: Float64Array;
  /** Median home values in k$. */
  yTrain: Float64Array;
  xTest: Float64Array;
  yTest: Float64Array;
  /** Provenance and the split used, for results.json. */
  notes: Record<string, unknown>;
}

export interface Standardized {
  train: Float32Array;
  test: Float32Array;
  /** Per-feature mean and (population) standard deviation of the training rows. */
  mean: Float64Array;
  std: Float64Array;
}

export async function loadBostonHousing(ctx: DataContext): Promise<BostonHousing> {
  const fetched = await fetchFile(BOSTON_HOUSING_FILE, ctx);
  let x: NpyArray;
  let y: NpyArray;
  try {
    ({ x, y } = readBostonArrays(fetched.path, await readNpz(fetched.path, BOSTON_MAX_MEMBER_BYTES)));
  } catch (error) {
    // A copy damaged after it was verified would fail every run: drop it so the next run fetches it again.
    if (error instanceof DataFormatError) throw await unusableFileError(fetched, ctx, error);
    throw error;
  }
  const [rows, features] = x.shape;
  const order = Array.from({ length: rows }, (_, i) => i);
  new NumpyRandomState(SPLIT_SEED).shuffle(order);
  // int(len(x) * (1 - test_split)) as in Keras: 404 of 506.
  const trainCount = Math.trunc(rows * (1 - TEST_SPLIT));
  const xRows = gatherRows(x.data as Float64Array, features, order);
  const yRows = gatherRows(y.data as Float64Array, 1, order);
  return {
    xTrain: xRows.slice(0, trainCount * features),
    yTrain: yRows.slice(0, trainCount),
    xTest: xRows.slice(trainCount * features),
    yTest: yRows.slice(trainCount),
    notes: {
      dataset: 'Boston housing (Keras boston_housing.npz)',
      source: fetched.source,
      origin: fetched.origin,
      verification: fetched.verification,
      split: `keras.datasets.boston_housing.load_data(test_split=${TEST_SPLIT}, seed=${SPLIT_SEED})`,
      trainSamples: trainCount,
      testSamples: rows - trainCount,
    },
  };
}

/**
 * Feature-wise standardisation with the training rows' mean and population std (numpy's
 * `x.std(axis=0)`), applied to both splits, as in Chollet's Boston example. Computed in float64,
 * returned as float32 for tensors.
 */
export function standardize(train: Float64Array, test: Float64Array, features: number): Standardized {
  const trainRows = train.length / features;
  if (!Number.isInteger(trainRows) || trainRows === 0 || test.length % features !== 0) {
    throw new RangeError(
      `standardize needs whole rows of ${features} features (got ${train.length} and ${test.length} values).`,
    );
  }
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  for (let i = 0; i < train.length; i++) mean[i % features] += train[i];
  for (let f = 0; f < features; f++) mean[f] /= trainRows;
  for (let i = 0; i < train.length; i++) std[i % features] += (train[i] - mean[i % features]) ** 2;
  for (let f = 0; f < features; f++) {
    std[f] = Math.sqrt(std[f] / trainRows);
    if (std[f] === 0) throw new RangeError(`Feature ${f} is constant in the training rows; it cannot be standardised.`);
  }
  const scale = (values: Float64Array) =>
    Float32Array.from(values, (value, i) => (value - mean[i % features]) / std[i % features]);
  return { train: scale(train), test: scale(test), mean, std };
}

/** The npz's float64 'x' (N × 13) and 'y' (N), or a DataFormatError saying what it holds instead. */
function readBostonArrays(file: string, arrays: Record<string, NpyArray>): { x: NpyArray; y: NpyArray } {
  const { x, y } = arrays;
  if (x?.dtype !== '<f8' || y?.dtype !== '<f8') {
    throw new DataFormatError(`${file} must hold float64 arrays 'x' and 'y'; found ${describeMembers(arrays)}.`);
  }
  const [rows, features] = x.shape;
  if (x.shape.length !== 2 || features !== BOSTON_FEATURES || y.shape.length !== 1 || y.shape[0] !== rows) {
    throw new DataFormatError(`${file} holds x of shape (${x.shape}) and y of shape (${y.shape}); expected (N, 13) and (N).`);
  }
  return { x, y };
}

function gatherRows(values: Float64Array, width: number, order: number[]): Float64Array {
  const out = new Float64Array(order.length * width);
  order.forEach((source, target) => out.set(values.subarray(source * width, (source + 1) * width), target * width));
  return out;
}

function describeMembers(arrays: Record<string, { dtype: string; shape: number[] }>): string {
  const members = Object.entries(arrays).map(([name, array]) => `${name} (${array.dtype}, shape ${array.shape})`);
  return members.length > 0 ? members.join(', ') : 'no arrays';
}
