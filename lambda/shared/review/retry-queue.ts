/** Reviews that could not start now wait on an SQS queue; the review-retry Lambda starts them with the same name. */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { CONTENT_CLASSIFIERS } from '../../../common/contract';
import type { CallOptions, StartRequest } from './port';

const QueuedReview = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(63)),
  input: z.record(z.string(), z.unknown()),
  contentClassifiers: z.optional(z.array(z.enum(CONTENT_CLASSIFIERS))),
});

export async function enqueueReview(
  client: SQSClient,
  queueUrl: string,
  request: StartRequest,
  options: CallOptions = {},
): Promise<void> {
  await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(request) }), {
    abortSignal: options.signal,
  });
}

export function parseQueuedReview(body: string): StartRequest {
  const result = QueuedReview.safeParse(JSON.parse(body));
  if (!result.success) throw new Error(`Not a queued review: ${z.prettifyError(result.error).replace(/\n/g, '; ')}`);
  return result.data;
}
