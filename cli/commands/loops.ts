/** loops list|show|wait|stop: the human loops of the pipeline's flow definition. */
import { parseArgs } from 'node:util';
import { isA2iName } from '../../common/names';
import { readReviewOutput } from '../../lambda/shared/review/output';
import type { HumanLoop, HumanLoopSummary } from '../../lambda/shared/review/port';
import { ENDED_STATUSES, HUMAN_LOOP_STATUSES, isReviewError } from '../../lambda/shared/review/port';
import type { CliContext } from '../context';
import { reviewPort } from '../context';
import { CliError, EXIT, explainAwsError, usageError } from '../errors';
import { table } from '../io';

export const LOOPS_HELP = `Usage: review-pipeline loops <list|show|wait|stop> ...

  loops list [--status S] [--since DATE] [--limit N]   the loops, newest first (default limit 50)
  loops show <name> [--json]                            status, input and, once completed, the answers
  loops wait <name>... [--timeout SECONDS] [--interval SECONDS]
                                                        waits until every loop has ended (default timeout 3600 s)
  loops stop <name>                                     stops a loop in progress

Finds the flow definition in the ReviewPipeline stack's outputs; with --local [URL] (or REVIEW_PIPELINE_LOCAL), in
the local server's (npm start).
Statuses: InProgress, Completed, Failed, Stopping, Stopped.
Exit codes: 0 all Completed, 1 some Failed or Stopped, 5 unknown loop, 6 timeout.`;

export async function loops(context: CliContext, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return list(context, rest);
    case 'show':
      return show(context, rest);
    case 'wait':
      return wait(context, rest);
    case 'stop':
      return stop(context, rest);
    default:
      throw usageError(`Unknown loops command "${action ?? ''}".\n\n${LOOPS_HELP}`);
  }
}

function names(positionals: string[], min: number, max = Infinity): string[] {
  if (positionals.length < min || positionals.length > max)
    throw usageError(`Expected ${max === 1 ? 'one loop name' : 'loop names'}.\n\n${LOOPS_HELP}`);
  for (const name of positionals)
    if (!isA2iName(name)) throw usageError(`"${name}" is not a human loop name (1-63 of a-z, 0-9, -)`);
  return positionals;
}

async function list(context: CliContext, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { status: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string', default: '50' } },
  });
  if (values.status !== undefined && !(HUMAN_LOOP_STATUSES as readonly string[]).includes(values.status)) {
    throw usageError(`--status must be one of ${HUMAN_LOOP_STATUSES.join(', ')}`);
  }
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (since !== undefined && Number.isNaN(since.getTime())) throw usageError('--since must be a date, like 2026-11-01');
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw usageError('--limit must be a positive integer');

  const reviews = await reviewPort(context);
  const found: HumanLoopSummary[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await reviews.list({ createdAfter: since, nextToken, maxResults: 100 });
      found.push(...page.loops.filter((loop) => values.status === undefined || loop.status === values.status));
      nextToken = page.nextToken;
    } while (nextToken !== undefined && found.length < limit);
  } catch (error) {
    throw explainAwsError(error);
  }
  const shown = found.slice(0, limit);
  if (shown.length === 0) {
    context.io.err('No human loops match.');
    return EXIT.ok;
  }
  for (const line of table([
    ['NAME', 'STATUS', 'CREATED'],
    ...shown.map((l) => [l.name, l.status, l.createdAt.toISOString()]),
  ]))
    context.io.out(line);
  return EXIT.ok;
}

/** The loop, or exit code 5 when there is none of that name. */
async function describeOrFail(context: CliContext, name: string): Promise<HumanLoop> {
  const reviews = await reviewPort(context);
  return reviews.describe(name).catch((error: unknown) => Promise.reject(notFoundOr(error, name)));
}

function notFoundOr(error: unknown, name: string): Error {
  return isReviewError(error, 'ResourceNotFound')
    ? new CliError(EXIT.notFound, `No human loop named ${name}`)
    : explainAwsError(error);
}

