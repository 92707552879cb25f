/** Which predictions a person reviews, and what the reviewer sees. */
import type { LabelSet } from '../../common/label-set';
import type { Prediction } from './jsonlines';
import type { Instance } from './request';

/** Strictly below the threshold: a prediction exactly at the threshold is confident enough. */
export function needsReview(probability: number, threshold: number): boolean {
  return probability < threshold;
}

export type ReviewInput = {
  /** The model's label, preselected for the reviewer. */
  readonly initialValue: number | string;
  /** The text, or all the features when there is more than one. */
  readonly taskObject: string | readonly string[];
  /** Carried to output.json for the retraining dataset; the template does not show them. */
  readonly modelProbability: number;
  readonly threshold: number;
  /**
   * The labels the template of this loop offers, carried to output.json: a loop that outlives a template change is
   * checked against its own template's labels.
   */
  readonly labelSet?: LabelSet;
};

/** The loop's input: what the task template reads as `task.input`, and what the dataset needs later. */
export function reviewInput(
  instance: Instance,
  prediction: Prediction,
  threshold: number,
  labelSet?: LabelSet,
): ReviewInput {
  return {
    initialValue: prediction.predictedLabel,
    taskObject: instance.features.length === 1 ? instance.features[0] : instance.features,
    modelProbability: prediction.probability,
    threshold,
    ...(labelSet ? { labelSet } : {}),
  };
}
