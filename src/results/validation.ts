/**
 * Runtime schemas of results.json and units/<id>.json, mirroring the types of ./schema.ts (kept in step
 * by the type checks at the bottom) and docs/results-schema.md. Every file read is checked here, so a
 * hand-edited or damaged file is refused with the unit and the field, instead of crashing a report with
 * a TypeError or being resumed as if it were a finished unit.
 *
 * Objects are loose: fields this version does not know (added by a newer optbench of the same schema
 * version) are kept, not refused or dropped. Numbers a run can legitimately lose to JSON (NaN and
 * Infinity are written as null) are nullable where a diverged run can produce them.
 */
import { z } from 'zod';
import { RESULTS_SCHEMA_VERSION, type OptimizerRun, type RunResults } from './schema.js';

const runStatus = z.enum(['ok', 'diverged', 'failed', 'unavailable', 'skipped']);
const optimizerImpl = z.enum(['builtin', 'scratch']);
/** A seed as the generator takes it: a whole number, 0..2^32 − 1. */
const seed = z.number().int().min(0).max(0xffff_ffff);
const point = z.tuple([z.number(), z.number()]);

const epochRecord = z.looseObject({
  epoch: z.number().int().min(1),
  // null only in a unit that did not end 'ok' (checked below): a value that overflowed to Infinity.
  loss: z.number().nullable(),
  metric: z.number().nullable(),
  valLoss: z.number().nullable(),
  valMetric: z.number().nullable(),
  seconds: z.number(),
});

const trajectoryPoint = z.looseObject({
  step: z.number(),
  // A diverging optimizer leaves the surface: NaN coordinates are written as null.
  x: z.number().nullable(),
  y: z.number().nullable(),
  f: z.number().nullable(),
});

const surfaceTrajectory = z.looseObject({
  surface: z.string(),
  start: point,
  points: z.array(trajectoryPoint),
  finalDistanceToMinimum: z.number().nullable(),
  nearestMinimum: point,
  status: runStatus,
});

export const optimizerRunSchema = z.looseObject({
  id: z.string().min(1),
  optimizer: z.string().min(1),
  impl: optimizerImpl,
  seed,
  learningRate: z.number().positive(),
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
  convention: z.string(),
  status: runStatus,
  reason: z.string().optional(),
  epochs: z.array(epochRecord),
  trajectories: z.array(surfaceTrajectory).optional(),
  totalSeconds: z.number(),
  samplesPerSecond: z.number().nullable(),
}).superRefine((run, context) => {
  if (run.status !== 'ok') return;
  run.epochs.forEach((epoch, i) => {
    if (epoch.loss === null) {
      context.addIssue({ code: 'custom', path: ['epochs', i, 'loss'], message: `is null in a unit with status 'ok' (a finished unit has a loss every epoch)` });
    }
  });
});

const environmentInfo = z.looseObject({
  backend: z.string(),
  backendReason: z.string(),
  versions: z.record(z.string(), z.string()),
  platform: z.string(),
  arch: z.string(),
  cpu: z.looseObject({ model: z.string(), cores: z.number() }),
  hostname: z.string().optional(),
});

const runSettings = z.looseObject({
  epochs: z.number().int().min(1),
  batchSize: z.number().int().min(1),
  trainSamples: z.number().int().min(0),
  validationSamples: z.number().int().min(0),
  loss: z.string(),
  metric: z.looseObject({ name: z.string(), higherIsBetter: z.boolean() }).nullable(),
  data: z.record(z.string(), z.unknown()).optional(),
});

const baselineValue = z.looseObject({ name: z.string(), description: z.string(), valLoss: z.number() });

const plannedUnitRecord = z.looseObject({
  id: z.string().min(1),
  optimizer: z.string().min(1),
  impl: optimizerImpl,
  seed,
  learningRate: z.number().positive().optional(),
});

