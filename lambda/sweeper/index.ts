/**
 * The self-hosted backend's clock: EventBridge Scheduler calls it every minute to take every step that is due without
 * a worker (lambda/shared/review/task-loops.ts): loops past their availability fail Expired, Stopping loops become
 * Stopped, answered loops get their output.json and complete, and ended loops whose event was not confirmed sent are
 * announced again. Reads apply the same steps, so correctness never waits for the sweeper; it only makes them happen
 * when nobody reads.
 */
import type { Context } from 'aws-lambda';
import { LAMBDA_TIMEOUT_SECONDS } from '../../common/contract';
import { dynamodb } from '../shared/clients/dynamodb';
import { eventBridge } from '../shared/clients/eventbridge';
import { s3 } from '../shared/clients/s3';
import { Deadline } from '../shared/deadline';
import { once } from '../shared/env';
import { logger } from '../shared/logger';
import { selfHostedLoops, selfHostedSettings } from '../shared/review/self-hosted';

/** Loops read per sweep; a full sweep is followed by another while time is left. */
const SWEEP_LIMIT = 100;
/** Time kept for the last sweep's writes. */
const LAST_SWEEP_MS = 10_000;

const loops = once(() =>
  selfHostedLoops(
    selfHostedSettings(process.env),
    { dynamodb, s3, eventBridge },
    {
      onStepFailed: (loop, step, error) =>
        logger.warn('A step of a human loop failed; it is due again', {
          humanLoopName: loop.name,
          step,
          error: error instanceof Error ? error.message : String(error),
        }),
    },
  ),
);

export async function handler(_event: unknown, context?: Context): Promise<{ readonly looked: number }> {
  const deadline = Deadline.fromContext(context, LAMBDA_TIMEOUT_SECONDS.sweeper * 1000);
  let looked = 0;
  let last: Awaited<ReturnType<ReturnType<typeof loops>['sweep']>>;
  // Another page while the last one was full and moved on: loops whose steps keep failing are left to the next run.
  do {
    last = await loops().sweep(SWEEP_LIMIT);
    looked += last.looked;
  } while (last.looked === SWEEP_LIMIT && last.stillDue < last.looked && !deadline.within(LAST_SWEEP_MS));
  if (last.stillDue > 0)
    logger.warn('Some human loops still have a step due; the next run tries again', {
      looked,
      stillDue: last.stillDue,
    });
  else logger.debug('Swept', { looked });
  return { looked };
}
