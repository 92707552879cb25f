/**
 * Starts the human reviews that the predict API could not start (throttling, quota, A2I errors, or no time left),
 * with the same name and input, so a review that was started meanwhile is not started twice. A message that fails or
 * cannot finish before the timeout goes back to the queue and, after the queue's receive limit, to the dead-letter
 * queue, which an alarm watches.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LAMBDA_TIMEOUT_SECONDS } from '../../common/contract';
import { Deadline } from '../shared/deadline';
import { once } from '../shared/env';
import { logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import { reviewPortFromEnv } from '../shared/review/from-env';
import { parseQueuedReview } from '../shared/review/retry-queue';
import { startReview } from '../shared/review/start-review';
import { forEachMessage } from '../shared/sqs-batch';
import { METRICS } from '../../common/metrics';

/** Time kept back for reporting the batch and publishing metrics. */
const AFTER_STARTS_MS = 1_000;

const reviews = once(() => reviewPortFromEnv());

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  const deadline = Deadline.fromContext(context, LAMBDA_TIMEOUT_SECONDS.reviewRetry * 1000).before(AFTER_STARTS_MS);
  let started = 0;
  const result = await forEachMessage(
    event,
    async (record, signal) => {
      const review = parseQueuedReview(record.body);
      const outcome = await startReview(reviews(), review, { signal });
      started += 1;
      logger.info(outcome.kind === 'started' ? 'Started queued human loop' : 'Queued human loop had already started', {
        humanLoopName: review.name,
        receiveCount: record.attributes.ApproximateReceiveCount,
        ...(outcome.kind === 'exists' ? { status: outcome.loop.status } : {}),
      });
    },
    {
      deadline,
      concurrency: event.Records.length,
      failureMessage: 'Queued human loop still cannot start; it stays queued',
    },
  );
  metrics.addMetric(METRICS.loopsStartedFromQueue, MetricUnit.Count, started);
  metrics.publishStoredMetrics();
  return result;
}