async function show(context: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const [name] = names(positionals, 1, 1);
  const loop = await describeOrFail(context, name);
  const output =
    loop.status === 'Completed' && loop.outputUri
      ? await readReviewOutput(context.s3, loop.outputUri).catch((e: unknown) => Promise.reject(explainAwsError(e)))
      : undefined;
  if (values.json) {
    context.io.out(
      JSON.stringify({ ...loop, input: output?.inputContent, humanAnswers: output?.humanAnswers }, null, 2),
    );
    return EXIT.ok;
  }
  const lines = [`name:     ${loop.name}`, `status:   ${loop.status}`, `created:  ${loop.createdAt.toISOString()}`];
  if (loop.failureCode || loop.failureReason)
    lines.push(`failure:  ${[loop.failureCode, loop.failureReason].filter(Boolean).join(': ')}`);
  if (output) {
    lines.push(`input:    ${JSON.stringify(output.inputContent?.taskObject ?? output.inputContent)}`);
    for (const [i, answer] of output.humanAnswers.entries()) {
      lines.push(`answer ${i + 1}: ${JSON.stringify(answer.answerContent)} (${answer.timeSpentInSeconds ?? '?'} s)`);
    }
  }
  for (const line of lines) context.io.out(line);
  return EXIT.ok;
}

async function wait(context: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { timeout: { type: 'string', default: '3600' }, interval: { type: 'string', default: '10' } },
  });
  const pending = new Set(names(positionals, 1));
  const timeoutMs = Number(values.timeout) * 1000;
  const intervalMs = Number(values.interval) * 1000;
  if (!(timeoutMs > 0) || !(intervalMs > 0))
    throw usageError('--timeout and --interval must be positive numbers of seconds');
  const reviews = await reviewPort(context);
  const ended = new Map<string, HumanLoop>();
  const started = context.now();
  for (;;) {
    for (const name of [...pending]) {
      const loop = await reviews.describe(name).catch((error: unknown) => Promise.reject(notFoundOr(error, name)));
      if (ENDED_STATUSES.includes(loop.status)) {
        ended.set(name, loop);
        pending.delete(name);
      }
    }
    const elapsed = Math.round((context.now() - started) / 1000);
    const total = ended.size + pending.size;
    context.io.progress(
      `${ended.size}/${total} ended, waiting ${elapsed} s${pending.size ? ` for ${[...pending].slice(0, 3).join(', ')}${pending.size > 3 ? ', ...' : ''}` : ''}`,
      pending.size === 0,
    );
    if (pending.size === 0) break;
    if (context.now() - started + intervalMs > timeoutMs) {
      context.io.progress(`${ended.size}/${total} ended; gave up after ${values.timeout} s`, true);
      report(context, ended);
      throw new CliError(
        EXIT.timeout,
        `Timed out with ${pending.size} loop(s) still in progress: ${[...pending].join(', ')}`,
      );
    }
    await context.sleep(intervalMs);
  }
  report(context, ended);
  return [...ended.values()].every((loop) => loop.status === 'Completed') ? EXIT.ok : EXIT.failed;
}

function report(context: CliContext, ended: Map<string, HumanLoop>): void {
  if (ended.size === 0) return;
  const rows = [...ended.values()].map((l) => [
    l.name,
    l.status,
    [l.failureCode, l.failureReason].filter(Boolean).join(': '),
  ]);
  for (const line of table([['NAME', 'STATUS', 'FAILURE'], ...rows])) context.io.out(line);
}

async function stop(context: CliContext, args: string[]): Promise<number> {
  const [name] = names(args, 1, 1);
  const reviews = await reviewPort(context);
  await reviews.stop(name).catch((error: unknown) => Promise.reject(notFoundOr(error, name)));
  context.io.out(`stopping ${name}`);
  return EXIT.ok;
}
