/**
 * The self-hosted backend's effects on AWS, over the wire protocols they use: loops in DynamoDB (dynalite), large
 * inputs and output.json in S3 (local mode's S3 emulator, strict about conditional writes), ended events on
 * EventBridge (a mocked client: the request is what is checked). output.json, its key and the event detail are
 * compared with golden files written from A2I's documented shapes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV, REVIEW_ENDED_EVENT } from '../../../../common/contract';
import { parseEndedEvent } from '../../../../lambda/shared/review/ended-event';
import type { SelfHostedSettings } from '../../../../lambda/shared/review/self-hosted';
import { selfHostedLoops, selfHostedSettings, writeOnce } from '../../../../lambda/shared/review/self-hosted';
import { TaskReviewPort } from '../../../../lambda/shared/review/task-port';
import { WorkerTasks } from '../../../../lambda/shared/review/worker-tasks';
import type { LocalDynamo } from '../../../helpers/dynalite';
import { startDynamo } from '../../../helpers/dynalite';
import { startLocalS3 } from '../../../helpers/local-s3';

const GOLDEN = path.join(__dirname, '..', '..', '..', 'golden', 'self-hosted');
const golden = (file: string) => fs.readFileSync(path.join(GOLDEN, file), 'utf8');

const eventBridgeMock = mockClient(EventBridgeClient);
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI';

const settings: SelfHostedSettings = {
  tableName: 'review-tasks',
  flow: {
    flowDefinitionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d',
    s3OutputPath: 's3://review-output/a2i-results',
    taskCount: 2,
    taskAvailabilityLifetimeSeconds: 3_600,
    taskTimeLimitSeconds: 600,
  },
  inputsPath: 's3://review-output/a2i-results/_inputs',
  eventBusName: 'review-events',
  identityIssuer: ISSUER,
};

const workers = [
  { id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', identity: { issuer: ISSUER, sub: '11111111-2222-3333-4444-555555555555' } },
  { id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', identity: { issuer: ISSUER, sub: '66666666-7777-8888-9999-000000000000' } },
];

let dynamo: LocalDynamo;
let s3Server: Awaited<ReturnType<typeof startLocalS3>>;
let s3: S3Client;
let time: number;

beforeEach(async () => {
  eventBridgeMock.reset();
  eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  dynamo = await startDynamo(settings.tableName);
  s3Server = await startLocalS3();
  s3 = new S3Client({
    endpoint: s3Server.url,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  time = Date.parse('2026-11-21T10:15:30.250Z');
});

afterEach(async () => {
  s3.destroy();
  await s3Server.stop();
  await dynamo.close();
});

function backend() {
  const failures: string[] = [];
  const loops = selfHostedLoops(
    settings,
    { dynamodb: dynamo.client, s3, eventBridge: new EventBridgeClient({ region: 'eu-west-1' }) },
    { now: () => new Date(time), onStepFailed: (loop, step) => failures.push(`${loop.name}:${step}`) },
  );
  return { loops, port: new TaskReviewPort(loops, settings.flow), tasks: new WorkerTasks(loops), failures };
}

async function answerByBoth(tasks: WorkerTasks, name: string) {
  for (const [i, worker] of workers.entries()) {
    const lease = await tasks.claim(name, worker);
    time += 42_500;
    await tasks.answer(name, worker, lease.token, { sentiment: { label: i === 0 ? 'negative' : 'neutral' } });
  }
}

function sentEvents(): PutEventsRequestEntry[] {
  return eventBridgeMock.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

async function objectText(uri: string): Promise<string | undefined> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
  return object?.Body?.transformToString('utf-8');
}

describe('self-hosted backend on AWS wire protocols', () => {
  it('writes output.json at A2I key, in A2I shape, and announces the end with A2I detail', async () => {
    const { port, tasks } = backend();
    await port.start({ name: 'review-42', input: { taskObject: 'The box arrived crushed', initialValue: '-1' } });

    await answerByBoth(tasks, 'review-42');

    const loop = await port.describe('review-42');
    expect(loop.status).toBe('Completed');
    expect(loop.outputUri).toBe(golden('output-uri.txt').trim());
    expect(JSON.parse((await objectText(loop.outputUri ?? '')) ?? 'null')).toEqual(JSON.parse(golden('output.json')));
    const [event] = sentEvents();
    expect(event).toMatchObject({
      EventBusName: 'review-events',
      Source: REVIEW_ENDED_EVENT.selfHostedSource,
      DetailType: REVIEW_ENDED_EVENT.detailType,
      Resources: ['arn:aws:sagemaker:eu-west-1:123456789012:human-loop/review-42'],
    });
    expect(JSON.parse(event.Detail ?? '')).toEqual(JSON.parse(golden('event-detail.json')));
    // The collector reads it as it reads A2I's own event.
    const delivered = { source: event.Source, 'detail-type': event.DetailType, detail: JSON.parse(event.Detail ?? '') };
    expect(parseEndedEvent(JSON.stringify(delivered))).toMatchObject({
      humanLoopStatus: 'Completed',
      outputUri: loop.outputUri,
    });
  });

  it('writes output.json once: an object already at the key is kept, and the loop still completes', async () => {
    const { port, tasks } = backend();
    await port.start({ name: 'review-7', input: { taskObject: 'fine' } });
    const { key } = { key: golden('output-uri.txt').trim().replace('review-42', 'review-7') };
    const [, bucket, objectKey] = /^s3:\/\/([^/]+)\/(.+)$/.exec(key) ?? [];
    // A write that got through before a crash, then the loop was found answered again.
    await writeOnce(s3)({ bucket, key: objectKey }, '{"written":"first"}');

    await answerByBoth(tasks, 'review-7');

    expect((await port.describe('review-7')).status).toBe('Completed');
    expect(await objectText(key)).toBe('{"written":"first"}');
  });

  it('keeps an announcement due until EventBridge takes the event, then the sweeper sends it', async () => {
    const { port, tasks, loops, failures } = backend();
    eventBridgeMock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });
    await port.start({ name: 'review-8', input: { taskObject: 'fine' } });

    await answerByBoth(tasks, 'review-8');
    expect(failures).toEqual(['review-8:announce']);
    expect((await loops.store.get('review-8'))?.endAnnounced).not.toBe(true);

    await loops.sweep();

    expect(sentEvents()).toHaveLength(2);
    expect(await loops.store.get('review-8')).toMatchObject({ status: 'Completed', endAnnounced: true });
  });

  it('keeps inputs too large for a DynamoDB item in S3 and gives them back whole', async () => {
    const { port, tasks } = backend();
    const input = { taskObject: 'x'.repeat(3_000_000) };
    await port.start({ name: 'review-big', input });

    const keys = s3Server.store.list('review-output', 'a2i-results/_inputs/', '', 10).objects.map((o) => o.key);
    expect(keys).toEqual([expect.stringMatching(/^a2i-results\/_inputs\/inputs\/review-big\/[0-9a-f]{64}\.json$/)]);
    const [open] = await tasks.openTasks(workers[0]);
    expect(JSON.parse(open.inputContent)).toEqual(input);
    // Started again with the same input: the same loop, no Conflict.
    await expect(port.start({ name: 'review-big', input })).resolves.toEqual({
      humanLoopArn: 'arn:aws:sagemaker:eu-west-1:123456789012:human-loop/review-big',
    });
  });
});

describe('selfHostedSettings', () => {
  const env = {
    [ENV.taskTableName]: 'review-tasks',
    [ENV.flowDefinitionArn]: settings.flow.flowDefinitionArn,
    [ENV.s3OutputPath]: 's3://review-output/a2i-results/',
    [ENV.taskInputsPath]: 's3://review-output/a2i-results/_inputs',
    [ENV.reviewEventBus]: 'review-events',
    [ENV.workerIdentityIssuer]: ISSUER,
    [ENV.taskCount]: '2',
    [ENV.taskAvailabilityLifetimeSeconds]: '3600',
    [ENV.taskTimeLimitSeconds]: '600',
  };

  it('reads what the construct writes', () => {
    expect(selfHostedSettings(env)).toEqual(settings);
  });

  it.each([
    [ENV.taskTableName, '', `Environment variable ${ENV.taskTableName} is not set`],
    [ENV.s3OutputPath, 'review-output/a2i-results', `${ENV.s3OutputPath} is "review-output/a2i-results"`],
    [ENV.taskCount, '4', `${ENV.taskCount} is "4"; expected a number from 1 to 3`],
  ])('names a wrong %s', (name, value, message) => {
    expect(() => selfHostedSettings({ ...env, [name]: value })).toThrow(message);
  });
});
