/**
 * Fits the calibration of the local sentiment model and reports how good it is. Deterministic: the same sample gives
 * the same weights. Half of each class (even positions) fits, the other half (odd positions) measures.
 *
 *   npx tsx local/model/fit.ts            # prints the report
 *   npx tsx local/model/fit.ts --write    # also writes calibration.json
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SentimentIntensityAnalyzer } from 'vader-sentiment';
import type { Calibration } from './sentiment-model';
import { features, LABELS, probabilities } from './sentiment-model';

interface Example {
  readonly text: string;
  readonly label: (typeof LABELS)[number];
}

export function loadSample(): Example[] {
  return fs
    .readFileSync(path.join(__dirname, 'labeled-reviews.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Example);
}

export function split(sample: readonly Example[]): { fit: Example[]; held: Example[] } {
  const fit: Example[] = [];
  const held: Example[] = [];
  for (const label of LABELS)
    sample.filter((e) => e.label === label).forEach((e, i) => (i % 2 === 0 ? fit : held).push(e));
  return { fit, held };
}

/** Softmax regression by full-batch gradient descent with L2, from zero weights. */
export function fitCalibration(examples: readonly Example[], epochs = 5000, rate = 0.5, l2 = 0.001): Calibration {
  const xs = examples.map((e) => features(e.text));
  const ys = examples.map((e) => LABELS.indexOf(e.label));
  const weights = LABELS.map(() => new Array<number>(xs[0].length).fill(0));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gradient = weights.map((row) => row.map(() => 0));
    xs.forEach((x, n) => {
      const p = probabilities(x, { weights });
      p.forEach((pk, k) => x.forEach((xi, i) => (gradient[k][i] += (pk - (ys[n] === k ? 1 : 0)) * xi)));
    });
    weights.forEach((row, k) =>
      row.forEach((w, i) => (row[i] = w - rate * (gradient[k][i] / xs.length + (i === 0 ? 0 : l2 * w)))),
    );
  }
  return { weights: weights.map((row) => row.map((w) => Math.round(w * 1e6) / 1e6)) };
}

export interface Report {
  readonly examples: number;
  readonly accuracy: number;
  /** Accuracy of plain VADER (compound >= 0.05 positive, <= -0.05 negative, else neutral). */
  readonly vaderThresholdAccuracy: number;
  /** Mean squared error of the probability of the true label against 1 (multi-class Brier / 2). */
  readonly brier: number;
  /** Expected calibration error over 5 equal-width confidence bins. */
  readonly ece: number;
}

export function evaluate(model: Calibration, examples: readonly Example[]): Report {
  let correct = 0;
  let vaderCorrect = 0;
  let brier = 0;
  const bins = Array.from({ length: 5 }, () => ({ n: 0, confidence: 0, correct: 0 }));
  for (const example of examples) {
    const p = probabilities(features(example.text), model);
    const best = p.indexOf(Math.max(...p));
    const right = LABELS[best] === example.label;
    correct += right ? 1 : 0;
    brier += p.reduce((sum, pk, k) => sum + (pk - (LABELS[k] === example.label ? 1 : 0)) ** 2, 0) / 2;
    const bin = bins[Math.min(4, Math.floor(p[best] * 5))];
    bin.n += 1;
    bin.confidence += p[best];
    bin.correct += right ? 1 : 0;
    const compound = SentimentIntensityAnalyzer.polarity_scores(example.text).compound;
    vaderCorrect += (compound >= 0.05 ? 1 : compound <= -0.05 ? -1 : 0) === example.label ? 1 : 0;
  }
  const n = examples.length;
  const ece = bins.reduce(
    (sum, b) => sum + (b.n === 0 ? 0 : (b.n / n) * Math.abs(b.correct / b.n - b.confidence / b.n)),
    0,
  );
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    examples: n,
    accuracy: round(correct / n),
    vaderThresholdAccuracy: round(vaderCorrect / n),
    brier: round(brier / n),
    ece: round(ece),
  };
}

if (require.main === module) {
  const { fit, held } = split(loadSample());
  const model = fitCalibration(fit);
  console.log(
    JSON.stringify({ fittedOn: fit.length, heldOut: evaluate(model, held), inSample: evaluate(model, fit) }, null, 2),
  );
  if (process.argv.includes('--write')) {
    fs.writeFileSync(path.join(__dirname, 'calibration.json'), `${JSON.stringify(model, null, 2)}\n`);
    console.log('wrote calibration.json');
  }
}
