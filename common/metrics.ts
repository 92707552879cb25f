/** The pipeline's CloudWatch metrics (EMF): the handlers emit them, the dashboard and alarms read them. */

export const METRICS_NAMESPACE = 'HumanReviewPipeline';

export const METRICS = {
  /** predict */
  predictions: 'Predictions',
  lowConfidencePredictions: 'LowConfidencePredictions',
  loopsStarted: 'HumanLoopsStarted',
  loopsQueued: 'HumanLoopsQueued',
  loopsNotRecorded: 'HumanLoopsNotRecorded',
  modelLatency: 'ModelLatency',
  /** review-retry */
  loopsStartedFromQueue: 'HumanLoopsStartedFromQueue',
  /** collector */
  loopsCompleted: 'HumanLoopsCompleted',
  loopsFailed: 'HumanLoopsFailed',
  loopsExpired: 'HumanLoopsExpired',
  loopsStopped: 'HumanLoopsStopped',
  timeToAnswer: 'TimeToAnswer',
  workerAgreement: 'WorkerAgreement',
  disputedReviews: 'DisputedReviews',
  humanOverrides: 'HumanOverrides',
  invalidAnswers: 'InvalidAnswers',
} as const;
