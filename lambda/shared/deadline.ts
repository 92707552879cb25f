/**
 * The time a Lambda invocation has left, from its context. Handlers plan their work against it: they stop starting
 * new calls when too little is left, give every call an abort signal that fires before the end, and answer (or
 * report unfinished messages) before Lambda cuts them off.
 */
import { setMaxListeners } from 'node:events';
import type { Context } from 'aws-lambda';
import { LOOP_START_CONCURRENCY } from '../../common/contract';

/** Abort listeners of one call in flight: untilAborted's, the SDK retry strategy's, the HTTP handler's. */
const LISTENERS_PER_CALL = 3;
/** The most calls a handler makes at once under one deadline: the predict handler's loop starts. */
const MAX_CALLS_AT_ONCE = LOOP_START_CONCURRENCY.max;

export class Deadline {
  private aborts?: AbortSignal;

  private constructor(
    private readonly endsAt: number,
    private readonly now: () => number,
  ) {}

  /** `fallbackMs` applies when there is no Lambda context (a direct call in a script). */
  static fromContext(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined, fallbackMs: number): Deadline {
    return Deadline.in(context?.getRemainingTimeInMillis() ?? fallbackMs);
  }

  static in(ms: number, now: () => number = Date.now): Deadline {
    return new Deadline(now() + ms, now);
  }

  /** At a moment given in epoch milliseconds (like API Gateway's requestTimeEpoch plus its timeout). */
  static at(epochMs: number, now: () => number = Date.now): Deadline {
    return new Deadline(epochMs, now);
  }

  /** The earlier of the two. */
  earliest(other: Deadline): Deadline {
    return other.endsAt < this.endsAt ? other : this;
  }

  remainingMs(): number {
    return this.endsAt - this.now();
  }

  /** Whether at most `marginMs` are left. */
  within(marginMs: number): boolean {
    return this.remainingMs() <= marginMs;
  }

  /** A deadline `marginMs` earlier: the end of one phase that must leave time for the next. */
  before(marginMs: number): Deadline {
    return new Deadline(this.endsAt - marginMs, this.now);
  }

  /**
   * Aborts when the deadline passes (at once when it has passed). One signal per deadline, shared by every call
   * under it: a timer per call costs more CPU than the rest of the handler's own work per item. A call in flight
   * listens with up to three listeners (ours, the SDK's retry and its HTTP request) and removes them when it settles;
   * Node's leak warning stays on above that for the largest batch.
   */
  signal(): AbortSignal {
    if (this.aborts === undefined) {
      this.aborts = AbortSignal.timeout(Math.max(0, this.remainingMs()));
      setMaxListeners(LISTENERS_PER_CALL * MAX_CALLS_AT_ONCE, this.aborts);
    }
    return this.aborts;
  }
}

/**
 * Settles as `work` does, or rejects with the signal's reason once it fires, whichever comes first. For calls that do
 * not watch their signal the whole time (the SDK's adaptive retry waits for its rate limiter before it looks at it):
 * the caller moves on at its deadline; the abandoned call may still finish, which idempotent calls allow.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
