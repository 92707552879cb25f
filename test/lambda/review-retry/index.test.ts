import {
  ConflictException,
  DescribeHumanLoopCommand,
  SageMakerA2IRuntimeClient,
  StartHumanLoopCommand,
  ThrottlingException,
} from '@aws-sdk/client-sagemaker-a2i-runtime';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as retry } from '../../../lambda/review-retry';

const FLOW = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d';
process.env.FLOW_DEFINITION_ARN = FLOW;
const a2i = mockClient(SageMakerA2IRuntimeClient);

beforeEach(() => a2i.reset());

describe('review-retry', () => {
  const record = (messageId: string, body: unknown) => ({
    messageId,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '2' },
  });
  const event = (...records: ReturnType<typeof record>[]) => ({ Records: records }) as unknown as SQSEvent;
  const queued = { name: 'order-7-abc', input: { initialValue: 0, taskObject: 'It is okay' } };

  test('starts the queued loop with the same name and input', async () => {
    a2i.on(StartHumanLoopCommand).resolves({});

    expect(await retry(event(record('m1', queued)))).toEqual({ batchItemFailures: [] });
    expect(a2i.commandCalls(StartHumanLoopCommand)[0].args[0].input).toEqual({
      HumanLoopName: 'order-7-abc',
      FlowDefinitionArn: FLOW,
      HumanLoopInput: { InputContent: JSON.stringify(queued.input) },
    });
  });

  test('a loop that started meanwhile under this flow definition counts as done', async () => {
    a2i.on(StartHumanLoopCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} }));
    a2i.on(DescribeHumanLoopCommand).resolves({ FlowDefinitionArn: FLOW, HumanLoopStatus: 'InProgress' });
    expect(await retry(event(record('m1', queued)))).toEqual({ batchItemFailures: [] });
  });

  test('a conflict with a loop that is not this review stays on the queue (and reaches the dead-letter alarm)', async () => {
    a2i.on(StartHumanLoopCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} }));
    a2i.on(DescribeHumanLoopCommand).resolves({ FlowDefinitionArn: `${FLOW}x`, HumanLoopStatus: 'InProgress' });
    expect(await retry(event(record('m1', queued)))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  test('messages left when the time is up go back to the queue untried', async () => {
    a2i.on(StartHumanLoopCommand).resolves({});
    const context = { getRemainingTimeInMillis: () => 500 } as Context;

    expect(await retry(event(record('m1', queued)), context)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    expect(a2i.commandCalls(StartHumanLoopCommand)).toHaveLength(0);
  });

  test('only the messages that still fail go back to the queue', async () => {
    a2i
      .on(StartHumanLoopCommand)
      .resolves({})
      .on(StartHumanLoopCommand, { HumanLoopName: 'still-throttled' })
      .rejects(new ThrottlingException({ message: 'slow', $metadata: {} }));

    const result = await retry(
      event(
        record('m1', queued),
        record('m2', { ...queued, name: 'still-throttled' }),
        record('m3', { not: 'a review' }),
      ),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] });
  });
});
