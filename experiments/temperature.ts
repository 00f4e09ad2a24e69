/**
 * Temperature forecasting on the Jena climate series with a recurrent (LSTM) network (study, Table 1).
 *
 * Problem set-up from F. Chollet, *Deep Learning with Python* (1st ed.), §6.3 "Advanced use of recurrent
 * neural networks": 14 weather features every 10 minutes; each sample looks back 10 days (1,440 rows)
 * sampled hourly (240 timesteps) and predicts the temperature 24 h (144 rows) later; chronological
 * split — first 200,000 rows train, next 100,000 validation — standardised with training statistics.
 * Model LSTM(32) → Dense(1) (the study's recurrent network; Chollet's §6.3 uses GRU(32)), MAE loss
 * on the standardised temperature. Chollet trains 20 epochs of 500 batches of 128 random windows
 * (64,000 samples); we take every 3rd window (≈ 66,000) in a seeded shuffled order instead.
 * The naive "temperature in 24 h = temperature now" MAE is shown beside the optimizers.
 *
 * The LSTM is Keras 2.x's, as the study ran it (src/train/kerasLstm.ts): sigmoid recurrent activation (tfjs-layers
 * defaults to a hard sigmoid), tanh, unit forget bias (forget-gate bias initialised to 1; tfjs-layers to 0), and
 * Keras' default initialisers — glorot-uniform kernel, orthogonal recurrent kernel — seeded from the run's seed
 * stream like the Dense layer. On wasm it runs as one fused kernel call forward and one backward per step.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { JENA_CLIMATE_FILE } from '../src/data/datasets.js';
import { JENA_FEATURES, loadJena, type JenaData } from '../src/data/jena.js';
import { CHOLLET_WINDOW, extractWindows, timestepsOf, type Series, type WindowSpec } from '../src/data/windows.js';
import { KerasLstm } from '../src/train/kerasLstm.js';
import type { ModelExperiment, Profile, SeedStream } from '../src/train/definition.js';
import type { LoadedData, Split } from '../src/data/types.js';
import { claims } from './claims/temperature.js';
import type { Findings } from './claims/index.js';

const LSTM_UNITS = 32;

/** Chollet's window (10 days back, hourly, 24 h ahead); profiles may change any part, usually the stride. */
function windowSpec(profile: Profile): WindowSpec {
  const option = (key: keyof WindowSpec) => (profile.options?.[key] === undefined ? CHOLLET_WINDOW[key] : Number(profile.options[key]));
  return { lookback: option('lookback'), step: option('step'), delay: option('delay'), stride: option('stride') };
}

/** Training and validation splits plus the naive baseline, from a prepared Jena series. */
export function temperatureData(data: JenaData, profile: Profile): LoadedData {
  const spec = data.spec;
  const { series, targetColumn, anchors } = data;
  return {
    train: windowSplit(series, targetColumn, anchors.train, spec, profile.trainLimit),
    validation: windowSplit(series, targetColumn, anchors.validation, spec, profile.validationLimit),
    notes: { ...data.notes },
    referenceLines: [{
      name: 'naive: T(+24 h) = T(now)',
      description: `Chollet's common-sense baseline on the validation windows: MAE ${data.notes.naiveBaseline.validation.maeDegC.toFixed(2)} °C.`,
      valLoss: data.notes.naiveBaseline.validation.mae,
    }],
  };
}

/** Windows are cut from the series a batch at a time: all of them at once would need gigabytes. */
function windowSplit(series: Series, targetColumn: number, anchors: Int32Array, spec: WindowSpec, limit?: number): Split {
  const size = limit === undefined ? anchors.length : Math.min(limit, anchors.length);
  return {
    size,
    take(indices) {
      const windows = extractWindows(series, targetColumn, Array.from(indices, (i) => anchors[i]), spec);
      return {
        x: tf.tensor3d(windows.x, [windows.count, windows.timesteps, windows.columns]),
        y: tf.tensor2d(windows.y, [windows.count, 1]),
      };
    },
  };
}

function buildModel(seeds: SeedStream, profile: Profile): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      new KerasLstm({
        inputShape: [timestepsOf(windowSpec(profile)), JENA_FEATURES.length], units: LSTM_UNITS,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }),
        recurrentInitializer: tfl.initializers.orthogonal({ seed: seeds.next() }),
      }),
      tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds.next() }) }),
    ],
  });
}

export const temperature: ModelExperiment & Findings = {
  kind: 'model',
  name: 'temperature',
  title: 'Jena temperature — LSTM forecasting',
  description: 'Forecast the air temperature 24 hours ahead from the last 10 days of 14 weather measurements, with an LSTM.',
  source: 'Windows, split and standardisation from Chollet, Deep Learning with Python §6.3 (Jena climate 2009–2016); LSTM(32) → Dense(1) with MAE loss as in the study, the LSTM with Keras 2.x semantics (sigmoid recurrent activation, unit forget bias).',
  loss: 'meanAbsoluteError',
  metric: { name: 'meanSquaredError', higherIsBetter: false, label: 'mse' },
  defaultProfile: 'full',
  profiles: {
    full: {
      epochs: 20, batchSize: 128, options: { stride: 3 },
      rationale: 'The study: Chollet\'s 200,000/100,000-row split; every 3rd window (≈ 66,000 training samples per epoch, as Chollet\'s 500 × 128), 20 epochs of batch 128.',
    },
    quick: {
      epochs: 3, batchSize: 64, options: { stride: 120 },
      rationale: 'CI-sized: the same split and windows, every 120th window (≈ 1,650 training and 820 validation samples), 3 epochs of batch 64.',
    },
  },
  dataFiles: [JENA_CLIMATE_FILE],
  async loadData(ctx, profile) {
    return temperatureData(await loadJena(ctx, windowSpec(profile)), profile);
  },
  buildModel,
  claims,
};
