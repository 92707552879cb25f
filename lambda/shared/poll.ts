/** Polling for SageMaker resources whose create and delete finish asynchronously, within the invocation's time. */
import type { Context } from 'aws-lambda';
import { Deadline } from './deadline';

const DEFAULT_INTERVAL_MS = 5_000;
/** The custom-resource handlers' Lambda timeout (lib/constructs/handler-function.ts, HandlerProvider). */
export const CUSTOM_RESOURCE_TIMEOUT_MS = 14 * 60_000;
/** Kept back from the timeout so a handler can still undo what it made and report the failure. */
const REPORTING_MARGIN_MS = 90_000;

export interface PollOptions {
  /** What is being waited for, for the timeout message. */
  readonly description: string;
  /** Waiting ends here, whatever is left to wait for. */
  readonly until: Deadline;
  /** @default POLL_INTERVAL_MS from the environment, else 5 s */
  readonly intervalMs?: number;
}

/** The time a custom-resource invocation may spend waiting: all of it but the margin to undo and report. */
export function waitingBudget(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): Deadline {
  return Deadline.fromContext(context, CUSTOM_RESOURCE_TIMEOUT_MS).before(REPORTING_MARGIN_MS);
}

/** Calls `probe` until it returns a value other than undefined; fails with the description at the deadline. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const intervalMs = options.intervalMs ?? (Number(process.env.POLL_INTERVAL_MS) || DEFAULT_INTERVAL_MS);
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (options.until.within(intervalMs)) throw new Error(`Timed out waiting for ${options.description}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
