/**
 * An SQS-triggered Lambda's loop: the batch's messages handled in parallel (bounded), each with an abort signal at the
 * deadline, and only the ones that failed or could not finish in time reported back, so they return to the queue
 * (and, after its receive limit, go to its dead-letter queue) while the others are done.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mapWithConcurrency } from './concurrency';
import type { Deadline } from './deadline';
import { untilAborted } from './deadline';
import { logger } from './logger';

export interface BatchOptions {
  /** Work ends here: a message not finished by then goes back to the queue. */
  readonly deadline: Deadline;
  /** Messages handled at once. */
  readonly concurrency: number;
  /** Logged for each message that goes back. */
  readonly failureMessage: string;
}

export async function forEachMessage(
  event: SQSEvent,
  handle: (record: SQSRecord, signal: AbortSignal) => Promise<void>,
  options: BatchOptions,
): Promise<SQSBatchResponse> {
  const failed = await mapWithConcurrency(event.Records, options.concurrency, async (record) => {
    if (options.deadline.within(0)) {
      logger.warn(options.failureMessage, { messageId: record.messageId, error: 'no time left in this invocation' });
      return true;
    }
    try {
      const signal = options.deadline.signal();
      await untilAborted(handle(record, signal), signal);
      return false;
    } catch (error) {
      logger.warn(options.failureMessage, {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return true;
    }
  });
  return {
    batchItemFailures: event.Records.filter((_, i) => failed[i]).map((record) => ({
      itemIdentifier: record.messageId,
    })),
  };
}
