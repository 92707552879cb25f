/**
 * The app's configuration: every CDK context key is read here, once, into a typed object.
 * A bad or missing value never reaches a construct: synthesis stops with one message per problem, naming the key,
 * the value given and what is accepted.
 */
import type { ApiConfig } from './api';
import { parseApi } from './api';
import type { ModelConfig } from './model';
import { parseModel } from './model';
import type { ContextLookup } from './reader';
import { ConfigError, ContextReader } from './reader';
import type { ReviewConfig } from './review';
import { parseReview } from './review';
import type { WorkteamConfig } from './workforce';
import { parseWorkteam } from './workforce';

export type { ApiConfig } from './api';
export { DEFAULTS } from './defaults';
export type { ModelConfig } from './model';
export { MODEL_KEYS } from './model';
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
}

export function parseConfig(lookup: ContextLookup): AppConfig {
  const ctx = new ContextReader(lookup);
  const model = parseModel(ctx);
  const workteam = parseWorkteam(ctx);
  const review = parseReview(ctx);
  const api = parseApi(ctx);
  if (ctx.problems.length > 0 || model === undefined || review === undefined) throw new ConfigError(ctx.problems);
  return { model, workteam, review, api };
}
