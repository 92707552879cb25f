/** Running the pipeline: who hears about its alarms, and the queue consumers' share of Lambda concurrency. */
import { DEFAULTS } from './defaults';
import type { ContextReader } from './reader';
import { isPlainEmail } from './reader';

export interface OperationsConfig {
  /**
   * Subscribed by email to every alarm (failed loops, both dead-letter queues, API errors).
   * @default no notification: alarms show on the dashboard only
   */
  readonly alarmEmail?: string;
  /**
   * Whether the collector and review-retry functions reserve the concurrency their queues may use, so predict traffic
   * cannot starve them. Lambda keeps 100 of the account's quota unreserved: an account with a reduced quota sets false.
   * @default true
   */
  readonly reserveConsumerConcurrency: boolean;
}

export function parseOperations(ctx: ContextReader): OperationsConfig {
  const reserveConsumerConcurrency = ctx.boolean('reserveConsumerConcurrency') ?? DEFAULTS.reserveConsumerConcurrency;
  const alarmEmail = ctx.string('alarmEmail', { expected: 'one email address, like ops@example.com' });
  if (alarmEmail !== undefined && !isPlainEmail(alarmEmail)) {
    ctx.problem('alarmEmail', alarmEmail, 'one email address, like ops@example.com');
    return { reserveConsumerConcurrency };
  }
  return { alarmEmail, reserveConsumerConcurrency };
}
