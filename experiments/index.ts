/** Every experiment the CLI knows, by name, in the study's order (surfaces last). */
import type { ExperimentDefinition } from '../src/train/definition.js';
import { boston } from './boston.js';
import type { Findings } from './claims/index.js';
import { fashion } from './fashion.js';
import { imdb } from './imdb.js';
import { surfaces } from './surfaces.js';
import { temperature } from './temperature.js';

/** An experiment as the CLI runs it: what to train, and the study's finding to score its runs against. */
export type Experiment = ExperimentDefinition & Findings;

export const EXPERIMENTS: Record<string, Experiment> = {
  boston,
  fashion,
  imdb,
  temperature,
  surfaces,
};

/** This module, for worker processes: they import it to find the plan's experiment by name. */
export const EXPERIMENTS_MODULE = import.meta.url;

/** The experiment named `name` (as recorded in a results.json), or undefined for one this build does not know. */
export function experimentNamed(name: string): Experiment | undefined {
  return Object.hasOwn(EXPERIMENTS, name) ? EXPERIMENTS[name] : undefined;
}
