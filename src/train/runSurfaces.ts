/**
 * The units of the cost-surfaces experiment: every optimizer unit descends every surface from each of its
 * starts for `profile.epochs` steps, with the same tf.Optimizer objects the model experiments train
 * with, and records each trajectory in `OptimizerRun.trajectories`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord, OptimizerRun, RunSettings, SurfaceTrajectory, TrajectoryPoint } from '../results/schema.js';
import type { Profile, SurfaceExperiment } from './definition.js';
import { planUnits, type PlannedUnit, type RunPlan, type UnitTrainer } from './plan.js';
// Surfaces are differentiated by tf.grad, whose gradients tfjs-core registers in Node only via the tfjs-layers bundle.
import '@tensorflow/tfjs-layers';
import { nearestMinimum, type Point, type Surface } from './surface.js';
import type { UnitSpec } from '../results/units.js';
import { resolveOrUnavailable } from './unit.js';

/**
 * `steps` steps of `optimizer` on `surface` from `start`. Stops at the first non-finite position or
 * value and marks the trajectory diverged; its points (and final distance) then end at the last finite
 * position, since JSON cannot hold NaN or Infinity.
 */
export function descend(surface: Surface, start: Point, optimizer: tf.Optimizer, steps: number): SurfaceTrajectory {
  const position = tf.tidy(() => tf.variable(tf.tensor1d(start), true));
  const points: TrajectoryPoint[] = [{ step: 0, x: start[0], y: start[1], f: surface.f(start[0], start[1]) }];
  let status: SurfaceTrajectory['status'] = 'ok';
  try {
    for (let step = 1; step <= steps; step++) {
      optimizer.minimize(() => surface.tfF(position), false, [position]);
      const [x, y] = position.dataSync();
      // f in float64 from the float32 position: the value a contour plot shows at that point.
      const f = surface.f(x, y);
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(f)) {
        status = 'diverged';
        break;
      }
      points.push({ step, x, y, f });
    }
  } finally {
    position.dispose();
  }
  const last = points[points.length - 1];
  const { minimum, distance } = nearestMinimum(surface, last.x, last.y);
  return { surface: surface.name, start, points, finalDistanceToMinimum: distance, nearestMinimum: minimum, status };
}

/**
 * The convergence curve of a surface unit, so the report's tables and the convergence check treat it
 * like a model's loss curve: one record per step whose `loss` is the mean distance to the nearest
 * minimum over all the unit's trajectories (a trajectory that stopped early stays at its last point).
 */
export function distanceCurve(experiment: SurfaceExperiment, trajectories: SurfaceTrajectory[], steps: number, seconds: number): EpochRecord[] {
  return Array.from({ length: steps }, (_, k) => {
    const distances = trajectories.map((trajectory) => {
      const surface = experiment.surfaces.find((s) => s.name === trajectory.surface)!;
      const point = trajectory.points[Math.min(k + 1, trajectory.points.length - 1)];
      return nearestMinimum(surface, point.x, point.y).distance;
    });
    return {
      epoch: k + 1, loss: distances.reduce((a, b) => a + b, 0) / distances.length,
      metric: null, valLoss: null, valMetric: null, seconds: seconds / steps,
    };
  });
}

/** One unit: a fresh optimizer per (surface, start), so no state carries over between trajectories. */
export async function runSurfaceUnit(experiment: SurfaceExperiment, steps: number, spec: UnitSpec, id: string): Promise<OptimizerRun> {
  const resolved = resolveOrUnavailable(spec, id);
  if (!('create' in resolved)) return resolved;
  const started = performance.now();
  const trajectories: SurfaceTrajectory[] = [];
  for (const surface of experiment.surfaces) {
    for (const start of surface.starts) {
      const optimizer = resolved.create();
      try {
        trajectories.push(descend(surface, start, optimizer, steps));
      } finally {
        optimizer.dispose();
      }
    }
  }
  const diverged = trajectories.filter((t) => t.status === 'diverged');
  const totalSeconds = (performance.now() - started) / 1000;
  return {
    id, optimizer: spec.optimizer, impl: spec.impl, seed: spec.seed,
    learningRate: resolved.hyperparameters.learningRate,
    hyperparameters: resolved.hyperparameters,
    convention: resolved.convention,
    status: diverged.length ? 'diverged' : 'ok',
    ...(diverged.length ? {
      reason: `non-finite position or value ${diverged.map((t) => `at step ${t.points.length} on ${t.surface} from (${t.start.join(', ')})`).join('; ')}`,
    } : {}),
    epochs: distanceCurve(experiment, trajectories, steps, totalSeconds),
    trajectories,
    totalSeconds,
    samplesPerSecond: null,
  };
}

/** Units of the plan, each with the experiment's learning rate for its optimizer unless the plan sweeps rates. */
export function planSurfaceUnits(plan: RunPlan<SurfaceExperiment>): PlannedUnit[] {
  return planUnits(plan).map((unit) => {
    const learningRate = unit.spec.learningRate ?? plan.experiment.learningRates[unit.spec.optimizer];
    return learningRate === undefined ? unit : { ...unit, spec: { ...unit.spec, learningRate } };
  });
}

function surfaceSettings(experiment: SurfaceExperiment, profile: Profile, learningRates: number[]): RunSettings {
  return {
    epochs: profile.epochs,
    // One step is one full evaluation of a deterministic function: no samples, no batches.
    batchSize: 1,
    trainSamples: 0,
    validationSamples: 0,
    loss: 'f(x, y)',
    metric: null,
    data: {
      steps: profile.epochs,
      surfaces: experiment.surfaces.map((s) => ({ name: s.name, title: s.title, starts: s.starts, minima: s.minima, domain: s.domain })),
      learningRates: learningRates.length
        ? { sweep: learningRates, rationale: 'swept from the command line (--lr), the same rates for every optimizer' }
        : { perOptimizer: experiment.learningRates, rationale: experiment.learningRateRationale },
    },
  };
}

/** The surfaces experiment ready to run units (there is no data to load). */
export function prepareSurfaceTrainer(experiment: SurfaceExperiment, profile: Profile, learningRates: number[]): UnitTrainer {
  return {
    details: { settings: surfaceSettings(experiment, profile, learningRates), referenceLines: [] },
    train: async (unit) => runSurfaceUnit(experiment, profile.epochs, unit.spec, unit.id),
  };
}
