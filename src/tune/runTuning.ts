/**
 * `--tune`: runs the tuning protocol (./protocol.ts) in one run directory through the ordinary machinery
 * (workers, resume, shards, one unit file per finished unit). Phase 1 trains the grid and the default-rate
 * units together (so workers stay busy); the choices are then made from the grid units alone and phase 2
 * trains the chosen rates. A resumed run recomputes the same choices from the recorded grid, so it
 * continues where it stopped.
 */
import type { BackendChoice } from '../backend/select.js';
import { readUnits } from '../results/runDirectory.js';
import type { RunResults, TuningChoice, TuningRecord } from '../results/schema.js';
import type { DataContext } from '../data/types.js';
import { heldOutFingerprint, holdoutIndices } from '../train/holdout.js';
import type { ExecutionOptions, RunPlan, RunReporter, RunTarget } from '../train/plan.js';
import { runModelExperiment } from '../train/runExperiment.js';
import { chooseRates, defaultUnits, gridUnits, tunedUnits, tuningRecord, type TuningOptions } from './protocol.js';

export interface TuningOutcome {
  runDir: string;
  results: RunResults;
  /** False when the grid is not complete in this run directory (a shard): no rate was chosen yet. */
  chosen: boolean;
}

/** Sizes and fingerprint of the held-out split, from the number of training samples alone. */
function holdoutDetails(options: TuningOptions, trainSamples: number): Partial<TuningRecord['holdout']> {
  const { train, heldOut } = holdoutIndices(trainSamples, { fraction: options.holdoutFraction, seed: options.holdoutSeed });
  return { trainSamples: train.length, validationSamples: heldOut.length, heldOutSha256: heldOutFingerprint(heldOut) };
}

const sameChoices = (a: TuningChoice[], b: TuningChoice[]) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A grid unit that failed is retried by the next pass (as --resume retries failed units), which may
 * change a choice; then the tuned units follow the new choice. Three passes cover a retry that succeeds;
 * a grid that still moves after them is reported as an error rather than trained on forever.
 */
const MAX_PASSES = 3;

export async function runTunedExperiment(
  plan: RunPlan, options: TuningOptions, backend: BackendChoice, dataContext: DataContext, target: RunTarget,
  reporter: RunReporter = {}, execution: ExecutionOptions = {},
): Promise<TuningOutcome> {
  const tunePlan: RunPlan = { ...plan, learningRates: [] };
  const firstUnits = [...gridUnits(tunePlan, options), ...defaultUnits(tunePlan)];
  const annotate = (choices: TuningChoice[], trainSamples?: number): RunPlan => ({
    ...tunePlan,
    annotations: { ...plan.annotations, tuning: tuningRecord(options, tunePlan, choices, trainSamples ? holdoutDetails(options, trainSamples) : {}) },
  });
  let outcome = await runModelExperiment(annotate([]), backend, dataContext, target, reporter, execution, firstUnits);
  let choices = chooseRates(tunePlan, options, readUnits(outcome.runDir));
  if (!choices) {
    dataContext.log('the tuning grid is not complete in this run directory (a shard runs part of it): merge the shards, then run --tune --resume <merged run> to choose the rates and train them');
    return { ...outcome, chosen: false };
  }
  for (let pass = 1; ; pass++) {
    const trainSamples = outcome.results.settings.trainSamples;
    outcome = await runModelExperiment(annotate(choices, trainSamples), backend, dataContext, { ...target, runDir: outcome.runDir }, reporter, execution,
      [...firstUnits, ...tunedUnits(tunePlan, choices)]);
    const again = chooseRates(tunePlan, options, readUnits(outcome.runDir));
    if (again && sameChoices(again, choices)) return { ...outcome, chosen: true };
    if (pass === MAX_PASSES || !again) throw new Error(`the tuning grid of ${outcome.runDir} kept changing over ${MAX_PASSES} passes (grid units failing and being retried): look at the failed units' reasons, then --resume`);
    choices = again;
  }
}
