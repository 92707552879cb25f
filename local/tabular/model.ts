/**
 * The local tabular scorer: a logistic regression on standardized features, with the fixed weights of weights.json
 * (fitted on the synthetic sample by fit.ts, deterministically; `npx tsx local/tabular/fit.ts` reproduces them).
 * capital_gain and capital_loss enter as log1p(x), as they are mostly 0 with a long tail.
 *
 * Explanations: for a linear model f(x) = b + sum_i w_i z_i(x_i) (here f is the log-odds and z_i the standardized,
 * transformed feature i), the SHAP values with an independent-features (interventional) background are exactly
 * phi_i = w_i * (z_i(x_i) - E[z_i]), and the base value is E[f] = b + sum_i w_i E[z_i] (Lundberg & Lee 2017, "A Unified
 * Approach to Interpreting Model Predictions", NeurIPS, the linear-model case). The background is the fit sample, on
 * which each z_i has mean 0, so phi_i = w_i * z_i(x_i), the base value is b, and the contributions sum exactly to the
 * log-odds minus the base value.
 */
import weights from './weights.json';
import type { Feature, TabularRow } from './sample';
import { FEATURES } from './sample';

export type FeatureValues = Pick<TabularRow, Feature>;

export interface TabularModel {
  /** The intercept on the standardized features: also the base value (mean log-odds over the background). */
  readonly bias: number;
  /** Per feature: the mean and standard deviation of its transformed value over the fit sample, and its weight. */
  readonly features: Readonly<
    Record<Feature, { readonly mean: number; readonly scale: number; readonly weight: number }>
  >;
}

export const TABULAR_MODEL: TabularModel = weights;

export interface Score {
  /** 1 (over 50K) when the probability is at least 0.5. */
  readonly prediction: 0 | 1;
  /** The probability of class 1. */
  readonly probability_score: number;
}

export interface Contribution {
  readonly feature: string;
  /** The feature's value as the reviewer sees it (untransformed). */
  readonly value: number | string;
  /** Its SHAP value on the log-odds. */
  readonly contribution: number;
}

/** A feature as the model takes it: log1p for the money amounts. */
export function transformed(feature: Feature, value: number): number {
  return feature === 'capital_gain' || feature === 'capital_loss' ? Math.log1p(value) : value;
}

/** The standardized, transformed feature value z_i(x_i). */
export function standardized(model: TabularModel, feature: Feature, value: number): number {
  const { mean, scale } = model.features[feature];
  return (transformed(feature, value) - mean) / scale;
}

/** Per feature, in FEATURES order, its exact SHAP value on the log-odds. */
export function contributions(row: FeatureValues, model: TabularModel = TABULAR_MODEL): Contribution[] {
  return FEATURES.map((feature) => ({
    feature,
    value: row[feature],
    contribution: model.features[feature].weight * standardized(model, feature, row[feature]),
  }));
}

/** The log-odds of class 1: the base value plus the contributions. */
export function logOdds(row: FeatureValues, model: TabularModel = TABULAR_MODEL): number {
  return contributions(row, model).reduce((sum, c) => sum + c.contribution, model.bias);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function score(row: FeatureValues, model: TabularModel = TABULAR_MODEL): Score {
  const probability_score = sigmoid(logOdds(row, model));
  return { prediction: probability_score >= 0.5 ? 1 : 0, probability_score };
}
