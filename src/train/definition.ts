/**
 * What an experiment definition (`experiments/<name>.ts`) declares. Definitions are data plus two
 * factories (data loader and model builder); all machinery lives in `src/`.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Surface } from './surface.js';
import type { DataContext, LoadedData, RemoteFile } from '../data/types.js';

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
  /**
   * The remote files loadData fetches. With worker processes, the parent fetches (or verifies) them once
   * while the workers start, and every worker then loads the data from the cache at the same time;
   * without this list the workers load one after the other, so that a cold cache is filled once.
   */
  dataFiles?: readonly RemoteFile[];
  buildModel(seeds: SeedStream, profile: Profile): LayersModel;
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
}

export type ExperimentDefinition = ModelExperiment | SurfaceExperiment;
