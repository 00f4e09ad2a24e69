/**
 * The convergence baseline: every seed's curves of a reference run (training and validation loss and
 * metric, every epoch), with the settings and environment they were made under. One file per
 * experiment, profile and backend (`baselines/<experiment>.<profile>.<backend>.json`), committed to the
 * repository and compared against by `npm run check`: exactly, seed by seed, where the run can
 * reproduce them (same backend, packages and kernels), statistically over the seeds otherwise.
 * Format documented in docs/convergence-check.md.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidResultsError } from '../results/errors.js';
import { writeJsonAtomic } from '../results/runDirectory.js';
import type { OptimizerImpl, OptimizerRun, RunResults, RunSettings, RunStatus } from '../results/schema.js';
import { CURVE_NAMES, groupUnits, outcomeOf, type CurveName } from './curves.js';
import { BaselineNotFoundError, InvalidBaselineError } from './errors.js';

export const BASELINE_FORMAT = 'optbench-convergence-baseline';
export const BASELINE_FORMAT_VERSION = 2 as const;
/** Fewer seeds leave the statistical mode without a usable estimate of the seed-to-seed spread. */
export const STATISTICAL_MIN_SEEDS = 3;

/** A curve per epoch (index i = epoch i + 1); null where a value was not finite. Absent curves were not recorded. */
export type SeedCurves = Partial<Record<CurveName, (number | null)[]>>;

export interface SeedBaseline {
  status: RunStatus;
  reason?: string;
  curves: SeedCurves;
}

export interface GroupBaseline {
  optimizer: string;
  impl: OptimizerImpl;
  learningRate: number | null;
  /** As recorded by the run: the optimizer's defaults with the unit's overrides. */
  hyperparameters: Record<string, number | string | boolean>;
  convention: string;
  /** Keyed by seed. Units that never ran (unavailable, skipped) are left out. */
  seeds: Record<string, SeedBaseline>;
}

/** What the curves can only be reproduced under. */
export interface BaselineEnvironment {
  backend: string;
  /** `results.environment.versions`: optbench, node, the @tensorflow packages, the backend package. */
  versions: Record<string, string>;
  /** Digests of optbench's own kernel builds (wasm: training_kernels.wasm); absent when the run did not record them. */
  kernels?: Record<string, string>;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  formatVersion: typeof BASELINE_FORMAT_VERSION;
  createdAt: string;
  /** The run the baseline was made from. */
  source: { runId: string; seeds: number[]; startedAt: string };
  experiment: string;
  profile: string;
  environment: BaselineEnvironment;
  settings: RunSettings;
  /** Keyed like unit ids without the seed: `adam`, `adam@scratch`, `sgd#lr=0.1`. */
  groups: Record<string, GroupBaseline>;
}

/** A unit's curves as recorded; a curve the run never fills (no validation, no metric) is left out. */
export function curvesOf(run: OptimizerRun): SeedCurves {
  const curves: SeedCurves = {};
  for (const curve of CURVE_NAMES) {
    const values = run.epochs.map((record) => record[curve]);
    if (values.length === 0 || values.every((value) => value === null)) continue;
    curves[curve] = values.map((value) => (value !== null && Number.isFinite(value) ? value : null));
  }
  return curves;
}

export function environmentOf(results: RunResults): BaselineEnvironment {
  const { backend, versions, kernels } = results.environment;
  return { backend, versions, ...(kernels ? { kernels } : {}) };
}

/** The hyperparameters and convention of a group: those of its first unit that resolved its optimizer. */
export function optimizerSettingsOf(units: OptimizerRun[]): Pick<GroupBaseline, 'hyperparameters' | 'convention'> {
  const resolved = units.find((unit) => unit.convention !== 'unknown') ?? units[0];
  return { hyperparameters: resolved.hyperparameters, convention: resolved.convention };
}

export function buildBaseline(results: RunResults, createdAt = new Date()): Baseline {
  if (results.status !== 'complete') {
    throw new InvalidResultsError(`results.json of run ${results.runId}`,
      'the run is partial (not every unit finished), so a baseline made from it would lack optimizers; finish the run (--resume) first');
  }
  const groups: Record<string, GroupBaseline> = {};
  for (const group of groupUnits(results).values()) {
    const trained = group.units.filter((unit) => outcomeOf(unit) !== 'absent');
    if (trained.length === 0) continue; // never ran (no implementation, skipped): nothing to guard
    const ok = trained.filter((unit) => unit.status === 'ok');
    for (const unit of ok) {
      if (unit.epochs.length !== results.settings.epochs) {
        throw new InvalidResultsError(`results.json of run ${results.runId}`,
          `unit '${unit.id}' is ok but has ${unit.epochs.length} epochs of ${results.settings.epochs}`);
      }
    }
    groups[group.key] = {
      optimizer: group.optimizer, impl: group.impl, learningRate: group.learningRate ?? null,
      ...optimizerSettingsOf(trained),
      seeds: Object.fromEntries(trained.map((unit) => [String(unit.seed), {
        status: unit.status, ...(unit.reason ? { reason: unit.reason } : {}), curves: curvesOf(unit),
      }])),
    };
  }
  return {
    format: BASELINE_FORMAT,
    formatVersion: BASELINE_FORMAT_VERSION,
    createdAt: createdAt.toISOString(),
    source: { runId: results.runId, seeds: results.seeds, startedAt: results.startedAt },
    experiment: results.experiment,
    profile: results.profile,
    environment: environmentOf(results),
    settings: results.settings,
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
      (newer ? ' (written by a newer optbench: upgrade optbench)' : ' (an older format without per-seed curves)'));
  }
  for (const key of ['experiment', 'profile'] as const) {
    if (typeof data[key] !== 'string') throw new InvalidBaselineError(file, `field '${key}' must be a string`);
  }
  for (const key of ['source', 'environment', 'settings', 'groups'] as const) {
    if (typeof data[key] !== 'object' || data[key] === null) throw new InvalidBaselineError(file, `field '${key}' must be an object`);
  }
  for (const [key, group] of Object.entries(data.groups as Record<string, unknown>)) {
    const seeds = (group as Partial<GroupBaseline> | null)?.seeds;
    if (typeof seeds !== 'object' || seeds === null) throw new InvalidBaselineError(file, `group '${key}' has no 'seeds' object`);
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