const shardInfo = z.looseObject({
  index: z.number().int().min(1),
  count: z.number().int().min(1),
  plannedUnits: z.array(plannedUnitRecord),
});

export const runResultsSchema = z.looseObject({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  runId: z.string().min(1),
  experiment: z.string().min(1),
  title: z.string(),
  profile: z.string(),
  seeds: z.array(seed),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: z.enum(['complete', 'partial']),
  environment: environmentInfo,
  settings: runSettings,
  runs: z.array(optimizerRunSchema),
  referenceLines: z.array(baselineValue),
  shard: shardInfo.optional(),
}).superRefine((results, context) => {
  // Two units with one id would be taken for each other by resume, merge and the report.
  const seen = new Set<string>();
  results.runs.forEach((run, i) => {
    if (seen.has(run.id)) context.addIssue({ code: 'custom', path: ['runs', i, 'id'], message: `'${run.id}' is the id of an earlier unit too (ids are unique in a run)` });
    seen.add(run.id);
  });
});

/** What is wrong with a file, one problem per line: where (unit and field) and what. */
export function describeIssues(error: z.ZodError, units?: readonly unknown[]): string {
  const problems = error.issues.slice(0, 5).map((issue) => {
    const where = fieldPath(issue.path);
    const unit = unitOf(issue.path, units);
    return `${unit ? `unit '${unit}', ` : ''}field '${where || '(top level)'}' ${problemOf(issue)}`;
  });
  const more = error.issues.length - problems.length;
  return problems.join('; ') + (more > 0 ? `; and ${more} more problem(s)` : '');
}

/** runs[2].epochs[0].loss */
function fieldPath(pathParts: readonly PropertyKey[]): string {
  return pathParts.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('');
}

/** The id of the unit a problem is in (`runs[i]` of results.json), when it has a readable one. */
function unitOf(pathParts: readonly PropertyKey[], units: readonly unknown[] | undefined): string | undefined {
  if (!units || pathParts[0] !== 'runs' || typeof pathParts[1] !== 'number') return undefined;
  const id = (units[pathParts[1]] as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

function problemOf(issue: z.core.$ZodIssue): string {
  const found = 'input' in issue ? describeValue(issue.input) : undefined;
  const got = found === undefined ? '' : `, got ${found}`;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${article(issue.expected)}${got}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'too_small':
    case 'too_big':
      return `${issue.message.replace(/^Too (small|big): expected \w+ to (have|be) /, 'must be ')}${got}`;
    case 'custom':
      return issue.message;
    default:
      return `${issue.message}${got}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Validates a parsed results.json; the problems, or the results. */
export function validateResults(data: unknown): { ok: true; results: RunResults } | { ok: false; problems: string } {
  const parsed = runResultsSchema.safeParse(data, { reportInput: true });
  if (parsed.success) return { ok: true, results: parsed.data as unknown as RunResults };
  const runs = (data as { runs?: unknown }).runs;
  return { ok: false, problems: describeIssues(parsed.error, Array.isArray(runs) ? runs : undefined) };
}

/** Validates a parsed units/<id>.json; the problems, or the unit. */
export function validateUnit(data: unknown): { ok: true; run: OptimizerRun } | { ok: false; problems: string } {
  const parsed = optimizerRunSchema.safeParse(data, { reportInput: true });
  return parsed.success ? { ok: true, run: parsed.data as unknown as OptimizerRun } : { ok: false, problems: describeIssues(parsed.error) };
}

// The schemas must describe the types of ./schema.ts: what they accept is usable as those types.
type Accepts<Schema extends z.ZodType, Type> = z.infer<Schema> extends Type ? true : never;
const schemaMatchesTypes: [Accepts<typeof runResultsSchema, Omit<RunResults, 'runs'>>, Accepts<typeof optimizerRunSchema, Omit<OptimizerRun, 'epochs' | 'hyperparameters' | 'trajectories'>>] = [true, true];
void schemaMatchesTypes;
