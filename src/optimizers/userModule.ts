/**
 * Optimizers a user brings in a module of their own (`--optimizer-file path.ts`, repeatable). The module's
 * default export (or its export named `optimizer`) is a definition made with `defineOptimizer`:
 *
 *   export default defineOptimizer({
 *     name: 'lion', label: 'Lion',
 *     defaults: { learningRate: 1e-4, beta1: 0.9, beta2: 0.99 },
 *     transform: (h) => chain(scaleByLion(h), scaleByLearningRate(h.learningRate)),   // or:
 *     optimizer: (h) => tf.train.adam(h.learningRate),                                  // a tf.Optimizer
 *   });
 *
 * A `transform` (a chain of this project's gradient transformations, ./transform.ts) runs as the 'scratch'
 * implementation, wrapped in the same TransformOptimizer as the built-in recipes; an `optimizer` factory
 * runs as the 'builtin' one (a ready-made tf.Optimizer). A module may give both, and `--impl both` then
 * compares them. Once registered, the optimizer is one more entry of the registry: the training loop,
 * workers, tuning, reports, claims and the convergence check treat it as they treat Adam.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import { InvalidHyperparameterError, OptimizerModuleError } from './errors.js';
import type { Hyperparameters } from './hyperparameters.js';
import { OPTIMIZERS, registerOptimizer, type OptimizerSpec } from './registry.js';
import type { GradientTransformation } from './transform.js';
import { TransformOptimizer } from './transform_optimizer.js';

type HyperparameterValue = number | boolean | string;

export interface UserOptimizerDefinition<H extends Record<string, HyperparameterValue> & { learningRate: number } = Record<string, HyperparameterValue> & { learningRate: number }> {
  /** Registry name: lower case, used in unit ids, file names and `--optimizers`. Must not be a built-in's. */
  name: string;
  /** Shown in tables and legends; default the name. */
  label?: string;
  /** Every hyperparameter with its default, learningRate included (tuning centres its grid on it). */
  defaults: H;
  /** The update as a chain of gradient transformations, given the defaults with the run's overrides. */
  transform?: (h: H) => GradientTransformation;
  /** The update as a ready-made tf.Optimizer, given the defaults with the run's overrides. */
  optimizer?: (h: H) => tf.Optimizer;
  /** The published rule it follows, recorded in results.json (default 'user'). */
  convention?: string;
}

/** Identity with types: `h` in `transform`/`optimizer` is typed after `defaults`. */
export function defineOptimizer<H extends Record<string, HyperparameterValue> & { learningRate: number }>(
  definition: UserOptimizerDefinition<H>,
): UserOptimizerDefinition<H> {
  return definition;
}

/** What results.json records of a user optimizer: enough to know which file (and which version of it) ran. */
export interface UserOptimizerRecord {
  name: string;
  label: string;
  file: string;
  sha256: string;
  defaults: Hyperparameters;
}

const NAME_PATTERN = /^[a-z][a-z0-9_-]*$/;
const EXAMPLE = 'see examples/optimizers/lion.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of a module's definition; throws OptimizerModuleError naming the first problem. */
export function validateDefinition(file: string, exported: unknown): UserOptimizerDefinition {
  const fail = (problem: string): never => {
    throw new OptimizerModuleError(file, `${problem} (${EXAMPLE})`);
  };
  if (!isRecord(exported)) fail('exports no optimizer: `export default defineOptimizer({ name, defaults, transform | optimizer })` is missing');
  const definition = exported as Record<string, unknown>;
  if (typeof definition.name !== 'string') fail('the definition has no `name` (a string such as \'lion\')');
  const name = definition.name as string;
  if (!NAME_PATTERN.test(name)) fail(`\`name\` '${name}' must be lower case letters, digits, '-' or '_', starting with a letter`);
  if (definition.label !== undefined && typeof definition.label !== 'string') fail('`label` must be a string');
  if (definition.convention !== undefined && typeof definition.convention !== 'string') fail('`convention` must be a string');
  if (!isRecord(definition.defaults)) fail('the definition has no `defaults` object (every hyperparameter with its default, learningRate included)');
  const defaults = definition.defaults as Record<string, unknown>;
  const rate = defaults.learningRate;
  if (typeof rate !== 'number' || !(rate > 0) || !Number.isFinite(rate)) fail(`\`defaults.learningRate\` must be a positive number, got ${JSON.stringify(rate)}`);
  for (const [key, value] of Object.entries(defaults)) {
    if (!['number', 'boolean', 'string'].includes(typeof value)) fail(`\`defaults.${key}\` must be a number, boolean or string, got ${JSON.stringify(value)}`);
  }
  for (const key of ['transform', 'optimizer'] as const) {
    if (definition[key] !== undefined && typeof definition[key] !== 'function') fail(`\`${key}\` must be a function of the hyperparameters`);
  }
  if (definition.transform === undefined && definition.optimizer === undefined) {
    fail('the definition has neither `transform` (a chain of gradient transformations) nor `optimizer` (a tf.Optimizer factory)');
  }
  return definition as unknown as UserOptimizerDefinition;
}

