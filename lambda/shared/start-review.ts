/**
 * Starting one review so that "started" is never another item's review. Loop names commit to the pipeline's flow
 * definition, the request, the item and its content (predict/loop-names.ts), so a loop that already has the name under
 * this flow definition is this item's review, started by an earlier try (with the model's answer of that try): A2I
 * answers a repeated start with a different input, or one after the loop ended, with a conflict. What that loop
 * became is reported; a conflict with a loop of another flow definition is an error, never counted as started.
 */
import type { CallOptions, ReviewBackend, ReviewRequest, ReviewSummary } from './review-backend';
import { ReviewConflictError } from './review-backend';

export type StartOutcome = { readonly kind: 'started' } | { readonly kind: 'exists'; readonly loop: ReviewSummary };

export async function startReview(
  backend: ReviewBackend,
  request: ReviewRequest,
  options: CallOptions = {},
): Promise<StartOutcome> {
  try {
    await backend.startReview(request, options);
    return { kind: 'started' };
  } catch (error) {
    if (!(error instanceof ReviewConflictError)) throw error;
    const existing = await backend.describeReview(request.name, options);
    if (existing?.flowDefinitionArn === backend.flowDefinitionArn) return { kind: 'exists', loop: existing };
    throw error;
  }
}

/** Whether a loop is over without a review to come: a resend of its item cannot start it again. */
export function hasEndedUnreviewed(loop: ReviewSummary): boolean {
  return loop.status === 'Failed' || loop.status === 'Stopped' || loop.status === 'Stopping';
}
