/** Which predictions a person reviews, and what the reviewer sees. */
import type { Instance } from './request';
import type { Prediction } from './jsonlines';

/** Strictly below the threshold: a prediction exactly at the threshold is confident enough. */
export function needsReview(probability: number, threshold: number): boolean {
  return probability < threshold;
}

/**
 * The loop's input as the task template reads it (`task.input`): the model's label preselected, and the text, or all
 * the features when there is more than one.
 */
export function reviewInput(
  instance: Instance,
  prediction: Prediction,
): { initialValue: number | string; taskObject: string | readonly string[] } {
  return {
    initialValue: prediction.predictedLabel,
    taskObject: instance.features.length === 1 ? instance.features[0] : instance.features,
  };
}
