/**
 * Starting one review so that "started" is never another item's review. Loop names commit to the pipeline's flow
 * definition, the request, the item and its content (predict/loop-names.ts), so a loop that already has the name under
 * this flow definition is this item's review, started by an earlier try (with the model's answer of that try): a
 * backend answers a repeated start with a different input, or one after the loop ended, with a Conflict. What that
 * loop became is reported; a conflict with a loop of another flow definition is an error, never counted as started.
 */
import type { CallOptions, HumanLoop, ReviewPort, StartRequest } from './port';
import { isReviewError } from './port';

export type StartOutcome = { readonly kind: 'started' } | { readonly kind: 'exists'; readonly loop: HumanLoop };

export async function startReview(
  port: ReviewPort,
  request: StartRequest,
  options: CallOptions = {},
): Promise<StartOutcome> {
  try {
    await port.start(request, options);
    return { kind: 'started' };
  } catch (error) {
    if (!isReviewError(error, 'Conflict')) throw error;
    const existing = await port.describe(request.name, options).catch((describeError: unknown) => {
      if (isReviewError(describeError, 'ResourceNotFound')) return undefined;
      throw describeError;
    });
    if (existing?.flowDefinitionArn === port.flowDefinitionArn) return { kind: 'exists', loop: existing };
    throw error;
  }
}

/** Whether a loop is over without a review to come: a resend of its item cannot start it again. */
export function hasEndedUnreviewed(loop: HumanLoop): boolean {
  return loop.status === 'Failed' || loop.status === 'Stopped' || loop.status === 'Stopping';
}
