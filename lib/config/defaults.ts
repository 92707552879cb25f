import { LOOP_START_CONCURRENCY } from '../../common/contract';

/** The value of every context key that is not given, in one place (the README's tables list them). */
export const DEFAULTS = {
  instanceType: 'ml.m5.large',
  instanceCount: 1,
  serverlessMemorySizeInMB: 2048,
  serverlessMaxConcurrency: 5,
  networkIsolation: false,
  workforceName: 'review-workforce',
  workteamName: 'review-team',
  workteamDescription: 'Reviewers of low-confidence model predictions',
  workerMfa: 'optional',
  confidenceThreshold: 0.9,
  resourcePrefix: 'sentiment-review',
  taskTemplate: 'sentiment',
  taskCount: 1,
  taskTitle: 'Classify the sentiment of a product review',
  taskDescription: 'Read the review and choose -1 (negative), 0 (neutral) or 1 (positive).',
  taskAvailabilityLifetimeInSeconds: 86_400,
  taskTimeLimitInSeconds: 3_600,
  outputPrefix: 'a2i-results',
  datasetPrefix: 'dataset',
  apiThrottleRateLimit: 50,
  apiThrottleBurstLimit: 100,
  loopStartConcurrency: LOOP_START_CONCURRENCY.default,
  reserveConsumerConcurrency: true,
} as const;
