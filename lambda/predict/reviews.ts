/**
 * Starting the human reviews of one request: in parallel with a bound, idempotent by name, and never lost. A review
 * that cannot start now (after the SDK's retries) is queued for the review-retry Lambda; if it cannot even be queued,
 * the request fails with 503 so the caller retries it (with the same names).
 */
import { mapWithConcurrency } from '../shared/concurrency';
import { unavailable } from '../shared/http';
import { logger } from '../shared/logger';
import type { ReviewBackend, ReviewRequest } from '../shared/review-backend';

export type ReviewOutcome = 'started' | 'queued';

export interface ReviewDeps {
  readonly backend: ReviewBackend;
  readonly enqueue: (request: ReviewRequest) => Promise<void>;
  readonly concurrency: number;
}

export async function requestReviews(requests: readonly ReviewRequest[], deps: ReviewDeps): Promise<ReviewOutcome[]> {
  return mapWithConcurrency(requests, deps.concurrency, async (request) => {
    try {
      const outcome = await deps.backend.startReview(request);
      if (outcome === 'already-started')
        logger.info('Human loop already existed (a retried request)', { humanLoopName: request.name });
      return 'started';
    } catch (startError) {
      logger.warn('Human loop could not start; queueing it', {
        humanLoopName: request.name,
        error: describe(startError),
      });
      try {
        await deps.enqueue(request);
        return 'queued';
      } catch (queueError) {
        logger.error('Human loop could neither start nor be queued', {
          humanLoopName: request.name,
          error: describe(queueError),
        });
        throw unavailable(
          'ReviewNotRecorded',
          'A human review could neither start nor be queued; send the same request again (same requestId) later',
          10,
        );
      }
    }
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
