/**
 * Fits the local tabular scorer (model.ts) on the synthetic sample (sample.ts) and reports its accuracy.
 * Deterministic: the same sample gives the same weights. Even positions fit (and are the SHAP background), odd
 * positions measure. Logistic regression by full-batch gradient descent with a small L2 penalty, from zero weights,
 * on features standardized with the fit half's means and standard deviations.
 *
 *   npx tsx local/tabular/fit.ts            # prints the report
 *   npx tsx local/tabular/fit.ts --write    # also writes weights.json
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TabularModel } from './model';
import { score, sigmoid, transformed } from './model';
import type { Feature, TabularRow } from './sample';
import { FEATURES, generateSample } from './sample';

export function split(sample: readonly TabularRow[]): { fit: TabularRow[]; held: TabularRow[] } {
  return { fit: sample.filter((_, i) => i % 2 === 0), held: sample.filter((_, i) => i % 2 === 1) };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Mean and (population) standard deviation of a transformed feature over the rows. */
function moments(rows: readonly TabularRow[], feature: Feature): { mean: number; scale: number } {
  const values = rows.map((row) => transformed(feature, row[feature]));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean: round6(mean), scale: round6(Math.sqrt(variance) || 1) };
}

export function fitModel(rows: readonly TabularRow[], epochs = 3000, rate = 0.5, l2 = 0.001): TabularModel {
  const stats = FEATURES.map((feature) => moments(rows, feature));
  const xs = rows.map((row) => FEATURES.map((f, i) => (transformed(f, row[f]) - stats[i].mean) / stats[i].scale));
  const w = new Array<number>(FEATURES.length + 1).fill(0); // w[0] is the bias
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gradient = w.map(() => 0);
    xs.forEach((x, n) => {
      const error = sigmoid(x.reduce((s, xi, i) => s + w[i + 1] * xi, w[0])) - rows[n].label;
      gradient[0] += error;
      x.forEach((xi, i) => (gradient[i + 1] += error * xi));
    });
    w.forEach((wi, i) => (w[i] = wi - rate * (gradient[i] / xs.length + (i === 0 ? 0 : l2 * wi))));
  }
  const features = Object.fromEntries(
    FEATURES.map((f, i) => [f, { ...stats[i], weight: round6(w[i + 1]) }]),
  ) as TabularModel['features'];
  return { bias: round6(w[0]), features };
}

/** The share of rows whose prediction is their label. */
export function accuracy(model: TabularModel, rows: readonly TabularRow[]): number {
  return rows.filter((row) => score(row, model).prediction === row.label).length / rows.length;
}

/** The share of rows a constant "not over 50K" gets right: the floor a useful model must beat. */
export function majorityAccuracy(rows: readonly TabularRow[]): number {
  return rows.filter((row) => row.label === 0).length / rows.length;
}

function main(): void {
  const sample = generateSample();
  const { fit, held } = split(sample);
  const model = fitModel(fit);
  const report = {
    rows: sample.length,
    heldOutAccuracy: accuracy(model, held),
    sampleAccuracy: accuracy(model, sample),
    heldOutMajorityAccuracy: majorityAccuracy(held),
  };
  console.log(JSON.stringify({ model, report }, null, 2));
  if (process.argv.includes('--write'))
    fs.writeFileSync(path.join(__dirname, 'weights.json'), `${JSON.stringify(model, null, 2)}\n`);
}

if (require.main === module) main();
