/**
 * What a 2-D cost surface is to the training code (the surfaces themselves are problem definitions and
 * live with the experiments, in experiments/costSurfaces.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';

export type Point = [number, number];

export interface Surface {
  /** Identifier used in results.json (`SurfaceTrajectory.surface`). */
  name: string;
  /** Human title for plots, formula included. */
  title: string;
  /** Where the function and starts come from and what the surface is meant to show. */
  description: string;
  f(x: number, y: number): number;
  /**
   * The same function on a tensor of shape [2] holding (x, y); returns a scalar. Call it inside
   * `tf.tidy`, `tf.grad` or `optimizer.minimize`, which dispose the intermediates.
   */
  tfF(xy: tf.Tensor): tf.Scalar;
  /** Known minima (all of them in the plotted domain); trajectories report the distance to the nearest. */
  minima: Point[];
  /** Documented starting points; every optimizer runs once from each. */
  starts: Point[];
  /** Plot window. */
  domain: { x: [number, number]; y: [number, number] };
}

/** The known minimum closest to (x, y) and the Euclidean distance to it. */
export function nearestMinimum(surface: Surface, x: number, y: number): { minimum: Point; distance: number } {
  let best = { minimum: surface.minima[0], distance: Number.POSITIVE_INFINITY };
  for (const minimum of surface.minima) {
    const distance = Math.hypot(x - minimum[0], y - minimum[1]);
    if (distance < best.distance) best = { minimum, distance };
  }
  return best;
}
