/** Who hears about the pipeline's alarms. */
import type { ContextReader } from './reader';
import { isPlainEmail } from './reader';

export interface MonitoringConfig {
  /**
   * Subscribed by email to every alarm (failed loops, both dead-letter queues, API errors).
   * @default no notification: alarms show on the dashboard only
   */
  readonly alarmEmail?: string;
}

export function parseMonitoring(ctx: ContextReader): MonitoringConfig {
  const alarmEmail = ctx.string('alarmEmail', { expected: 'one email address, like ops@example.com' });
  if (alarmEmail !== undefined && !isPlainEmail(alarmEmail)) {
    ctx.problem('alarmEmail', alarmEmail, 'one email address, like ops@example.com');
    return {};
  }
  return { alarmEmail };
}
