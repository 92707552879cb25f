/**
 * The review port: what the handlers and the CLI need of a review backend, shaped like Amazon A2I's runtime API so
 * that A2I is one adapter (a2i.ts) and a self-hosted backend another, and so that callers keep A2I's names,
 * statuses, failure codes and limits. Adapters are built only by from-env.ts; every adapter passes the conformance
 * suite (test/lambda/shared/review/conformance.ts).
 *
 * The contract, as A2I states it:
 * - A human loop is named by the caller: 1-63 characters of `[a-z0-9-]` matching HUMAN_LOOP_NAME_PATTERN, unique per
 *   backend (A2I: per account and Region); any call given another name fails with kind `Validation`. Its input is a JSON object of at most INPUT_CONTENT_MAX_CHARS characters
 *   once serialized; the task template reads it as `task.input`.
 * - `start` with the name of a loop in progress and the same input returns that loop's ARN and starts nothing; with a
 *   different input, or once that loop has ended, it fails with kind `Conflict`.
 * - A loop is `InProgress`, then `Completed` (every worker the task needs answered: its output.json is at
 *   `outputUri`), `Failed` (`failureCode` `Expired` when no worker finished it within the task's availability
 *   lifetime; `ValidationError`, `InternalError`), or `Stopping` and then `Stopped` after `stop`.
 * - `describe`, `stop` and `delete` of an unknown name fail with kind `ResourceNotFound`; `stop` of a loop that is not
 *   InProgress and `delete` of one that is not Completed, Failed or Stopped fail with kind `Validation`.
 * - `list` gives this backend's loops by creation time (Descending unless asked), `maxResults` 1-100 per page, with
 *   `createdAfter`/`createdBefore` filters and a `nextToken` for the next page.
 * - Failures of the backend itself are kind `Throttling`, `ServiceQuotaExceeded` or `InternalServer`; a transport
 *   error or an aborted call is thrown as it is.
 */
import type { ContentClassifier } from '../../../common/contract';
import { A2I_NAME_MAX_LENGTH, A2I_NAME_PATTERN } from '../../../common/names';

export const HUMAN_LOOP_NAME_PATTERN = A2I_NAME_PATTERN;
export const HUMAN_LOOP_NAME_MAX_LENGTH = A2I_NAME_MAX_LENGTH;
/** Characters of a loop's serialized input. */
export { INPUT_CONTENT_MAX_CHARS } from '../../../common/names';
export const LIST_MAX_RESULTS = 100;

export const HUMAN_LOOP_STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'] as const;
export type HumanLoopStatus = (typeof HUMAN_LOOP_STATUSES)[number];
export const ENDED_STATUSES: readonly HumanLoopStatus[] = ['Completed', 'Failed', 'Stopped'];
export type FailureCode = 'ValidationError' | 'Expired' | 'InternalError';

export type ReviewErrorKind =
  'Validation' | 'ResourceNotFound' | 'Conflict' | 'Throttling' | 'ServiceQuotaExceeded' | 'InternalServer';

/** A failure the backend reports, by A2I's error kinds; `cause` is the backend's own error. */
export class ReviewError extends Error {
  override readonly name = 'ReviewError';

  constructor(
    readonly kind: ReviewErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isReviewError(error: unknown, kind: ReviewErrorKind): error is ReviewError {
  return error instanceof ReviewError && error.kind === kind;
}

export interface StartRequest {
  readonly name: string;
  /** What the task template reads as `task.input`. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly contentClassifiers?: readonly ContentClassifier[];
}

export interface HumanLoop {
  readonly name: string;
  readonly arn: string;
  readonly status: HumanLoopStatus;
  readonly createdAt: Date;
  /** The flow definition the loop runs under: loops of earlier flow definitions of the pipeline share its prefix. */
  readonly flowDefinitionArn: string;
  readonly failureCode?: string;
  readonly failureReason?: string;
  /** The output.json, once Completed. */
  readonly outputUri?: string;
}

export type HumanLoopSummary = Pick<HumanLoop, 'name' | 'status' | 'createdAt' | 'flowDefinitionArn' | 'failureReason'>;

export interface ListQuery {
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  /** @default 'Descending' */
  readonly sortOrder?: 'Ascending' | 'Descending';
  /** 1-100. @default 100 */
  readonly maxResults?: number;
  readonly nextToken?: string;
}

export interface ListPage {
  readonly loops: readonly HumanLoopSummary[];
  readonly nextToken?: string;
}

/** Aborts the call when the signal fires (the caller's deadline). */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface ReviewPort {
  /** The flow definition new loops start under (A2I's; a self-hosted backend names its own the same way). */
  readonly flowDefinitionArn: string;
  start(request: StartRequest, options?: CallOptions): Promise<{ readonly humanLoopArn: string }>;
  describe(name: string, options?: CallOptions): Promise<HumanLoop>;
  list(query: ListQuery, options?: CallOptions): Promise<ListPage>;
  stop(name: string, options?: CallOptions): Promise<void>;
  delete(name: string, options?: CallOptions): Promise<void>;
}
