/**
 * Fashion-MNIST: multiclass image classification with a 2-D convolutional network (study, Table 1).
 *
 * Architecture: Keras's "Simple MNIST convnet" (F. Chollet, keras.io/examples/vision/mnist_convnet),
 * the canonical small Keras CNN for 28×28 grey images: Conv2D(32, 3, relu) → MaxPool(2) →
 * Conv2D(64, 3, relu) → MaxPool(2) → Flatten → Dropout(0.5) → Dense(10, softmax); Keras's default
 * initialisers (Glorot-uniform kernels, zero biases). Loss: categorical cross-entropy; metric: accuracy.
 * As in the study, the test set is the validation data.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { FASHION_MNIST_FILES } from '../src/data/datasets.js';
import { loadFashionMnist, oneHot } from '../src/data/fashion.js';
import type { ModelExperiment, SeedStream } from '../src/train/definition.js';
import { SeededDropout } from '../src/train/seededDropout.js';
import { arraySplit } from '../src/train/splits.js';
import { claims } from './claims/fashion.js';
import type { Findings } from './claims/index.js';

const IMAGE_SHAPE = [28, 28, 1];
const CLASSES = 10;

function buildModel(seeds: SeedStream): tfl.LayersModel {
  const kernel = () => tfl.initializers.glorotUniform({ seed: seeds.next() });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: IMAGE_SHAPE, filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: kernel() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: kernel() }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      new SeededDropout({ rate: 0.5, seed: seeds.next() }),
      tfl.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: kernel() }),
    ],
  });
}

export const fashion: ModelExperiment & Findings = {
  kind: 'model',
  name: 'fashion',
  title: 'Fashion-MNIST — 2-D CNN',
  description: 'Multiclass classification of 28×28 clothing images (10 classes) with a small 2-D convolutional network.',
  source: 'Architecture, batch size 128 and 15 epochs from Keras\'s "Simple MNIST convnet" (keras.io/examples/vision/mnist_convnet); test set as validation as in the study.',
  loss: 'categoricalCrossentropy',
  metric: { name: 'accuracy', higherIsBetter: true, label: 'accuracy' },
  defaultProfile: 'full',
  profiles: {
    study: {
      epochs: 6, batchSize: 128,
      rationale: 'All 60,000 training images validated on the 10,000 test images, 6 epochs of batch 128 (2,814 steps): long enough for the fast optimizers to flatten and for the slow ones\' order to settle, at ~12 min per unit here (8 optimizers × 3 seeds ≈ 2.4 h with 2 workers); the Keras example\'s 15 epochs are the full profile.',
    },
    full: {
      epochs: 15, batchSize: 128,
      rationale: 'The study: all 60,000 training images, validated on the 10,000 test images; 15 epochs of batch 128 as in the Keras example.',
    },
    quick: {
      epochs: 3, batchSize: 64, trainLimit: 5000, validationLimit: 1000,
      rationale: 'CI-sized: the first 5,000 training and 1,000 test images, 3 epochs of batch 64 (235 steps) — enough to separate the fast optimizers from SGD and Adadelta at their defaults.',
    },
  },
  dataFiles: Object.values(FASHION_MNIST_FILES),
  async loadData(ctx, profile) {
    const data = await loadFashionMnist(ctx, { trainLimit: profile.trainLimit, testLimit: profile.validationLimit });
    return {
      train: arraySplit(data.trainImages, IMAGE_SHAPE, oneHot(data.trainLabels, CLASSES), [CLASSES]),
      validation: arraySplit(data.testImages, IMAGE_SHAPE, oneHot(data.testLabels, CLASSES), [CLASSES]),
      notes: data.notes,
    };
  },
  buildModel,
  claims,
};
