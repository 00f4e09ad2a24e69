/**
 * The tuning protocol as units: per optimizer, a grid of learning rates trained on the training data minus
 * a held-out part and validated on that part ('grid'), the default rate and the chosen rate each trained on
 * all the training data with every final seed and validated on the test set ('default', 'tuned').
 * Only grid units' held-out losses enter the choice: the test set never influences it.
 */
import type { OptimizerImpl, OptimizerRun, TuningChoice, TuningRecord } from '../results/schema.js';
import { getOptimizerSpec } from '../optimizers/registry.js';
import type { ExperimentDefinition } from '../train/definition.js';
import type { PlannedUnit, RunPlan } from '../train/plan.js';
import { unitId, type UnitSpec } from '../results/units.js';
import { chooseRate, DEFAULT_GRID_POINTS, DEFAULT_GRID_RATIO, learningRateGrid } from './grid.js';

export interface TuningOptions {
  /** Share of the training data held out to choose on (default 0.2). */
  holdoutFraction: number;
  /** Seed of the held-out split (default: the run seed). */
  holdoutSeed: number;
  /** Seeds each grid point trains with; losses are averaged over them (default: the run seed). */
  gridSeeds: number[];
  gridPoints: number;
  gridRatio: number;
  /** One grid for every optimizer (--lr with --tune); default a grid around each optimizer's default. */
  fixedGrid?: number[];
}

/** Held out for the choice: a fifth, as Keras's validation_split=0.2 in the study's era examples. */
export const DEFAULT_HOLDOUT_FRACTION = 0.2;

export function defaultTuningOptions(seed: number): TuningOptions {
  return { holdoutFraction: DEFAULT_HOLDOUT_FRACTION, holdoutSeed: seed, gridSeeds: [seed], gridPoints: DEFAULT_GRID_POINTS, gridRatio: DEFAULT_GRID_RATIO };
}

export function defaultRateOf(optimizer: string): number {
  return Number(getOptimizerSpec(optimizer).defaults.learningRate);
}

export function gridOf(optimizer: string, options: TuningOptions): number[] {
  return options.fixedGrid ?? learningRateGrid(defaultRateOf(optimizer), options.gridPoints, options.gridRatio);
}

/** Every (optimizer, impl) of the plan, in plan order. */
function pairs(plan: RunPlan<ExperimentDefinition>): { optimizer: string; impl: OptimizerImpl }[] {
  return plan.optimizers.flatMap((optimizer) => plan.implsFor(optimizer).map((impl) => ({ optimizer, impl })));
}

/** `adam`, or `adam@scratch` when the plan runs several implementations of some optimizer (as unitId). */
function prefix(plan: RunPlan<ExperimentDefinition>, spec: Pick<UnitSpec, 'optimizer' | 'impl' | 'seed'>): string {
  const impl = plan.optimizers.some((o) => plan.implsFor(o).length > 1);
  return unitId(spec, { impl, seed: false, learningRate: false });
}

function planned(plan: RunPlan<ExperimentDefinition>, spec: UnitSpec, qualifiers: string[]): PlannedUnit {
  return { id: `${prefix(plan, spec)}#${[spec.phase!, ...qualifiers].join(',')}`, spec };
}

/** Grid units: optimizer × impl × rate × grid seed, on the held-out split. */
export function gridUnits(plan: RunPlan<ExperimentDefinition>, options: TuningOptions): PlannedUnit[] {
  const holdout = { fraction: options.holdoutFraction, seed: options.holdoutSeed };
  return pairs(plan).flatMap(({ optimizer, impl }) => gridOf(optimizer, options).flatMap((learningRate) => options.gridSeeds.map((seed) =>
    planned(plan, { optimizer, impl, seed, learningRate, phase: 'grid', holdout }, [`lr=${learningRate}`, `seed=${seed}`]))));
}

