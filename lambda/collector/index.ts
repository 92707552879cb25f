/**
 * Collects every ended human loop into the retraining dataset. EventBridge delivers "SageMaker A2I HumanLoop Status
 * Change" events (at least once, in any order) through an SQS queue; each becomes one record, written under a key made
 * from the loop name, so a repeated event rewrites the same record, and a Failed or Stopped record is written only
 * where no record is (S3's If-None-Match), so a late event never replaces a Completed one. A message that fails
 * (output.json missing or too large, S3 down) or cannot finish before the timeout returns to the queue and, after the
 * receive limit, goes to the dead-letter queue, which an alarm watches.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ENV, LAMBDA_TIMEOUT_SECONDS } from '../../common/contract';
import type { DatasetRecord } from '../../common/dataset';
import { datasetKey } from '../../common/dataset';
import { JOB_FIELD } from '../../common/review-job';
import { s3 } from '../shared/clients/s3';
import { Deadline } from '../shared/deadline';
import { labelSetEnv, once, requiredEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import { parseEndedEvent } from '../shared/review/ended-event';
import { readReviewOutput } from '../shared/review/output';
import { forEachMessage } from '../shared/sqs-batch';
import { buildRecord } from './record';
import { METRICS } from '../../common/metrics';

/** Time kept back for reporting the batch and publishing metrics. */
const AFTER_COLLECTING_MS = 2_000;
/** Loops collected at once: each may hold an output.json of up to REVIEW_OUTPUT_MAX_BYTES in memory. */
const COLLECT_CONCURRENCY = 2;

const config = once(() => ({
  bucket: requiredEnv(process.env, ENV.datasetBucket),
  prefix: requiredEnv(process.env, ENV.datasetPrefix),
  salt: requiredEnv(process.env, ENV.workerIdSalt),
  labelSet: labelSetEnv(process.env, ENV.labelSet),
}));

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  const deadline = Deadline.fromContext(context, LAMBDA_TIMEOUT_SECONDS.collector * 1000).before(AFTER_COLLECTING_MS);
  const result = await forEachMessage(
    event,
    async (message, signal) => {
      const record = await collect(message.body, signal);
      if (record !== undefined) countRecord(record);
    },
    {
      deadline,
      concurrency: COLLECT_CONCURRENCY,
      failureMessage: 'Could not collect a human loop; the message goes back to the queue',
    },
  );
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  return result;
}

/**
 * The record written; undefined when a Failed or Stopped event found a record already there, or for a review job's
 * completed task.
 */
async function collect(body: string, signal: AbortSignal): Promise<DatasetRecord | undefined> {
  const loop = parseEndedEvent(body);
  const output =
    loop.humanLoopStatus === 'Completed' && loop.outputUri
      ? await readReviewOutput(s3, loop.outputUri, { signal })
      : undefined;
  if (output !== undefined && JOB_FIELD in (output.inputContent ?? {})) {
    // A review job's task: its answers become the job's output manifest (review-pipeline jobs export), not records.
    logger.info('Left a review job task to its job', { humanLoopName: loop.humanLoopName });
    return undefined;
  }
  const { bucket, prefix, salt, labelSet } = config();
  const record = buildRecord(loop, output, salt, new Date(), labelSet);
  const key = datasetKey(prefix, record.humanLoopName, record.createdAt);
  const completed = record.status === 'Completed';
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${JSON.stringify(record)}\n`,
        ContentType: 'application/jsonlines',
        // A loop ends once: Completed is its truth; a Failed or Stopped event only fills an empty place.
        IfNoneMatch: completed ? undefined : '*',
      }),
      { abortSignal: signal },
    );
  } catch (error) {
    if (completed || !isPreconditionFailed(error)) throw error;
    logger.info('Kept the record already collected for this loop', { humanLoopName: record.humanLoopName, key });
    return undefined;
  }
  logger.info('Collected human loop', { humanLoopName: record.humanLoopName, status: record.status, key });
  return record;
}

/** S3 answers 412 when If-None-Match finds the object; 409 (a concurrent write) is retried with the message. */
function isPreconditionFailed(error: unknown): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412;
}

function countRecord(record: DatasetRecord): void {
  if (record.status !== 'Completed') {
    metrics.addMetric(record.status === 'Failed' ? METRICS.loopsFailed : METRICS.loopsStopped, MetricUnit.Count, 1);
    if (record.failureCode === 'Expired') metrics.addMetric(METRICS.loopsExpired, MetricUnit.Count, 1);
    return;
  }
  metrics.addMetric(METRICS.loopsCompleted, MetricUnit.Count, 1);
  const human = record.human;
  if (human === undefined) return;
  if (record.completedAt !== undefined) {
    const seconds = (Date.parse(record.completedAt) - Date.parse(record.createdAt)) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) metrics.addMetric(METRICS.timeToAnswer, MetricUnit.Seconds, seconds);
  }
  metrics.addMetric(METRICS.workerAgreement, MetricUnit.Percent, human.agreement * 100);
  if (human.disputed) metrics.addMetric(METRICS.disputedReviews, MetricUnit.Count, 1);
  if (human.invalidAnswers) metrics.addMetric(METRICS.invalidAnswers, MetricUnit.Count, human.invalidAnswers);
  if (human.overridesModel !== null)
    metrics.addMetric(METRICS.humanOverrides, MetricUnit.Count, human.overridesModel ? 1 : 0);
}
