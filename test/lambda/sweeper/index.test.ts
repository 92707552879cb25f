/**
 * The sweeper takes the steps nobody else takes when no one reads the loops: expiry, the end of a stop, and the
 * announcement of an end, over DynamoDB's wire protocol (dynalite) with EventBridge mocked.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../../common/contract';
import { DynamoTaskStore } from '../../../lambda/shared/review/dynamo-task-store';
import type { FlowSettings } from '../../../lambda/shared/review/tasks';
import { startLoop, stopLoop } from '../../../lambda/shared/review/tasks';
import type * as Sweeper from '../../../lambda/sweeper';
import type { LocalDynamo } from '../../helpers/dynalite';
import { startDynamo } from '../../helpers/dynalite';

const FLOW: FlowSettings = {
  flowDefinitionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d',
  s3OutputPath: 's3://review-output/a2i-results',
  taskCount: 1,
  taskAvailabilityLifetimeSeconds: 60,
  taskTimeLimitSeconds: 30,
};

const eventBridge = mockClient(EventBridgeClient);
let dynamo: LocalDynamo;

beforeAll(async () => {
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  dynamo = await startDynamo('review-tasks');
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    [ENV.flowDefinitionArn]: FLOW.flowDefinitionArn,
    [ENV.taskTableName]: 'review-tasks',
    [ENV.s3OutputPath]: FLOW.s3OutputPath,
    [ENV.taskInputsPath]: 's3://review-output/a2i-results/_inputs',
    [ENV.reviewEventBus]: 'review-events',
    [ENV.workerIdentityIssuer]: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test',
  });
});

afterAll(() => dynamo.close());

const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as Context;

it('expires loops past their lifetime, ends stops, announces each end once, and leaves open loops alone', async () => {
  const store = new DynamoTaskStore(dynamo.client, 'review-tasks');
  const hourAgo = new Date(Date.now() - 3_600_000);
  const start = (name: string, at: Date) => startLoop(undefined, { name, input: { taskObject: name } }, FLOW, at).loop;
  await store.putIfAbsent(start('expired-1', hourAgo));
  await store.putIfAbsent(start('expired-2', hourAgo));
  await store.putIfAbsent(stopLoop(start('stopped-1', hourAgo), new Date(hourAgo.getTime() + 10_000)));
  await store.putIfAbsent(start('open-1', new Date()));
  const { handler } = jest.requireActual<typeof Sweeper>('../../../lambda/sweeper');

  await expect(handler({}, context(50_000))).resolves.toEqual({ looked: 3 });

  expect(await store.get('expired-1')).toMatchObject({ status: 'Failed', failureCode: 'Expired', endAnnounced: true });
  expect(await store.get('stopped-1')).toMatchObject({ status: 'Stopped', endAnnounced: true });
  expect(await store.get('open-1')).toMatchObject({ status: 'InProgress' });
  const announced = eventBridge
    .commandCalls(PutEventsCommand)
    .map(
      (call) => (JSON.parse(call.args[0].input.Entries?.[0].Detail ?? '{}') as { humanLoopName: string }).humanLoopName,
    );
  expect(announced.sort()).toEqual(['expired-1', 'expired-2', 'stopped-1']);

  await expect(handler({}, context(50_000))).resolves.toEqual({ looked: 0 });
  expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
});
