/**
 * POST /predict: the whole batch to the model, every prediction back, and a human review for each prediction under
 * the confidence threshold, with the model's label as the reviewer's initial value.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { A2iReviewBackend } from '../shared/a2i-review-backend';
import { a2iRuntime, sageMakerRuntime, sqs } from '../shared/clients';
import { once } from '../shared/env';
import { errorResponse, json } from '../shared/http';
import { logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import { enqueueReview } from '../shared/review-retry-queue';
import { predictConfig } from './config';
import { loopName, requestKey } from './loop-names';
import { predictAll } from './model';
import { parsePredictRequest } from './request';
import type { ReviewOutcome } from './reviews';
import { requestReviews } from './reviews';
import { needsReview, reviewInput } from './routing';

const reviewBackend = once(() => new A2iReviewBackend(a2iRuntime, predictConfig().flowDefinitionArn));

export type HumanReview = { status: 'not-needed' } | { status: ReviewOutcome; humanLoopName: string };

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
  logger.appendKeys({ correlationId });
  try {
    return json(200, await predict(event));
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

async function predict(event: APIGatewayProxyEvent): Promise<PredictResponse> {
  const config = predictConfig();
  const request = parsePredictRequest(event.body, event.isBase64Encoded);
  if (config.logRequestText) logger.info('Predict request', { instances: request.instances });

  const started = Date.now();
  const predictions = await predictAll(
    { client: sageMakerRuntime, endpointName: config.endpointName, maxPayloadBytes: config.modelMaxPayloadBytes },
    request.instances,
  );
  const modelLatencyMs = Date.now() - started;

  const key = requestKey(request);
  const lowConfidence = request.instances.filter((_, i) =>
    needsReview(predictions[i].probability, config.confidenceThreshold),
  );
  const reviewRequests = lowConfidence.map((instance) => ({
    name: loopName(key, instance.id),
    input: reviewInput(instance, predictions[instance.index], config.confidenceThreshold),
    contentClassifiers: config.contentClassifiers,
  }));
  const outcomes = await requestReviews(reviewRequests, {
    backend: reviewBackend(),
    enqueue: (review) => enqueueReview(sqs, config.retryQueueUrl, review),
    concurrency: config.loopStartConcurrency,
  });

  const reviewByIndex = new Map<number, HumanReview>(
    lowConfidence.map((instance, i) => [
      instance.index,
      { status: outcomes[i], humanLoopName: reviewRequests[i].name },
    ]),
  );
  const queued = outcomes.filter((outcome) => outcome === 'queued').length;
  metrics.addMetric('Predictions', MetricUnit.Count, predictions.length);
  metrics.addMetric('LowConfidencePredictions', MetricUnit.Count, lowConfidence.length);
  metrics.addMetric('HumanLoopsStarted', MetricUnit.Count, outcomes.length - queued);
  metrics.addMetric('HumanLoopsQueued', MetricUnit.Count, queued);
  metrics.addMetric('ModelLatency', MetricUnit.Milliseconds, modelLatencyMs);
  logger.info('Predicted', {
    instances: predictions.length,
    lowConfidence: lowConfidence.length,
    humanLoopsQueued: queued,
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
