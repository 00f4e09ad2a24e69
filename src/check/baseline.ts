/**
 * The convergence baseline: per optimizer group and epoch, the spread over ≥ 3 seeds of the loss
 * curves of a reference run, plus the final value and the area under the curve. One file per
 * experiment, profile and backend (`baselines/<experiment>.<profile>.<backend>.json`), committed to the
 * repository and compared against by `npm run check`. Format documented in docs/convergence-check.md.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidResultsError } from '../results/errors.js';
import { writeJsonAtomic } from '../results/runDirectory.js';
import type { OptimizerImpl, OptimizerRun, RunResults, RunSettings } from '../results/schema.js';
import { CURVE_NAMES, curveOf, finalAndArea, groupUnits, hasCurve, outcomeOf, type CurveName } from './curves.js';
import { BaselineNotFoundError, InvalidBaselineError, TooFewSeedsError } from './errors.js';
import { summarize, type Summary } from './stats.js';

export const BASELINE_FORMAT = 'optbench-convergence-baseline';
export const BASELINE_FORMAT_VERSION = 1 as const;
/** Fewer seeds give no usable estimate of the seed-to-seed spread the tolerance band is made of. */
export const MIN_BASELINE_SEEDS = 3;

export interface CurveBaseline {
  /** Index i = epoch i + 1. */
  epochs: Summary[];
  /** The value at the last epoch. */
  final: Summary;
  /** Area under the curve, as the mean over epochs (so it is in the loss's units). */
  auc: Summary;
}

export interface GroupBaseline {
  optimizer: string;
  impl: OptimizerImpl;
  learningRate: number | null;
  /** Seeds that trained to the end: the statistics are over these. */
  okSeeds: number[];
  /** Seeds whose training diverged or failed. */
  brokenSeeds: number[];
  /** Empty when no seed trained to the end; validation loss is absent for an experiment without validation. */
  curves: Partial<Record<CurveName, CurveBaseline>>;
}

/** The settings a comparison is only meaningful under. */
export type ComparedSettings = Pick<RunSettings, 'epochs' | 'batchSize' | 'trainSamples' | 'validationSamples' | 'loss'>;

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  formatVersion: typeof BASELINE_FORMAT_VERSION;
  createdAt: string;
  /** The run the baseline was made from. */
  source: { runId: string; seeds: number[]; startedAt: string };
  experiment: string;
  profile: string;
  backend: string;
  settings: ComparedSettings;
  versions: Record<string, string>;
  /** Keyed like unit ids without the seed: `adam`, `adam@scratch`, `sgd#lr=0.1`. */
  groups: Record<string, GroupBaseline>;
}

export function comparedSettings(settings: RunSettings): ComparedSettings {
  const { epochs, batchSize, trainSamples, validationSamples, loss } = settings;
  return { epochs, batchSize, trainSamples, validationSamples, loss };
}

/** Per-seed curves of units that trained to the end, checked to cover every epoch of the run. */
export function seedCurves(results: RunResults, units: OptimizerRun[], curve: CurveName): number[][] {
  return units.map((unit) => {
    const values = curveOf(unit, curve);
    if (values.length !== results.settings.epochs) {
      throw new InvalidResultsError(`results.json of run ${results.runId}`,
        `unit '${unit.id}' is ok but has ${values.length} epochs of ${results.settings.epochs}`);
    }
    return values;
  });
}

function curveBaseline(curves: number[][]): CurveBaseline {
  const ends = curves.map(finalAndArea);
  return {
    epochs: curves[0].map((_, epoch) => summarize(curves.map((values) => values[epoch]))),
    final: summarize(ends.map((end) => end.final)),
    auc: summarize(ends.map((end) => end.auc)),
  };
}

export function buildBaseline(results: RunResults, createdAt = new Date()): Baseline {
  // A deterministic run's spread is 0 whatever the number of seeds: one measures it.
  if (!results.deterministic && results.seeds.length < MIN_BASELINE_SEEDS) throw new TooFewSeedsError(results.seeds.length, MIN_BASELINE_SEEDS);
  if (results.status !== 'complete') {
    throw new InvalidResultsError(`results.json of run ${results.runId}`,
      'the run is partial (not every unit finished), so a baseline made from it would lack optimizers; finish the run (re-run the experiment) first');
  }
  const groups: Record<string, GroupBaseline> = {};
  for (const group of groupUnits(results).values()) {
    const ok = group.units.filter((unit) => outcomeOf(unit) === 'ok');
    const broken = group.units.filter((unit) => outcomeOf(unit) === 'broken');
    if (ok.length + broken.length === 0) continue; // never ran (no implementation, skipped): nothing to guard
    const curves: GroupBaseline['curves'] = {};
    for (const curve of CURVE_NAMES) {
      if (hasCurve(ok, curve)) curves[curve] = curveBaseline(seedCurves(results, ok, curve));
    }
    groups[group.key] = {
      optimizer: group.optimizer, impl: group.impl, learningRate: group.learningRate ?? null,
      okSeeds: ok.map((unit) => unit.seed), brokenSeeds: broken.map((unit) => unit.seed), curves,
    };
  }
  return {
    format: BASELINE_FORMAT,
    formatVersion: BASELINE_FORMAT_VERSION,
    createdAt: createdAt.toISOString(),
    source: { runId: results.runId, seeds: results.seeds, startedAt: results.startedAt },
    experiment: results.experiment,
    profile: results.profile,
    backend: results.environment.backend,
    settings: comparedSettings(results.settings),
    versions: results.environment.versions,
    groups,
  };
}

/** `baselines/<experiment>.<profile>.<backend>.json`: baselines are only valid for what they measured. */
export function defaultBaselinePath(results: RunResults, directory = 'baselines'): string {
  return path.join(directory, `${results.experiment}.${results.profile}.${results.environment.backend}.json`);
}

export function parseBaseline(text: string, file: string): Baseline {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidBaselineError(file, `not JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || data.format !== BASELINE_FORMAT) {
    throw new InvalidBaselineError(file, `'format' is not '${BASELINE_FORMAT}'`);
  }
  if (data.formatVersion !== BASELINE_FORMAT_VERSION) {
    const newer = typeof data.formatVersion === 'number' && data.formatVersion > BASELINE_FORMAT_VERSION;
    throw new InvalidBaselineError(file, `formatVersion ${JSON.stringify(data.formatVersion)} is not ${BASELINE_FORMAT_VERSION}` +
      (newer ? ' (written by a newer optbench: upgrade optbench)' : ''));
  }
  for (const key of ['experiment', 'profile', 'backend'] as const) {
    if (typeof data[key] !== 'string') throw new InvalidBaselineError(file, `field '${key}' must be a string`);
  }
  for (const key of ['source', 'settings', 'versions', 'groups'] as const) {
    if (typeof data[key] !== 'object' || data[key] === null) throw new InvalidBaselineError(file, `field '${key}' must be an object`);
  }
  return data as unknown as Baseline;
}

export async function readBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BaselineNotFoundError(file);
    throw error;
  }
  return parseBaseline(text, file);
}

/** Written atomically (temp file, fsync, rename): a CI job never reads half a baseline. */
export function writeBaseline(file: string, baseline: Baseline): void {
  writeJsonAtomic(file, baseline);
}
