/**
 * One optimizer step on ~1M parameters (three tensors) on the active backend: the from-scratch
 * implementation in tfjs's convention (the same arithmetic) against the tfjs built-in, plus the optimizers
 * tfjs lacks. Goal: from-scratch ≤ 1.2× the built-in.   npm run bench:optimizers
 *
 * The machine is shared, so timings drift with other load: each optimizer runs several short rounds
 * with the two implementations back to back (order alternating) and reports the median of the
 * per-round ratios of median step times. Kernels per step (from tf.profile) is the load-free check
 * that the from-scratch step does no more work than the built-in.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Bench } from 'tinybench';
import { OPTIMIZERS, resolveHyperparameters } from '../optimizers/registry.js';
import type { Hyperparameters } from '../optimizers/hyperparameters.js';
import { median } from './stats.js';

const SHAPES = [[1000, 500], [500, 500], [250, 1000]];
export const OPTIMIZER_PARAMETERS = SHAPES.reduce((sum, s) => sum + s[0] * s[1], 0);
/** From-scratch step time over the built-in's that the study accepts. */
export const OPTIMIZER_GOAL = 1.2;

const CASES: { label: string; optimizer: string; h?: Hyperparameters }[] = [
  { label: 'sgd', optimizer: 'sgd' },
  { label: 'momentum', optimizer: 'momentum' },
  { label: 'nesterov', optimizer: 'nesterov' },
  { label: 'adagrad', optimizer: 'adagrad' },
  { label: 'adadelta', optimizer: 'adadelta' },
  { label: 'rmsprop', optimizer: 'rmsprop' },
  { label: 'rmsprop momentum', optimizer: 'rmsprop', h: { momentum: 0.9 } },
  { label: 'rmsprop centered', optimizer: 'rmsprop', h: { centered: true } },
  { label: 'adam', optimizer: 'adam' },
  { label: 'adamax', optimizer: 'adamax' },
  { label: 'nadam', optimizer: 'nadam' },
  { label: 'ftrl', optimizer: 'ftrl' },
  { label: 'adamw', optimizer: 'adamw' },
];

export interface OptimizerBenchResult {
  optimizer: string;
  backend: string;
  /** Median ms per step over rounds; null when tfjs has no built-in. */
  builtinMs: number | null;
  scratchMs: number;
  builtinKernels: number | null;
  scratchKernels: number;
  scratchConvention: string;
  /** Median of per-round scratch/built-in ratios; null without a built-in. */
  ratio: number | null;
  meetsGoal: boolean | null;
}

let created = 0;

/** A benchmark task: one applyGradients per call on its own variables, freed after the run. */
function stepTask(optimizer: tf.Optimizer, grads: tf.Tensor[]): { step: () => void; dispose: () => void } {
  created += 1;
  const variables = tf.tidy(() => SHAPES.map((s, i) => tf.variable(tf.randomUniform(s, -1, 1, 'float32', 1 + i), true, `bench${created}/w${i}`)));
  const named: tf.NamedTensorMap = Object.fromEntries(variables.map((v, i) => [v.name, grads[i]]));
  return {
    step: () => optimizer.applyGradients(named),
    dispose: () => { optimizer.dispose(); tf.dispose(variables); },
  };
}

const kernelsPerStep = async (task?: { step: () => void }) => (task ? (await tf.profile(task.step)).kernels.length : null);

async function benchmarkOptimizer({ label, optimizer, h }: (typeof CASES)[number], grads: tf.Tensor[], rounds: number): Promise<OptimizerBenchResult> {
  const spec = OPTIMIZERS[optimizer];
  const hyperparameters = resolveHyperparameters(optimizer, h);
  // Built-in parity runs the tfjs convention (same arithmetic); without a built-in, the study's default.
  const scratchHyperparameters = spec.builtin ? { ...hyperparameters, convention: 'tfjs' } : hyperparameters;
  const tasks = {
    builtin: spec.builtin ? stepTask(spec.builtin(hyperparameters), grads) : undefined,
    scratch: stepTask(spec.scratch!(scratchHyperparameters), grads),
  };
  try {
    const times: { builtin: number[]; scratch: number[]; ratio: number[] } = { builtin: [], scratch: [], ratio: [] };
    for (let round = 0; round < rounds; round++) {
      const bench = new Bench({ time: 200, warmupTime: 50, iterations: 5 });
      const order = round % 2 === 0 ? (['builtin', 'scratch'] as const) : (['scratch', 'builtin'] as const);
      for (const name of order) if (tasks[name]) bench.add(name, tasks[name]!.step);
      await bench.run();
      const p50 = (name: string) => {
        const result = bench.getTask(name)?.result;
        return result && 'latency' in result ? result.latency.p50 : undefined;
      };
      const scratchMs = p50('scratch')!;
      times.scratch.push(scratchMs);
      const builtinMs = p50('builtin');
      if (builtinMs !== undefined) {
        times.builtin.push(builtinMs);
        times.ratio.push(scratchMs / builtinMs);
      }
    }
    const ratio = times.ratio.length ? median(times.ratio) : null;
    return {
      optimizer: label,
      backend: tf.getBackend(),
      builtinMs: times.builtin.length ? median(times.builtin) : null,
      scratchMs: median(times.scratch),
      builtinKernels: await kernelsPerStep(tasks.builtin),
      scratchKernels: (await kernelsPerStep(tasks.scratch))!,
      scratchConvention: spec.scratchConvention!(scratchHyperparameters),
      ratio,
      meetsGoal: ratio === null ? null : ratio <= OPTIMIZER_GOAL,
    };
  } finally {
    tasks.builtin?.dispose();
    tasks.scratch.dispose();
  }
}

/** Every optimizer's step time on the active backend, `rounds` alternating rounds each. */
export async function benchmarkOptimizers(rounds: number): Promise<OptimizerBenchResult[]> {
  const grads = tf.tidy(() => SHAPES.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 100 + i)));
  try {
    const results: OptimizerBenchResult[] = [];
    for (const c of CASES) results.push(await benchmarkOptimizer(c, grads, rounds));
    return results;
  } finally {
    tf.dispose(grads);
  }
}
