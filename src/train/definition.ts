/**
 * What an experiment definition (`experiments/<name>.ts`) declares. Definitions are data plus two
 * factories (data loader and model builder); all machinery lives in `src/`.
 */
import type { DownloadLimits } from '../data/fetch.js';
import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Claim } from '../report/claims.js';
import type { Surface } from './surfaces.js';

export type LossName = 'categoricalCrossentropy' | 'binaryCrossentropy' | 'meanAbsoluteError' | 'meanSquaredError';
export type MetricName = 'accuracy' | 'binaryAccuracy' | 'meanSquaredError' | 'meanAbsoluteError';

export interface Profile {
  epochs: number;
  batchSize: number;
  /** Use only the first N training samples (after the deterministic split); undefined = all. */
  trainLimit?: number;
  /** Use only the first N validation samples; undefined = all. */
  validationLimit?: number;
  /** Why these numbers: shown in the report. */
  rationale: string;
  /** Experiment-specific knobs (e.g. sequence length, window lengths). */
  options?: Record<string, number | string>;
}

/**
 * One split of a dataset, materialised a batch at a time: large inputs (Jena's windows) never exist
 * as one tensor, and the wasm heap only ever holds the current batch.
 */
export interface Split {
  size: number;
  /** Tensors for the samples at these indices, in that order; the caller disposes them. */
  take(indices: Int32Array): { x: tf.Tensor; y: tf.Tensor };
}

export interface LoadedData {
  train: Split;
  validation: Split;
  /** Provenance and data-quality notes recorded in results.json (source, bad values handled...). */
  notes: Record<string, unknown>;
  /** Non-optimizer reference lines on the validation loss, e.g. a naive forecast. */
  referenceLines?: { name: string; description: string; valLoss: number }[];
}

export interface DataContext {
  /** Directory or base URL of a dataset mirror laid out like ../shared/datasets; undefined = canonical URLs. */
  mirror?: string;
  /** Root of the download cache (default `data/cache`). */
  cacheDir: string;
  /** Progress reporting for downloads and preprocessing. */
  log: (message: string) => void;
  /** Overrides of the download time limits (default: DEFAULT_DOWNLOAD_LIMITS and the environment). */
  downloads?: Partial<DownloadLimits>;
}

/** Hands out distinct, reproducible seeds for initialisers and dropout of one model. */
export interface SeedStream {
  next(): number;
}

export interface ModelExperiment {
  kind: 'model';
  name: string;
  title: string;
  /** One paragraph: what the problem is and where the architecture and settings come from. */
  description: string;
  source: string;
  loss: LossName;
  metric: { name: MetricName; higherIsBetter: boolean; label: string };
  profiles: Record<string, Profile>;
  defaultProfile: string;
  loadData(ctx: DataContext, profile: Profile): Promise<LoadedData>;
  buildModel(seeds: SeedStream, profile: Profile): LayersModel;
  /** The study's finding for this problem, as checkable claims. */
  claims: Claim[];
}

export interface SurfaceExperiment {
  kind: 'surface';
  name: string;
  title: string;
  description: string;
  source: string;
  /** Every optimizer runs from every start of every surface; a profile's `epochs` is the number of steps. */
  surfaces: Surface[];
  /** Optimizers run when the command line names none (`--optimizers`). */
  defaultOptimizers: string[];
  /** Learning rate per optimizer when the command line sweeps none (`--lr` overrides it for all). */
  learningRates: Record<string, number>;
  /** How `learningRates` was chosen: shown in the report and recorded in results.json. */
  learningRateRationale: string;
  profiles: Record<string, Profile>;
  defaultProfile: string;
  claims: Claim[];
}

export type ExperimentDefinition = ModelExperiment | SurfaceExperiment;
