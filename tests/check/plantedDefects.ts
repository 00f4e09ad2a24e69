/**
 * Defects of the kinds the convergence check exists to catch, each a small edit of the source as a
 * careless change would make it, planted in a copy of the source tree (never in the repository). Each
 * names the optimizers it must be caught on and what the check's report must name as the cause.
 * Used by plantedDefects.test.ts.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface PlantedDefect {
  name: string;
  file: string;
  /** Exact source text and its replacement; the plant fails loudly when the text is gone (update it here). */
  find: string;
  replace: string;
  /** Optimizers whose verdict must fail; every other one must pass. */
  caughtOn: string[];
  /** What the report must say about each caught optimizer (its detail line). */
  cause: RegExp;
}

/** The optimizers the defects are tried on: every trained optimizer the defects touch, plus ones they must not. */
export const OPTIMIZERS = ['adam', 'nadam', 'rmsprop', 'sgd'];
const ALL = OPTIMIZERS;

export const DEFECTS: PlantedDefect[] = [
  {
    name: 'a changed default learning rate (SGD 0.01 → 0.007)',
    file: 'src/optimizers/hyperparameters.ts',
    find: '  sgd: { learningRate: 0.01 },',
    replace: '  sgd: { learningRate: 0.007 },',
    caughtOn: ['sgd'],
    cause: /sgd\.hyperparameters\.learningRate 0\.01 → 0\.007/,
  },
  {
    name: 'a changed default hyperparameter (RMSprop rho 0.9 → 0.95)',
    file: 'src/optimizers/hyperparameters.ts',
    find: '  rmsprop: { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },',
    replace: '  rmsprop: { learningRate: 0.001, rho: 0.95, momentum: 0, epsilon: 1e-7, centered: false },',
    caughtOn: ['rmsprop'],
    cause: /rmsprop\.hyperparameters\.rho 0\.9 → 0\.95/,
  },
  {
    name: 'a switched Nadam momentum schedule',
    file: 'src/optimizers/adaptive.ts',
    find: "const k = options.schedule === 'tf-2.10' ? 0.004 : 1;",
    replace: "const k = options.schedule === 'tf-2.10' ? 1 : 0.004;",
    caughtOn: ['nadam'],
    cause: /first differs at epoch 1: validation loss [^;]*training loss/,
  },
  {
    name: 'a loop that stops reshuffling after the first epoch',
    file: 'src/train/loop.ts',
    find: '    shuffler.shuffle(order);\n',
    replace: '    if (epoch === 1) shuffler.shuffle(order);\n',
    caughtOn: ALL,
    // Epoch 1 replays exactly: only the order of the later epochs changed.
    cause: /first differs at epoch 2: validation loss [^;]*training loss/,
  },
  {
    name: 'a training loss averaged per batch instead of per sample',
    file: 'src/train/loop.ts',
    find: '      totals.loss += step.loss * indices.length;\n      totals.metric += step.metric * indices.length;\n      totals.samples += indices.length;\n',
    replace: '      totals.loss += step.loss;\n      totals.metric += step.metric;\n      totals.samples += 1;\n',
    caughtOn: ALL,
    cause: /first differs at epoch 1: training loss [^;]*; identical throughout: validation loss, validation meanSquaredError/,
  },
  {
    name: 'a validation set silently cut in half',
    file: 'src/train/loop.ts',
    find: '  const order = range(split.size);\n',
    replace: '  const order = range(Math.ceil(split.size / 2));\n',
    caughtOn: ALL,
    cause: /first differs at epoch 1: validation loss [^;]*; identical throughout: training loss, training meanSquaredError/,
  },
];

/** A copy of the source tree (src, experiments, package.json; node_modules linked) to plant a defect in. */
export function copyTree(into = mkdtempSync(path.join(tmpdir(), 'optbench-planted-'))): string {
  for (const entry of ['src', 'experiments', 'package.json', 'tsconfig.json']) cpSync(path.join(REPO, entry), path.join(into, entry), { recursive: true });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(into, 'node_modules'), 'dir');
  return into;
}

export function plant(tree: string, defect: PlantedDefect): void {
  const file = path.join(tree, defect.file);
  const source = readFileSync(file, 'utf8');
  if (!source.includes(defect.find)) {
    throw new Error(`cannot plant "${defect.name}": ${defect.file} no longer contains ${JSON.stringify(defect.find)}; update tests/check/plantedDefects.ts`);
  }
  writeFileSync(file, source.replace(defect.find, defect.replace));
}

export const removeTree = (tree: string) => rmSync(tree, { recursive: true, force: true });
