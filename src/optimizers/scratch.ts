/**
 * From-scratch optimizers by name from resolved hyperparameters (the registry's resolveHyperparameters,
 * every default present): validates them again (a saved model's config brings them back untyped), builds
 * the learning-rate schedule, the Keras-style gradient modifiers and the recipe, and wraps the result
 * in a serialisable tf.Optimizer.
 *
 * Hyperparameters every scratch optimizer accepts, besides its own (Keras names where Keras has one):
 *   convention           which published update to follow (SCRATCH_CONVENTIONS; first = default)
 *   decay                Keras 2.x legacy inverse-time decay, lr / (1 + decay · t)
 *   schedule             'constant' | 'inverse-time' | 'exponential' | 'step' | 'cosine',
 *                        with decaySteps, decayRate (all but cosine) and alpha (cosine floor)
 *   clipvalue, clipnorm, globalClipnorm   gradient clipping, applied in Keras's order
 *   l1Penalty, l2Penalty gradient of λ‖w‖₁ / λ‖w‖² added before clipping (as a loss penalty would be)
 */
import * as tf from '@tensorflow/tfjs-core';
import { SCHEDULES, SCRATCH_CONVENTIONS, type Hyperparameters } from './hyperparameters.js';
import { InvalidHyperparameterError } from './errors.js';
import { chain, type GradientTransformation, type Schedule } from './transform.js';
import { TransformOptimizer } from './transform_optimizer.js';
import { cosineDecay, exponentialDecay, inverseTimeDecay } from './schedules.js';
import { clipByGlobalNorm, clipByNorm, clipByValue } from './clipping.js';
import { addL1Penalty, addL2Penalty } from './regularization.js';
import * as recipes from './recipes.js';

type ScratchOptimizerName = keyof typeof SCRATCH_CONVENTIONS;

/** Reads hyperparameters with type checks and remembers which were used, to reject unknown ones. */
class HyperparameterReader {
  private readonly used = new Set<string>();

  constructor(private readonly optimizer: string, private readonly h: Hyperparameters) {}

  fail(key: string, detail: string): never {
    throw new InvalidHyperparameterError(this.optimizer, key, detail);
  }

  has(key: string): boolean {
    return this.h[key] !== undefined;
  }

