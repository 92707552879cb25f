/** The predict API: stage throttling, content classifiers, request-text logging, loop-start concurrency. */
import type { ContentClassifier } from '../../common/contract';
import { CONTENT_CLASSIFIERS, LOOP_START_CONCURRENCY } from '../../common/contract';
import type { ContextReader } from './reader';
import { DEFAULTS } from './defaults';

export interface ApiConfig {
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly contentClassifiers: readonly ContentClassifier[];
  readonly logRequestText: boolean;
  /** Human loops the predict handler starts at once. */
  readonly loopStartConcurrency: number;
}

export function parseApi(ctx: ContextReader): ApiConfig {
  const throttleRateLimit =
    ctx.number('apiThrottleRateLimit', 1, 10_000, { integer: true }) ?? DEFAULTS.apiThrottleRateLimit;
  const throttleBurstLimit =
    ctx.number('apiThrottleBurstLimit', 1, 5_000, { integer: true }) ?? DEFAULTS.apiThrottleBurstLimit;
  const contentClassifiers = ctx.list('contentClassifiers');
  for (const classifier of contentClassifiers) {
    if (!(CONTENT_CLASSIFIERS as readonly string[]).includes(classifier)) {
      ctx.problem('contentClassifiers', classifier, `some of ${CONTENT_CLASSIFIERS.join(', ')}, separated by commas`);
    }
  }
  return {
    throttleRateLimit,
    throttleBurstLimit,
    contentClassifiers: contentClassifiers as ContentClassifier[],
    logRequestText: ctx.boolean('logRequestText') ?? false,
    loopStartConcurrency:
      ctx.number('loopStartConcurrency', LOOP_START_CONCURRENCY.min, LOOP_START_CONCURRENCY.max, { integer: true }) ??
      DEFAULTS.loopStartConcurrency,
  };
}