/**
 * The resolved hyperparameters (the registry's resolveHyperparameters already merged the defaults), each
 * of the same type as its default; an unknown hyperparameter is refused (a misspelt name would otherwise
 * be silently ignored).
 */
function checked(definition: UserOptimizerDefinition, h: Hyperparameters): UserOptimizerDefinition['defaults'] {
  for (const [key, value] of Object.entries(h)) {
    if (!Object.hasOwn(definition.defaults, key)) {
      throw new InvalidHyperparameterError(definition.name, key, `is not one of its hyperparameters (${Object.keys(definition.defaults).join(', ')})`);
    }
    if (typeof value !== typeof definition.defaults[key]) {
      throw new InvalidHyperparameterError(definition.name, key, `must be a ${typeof definition.defaults[key]}, got ${JSON.stringify(value)}`);
    }
  }
  return h as UserOptimizerDefinition['defaults'];
}

/** Whether a value behaves like a tf.Optimizer (duck-typed: the module may bundle its own tfjs copy). */
function isOptimizer(value: unknown): value is tf.Optimizer {
  return isRecord(value) && typeof value.applyGradients === 'function' && typeof value.dispose === 'function';
}

function isTransform(value: unknown): value is GradientTransformation {
  return isRecord(value) && ['init', 'update', 'dispose'].every((key) => typeof value[key] === 'function');
}

/** The registry entry of a user optimizer. */
export function userOptimizerSpec(file: string, definition: UserOptimizerDefinition): OptimizerSpec {
  const convention = definition.convention ?? 'user';
  const { transform, optimizer } = definition;
  return {
    name: definition.name,
    label: definition.label ?? definition.name,
    defaults: { ...definition.defaults },
    builtinConvention: convention,
    scratchConvention: () => convention,
    ...(optimizer ? {
      builtin: (h: Hyperparameters) => {
        const created: unknown = optimizer(checked(definition, h));
        if (!isOptimizer(created)) throw new OptimizerModuleError(file, '`optimizer(h)` did not return a tf.Optimizer (an object with applyGradients and dispose)');
        return created;
      },
    } : {}),
    ...(transform ? {
      scratch: (h: Hyperparameters) => {
        const created: unknown = transform(checked(definition, h));
        if (!isTransform(created)) throw new OptimizerModuleError(file, '`transform(h)` did not return a gradient transformation (init, update, dispose), e.g. chain(...)');
        return new TransformOptimizer(created);
      },
    } : {}),
  };
}

/** Imports a module file and validates its definition. */
export async function loadOptimizerModule(file: string): Promise<UserOptimizerDefinition> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new OptimizerModuleError(file, `no such file (resolved to ${absolute})`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new OptimizerModuleError(file, `could not be loaded: ${(error as Error).message ?? String(error)}`);
  }
  return validateDefinition(file, module.default ?? module.optimizer);
}

/**
 * Loads each file and registers its optimizer, checking that each can build its optimizer from its
 * defaults (a module that fails here fails before any training). Needs a tfjs backend selected.
 * Returns what results.json records. Registering the same file twice (a worker that loads it again)
 * is refused like any other duplicate name, so call it once per process.
 */
export async function registerOptimizerFiles(files: readonly string[]): Promise<UserOptimizerRecord[]> {
  const records: UserOptimizerRecord[] = [];
  for (const file of files) {
    const definition = await loadOptimizerModule(file);
    if (Object.hasOwn(OPTIMIZERS, definition.name)) {
      throw new OptimizerModuleError(file, `name '${definition.name}' is already taken by ${records.some((r) => r.name === definition.name) ? 'another --optimizer-file' : 'a built-in optimizer'}; give it another name`);
    }
    const spec = userOptimizerSpec(file, definition);
    for (const create of [spec.builtin, spec.scratch]) {
      if (!create) continue;
      try {
        create(spec.defaults).dispose();
      } catch (error) {
        if (error instanceof OptimizerModuleError) throw error;
        throw new OptimizerModuleError(file, `building the optimizer from its defaults failed: ${(error as Error).message}`);
      }
    }
    registerOptimizer(spec);
    records.push({
      name: definition.name, label: spec.label, file: path.resolve(file),
      sha256: createHash('sha256').update(readFileSync(path.resolve(file))).digest('hex'), defaults: spec.defaults,
    });
  }
  return records;
}
