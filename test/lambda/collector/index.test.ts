import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambda/collector';
import { metrics } from '../../../lambda/shared/metrics';
import { outputJson, sqsEvent, statusChange } from './events';

Object.assign(process.env, { DATASET_BUCKET: 'output-bucket', DATASET_PREFIX: 'dataset', WORKER_ID_SALT: 'salt' });
const s3 = mockClient(S3Client);
const URI = 's3://output-bucket/a2i-results/sentiment-review-0a1b2c3d/2026/11/21/10/00/00/loop-a/output.json';
const body = (value: unknown) => ({
  ContentLength: JSON.stringify(value).length,
  Body: { transformToString: () => Promise.resolve(JSON.stringify(value)) } as never,
});

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

test('a completed loop is written as one JSON Lines record keyed by the loop name', async () => {
  s3.on(GetObjectCommand).resolves(body(outputJson('loop-a', ['0'])));

  expect(await handler(sqsEvent(statusChange('loop-a', 'Completed', URI)))).toEqual({ batchItemFailures: [] });

  const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
  expect(put).toMatchObject({ Bucket: 'output-bucket', Key: 'dataset/year=2026/month=11/day=21/loop-a.jsonl' });
  const lines = (put.Body as string).split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0])).toMatchObject({ humanLoopName: 'loop-a', human: { label: 0, overridesModel: true } });
});

test("a review job's completed task writes no dataset record: jobs export turns it into the job's manifest", async () => {
  const output = outputJson('job-a', ['1']);
  const task = {
    ...output,
    inputContent: { ...output.inputContent, _job: { name: 'adult-review', lines: [1, 2, 3] } },
  };
  s3.on(GetObjectCommand).resolves(body(task));

  expect(await handler(sqsEvent(statusChange('job-a', 'Completed', URI)))).toEqual({ batchItemFailures: [] });
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
});

test('a missing output.json fails only that message, which goes back to the queue', async () => {
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));

  const result = await handler(sqsEvent(statusChange('loop-a', 'Failed'), statusChange('loop-b', 'Completed', URI)));

  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
});

test('a failed loop is recorded with its failure code, without reading any output', async () => {
  await handler(
    sqsEvent(
      statusChange('loop-f', 'Failed', undefined, { failureCode: 'Expired', failureReason: 'No worker took it' }),
    ),
  );

  expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  expect(JSON.parse(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string)).toMatchObject({
    status: 'Failed',
    failureCode: 'Expired',
  });
});

test('an output.json far larger than A2I writes is not read, and its message goes back to the queue', async () => {
  const read = jest.fn();
  s3.on(GetObjectCommand).resolves({ ContentLength: 30 * 1024 * 1024, Body: { transformToString: read } as never });

  expect(await handler(sqsEvent(statusChange('loop-a', 'Completed', URI)))).toEqual({
    batchItemFailures: [{ itemIdentifier: 'm1' }],
  });
  expect(read).not.toHaveBeenCalled();
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
});

test('only a Completed record is written unconditionally; Failed and Stopped fill an empty place only', async () => {
  s3.on(GetObjectCommand).resolves(body(outputJson('loop-a', ['0'])));
  s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(
    Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    }),
  );

  const result = await handler(sqsEvent(statusChange('loop-a', 'Completed', URI), statusChange('loop-a', 'Stopped')));

  expect(result).toEqual({ batchItemFailures: [] });
  const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
  const conditions = Object.fromEntries(puts.map((put) => [JSON.parse(put.Body as string).status, put.IfNoneMatch]));
  expect(conditions).toEqual({ Completed: undefined, Stopped: '*' });
  expect(puts).toHaveLength(2);
});

test('messages left when the time is up go back to the queue untried', async () => {
  const result = await handler(sqsEvent(statusChange('loop-a', 'Stopped')), {
    getRemainingTimeInMillis: () => 1_000,
  } as Context);

  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  expect(s3.calls()).toHaveLength(0);
});

test('a message that is not a status-change event is not acknowledged', async () => {
  expect(await handler(sqsEvent({ hello: 'world' }))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
});

test('counts completed, failed, expired loops, time to answer, agreement and overrides', async () => {
  const addMetric = jest.spyOn(metrics, 'addMetric');
  s3.on(GetObjectCommand).resolves(body(outputJson('loop-a', ['0'])));

  await handler(
    sqsEvent(
      statusChange('loop-a', 'Completed', URI),
      statusChange('loop-f', 'Failed', undefined, { failureCode: 'Expired' }),
    ),
  );

  expect(addMetric).toHaveBeenCalledWith('HumanLoopsCompleted', MetricUnit.Count, 1);
  expect(addMetric).toHaveBeenCalledWith('TimeToAnswer', MetricUnit.Seconds, 120);
  expect(addMetric).toHaveBeenCalledWith('WorkerAgreement', MetricUnit.Percent, 100);
  expect(addMetric).toHaveBeenCalledWith('HumanOverrides', MetricUnit.Count, 1);
  expect(addMetric).toHaveBeenCalledWith('HumanLoopsFailed', MetricUnit.Count, 1);
  expect(addMetric).toHaveBeenCalledWith('HumanLoopsExpired', MetricUnit.Count, 1);
  addMetric.mockRestore();
});
