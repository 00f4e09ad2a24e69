/**
 * A model experiment ready to train units in this process: its data loaded once, the run's settings
 * known. Used by the in-process runner and by each worker process.
 */
import type { DataContext, LoadedData } from '../data/types.js';
import type { ModelExperiment, Profile } from './definition.js';
import type { UnitTrainer } from './plan.js';
import { runUnit } from './unit.js';

/** Loads a model experiment's data and trains its units in this process. */
export async function prepareModelTrainer(experiment: ModelExperiment, profile: Profile, dataContext: DataContext): Promise<UnitTrainer & { data: LoadedData }> {
  const data = await experiment.loadData(dataContext, profile);
  return {
    data,
    details: {
      settings: {
        epochs: profile.epochs,
        batchSize: profile.batchSize,
        trainSamples: data.train.size,
        validationSamples: data.validation.size,
        loss: experiment.loss,
        metric: { name: experiment.metric.name, higherIsBetter: experiment.metric.higherIsBetter },
        data: data.notes,
      },
      referenceLines: data.referenceLines ?? [],
    },
    train: (unit, context) => runUnit(experiment, profile, data, unit.spec, unit.id, context),
  };
}
