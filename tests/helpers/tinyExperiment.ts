/** A tiny regression experiment on synthetic data, for tests of the shared loop. */
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelExperiment } from '../../src/train/definition.js';
import { SeededDropout } from '../../src/train/seededDropout.js';
import { arraySplit } from '../../src/train/splits.js';
import { SeededRandom } from '../../src/common/random.js';

/** y = sum(w·x) + noise, with fixed data drawn from the project's generator. */
function syntheticRegression(samples: number, features: number, seed: number) {
  const random = new SeededRandom(seed);
  const x = new Float32Array(samples * features);
  const y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    let target = 0;
    for (let j = 0; j < features; j++) {
      const v = random.nextFloat() * 2 - 1;
      x[i * features + j] = v;
      target += v * (j + 1) * 0.5;
    }
    y[i] = target + (random.nextFloat() - 0.5) * 0.1;
  }
  return { x, y };
}

export function tinyExperiment(options: { samples?: number; epochs?: number; batchSize?: number } = {}): ModelExperiment {
  const features = 4;
  return {
    kind: 'model',
    name: 'tiny',
    title: 'tiny synthetic regression',
    description: 'test fixture',
    source: 'tests/helpers/tinyExperiment.ts',
    loss: 'meanSquaredError',
    metric: { name: 'meanAbsoluteError', higherIsBetter: false, label: 'mae' },
    defaultProfile: 'quick',
    profiles: { quick: { epochs: options.epochs ?? 3, batchSize: options.batchSize ?? 16, rationale: 'test' } },
    async loadData() {
      const train = syntheticRegression(options.samples ?? 96, features, 1);
      const validation = syntheticRegression(40, features, 2);
      return {
        train: arraySplit(train.x, [features], train.y, [1]),
        validation: arraySplit(validation.x, [features], validation.y, [1]),
        notes: { source: 'synthetic' },
      };
    },
    buildModel(seeds) {
      const kernel = () => tfl.initializers.glorotUniform({ seed: seeds.next() });
      return tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [features], units: 8, activation: 'relu', kernelInitializer: kernel() }),
          new SeededDropout({ rate: 0.2, seed: seeds.next() }),
          tfl.layers.dense({ units: 1, kernelInitializer: kernel() }),
        ],
      });
    },
  };
}
