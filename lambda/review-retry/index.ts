/**
 * Starts the human reviews that the predict API could not start (throttling, quota, A2I errors), with the same name,
 * so a review that was started meanwhile is not started twice. A message that fails goes back to the queue and, after
 * the queue's receive limit, to the dead-letter queue, which an alarm watches.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ENV } from '../../common/contract';
import { A2iReviewBackend } from '../shared/a2i-review-backend';
import { a2iRuntime } from '../shared/clients';
import { once, requiredEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import { parseQueuedReview } from '../shared/review-retry-queue';
import { forEachMessage } from '../shared/sqs-batch';

const backend = once(() => new A2iReviewBackend(a2iRuntime, requiredEnv(process.env, ENV.flowDefinitionArn)));

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  let started = 0;
  const result = await forEachMessage(
    event,
    async (record) => {
      const review = parseQueuedReview(record.body);
      const outcome = await backend().startReview(review);
      started += 1;
      logger.info(outcome === 'started' ? 'Started queued human loop' : 'Queued human loop had already started', {
        humanLoopName: review.name,
        receiveCount: record.attributes.ApproximateReceiveCount,
      });
    },
    'Queued human loop still cannot start; it stays queued',
  );
  metrics.addMetric('HumanLoopsStartedFromQueue', MetricUnit.Count, started);
  metrics.publishStoredMetrics();
  return result;
}
