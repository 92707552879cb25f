/**
 * Starting one review so that "started" is never another item's review. Loop names commit to the pipeline's flow
 * definition, the request, the item and the loop's whole input (predict/loop-names.ts), so a loop that already has
 * the name under this flow definition has this input: it is this review, started by an earlier try (A2I may answer a
 * repeated start with a conflict once the loop has ended). Any other conflict is reported, never counted as started.
 */
import type { CallOptions, ReviewBackend, ReviewRequest } from './review-backend';
import { ReviewConflictError } from './review-backend';

export async function startReview(
  backend: ReviewBackend,
  request: ReviewRequest,
  options: CallOptions = {},
): Promise<'started' | 'already-started'> {
  try {
    await backend.startReview(request, options);
    return 'started';
  } catch (error) {
    if (!(error instanceof ReviewConflictError)) throw error;
    const existing = await backend.describeReview(request.name, options);
    if (existing?.flowDefinitionArn === backend.flowDefinitionArn) return 'already-started';
    throw error;
  }
}
