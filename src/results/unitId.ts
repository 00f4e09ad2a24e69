/** Unit ids, without TensorFlow.js (./units.ts loads the optimizer registry): the check reads them too. */
import type { OptimizerImpl } from './schema.js';

/** A unit's id within a run: readable, unique, stable across machines (used for shards and resume). */
export function unitId(spec: { optimizer: string; impl: OptimizerImpl; seed: number; learningRate?: number }, varying: { impl: boolean; seed: boolean; learningRate: boolean }): string {
  let id = spec.optimizer;
  if (varying.impl) id += `@${spec.impl}`;
  const qualifiers: string[] = [];
  if (varying.seed) qualifiers.push(`seed=${spec.seed}`);
  if (varying.learningRate && spec.learningRate !== undefined) qualifiers.push(`lr=${spec.learningRate}`);
  return qualifiers.length ? `${id}#${qualifiers.join(',')}` : id;
}
