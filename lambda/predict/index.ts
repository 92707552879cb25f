/**
 * POST /predict: the whole batch to the model, every prediction back, and a human review for each prediction under
 * the confidence threshold, with the model's label as the reviewer's initial value. The work is planned against the
 * Lambda's remaining time: the model must answer while there is time left to start or queue the reviews, starts stop
 * in time to queue the rest, and the answer leaves before the timeout with every item accounted for.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { LAMBDA_TIMEOUT_SECONDS } from '../../common/contract';
import { inLabelSet } from '../../common/label-set';
import { sageMakerRuntime } from '../shared/clients/sagemaker-runtime';
import { sqs } from '../shared/clients/sqs';
import { Deadline } from '../shared/deadline';
import { once } from '../shared/env';
import { badModelAnswer, errorResponse, json } from '../shared/http';
import { logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import { reviewPortFromEnv } from '../shared/review/from-env';
import { enqueueReview } from '../shared/review/retry-queue';
import type { PredictConfig } from './config';
import { predictConfig } from './config';
import type { Prediction } from './jsonlines';
import { loopName, requestKey } from './loop-names';
import { predictAll } from './model';
import { parsePredictRequest } from './request';
import type { ReviewOutcome } from './reviews';
import { requestReviews } from './reviews';
import { needsReview, reviewInput } from './routing';
import { METRICS } from '../../common/metrics';

/** Time kept back from the model call for starting or queueing the reviews and answering. */
const AFTER_MODEL_MS = 3_000;
/** Time kept back from the starts for queueing what did not start, and answering. */
const AFTER_STARTS_MS = 2_000;
/** Time kept back from queueing for writing the answer and the metrics. */
const AFTER_QUEUEING_MS = 500;
/** API Gateway's integration timeout for REST APIs: the client's answer is a 504 after this. */
const API_GATEWAY_TIMEOUT_MS = 29_000;

const reviews = once(() => reviewPortFromEnv());

export type HumanReview = { status: 'not-needed' } | (ReviewOutcome & { humanLoopName: string });

export interface PredictResponse {
  readonly threshold: number;
  readonly predictions: readonly {
    readonly id: string | number;
    readonly predictedLabel: number | string;
    readonly probability: number;
    readonly humanReview: HumanReview;
  }[];
}

export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const correlationId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'local';
  // The Lambda's clock starts after a cold start and API Gateway's own overhead; the client waits from requestTime.
  const requestTime = event.requestContext?.requestTimeEpoch;
  const lambdaDeadline = Deadline.fromContext(context, LAMBDA_TIMEOUT_SECONDS.predict * 1000);
  const deadline =
    typeof requestTime === 'number'
      ? lambdaDeadline.earliest(Deadline.at(requestTime + API_GATEWAY_TIMEOUT_MS))
      : lambdaDeadline;
  logger.appendKeys({ correlationId });
  try {
    return json(200, await predict(event, deadline));
  } catch (error) {
    const response = errorResponse(error, correlationId);
    const log = response.statusCode >= 500 ? logger.error.bind(logger) : logger.info.bind(logger);
    log('Predict request failed', {
      statusCode: response.statusCode,
      error: error instanceof Error ? error.message : String(error),
    });
    return response;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.removeKeys(['correlationId']);
  }
}

async function predict(event: APIGatewayProxyEvent, deadline: Deadline): Promise<PredictResponse> {
  const config = predictConfig();
  const request = parsePredictRequest(event.body, event.isBase64Encoded);
  if (config.logRequestText) logger.info('Predict request', { instances: request.instances });

  const started = Date.now();
  const predictions = await predictAll(
    { client: sageMakerRuntime, endpointName: config.endpointName },
    request.instances,
    deadline.before(AFTER_MODEL_MS),
  );
  const modelLatencyMs = Date.now() - started;
  checkLabels(predictions, config);

  const key = requestKey(request);
  const lowConfidence = request.instances.filter((_, i) =>
    needsReview(predictions[i].probability, config.confidenceThreshold),
  );
  const reviewRequests = lowConfidence.map((instance) => {
    const input = reviewInput(instance, predictions[instance.index], config.confidenceThreshold, config.labelSet);
    const name = loopName({
      flowDefinitionArn: reviews().flowDefinitionArn,
      requestKey: key,
      itemId: instance.id,
      content: instance.features,
    });
    return { name, input, contentClassifiers: config.contentClassifiers };
  });
  const outcomes = await requestReviews(reviewRequests, {
    reviews: reviews(),
    enqueue: (review, options) => enqueueReview(sqs, config.retryQueueUrl, review, options),
    concurrency: config.loopStartConcurrency,
    startBy: deadline.before(AFTER_STARTS_MS),
    queueBy: deadline.before(AFTER_QUEUEING_MS),
  });

  const reviewByIndex = new Map<number, HumanReview>(
    lowConfidence.map((instance, i) => [instance.index, { ...outcomes[i], humanLoopName: reviewRequests[i].name }]),
  );
  const count = (status: ReviewOutcome['status']) =>
    outcomes.filter((outcome) => outcome.status === status && !('alreadyStarted' in outcome)).length;
  metrics.addMetric(METRICS.predictions, MetricUnit.Count, predictions.length);
  metrics.addMetric(METRICS.lowConfidencePredictions, MetricUnit.Count, lowConfidence.length);
  metrics.addMetric(METRICS.loopsStarted, MetricUnit.Count, count('started'));
  metrics.addMetric(METRICS.loopsQueued, MetricUnit.Count, count('queued'));
  metrics.addMetric(METRICS.loopsNotRecorded, MetricUnit.Count, count('failed'));
  metrics.addMetric(METRICS.modelLatency, MetricUnit.Milliseconds, modelLatencyMs);
  logger.info('Predicted', {
    instances: predictions.length,
    lowConfidence: lowConfidence.length,
    humanLoopsQueued: count('queued'),
    humanLoopsNotRecorded: count('failed'),
    modelLatencyMs,
  });

  return {
    threshold: config.confidenceThreshold,
    predictions: request.instances.map((instance, i) => ({
      id: instance.id,
      predictedLabel: predictions[i].predictedLabel,
      probability: predictions[i].probability,
      humanReview: reviewByIndex.get(instance.index) ?? { status: 'not-needed' },
    })),
  };
}

/** A label the reviewers cannot choose would preselect nothing and train on a class that does not exist. */
function checkLabels(predictions: readonly Prediction[], config: PredictConfig): void {
  const { labelSet } = config;
  if (labelSet === undefined) return;
  const index = predictions.findIndex((prediction) => !inLabelSet(labelSet, prediction.predictedLabel));
  if (index === -1) return;
  throw badModelAnswer(
    `The model answered predicted_label ${JSON.stringify(predictions[index].predictedLabel)} for instances[${index}]; ` +
      `the task template offers ${labelSet.labels.join(', ')}`,
  );
}
