/**
 * An SQS-triggered Lambda's loop: each message handled on its own, and only the ones that failed reported back, so
 * they return to the queue (and, after its receive limit, go to its dead-letter queue) while the others are done.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from './logger';

export async function forEachMessage(
  event: SQSEvent,
  handle: (record: SQSRecord) => Promise<void>,
  failureMessage: string,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await handle(record);
    } catch (error) {
      logger.warn(failureMessage, {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
