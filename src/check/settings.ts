/**
 * What differs between the run and the baseline besides the curves: the environment (backend, package
 * versions, kernel build), the run's settings (epochs, batch size, data sizes and notes, loss, metric),
 * each optimizer's implementation, learning rate, hyperparameters and convention, and which optimizers
 * ran. Every difference is listed; one the user did not accept (`--accept`) fails the check, since a
 * changed default or a smaller validation split changes the numbers without being a convergence result.
 */
import type { OptimizerRun, RunResults } from '../results/schema.js';
import { environmentOf, optimizerSettingsOf, type Baseline, type BaselineEnvironment } from './baseline.js';
import { groupUnits, type UnitGroup } from './curves.js';

export type DifferenceScope = 'environment' | 'settings' | 'optimizer' | 'optimizers';

export interface SettingDifference {
  /** Dotted name, also what `--accept` takes: `versions.@tensorflow/tfjs-core`, `settings.epochs`, `sgd.hyperparameters.learningRate`. */
  key: string;
  scope: DifferenceScope;
  /** The optimizer group it concerns, for optimizer-level differences. */
  group?: string;
  baseline: unknown;
  run: unknown;
  accepted: boolean;
  /** An environment difference under which every seed replayed identically: it changed nothing, so it does not fail. */
  harmless?: boolean;
}

/**
 * Recorded, not compared. The optbench version names a release, not a computation: every change that
 * matters between releases shows in the other settings or in the curves. Node's version does not change
 * the numbers: Boston quick on Node 22.23 replayed the baseline made on Node 20.20 bit for bit (640
 * values; docs/convergence-check.md).
 */
const IGNORED_VERSIONS = new Set(['optbench', 'node']);

/**
 * Data notes that say where the bytes came from (mirror, download or cache, which path, whether a cache
 * was hit) rather than what they are: the files are verified against pinned checksums, so the data is the
 * same whichever way it arrived, and a CI clone's paths differ from the baseline machine's.
 */
const PROVENANCE_NOTES = new Set(['source', 'origin', 'verification', 'archive', 'path', 'encodedCache', 'encodedCachePath', 'structureCheck']);

/** Nested notes as dotted leaves (`files.train-images.sha256`), provenance left out. */
function dataLeaves(notes: Record<string, unknown> | undefined, prefix = ''): Record<string, unknown> {
  const leaves: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(notes ?? {})) {
    if (PROVENANCE_NOTES.has(key)) continue;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(leaves, dataLeaves(value as Record<string, unknown>, `${prefix}${key}.`));
    else leaves[`${prefix}${key}`] = value;
  }
  return leaves;
}

/** Missing on one side = not recorded there (an older results.json): unknown, not a difference. */
const NOT_RECORDED = 'not recorded';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function compareRecords(prefix: string, baseline: Record<string, unknown> | undefined, run: Record<string, unknown> | undefined,
  scope: DifferenceScope, extra: Partial<SettingDifference> = {}, ignore = new Set<string>()): Omit<SettingDifference, 'accepted'>[] {
  const keys = [...new Set([...Object.keys(baseline ?? {}), ...Object.keys(run ?? {})])].filter((key) => !ignore.has(key));
  return keys
    .filter((key) => !same(baseline?.[key], run?.[key]))
    .map((key) => ({ key: `${prefix}.${key}`, scope, ...extra, baseline: baseline?.[key] ?? NOT_RECORDED, run: run?.[key] ?? NOT_RECORDED }));
}

/** Environment differences, with values unknown to the run (an older results.json) kept apart: they are not differences. */
function environmentDifferences(baseline: BaselineEnvironment, run: BaselineEnvironment): Omit<SettingDifference, 'accepted'>[] {
  const differences: Omit<SettingDifference, 'accepted'>[] = [];
  if (baseline.backend !== run.backend) differences.push({ key: 'backend', scope: 'environment', baseline: baseline.backend, run: run.backend });
  differences.push(...compareRecords('versions', baseline.versions, run.versions, 'environment', {}, IGNORED_VERSIONS));
  differences.push(...compareRecords('kernels', baseline.kernels, run.kernels, 'environment'));
  return differences;
}

function optimizerDifferences(key: string, baseline: Baseline['groups'][string], run: UnitGroup): Omit<SettingDifference, 'accepted'>[] {
  const trained = run.units.filter((unit: OptimizerRun) => unit.status !== 'unavailable' && unit.status !== 'skipped');
  const settings = optimizerSettingsOf(trained.length ? trained : run.units);
  const differences: Omit<SettingDifference, 'accepted'>[] = [];
  const extra = { group: key };
  if (baseline.impl !== run.impl) differences.push({ key: `${key}.impl`, scope: 'optimizer', ...extra, baseline: baseline.impl, run: run.impl });
  differences.push(...compareRecords(`${key}.hyperparameters`, baseline.hyperparameters, settings.hyperparameters, 'optimizer', extra));
  if (baseline.convention !== settings.convention) {
    differences.push({ key: `${key}.convention`, scope: 'optimizer', ...extra, baseline: baseline.convention, run: settings.convention });
  }
  return differences;
}

/** Whether `--accept` names this difference: its key, or a prefix of it ending at a dot (`versions`, `sgd`). */
export function isAccepted(key: string, accepted: readonly string[]): boolean {
  return accepted.some((name) => name === '*' || key === name || key.startsWith(`${name}.`));
}

/** Every difference between the run and the baseline, environment first, then settings, optimizers and their settings. */
export function settingDifferences(results: RunResults, baseline: Baseline, accepted: readonly string[]): SettingDifference[] {
  const differences = environmentDifferences(baseline.environment, environmentOf(results));
  const { data: baselineData, ...baselineSettings } = baseline.settings;
  const { data: runData, ...runSettings } = results.settings;
  differences.push(...compareRecords('settings', baselineSettings, runSettings, 'settings'));
  differences.push(...compareRecords('settings.data', dataLeaves(baselineData), dataLeaves(runData), 'settings'));
  const runGroups = groupUnits(results);
  for (const key of new Set([...Object.keys(baseline.groups), ...runGroups.keys()])) {
    const base = baseline.groups[key];
    const run = runGroups.get(key);
    if (!run) differences.push({ key, scope: 'optimizers', group: key, baseline: 'ran', run: 'not in the run' });
    else if (!base) differences.push({ key, scope: 'optimizers', group: key, baseline: 'not in the baseline', run: 'ran' });
    else differences.push(...optimizerDifferences(key, base, run));
  }
  return differences
    // An environment value one side does not record (written before it was recorded) is unknown, not different.
    .filter((difference) => difference.scope !== 'environment' || (difference.run !== NOT_RECORDED && difference.baseline !== NOT_RECORDED))
    .map((difference) => ({ ...difference, accepted: isAccepted(difference.key, accepted) }));
}

/** Environment keys the run or the baseline does not record: replay cannot be vouched for, only tried. */
export function unrecordedEnvironment(results: RunResults, baseline: Baseline): string[] {
  return environmentDifferences(baseline.environment, environmentOf(results))
    .filter((difference) => difference.run === NOT_RECORDED || difference.baseline === NOT_RECORDED)
    .map((difference) => difference.key);
}
