import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { ReviewApp } from '../../lib/app';
import { buildApp } from '../../lib/app';

export const EXISTING_ENDPOINT = { endpointName: 'sentiment-endpoint' };
export const MODEL_ARCHIVE = { modelDataUrl: 's3://model-bucket/sentiment/model.tar.gz' };

/** The feature flags of cdk.json, which the CLI passes to the app. */
const FEATURE_FLAGS = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: object }
).context;

/** The app as `cdk synth -c ...` builds it, without bundling the Lambdas (unit tests stay fast and offline). */
export function synthApp(context: Record<string, unknown>): ReviewApp {
  return buildApp({ context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [], ...context } });
}

export function templates(context: Record<string, unknown>) {
  const built = synthApp(context);
  return {
    ...built,
    workforceTemplate: built.workforce ? Template.fromStack(built.workforce) : undefined,
    pipelineTemplate: Template.fromStack(built.pipeline),
  };
}

/** A template for snapshots: asset hashes vary with the machine's bundling, so they are replaced. */
export function normalizedTemplate(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, '[ASSET HASH]'));
}
