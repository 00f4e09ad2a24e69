/** The part of a report a --tune run adds: the defaults-vs-tuned section, its charts and the tuning claims. */
import type { RunResults } from '../results/schema.js';
import type { Claim } from '../claims/claim.js';
import type { ReportSection } from './content.js';
import type { Chart } from './specs.js';
import { comparisonTable, compareDefaultsAndTuned, defaultsVsTunedChart, gridTable, rankingNote, sensitivityChart } from './tuning.js';
import { TUNING_CLAIMS } from '../claims/tuning.js';

export function tuningReport(results: RunResults): { sections: ReportSection[]; charts: Chart[]; claims: Claim[] } {
  const tuning = results.tuning!;
  const comparison = compareDefaultsAndTuned(results);
  const holdout = tuning.holdout;
  const split = holdout.trainSamples !== undefined
    ? `${holdout.validationSamples} of ${holdout.trainSamples + holdout.validationSamples!} training samples held out (seed ${holdout.seed}, sha256 of the indices ${holdout.heldOutSha256?.slice(0, 12)}…).`
    : `${holdout.fraction * 100}% of the training samples held out (seed ${holdout.seed}).`;
  const pending = tuning.choices.length === 0
    ? ['No rate has been chosen yet: the grid is not complete in this run directory (a shard, or a run that stopped). Merge the shards or --resume the run.']
    : [];
  return {
    sections: [
      {
        title: 'Defaults vs tuned learning rates',
        paragraphs: [
          tuning.protocol,
          split,
          ...pending,
          'Final values are the last epoch on the test set, averaged over the final seeds; ranks are by final test loss (1 = lowest). ★ marks the best of each column.',
          rankingNote(comparison),
        ],
        tables: [comparisonTable(comparison)],
      },
      {
        title: 'Tuning grid',
        paragraphs: ['Final validation loss on the held-out part of the training data, mean over the grid seeds; ★ marks the chosen rate. The test set is not used here.'],
        tables: [gridTable(results)],
      },
    ],
    charts: tuning.choices.length ? [sensitivityChart(results), defaultsVsTunedChart(comparison, results.settings.loss)] : [],
    claims: TUNING_CLAIMS,
  };
}
