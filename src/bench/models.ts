/**
 * Whole-training-step throughput of the study's models: each experiment's real `buildModel` trained by the
 * real loop (`train` of src/train/loop.ts: batch gather, forward, gradients, optimizer update, loss read-back)
 * on synthetic data of the profile's shapes, so the numbers need no dataset and match what a run costs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ModelExperiment, Profile } from '../train/definition.js';
import type { Split } from '../data/types.js';
import { train } from '../train/loop.js';
import { SeededRandom } from '../common/random.js';
import { sampleShape, syntheticSplit } from './synthetic.js';
import { cpuMs, profileKernels } from './profile.js';
import { median } from './stats.js';

export interface ModelBenchOptions {
  rounds: number;
  /** Training steps per timed round. */
  stepsPerRound: number;
  /** Overrides the profile's batch size. */
  batchSize?: number;
}

export interface KernelShare {
  kernel: string;
  ms: number;
}

export interface ModelBenchResult {
  experiment: string;
  profile: string;
  backend: string;
  batchSize: number;
  inputShape: number[];
  /** Samples per second of each timed round (training steps only, as results.json's samplesPerSecond). */
  samplesPerSecond: number[];
  medianSamplesPerSecond: number;
  medianStepMs: number;
  /**
   * Samples per second of this process's CPU time (user + system) in each timed round: on a shared machine
   * the wall-clock rate falls with the load, this one much less (it still rises a little with cache sharing).
   */
  samplesPerCpuSecond: number[];
  medianSamplesPerCpuSecond: number;
  /**
   * Self CPU time per kernel per step, averaged over one more (profiled) round, largest first (synchronous
   * backends only).
   */
  kernelMs?: KernelShare[];
  /** CPU time per step inside kernels in the profiled round (the sum of kernelMs). */
  insideKernelsMs?: number;
  /** CPU time per step outside any kernel (tape, layers, optimizer bookkeeping, the loop), from the profiled round. */
  outsideKernelsMs?: number;
}

/** Kernels below this share of a profiled step are summed into one "other kernels" row. */
const KERNEL_SHARE_SHOWN = 0.01;

async function trainRound(model: LayersModel, optimizer: tf.Optimizer, experiment: ModelExperiment, data: Split, batchSize: number) {
  return train({
    model, optimizer, train: data, validation: null, loss: experiment.loss, metric: experiment.metric.name,
    epochs: 1, batchSize, seed: 1,
  });
}

function largestKernels(selfMs: Map<string, number>, stepMs: number): KernelShare[] {
  const sorted = [...selfMs].map(([kernel, ms]) => ({ kernel, ms })).sort((a, b) => b.ms - a.ms);
  const shown = sorted.filter((k) => k.ms >= KERNEL_SHARE_SHOWN * stepMs);
  const rest = sorted.slice(shown.length).reduce((sum, k) => sum + k.ms, 0);
  return rest > 0 ? [...shown, { kernel: 'other kernels', ms: rest }] : shown;
}

/** Trains a fresh model of `experiment` for a warm-up round and `rounds` timed rounds on the active backend. */
export async function benchmarkModel(
  experiment: ModelExperiment,
  profileName: string,
  options: ModelBenchOptions,
): Promise<ModelBenchResult> {
  const profile: Profile = experiment.profiles[profileName];
  const batchSize = options.batchSize ?? profile.batchSize;
  const model = experiment.buildModel(new SeededRandom(1), profile);
  const optimizer = tf.train.adam();
  const data = syntheticSplit(model, experiment.loss, batchSize * options.stepsPerRound, 2);
  const oneBatch = { size: batchSize, take: data.take };
  try {
    // Warm-up: optimizer slot variables, first-call allocations, XNNPACK operator setup.
    await trainRound(model, optimizer, experiment, oneBatch, batchSize);
    const samplesPerSecond: number[] = [];
    const samplesPerCpuSecond: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const cpuBefore = process.cpuUsage();
      const outcome = await trainRound(model, optimizer, experiment, data, batchSize);
      const cpu = process.cpuUsage(cpuBefore);
      samplesPerSecond.push(outcome.samplesTrained / outcome.trainSeconds);
      samplesPerCpuSecond.push(outcome.samplesTrained / ((cpu.user + cpu.system) / 1e6));
    }
    const medianSamplesPerSecond = median(samplesPerSecond);
    const result: ModelBenchResult = {
      experiment: experiment.name, profile: profileName, backend: tf.getBackend(), batchSize,
      inputShape: [batchSize, ...sampleShape(model, 'inputs')],
      samplesPerSecond, medianSamplesPerSecond, medianStepMs: (1000 * batchSize) / medianSamplesPerSecond,
      samplesPerCpuSecond, medianSamplesPerCpuSecond: median(samplesPerCpuSecond),
    };
    if (tf.getBackend() === 'tensorflow') return result; // asynchronous kernels: self times would be queuing times
    // CPU time, not the wall clock: on a shared machine a kernel would be charged for the time other processes ran.
    const cpuBefore = cpuMs();
    const { selfMs } = await profileKernels(tf.getBackend(), () => trainRound(model, optimizer, experiment, data, batchSize));
    const steps = Math.ceil(data.size / batchSize);
    const stepMs = (cpuMs() - cpuBefore) / steps;
    const perStep = new Map([...selfMs].map(([kernel, ms]) => [kernel, ms / steps]));
    const inKernels = [...perStep.values()].reduce((sum, ms) => sum + ms, 0);
    return { ...result, kernelMs: largestKernels(perStep, stepMs), insideKernelsMs: inKernels, outsideKernelsMs: Math.max(0, stepMs - inKernels) };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
