/**
 * Synthetic data shaped like a model's inputs and outputs: benchmarks and kernel tests train the real
 * experiment models on it without any dataset.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { LossName } from '../train/definition.js';
import type { Split } from '../data/types.js';
import { SeededRandom } from '../common/random.js';
import { arraySplit } from '../train/splits.js';

export function sampleShape(model: LayersModel, which: 'inputs' | 'outputs'): number[] {
  return model[which][0].shape.slice(1).map((size) => size ?? 1);
}

/** Ids for an Embedding first layer, else standard normal features. */
function syntheticInputs(model: LayersModel, count: number, random: SeededRandom): Float32Array | Int32Array {
  const first = model.layers[0];
  if (first.getClassName() === 'Embedding') {
    const vocabulary = Number(first.getConfig().inputDim);
    return Int32Array.from({ length: count }, () => random.nextInt(vocabulary));
  }
  return Float32Array.from({ length: count }, () => random.nextFloat() * 2 - 1);
}

/** Labels the loss accepts: one-hot rows, 0/1, or real targets. */
function syntheticLabels(loss: LossName, rows: number, width: number, random: SeededRandom): Float32Array {
  const labels = new Float32Array(rows * width);
  for (let row = 0; row < rows; row++) {
    if (loss === 'categoricalCrossentropy') labels[row * width + random.nextInt(width)] = 1;
    else for (let j = 0; j < width; j++) labels[row * width + j] = loss === 'binaryCrossentropy' ? random.nextInt(2) : random.nextFloat() * 2 - 1;
  }
  return labels;
}

/** `samples` random samples shaped like the model's input and output, seeded. */
export function syntheticSplit(model: LayersModel, loss: LossName, samples: number, seed: number): Split {
  const random = new SeededRandom(seed);
  const xShape = sampleShape(model, 'inputs');
  const yShape = sampleShape(model, 'outputs');
  const x = syntheticInputs(model, samples * xShape.reduce((a, b) => a * b, 1), random);
  const y = syntheticLabels(loss, samples, yShape.reduce((a, b) => a * b, 1), random);
  return arraySplit(x, xShape, y, yShape);
}
