/**
 * The tabular records as an input manifest for the tabular-review task type (common/task-types.ts), one line a record:
 *   {"source-ref": "s3://<bucket>/<prefix>/shap-3.svg", "row": "3", "prediction": 0, "probability_score": 0.2061,
 *    "age": 52, "education_years": 14, "hours_per_week": 57, "capital_gain": 0, "capital_loss": 0}
 * The feature values ride along so a reviewed record (features and the reviewer's label) can become a training row;
 * the true label never does, so reviewers cannot see the answer. Each record's explanation image (explanation-svg.ts) returned as {key, body} for the caller to store at that
 * key. Optionally only the negative predictions (class 0), the ones the review sends to workers.
 */
import { explanationSvg } from './explanation-svg';
import type { FeatureValues, TabularModel } from './model';
import { contributions, score, TABULAR_MODEL } from './model';
import { FEATURES } from './sample';

export interface TabularManifestOptions {
  readonly bucket: string;
  /** Where the images go in the bucket, without leading or trailing "/"; "" for the bucket's root. */
  readonly prefix: string;
  /** Only records predicted 0. */
  readonly negativesOnly?: boolean;
  readonly model?: TabularModel;
}

export interface StoredImage {
  readonly key: string;
  readonly body: string;
  readonly contentType: 'image/svg+xml';
}

export interface TabularManifest {
  /** JSON Lines, each line ending with "\n". */
  readonly manifest: string;
  readonly images: StoredImage[];
}

/** The score with four decimals, as the manifest shows it (0.2061). */
const fourDecimals = (x: number) => Math.round(x * 1e4) / 1e4;

function imageKey(prefix: string, id: number): string {
  const folder = prefix.replace(/^\/+|\/+$/g, '');
  return folder === '' ? `shap-${id}.svg` : `${folder}/shap-${id}.svg`;
}

export function tabularManifest(
  rows: readonly (FeatureValues & { readonly id: number })[],
  options: TabularManifestOptions,
): TabularManifest {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket))
    throw new RangeError(`Not an S3 bucket name: ${JSON.stringify(options.bucket)}`);
  const model = options.model ?? TABULAR_MODEL;
  const lines: string[] = [];
  const images: StoredImage[] = [];
  for (const row of rows) {
    const { prediction, probability_score } = score(row, model);
    if (options.negativesOnly && prediction !== 0) continue;
    const key = imageKey(options.prefix, row.id);
    const record = { row: String(row.id), prediction, probability_score: fourDecimals(probability_score) };
    // Picked by name: rows are often whole TabularRows, whose label must stay out.
    const features = Object.fromEntries(FEATURES.map((feature) => [feature, row[feature]]));
    lines.push(JSON.stringify({ 'source-ref': `s3://${options.bucket}/${key}`, ...record, ...features }));
    images.push({ key, body: explanationSvg(record, contributions(row, model)), contentType: 'image/svg+xml' });
  }
  return { manifest: lines.map((line) => `${line}\n`).join(''), images };
}
