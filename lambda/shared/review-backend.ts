/**
 * The review step as a port. A2I is one adapter (a2i-review-backend.ts); a self-hosted backend can be another.
 * Handlers depend on this interface only.
 */
import type { ContentClassifier } from '../../common/contract';

export interface ReviewRequest {
  /** Deterministic name; starting the same name twice must not create a second review. */
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

export interface ReviewBackend {
  /** `already-started` when a review of that name exists: a retry, not an error. Other failures throw. */
  startReview(request: ReviewRequest): Promise<'started' | 'already-started'>;
  /** undefined when there is no review of that name. */
  describeReview(name: string): Promise<ReviewSummary | undefined>;
  listReviews(query: ListReviewsQuery): Promise<ReviewPage>;
  /** Stops a review in progress; false when there is no review of that name. */
  stopReview(name: string): Promise<boolean>;
}
