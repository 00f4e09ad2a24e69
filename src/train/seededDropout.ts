/**
 * Dropout whose mask is reproducible *and* different at every step.
 *
 * tfjs-layers' Dropout passes its fixed `seed` to every call, so a seeded Dropout draws the same mask
 * at every training step, and an unseeded one uses Math.random. This layer draws each call's seed
 * from the project's generator, seeded from the run seed.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeededRandom } from '../common/random.js';

export interface SeededDropoutArgs {
  rate: number;
  seed: number;
  name?: string;
}

export class SeededDropout extends tfl.layers.Layer {
  static readonly className = 'SeededDropout';
  private readonly rate: number;
  private readonly random: SeededRandom;
  private readonly seed: number;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.seed = args.seed;
    this.random = new SeededRandom(args.seed);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return x.clone();
    return tf.dropout(x, this.rate, undefined, this.random.next());
  }

  /** The mask generator's state, saved in checkpoints so a resumed run draws the masks it would have. */
  saveGeneratorState(): number {
    return this.random.saveState();
  }

  restoreGeneratorState(state: number): void {
    this.random.restoreState(state);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
