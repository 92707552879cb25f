/**
 * Starting the human reviews of one request: in parallel with a bound, idempotent by name, never lost, and done
 * before the deadline. A review that cannot start now (after the SDK's retries, or because the start phase is over)
 * is queued for the review-retry Lambda; one that can neither start nor be queued in time is reported to the caller,
 * who sends the same request again (the same names: nothing starts twice).
 */
import type { Deadline } from '../shared/deadline';
import { untilAborted } from '../shared/deadline';
import { mapWithConcurrency } from '../shared/concurrency';
import { logger } from '../shared/logger';
import type { CallOptions, HumanLoopStatus, ReviewPort, StartRequest } from '../shared/review/port';
import { isReviewError } from '../shared/review/port';
import { hasEndedUnreviewed, startReview } from '../shared/review/start-review';

export type ReviewOutcome =
  | { readonly status: 'started' }
  /** The review an earlier request with this requestId started: nothing new started. */
  | { readonly status: 'started'; readonly alreadyStarted: true; readonly humanLoopStatus: HumanLoopStatus }
  | { readonly status: 'queued' }
  | {
      readonly status: 'failed';
      readonly error: 'ReviewConflict' | 'ReviewEnded' | 'ReviewNotRecorded';
      readonly message: string;
    };

export interface ReviewDeps {
  readonly reviews: ReviewPort;
  /** Puts a review on the retry queue; rejects when it could not. */
  readonly enqueue: (request: StartRequest, options: CallOptions) => Promise<void>;
  readonly concurrency: number;
  /** No start begins after this, and a start still running then is abandoned and queued. */
  readonly startBy: Deadline;
  /** Queueing ends here; a review not queued by then is reported as not recorded. */
  readonly queueBy: Deadline;
}

export async function requestReviews(requests: readonly StartRequest[], deps: ReviewDeps): Promise<ReviewOutcome[]> {
  return mapWithConcurrency(requests, deps.concurrency, async (request) => {
    if (!deps.startBy.within(0)) {
      try {
        const signal = deps.startBy.signal();
        const outcome = await untilAborted(startReview(deps.reviews, request, { signal }), signal);
        if (outcome.kind === 'started') return { status: 'started' };
        logger.info('Human loop already existed (a retried request)', {
          humanLoopName: request.name,
          status: outcome.loop.status,
        });
        if (!hasEndedUnreviewed(outcome.loop))
          return { status: 'started', alreadyStarted: true, humanLoopStatus: outcome.loop.status };
        const code = outcome.loop.failureCode ? ` (${outcome.loop.failureCode})` : '';
        return {
          status: 'failed',
          error: 'ReviewEnded',
          message: `Human loop ${request.name} of an earlier request with this requestId ended ${outcome.loop.status}${code} without a review; send the item with a new requestId to have it reviewed`,
        };
      } catch (error) {
        if (isReviewError(error, 'Conflict')) {
          logger.error('Human loop name taken by another review', { humanLoopName: request.name });
          return {
            status: 'failed',
            error: 'ReviewConflict',
            message: `A human loop named ${request.name} exists under another flow definition; this item was not reviewed`,
          };
        }
        logger.warn('Human loop could not start; queueing it', { humanLoopName: request.name, error: describe(error) });
      }
    }
    return enqueue(request, deps);
  });
}

async function enqueue(request: StartRequest, deps: ReviewDeps): Promise<ReviewOutcome> {
  try {
    await deps.enqueue(request, { signal: deps.queueBy.signal() });
    return { status: 'queued' };
  } catch (error) {
    logger.error('Human loop could neither start nor be queued', {
      humanLoopName: request.name,
      error: describe(error),
    });
    return {
      status: 'failed',
      error: 'ReviewNotRecorded',
      message: 'The human review could neither start nor be queued; send the same request again (same requestId)',
    };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
