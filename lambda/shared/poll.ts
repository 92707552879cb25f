/** Polling for SageMaker resources whose create and delete finish asynchronously. */

const DEFAULT_INTERVAL_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export interface PollOptions {
  /** What is being waited for, for the timeout message. */
  readonly description: string;
  /** @default POLL_INTERVAL_MS from the environment, else 5 s */
  readonly intervalMs?: number;
  /** @default 10 minutes (the handlers' Lambda timeout is 14) */
  readonly timeoutMs?: number;
}

/** Calls `probe` until it returns a value other than undefined; fails with the description after the timeout. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const intervalMs = options.intervalMs ?? (Number(process.env.POLL_INTERVAL_MS) || DEFAULT_INTERVAL_MS);
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() + intervalMs > deadline) throw new Error(`Timed out waiting for ${options.description}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
