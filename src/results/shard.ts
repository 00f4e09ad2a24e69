/**
 * Shards: `--shard i/n` runs the i-th of n disjoint parts of a plan, so n machines can share a study and
 * `npm run merge` can put the parts back together.
 *
 * Units are dealt round-robin in plan order (unit k goes to shard k mod n + 1). The plan order is fixed
 * by the command line (optimizer, impl, seed, learning rate), so every machine given the same flags
 * computes the same parts; dealing instead of cutting into blocks spreads each optimizer's seeds and
 * rates over the shards, which keeps shards balanced when optimizers differ in cost.
 */
import { InvalidShardError } from './errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n), e.g. `2/3`. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1) || !(index >= 1 && index <= count)) {
    throw new InvalidShardError(`--shard takes i/n with 1 ≤ i ≤ n (e.g. 2/3 for the second of three shards); got '${text}'.`);
  }
  return { index, count };
}

/** The 1-based shard that runs the unit at `position` (0-based) of the plan. */
export function shardOf(position: number, count: number): number {
  return (position % count) + 1;
}

/** The units of `shard`, in plan order. */
export function selectShard<T>(units: readonly T[], shard: Shard): T[] {
  return units.filter((_, position) => shardOf(position, shard.count) === shard.index);
}
