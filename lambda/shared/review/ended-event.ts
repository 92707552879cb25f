/**
 * One "review ended" shape, whichever backend reports it: A2I's EventBridge "SageMaker A2I HumanLoop Status Change"
 * event, or the same detail-type and detail that a self-hosted backend publishes under its own source. The collector
 * reads only this shape.
 */
import * as z from 'zod/mini';
import { REVIEW_ENDED_EVENT } from '../../../common/contract';
import type { HumanLoopStatus } from './port';
import type { LoopRecord } from './tasks';

export interface ReviewEnded {
  readonly humanLoopName: string;
  readonly flowDefinitionArn: string;
  readonly humanLoopStatus: Extract<HumanLoopStatus, 'Completed' | 'Failed' | 'Stopped'>;
  /** ISO 8601, the loop's creation. */
  readonly creationTime: string;
  readonly failureCode?: string;
  readonly failureReason?: string;
  /** Where the answers are, for a Completed loop. */
  readonly outputUri?: string;
}

const StatusChangeEvent = z.object({
  source: z.enum([REVIEW_ENDED_EVENT.a2iSource, REVIEW_ENDED_EVENT.selfHostedSource]),
  'detail-type': z.literal(REVIEW_ENDED_EVENT.detailType),
  detail: z.object({
    humanLoopName: z.string().check(z.minLength(1)),
    flowDefinitionArn: z.string(),
    humanLoopStatus: z.enum(['Completed', 'Failed', 'Stopped']),
    creationTime: z.string(),
    failureCode: z.optional(z.nullable(z.string())),
    failureReason: z.optional(z.nullable(z.string())),
    humanLoopOutput: z.optional(z.nullable(z.object({ outputS3Uri: z.optional(z.string()) }))),
  }),
});

/** The event as EventBridge delivers it (through SQS, the message body); throws, saying why, on anything else. */
export function parseEndedEvent(body: string): ReviewEnded {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new Error('Not a review-ended event: the message is not JSON');
  }
  const parsed = StatusChangeEvent.safeParse(value);
  if (!parsed.success) {
    throw new Error(`Not a review-ended event: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  }
  const { detail } = parsed.data;
  const ended: ReviewEnded = {
    humanLoopName: detail.humanLoopName,
    flowDefinitionArn: detail.flowDefinitionArn,
    humanLoopStatus: detail.humanLoopStatus,
    creationTime: detail.creationTime,
    failureCode: detail.failureCode ?? undefined,
    failureReason: detail.failureReason ?? undefined,
    outputUri: detail.humanLoopOutput?.outputS3Uri,
  };
  if (ended.humanLoopStatus === 'Completed' && !ended.outputUri)
    throw new Error(`Completed loop ${ended.humanLoopName} has no output URI`);
  return ended;
}

/** The EventBridge `detail` of a review-ended event, as A2I writes it: what a self-hosted backend publishes. */
export function endedEventDetail(ended: ReviewEnded & { readonly humanLoopArn: string }) {
  return {
    creationTime: ended.creationTime,
    failureCode: ended.failureCode ?? null,
    failureReason: ended.failureReason ?? null,
    flowDefinitionArn: ended.flowDefinitionArn,
    humanLoopArn: ended.humanLoopArn,
    humanLoopName: ended.humanLoopName,
    humanLoopOutput: ended.outputUri ? { outputS3Uri: ended.outputUri } : null,
    humanLoopStatus: ended.humanLoopStatus,
  };
}

/** The `detail` of an ended loop's status-change event. */
export function loopEndedDetail(loop: LoopRecord) {
  if (loop.status !== 'Completed' && loop.status !== 'Failed' && loop.status !== 'Stopped')
    throw new Error(`Human loop ${loop.name} is ${loop.status}: only an ended loop is announced`);
  return endedEventDetail({
    humanLoopName: loop.name,
    humanLoopArn: loop.arn,
    flowDefinitionArn: loop.flowDefinitionArn,
    humanLoopStatus: loop.status,
    creationTime: loop.createdAt,
    failureCode: loop.failureCode,
    failureReason: loop.failureReason,
    outputUri: loop.outputUri,
  });
}
