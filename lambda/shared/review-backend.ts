/**
 * The review step as a port. A2I is one adapter (a2i-review-backend.ts); a self-hosted backend can be another.
 * Handlers depend on this interface only.
 */
import type { ContentClassifier } from '../../common/contract';

export interface ReviewRequest {
  /** Deterministic name; starting the same name with the same input again must not create a second review. */
  readonly name: string;
  /** What the task template reads as `task.input`. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly contentClassifiers?: readonly ContentClassifier[];
}

export type ReviewStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

export interface ReviewSummary {
  readonly name: string;
  readonly status: ReviewStatus;
  readonly createdAt: string;
  /** The flow definition the review runs under; absent in list pages, which are of one flow definition. */
  readonly flowDefinitionArn?: string;
  readonly failureReason?: string;
  readonly failureCode?: string;
  /** Where the answers are, once Completed. */
  readonly outputUri?: string;
}

export interface ReviewPage {
  readonly reviews: readonly ReviewSummary[];
  readonly nextToken?: string;
}

export interface ListReviewsQuery {
  readonly createdAfter?: Date;
  readonly nextToken?: string;
  readonly maxResults?: number;
}

/** Aborts the call when the signal fires (the caller's deadline). */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** A review of that name exists with a different input (A2I's ConflictException). */
export class ReviewConflictError extends Error {
  override readonly name = 'ReviewConflictError';

  constructor(readonly reviewName: string) {
    super(`A review named ${reviewName} already exists with a different input`);
  }
}

export interface ReviewBackend {
  /** The flow definition new reviews start under. */
  readonly flowDefinitionArn: string;
  /**
   * Starts a review. Starting an existing name with the same input succeeds without a second review; with a
   * different input it throws ReviewConflictError. Other failures throw as they are.
   */
  startReview(request: ReviewRequest, options?: CallOptions): Promise<void>;
  /** undefined when there is no review of that name. */
  describeReview(name: string, options?: CallOptions): Promise<ReviewSummary | undefined>;
  listReviews(query: ListReviewsQuery): Promise<ReviewPage>;
  /** Stops a review in progress; false when there is no review of that name. */
  stopReview(name: string): Promise<boolean>;
}