/** Default-rate units: optimizer × impl × final seed, on all the training data, validated on the test set. */
export function defaultUnits(plan: RunPlan<ExperimentDefinition>): PlannedUnit[] {
  return pairs(plan).flatMap(({ optimizer, impl }) => plan.seeds.map((seed) =>
    planned(plan, { optimizer, impl, seed, phase: 'default' }, [`seed=${seed}`])));
}

/** Units at each chosen rate, as default units otherwise; none for an optimizer whose grid had no ok rate. */
export function tunedUnits(plan: RunPlan<ExperimentDefinition>, choices: TuningChoice[]): PlannedUnit[] {
  return choices.flatMap(({ optimizer, impl, chosen }) => (chosen === null ? [] : plan.seeds.map((seed) =>
    planned(plan, { optimizer, impl, seed, learningRate: chosen, phase: 'tuned' }, [`lr=${chosen}`, `seed=${seed}`]))));
}

/** The final held-out validation loss of a grid unit; null unless it trained ok to the end. */
function finalHeldOutLoss(run: OptimizerRun | undefined): number | null {
  const last = run?.status === 'ok' ? run.epochs.at(-1)?.valLoss : null;
  return last !== null && last !== undefined && Number.isFinite(last) ? last : null;
}

/**
 * Each (optimizer, impl)'s choice from the recorded grid units (keyed by unit id); null when some grid
 * unit has not been recorded yet (e.g. a shard ran only part of the grid). A rate whose grid seeds did
 * not all train ok counts as failed.
 */
export function chooseRates(plan: RunPlan<ExperimentDefinition>, options: TuningOptions, recorded: ReadonlyMap<string, OptimizerRun>): TuningChoice[] | null {
  const units = gridUnits(plan, options);
  if (units.some((unit) => !recorded.has(unit.id))) return null;
  return pairs(plan).map(({ optimizer, impl }) => {
    const grid = gridOf(optimizer, options);
    const gridLoss = grid.map((rate) => {
      const losses = units
        .filter((u) => u.spec.optimizer === optimizer && u.spec.impl === impl && u.spec.learningRate === rate)
        .map((u) => finalHeldOutLoss(recorded.get(u.id)));
      return losses.every((l): l is number => l !== null) ? losses.reduce((a, b) => a + b, 0) / losses.length : null;
    });
    const defaultLearningRate = defaultRateOf(optimizer);
    return { optimizer, impl, defaultLearningRate, grid, gridLoss, ...chooseRate(grid, gridLoss, defaultLearningRate) };
  });
}

export function describeProtocol(options: TuningOptions): string {
  const grid = options.fixedGrid
    ? `the same ${options.fixedGrid.length} rates for every optimizer (${options.fixedGrid.join(', ')})`
    : `${options.gridPoints} rates spaced ×${Number(options.gridRatio.toPrecision(4))} around each optimizer's default`;
  return `Per optimizer, ${grid} trained on the training data minus a held-out ${options.holdoutFraction * 100}% `
    + `(seeded shuffle, seed ${options.holdoutSeed}) with seed${options.gridSeeds.length > 1 ? 's' : ''} ${options.gridSeeds.join(', ')}; `
    + 'the rate with the lowest final validation loss on the held-out part is chosen, then the optimizer is retrained at it '
    + '(and at its default) on all the training data with every run seed and evaluated on the test set, which no choice reads.';
}

export function tuningRecord(options: TuningOptions, plan: RunPlan<ExperimentDefinition>, choices: TuningChoice[], holdoutDetails: Partial<TuningRecord['holdout']> = {}): TuningRecord {
  return {
    protocol: describeProtocol(options),
    holdout: { fraction: options.holdoutFraction, seed: options.holdoutSeed, ...holdoutDetails },
    gridSeeds: options.gridSeeds,
    finalSeeds: plan.seeds,
    gridPoints: options.fixedGrid?.length ?? options.gridPoints,
    gridRatio: options.gridRatio,
    choices,
  };
}
