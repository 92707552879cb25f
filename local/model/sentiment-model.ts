/**
 * The local model of the reference case: VADER (a published lexicon model) scores the text, and a small multinomial
 * logistic regression fitted on the labeled sample in this folder turns the scores into a calibrated probability
 * for -1, 0 and 1. `fit.ts` fits it and reports its accuracy and calibration.
 */
import { SentimentIntensityAnalyzer } from 'vader-sentiment';
import calibration from './calibration.json';

export const LABELS = [-1, 0, 1] as const;
export type SentimentLabel = (typeof LABELS)[number];

export interface Calibration {
  /** One row of weights per label in LABELS order, over [1, compound, pos, neg, neu]. */
  readonly weights: readonly (readonly number[])[];
}

export function features(text: string): number[] {
  const scores = SentimentIntensityAnalyzer.polarity_scores(text);
  return [1, scores.compound, scores.pos, scores.neg, scores.neu];
}

export function probabilities(x: readonly number[], model: Calibration): number[] {
  const logits = model.weights.map((row) => row.reduce((sum, w, i) => sum + w * x[i], 0));
  const max = Math.max(...logits);
  const exps = logits.map((logit) => Math.exp(logit - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

export interface SentimentPrediction {
  readonly predicted_label: SentimentLabel;
  readonly probability: number;
}

export function predictSentiment(text: string, model: Calibration = calibration): SentimentPrediction {
  const p = probabilities(features(text), model);
  const best = p.indexOf(Math.max(...p));
  // At full precision: the confidence threshold applies to exactly this number (0.89955 is under 0.90).
  return { predicted_label: LABELS[best], probability: p[best] };
}
