import type { ContentClassifier } from '../../common/contract';
import { CONTENT_CLASSIFIERS, ENV, LOOP_START_CONCURRENCY } from '../../common/contract';
import type { Env } from '../shared/env';
import type { LabelSet } from '../../common/label-set';
import { labelSetEnv, listEnv, numberEnv, once, requiredEnv } from '../shared/env';

export interface PredictConfig {
  readonly endpointName: string;
  readonly confidenceThreshold: number;
  readonly contentClassifiers: readonly ContentClassifier[];
  readonly retryQueueUrl: string;
  readonly loopStartConcurrency: number;
  /** Only when asked for: the review text in the logs. */
  readonly logRequestText: boolean;
  /** The labels the task template offers; a model label outside them is a broken answer. */
  readonly labelSet?: LabelSet;
}

export function readPredictConfig(env: Env): PredictConfig {
  return {
    endpointName: requiredEnv(env, ENV.endpointName),
    confidenceThreshold: numberEnv(env, ENV.confidenceThreshold, 0.9, 0, 1),
    contentClassifiers: listEnv(env, ENV.contentClassifiers, CONTENT_CLASSIFIERS),
    retryQueueUrl: requiredEnv(env, ENV.retryQueueUrl),
    loopStartConcurrency: numberEnv(
      env,
      ENV.loopStartConcurrency,
      LOOP_START_CONCURRENCY.default,
      LOOP_START_CONCURRENCY.min,
      LOOP_START_CONCURRENCY.max,
    ),
    logRequestText: env[ENV.logRequestText] === 'true',
    labelSet: labelSetEnv(env, ENV.labelSet),
  };
}

export const predictConfig = once(() => readPredictConfig(process.env));