  number(key: string, fallback?: number, range: { min?: number; max?: number } = {}): number {
    this.used.add(key);
    const value = this.h[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(key, `must be a finite number, got ${JSON.stringify(value)}`);
    if (range.min !== undefined && value < range.min) this.fail(key, `must be ≥ ${range.min}, got ${value}`);
    if (range.max !== undefined && value > range.max) this.fail(key, `must be ≤ ${range.max}, got ${value}`);
    return value;
  }

  positive(key: string, fallback?: number): number {
    const value = this.number(key, fallback);
    if (value <= 0) this.fail(key, `must be > 0, got ${value}`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    this.used.add(key);
    const value = this.h[key] ?? fallback;
    if (typeof value !== 'boolean') this.fail(key, `must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  choice<T extends string>(key: string, allowed: readonly T[]): T {
    this.used.add(key);
    const value = this.h[key] ?? allowed[0];
    if (!allowed.includes(value as T)) this.fail(key, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  }

  /** Every given key must have been read: a typo or a knob this configuration ignores is an error. */
  assertAllUsed(): void {
    const unused = Object.keys(this.h).filter((key) => this.h[key] !== undefined && !this.used.has(key));
    if (unused.length) {
      this.fail(unused[0], `is not used by the from-scratch '${this.optimizer}' with these settings (read: ${[...this.used].sort().join(', ')})`);
    }
  }
}

function learningRateOf(r: HyperparameterReader): number | Schedule {
  const initial = r.positive('learningRate');
  if (r.has('decay')) {
    if (r.has('schedule')) r.fail('decay', "is the legacy inverse-time schedule: give either 'decay' or 'schedule', not both");
    const decay = r.number('decay', undefined, { min: 0 });
    return decay > 0 ? inverseTimeDecay(initial, decay) : initial;
  }
  switch (r.choice('schedule', SCHEDULES)) {
    case 'constant': return initial;
    case 'inverse-time': return inverseTimeDecay(initial, r.number('decayRate', undefined, { min: 0 }), r.positive('decaySteps', 1));
    case 'exponential': return exponentialDecay(initial, r.positive('decayRate'), r.positive('decaySteps'));
    case 'step': return exponentialDecay(initial, r.positive('decayRate'), r.positive('decaySteps'), true);
    case 'cosine': return cosineDecay(initial, r.positive('decaySteps'), r.number('alpha', 0, { min: 0, max: 1 }));
  }
}

/** Penalties, then clipping in Keras's order (optimizer_v2.py `_transform_gradients`: clipvalue, clipnorm, global_clipnorm). */
function gradientModifiers(r: HyperparameterReader): GradientTransformation[] {
  const units: GradientTransformation[] = [];
  if (r.has('l1Penalty')) units.push(addL1Penalty(r.number('l1Penalty', undefined, { min: 0 })));
  if (r.has('l2Penalty')) units.push(addL2Penalty(r.number('l2Penalty', undefined, { min: 0 })));
  if (r.has('clipvalue')) units.push(clipByValue(r.positive('clipvalue')));
  if (r.has('clipnorm') && r.has('globalClipnorm')) {
    r.fail('globalClipnorm', 'cannot be combined with clipnorm (Keras accepts only one of them): drop one');
  }
  if (r.has('clipnorm')) units.push(clipByNorm(r.positive('clipnorm')));
  if (r.has('globalClipnorm')) units.push(clipByGlobalNorm(r.positive('globalClipnorm')));
  return units;
}

type RecipeBuilder = (r: HyperparameterReader, learningRate: number | Schedule) => GradientTransformation;

function conventionOf<N extends ScratchOptimizerName>(r: HyperparameterReader, name: N): (typeof SCRATCH_CONVENTIONS)[N][number] {
  return r.choice('convention', SCRATCH_CONVENTIONS[name]);
}
const kerasOrTfjs = (r: HyperparameterReader, name: ScratchOptimizerName) => conventionOf(r, name) as recipes.Convention;

const BUILDERS: Record<ScratchOptimizerName, RecipeBuilder> = {
  sgd: (r, learningRate) => { conventionOf(r, 'sgd'); return recipes.sgd({ learningRate }); },
  momentum: (r, learningRate) => recipes.momentum({
    learningRate, momentum: r.number('momentum', undefined, { min: 0, max: 1 }), nesterov: r.boolean('nesterov', false), convention: kerasOrTfjs(r, 'momentum'),
  }),
  nesterov: (r, learningRate) => recipes.momentum({
    learningRate, momentum: r.number('momentum', undefined, { min: 0, max: 1 }), nesterov: true, convention: kerasOrTfjs(r, 'nesterov'),
  }),
  adagrad: (r, learningRate) => recipes.adagrad({
    learningRate, initialAccumulatorValue: r.number('initialAccumulatorValue', undefined, { min: 0 }), epsilon: r.number('epsilon', undefined, { min: 0 }), convention: kerasOrTfjs(r, 'adagrad'),
  }),
  adadelta: (r, learningRate) => recipes.adadelta({
    learningRate, rho: r.number('rho', undefined, { min: 0, max: 1 }), epsilon: r.number('epsilon', undefined, { min: 0 }), convention: kerasOrTfjs(r, 'adadelta'),
  }),
  rmsprop: (r, learningRate) => recipes.rmsprop({
    learningRate, rho: r.number('rho', undefined, { min: 0, max: 1 }), momentum: r.number('momentum', 0, { min: 0, max: 1 }), epsilon: r.number('epsilon', undefined, { min: 0 }),
    centered: r.boolean('centered', false), convention: kerasOrTfjs(r, 'rmsprop'),
  }),
  adam: (r, learningRate) => recipes.adam({ learningRate, ...adamMoments(r), amsgrad: r.boolean('amsgrad', false), convention: kerasOrTfjs(r, 'adam') }),
  adamax: (r, learningRate) => { conventionOf(r, 'adamax'); return recipes.adamax({ learningRate, ...adamMoments(r) }); },
  nadam: (r, learningRate) => recipes.nadam({ learningRate, ...adamMoments(r), schedule: conventionOf(r, 'nadam') }),
  ftrl: (r, learningRate) => {
    conventionOf(r, 'ftrl');
    return recipes.ftrl({
      learningRate,
      learningRatePower: r.number('learningRatePower', undefined, { max: 0 }),
      initialAccumulatorValue: r.number('initialAccumulatorValue', undefined, { min: 0 }),
      l1: r.number('l1RegularizationStrength', undefined, { min: 0 }),
      l2: r.number('l2RegularizationStrength', undefined, { min: 0 }),
      l2Shrinkage: r.number('l2ShrinkageRegularizationStrength', undefined, { min: 0 }),
      beta: r.number('beta', undefined, { min: 0 }),
    });
  },
  adamw: (r, learningRate) => {
    conventionOf(r, 'adamw');
    return recipes.adamw({ learningRate, ...adamMoments(r), amsgrad: r.boolean('amsgrad', false), weightDecay: r.number('weightDecay', undefined, { min: 0 }) });
  },
};

function adamMoments(r: HyperparameterReader): { beta1: number; beta2: number; epsilon: number } {
  return {
    beta1: r.number('beta1', undefined, { min: 0, max: 1 }),
    beta2: r.number('beta2', undefined, { min: 0, max: 1 }),
    epsilon: r.number('epsilon', undefined, { min: 0 }),
  };
}

function isScratchName(name: string): name is ScratchOptimizerName {
  return Object.hasOwn(SCRATCH_CONVENTIONS, name);
}

function readerFor(name: string, h: Hyperparameters): [ScratchOptimizerName, HyperparameterReader] {
  if (!isScratchName(name)) {
    throw new InvalidHyperparameterError(name, 'name', `has no from-scratch recipe; known: ${Object.keys(SCRATCH_CONVENTIONS).join(', ')}`);
  }
  return [name, new HyperparameterReader(name, h)];
}

/** The full transformation (modifiers + recipe) for a named optimizer; validates every hyperparameter. */
export function scratchTransform(name: string, h: Hyperparameters): GradientTransformation {
  const [known, r] = readerFor(name, h);
  const learningRate = learningRateOf(r);
  const modifiers = gradientModifiers(r);
  const recipe = BUILDERS[known](r, learningRate);
  r.assertAllUsed();
  return modifiers.length ? chain(...modifiers, recipe) : recipe;
}

/** The convention string recorded in results.json for these hyperparameters. */
export function scratchConvention(name: string, h: Hyperparameters): string {
  const [known, r] = readerFor(name, h);
  return conventionOf(r, known);
}

/** A named recipe as a tf.Optimizer that tf.serialization (and so tfjs-layers' saved models) can rebuild. */
export class ScratchOptimizer extends TransformOptimizer {
  static override readonly className: string = 'optbench.ScratchOptimizer';

  constructor(readonly optimizerName: string, readonly hyperparameters: Hyperparameters) {
    super(scratchTransform(optimizerName, hyperparameters));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { optimizer: this.optimizerName, hyperparameters: { ...this.hyperparameters } };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config.optimizer, config.hyperparameters);
  }
}

tf.serialization.registerClass(ScratchOptimizer);
