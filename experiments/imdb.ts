/**
 * IMDB: binary sentiment classification with embeddings and a 1-D convolutional network (study, Table 1).
 *
 * Architecture from F. Chollet, *Deep Learning with Python*, §6.4 "Sequence processing with convnets":
 * Embedding(10000, 128) → Conv1D(32, 7, relu) → MaxPool1D(5) → Conv1D(32, 7, relu) → GlobalMaxPool1D →
 * Dense(1, sigmoid), reviews cut to 500 words, 10 epochs of batch 128. Loss: binary cross-entropy;
 * metric: accuracy. The 25,000 test reviews are the validation data, as for the other experiments.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { IMDB_ARCHIVE_FILE } from '../src/data/datasets.js';
import { loadImdb } from '../src/data/imdb.js';
import type { ModelExperiment, Profile, SeedStream } from '../src/train/definition.js';
import { arraySplit } from '../src/train/splits.js';
import { claims } from './claims/imdb.js';
import type { Findings } from './claims/index.js';

const VOCABULARY_SIZE = 10_000;
const EMBEDDING_SIZE = 128;

const sequenceLength = (profile: Profile): number => Number(profile.options?.maxLen ?? 500);

function buildModel(seeds: SeedStream, profile: Profile): tfl.LayersModel {
  const kernel = () => tfl.initializers.glorotUniform({ seed: seeds.next() });
  return tfl.sequential({
    layers: [
      tfl.layers.embedding({
        inputDim: VOCABULARY_SIZE, outputDim: EMBEDDING_SIZE, inputLength: sequenceLength(profile),
        // Keras's Embedding default initialiser: uniform in [-0.05, 0.05].
        embeddingsInitializer: tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seeds.next() }),
      }),
      tfl.layers.conv1d({ filters: 32, kernelSize: 7, activation: 'relu', kernelInitializer: kernel() }),
      tfl.layers.maxPooling1d({ poolSize: 5 }),
      tfl.layers.conv1d({ filters: 32, kernelSize: 7, activation: 'relu', kernelInitializer: kernel() }),
      tfl.layers.globalMaxPooling1d(),
      tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: kernel() }),
    ],
  });
}

export const imdb: ModelExperiment & Findings = {
  kind: 'model',
  name: 'imdb',
  title: 'IMDB sentiment — Embedding + Conv1D',
  description: 'Classify movie reviews as positive or negative from their first 500 words, with learned word embeddings and 1-D convolutions.',
  source: 'Architecture, 10,000-word vocabulary, 500-word reviews, 10 epochs and batch 128 from Chollet, Deep Learning with Python §6.4; test reviews as validation.',
  loss: 'binaryCrossentropy',
  metric: { name: 'binaryAccuracy', higherIsBetter: true, label: 'accuracy' },
  defaultProfile: 'full',
  profiles: {
    study: {
      epochs: 4, batchSize: 128, options: { maxLen: 500 },
      rationale: 'All 25,000 training reviews validated on the 25,000 test reviews, 500 words, 4 epochs of batch 128 (784 steps): at Keras\'s default rates the fast optimizers reach their best validation loss in epochs 1–2 and overfit after, which is the finding; ~13 min per unit here (8 × 3 seeds ≈ 2.7 h with 2 workers); Chollet\'s 10 epochs are the full profile.',
    },
    full: {
      epochs: 10, batchSize: 128, options: { maxLen: 500 },
      rationale: 'The study: all 25,000 training reviews, validated on the 25,000 test reviews; 10 epochs of batch 128 as in Chollet §6.4.',
    },
    quick: {
      epochs: 4, batchSize: 32, trainLimit: 2000, validationLimit: 1000, options: { maxLen: 200 },
      rationale: 'CI-sized: 2,000 training and 1,000 test reviews cut to their last 200 words, 4 epochs of batch 32 (252 steps).',
    },
  },
  dataFiles: [IMDB_ARCHIVE_FILE],
  async loadData(ctx, profile) {
    const data = await loadImdb(ctx, {
      vocabSize: VOCABULARY_SIZE, maxLen: sequenceLength(profile), trainLimit: profile.trainLimit, testLimit: profile.validationLimit,
    });
    return {
      train: arraySplit(data.xTrain, [data.maxLen], data.yTrain, [1]),
      validation: arraySplit(data.xTest, [data.maxLen], data.yTest, [1]),
      notes: { ...data.notes },
    };
  },
  buildModel,
  claims,
};
