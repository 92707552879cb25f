/**
 * The app's configuration: every CDK context key is read here, once, into a typed object.
 * A bad or missing value never reaches a construct: synthesis stops with one message per problem, naming the key,
 * the value given and what is accepted.
 */
import type { ApiConfig } from './api';
import { parseApi } from './api';
import { hasLocalNvmeStorage } from './instance-types';
import type { ModelConfig } from './model';
import { parseModel } from './model';
import type { ContextLookup } from './reader';
import { ConfigError, ContextReader } from './reader';
import type { OperationsConfig } from './operations';
import { parseOperations } from './operations';
import { regionProblem } from './region';
import type { ReviewConfig } from './review';
import { parseReview } from './review';
import type { WorkteamConfig } from './workforce';
import { parseWorkteam } from './workforce';

export type { ApiConfig } from './api';
export { DEFAULTS } from './defaults';
export type { ModelConfig } from './model';
export { DEFAULT_MODEL_IMAGES, MODEL_KEYS } from './model';
export type { OperationsConfig } from './operations';
export { A2I_REGIONS } from './region';
export { ConfigError } from './reader';
export type { ReviewConfig } from './review';
export { TEMPLATE_FILE_SUFFIX, TEMPLATES_DIR, UI_TEMPLATE_MAX_CHARS } from './review';
export type { WorkteamConfig } from './workforce';
export { WORKFORCE_KEYS } from './workforce';

export interface AppConfig {
  readonly model: ModelConfig;
  readonly workteam: WorkteamConfig;
  readonly review: ReviewConfig;
  readonly api: ApiConfig;
  readonly operations: OperationsConfig;
}

export interface ParseOptions {
  /** The stacks' Region, when synthesis knows it. */
  readonly region?: string;
}

export function parseConfig(lookup: ContextLookup, options: ParseOptions = {}): AppConfig {
  const ctx = new ContextReader(lookup);
  const model = parseModel(ctx);
  const workteam = parseWorkteam(ctx);
  const review = parseReview(ctx);
  const api = parseApi(ctx);
  const operations = parseOperations(ctx);
  if (model !== undefined && review !== undefined) checkEndpointKey(ctx, model, review);
  if (review?.backend === 'self-hosted' && workteam.kind === 'existing') {
    ctx.problem(
      'existingWorkteamArn',
      workteam.workteamArn,
      "no value with reviewBackend=self-hosted: its portal signs workers in with the workforce stack's Cognito pool",
    );
  }
  // The self-hosted backend runs in every Region; A2I in its own.
  const region = review?.backend === 'self-hosted' ? undefined : regionProblem(options.region);
  if (region !== undefined) ctx.problems.push(region);
  if (ctx.problems.length > 0 || model === undefined || review === undefined) throw new ConfigError(ctx.problems);
  return { model, workteam, review, api, operations };
}

/** CreateEndpointConfig refuses a KmsKeyId when an instance type has local NVMe storage (encrypted by its hardware). */
function checkEndpointKey(ctx: ContextReader, model: ModelConfig, review: ReviewConfig): void {
  if (model.kind !== 'new' || model.compute.kind !== 'instances' || review.kmsKeyArn === undefined) return;
  const { instanceType } = model.compute;
  if (!hasLocalNvmeStorage(instanceType)) return;
  ctx.problem(
    'kmsKeyArn',
    review.kmsKeyArn,
    `no key with instanceType ${instanceType}: its local NVMe storage is encrypted by the instance and ` +
      'SageMaker refuses a KmsKeyId for it; choose an instance type without local storage (like ml.m5.large) or leave kmsKeyArn out',
  );
}
