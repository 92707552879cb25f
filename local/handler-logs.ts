/**
 * The handlers' log lines in local mode, for a person at a terminal. On AWS the handlers log Powertools JSON for
 * CloudWatch; here each such line becomes one readable line (`WARN Human loop could not start; queueing it:
 * humanLoopName=... error=...`) on the local server's log. Powertools writes to the global console in its dev mode,
 * which local mode turns on, so the handler code stays as it runs on AWS.
 */

/** Keys every Powertools line carries, which say nothing about the event. */
const STANDARD_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'xray_trace_id',
]);

const CONSOLE_METHODS = ['debug', 'info', 'warn', 'error', 'log'] as const;

/** One readable line for a Powertools JSON log line, or undefined when the text is not one. */
export function readableLogLine(text: string): string | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof entry.level !== 'string' || typeof entry.message !== 'string') return undefined;
  const details = Object.entries(entry)
    .filter(([key]) => !STANDARD_KEYS.has(key))
    .map(([key, value]) => `${key}=${detail(value)}`);
  return `${entry.level} ${entry.message}${details.length ? `: ${details.join(' ')}` : ''}`;
}

function detail(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (isLoggedError(value)) return JSON.stringify(`${value.name}: ${value.message}`);
  return JSON.stringify(value);
}

/** Powertools logs an Error as an object with its name, message and stack. */
function isLoggedError(value: unknown): value is { name: string; message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string' &&
    'stack' in value
  );
}

/**
 * Sends the Powertools lines written to the console to `log` as readable lines, leaving every other console
 * output as it was, until the returned function is called.
 */
export function captureHandlerLogs(log: (message: string) => void): () => void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was
  const originals = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
  for (const [method, original] of originals) {
    const passOn = original.bind(console);
    console[method] = (...args: unknown[]) => {
      const readable = args.length === 1 && typeof args[0] === 'string' ? readableLogLine(args[0]) : undefined;
      if (readable === undefined) passOn(...args);
      else log(readable);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}
