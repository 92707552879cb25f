import {
  CreateFlowDefinitionCommand,
  DeleteFlowDefinitionCommand,
  DescribeFlowDefinitionCommand,
  ResourceNotFound,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { ListHumanLoopsCommand, SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambda/flow-definition';
import { createEvent, deleteEvent, updateEvent } from '../../helpers/events';

const sagemaker = mockClient(SageMakerClient);
const a2i = mockClient(SageMakerA2IRuntimeClient);
// As CloudFormation delivers them: every value a string.
const props = {
  NamePrefix: 'sentiment-review',
  RoleArn: 'arn:aws:iam::123456789012:role/flow-role',
  WorkteamArn: 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/review-team',
  HumanTaskUiArn: 'arn:aws:sagemaker:eu-west-1:123456789012:human-task-ui/sentiment-review-0a1b2c3d',
  TaskTitle: 'Classify',
  TaskDescription: 'Choose -1, 0 or 1',
  TaskCount: '2',
  TaskAvailabilityLifetimeInSeconds: '86400',
  TaskTimeLimitInSeconds: '3600',
  S3OutputPath: 's3://output-bucket/a2i-results',
};
const arnOf = (name: string) => `arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/${name}`;
const notFound = () => new ResourceNotFound({ message: 'not found', $metadata: {} });
const described = (name: string, status: string, extra: Record<string, unknown> = {}) =>
  ({ FlowDefinitionName: name, FlowDefinitionArn: arnOf(name), FlowDefinitionStatus: status, ...extra }) as never;

/** A flow definition store: absent until created, then Initializing for `initializingPolls` describes, then Active. */
function simulateCreate(initializingPolls: number) {
  let created: string | undefined;
  let polls = 0;
  sagemaker.on(CreateFlowDefinitionCommand).callsFake((input: { FlowDefinitionName: string }) => {
    created = input.FlowDefinitionName;
    return { FlowDefinitionArn: arnOf(created) };
  });
  sagemaker.on(DescribeFlowDefinitionCommand).callsFake((input: { FlowDefinitionName: string }) => {
    if (created !== input.FlowDefinitionName) throw notFound();
    return described(created, polls++ < initializingPolls ? 'Initializing' : 'Active');
  });
}

beforeEach(() => {
  sagemaker.reset();
  a2i.reset();
  a2i.on(ListHumanLoopsCommand).resolves({ HumanLoopSummaries: [] });
});

test('create sends the whole configuration, with numbers as numbers', async () => {
  simulateCreate(0);

  const result = await handler(createEvent(props));

  const input = sagemaker.commandCalls(CreateFlowDefinitionCommand)[0].args[0].input;
  expect(input).toEqual({
    FlowDefinitionName: result.PhysicalResourceId,
    RoleArn: props.RoleArn,
    HumanLoopConfig: {
      WorkteamArn: props.WorkteamArn,
      HumanTaskUiArn: props.HumanTaskUiArn,
      TaskTitle: 'Classify',
      TaskDescription: 'Choose -1, 0 or 1',
      TaskCount: 2,
      TaskAvailabilityLifetimeInSeconds: 86400,
      TaskTimeLimitInSeconds: 3600,
    },
    OutputConfig: { S3OutputPath: 's3://output-bucket/a2i-results', KmsKeyId: undefined },
  });
  expect(result.PhysicalResourceId).toMatch(/^sentiment-review-[0-9a-f]{8}$/);
  expect(result.Data).toEqual({
    FlowDefinitionName: result.PhysicalResourceId,
    FlowDefinitionArn: arnOf(result.PhysicalResourceId),
  });
});

test('a role that IAM has not propagated yet is retried until SageMaker can assume it', async () => {
  const notReady = new SageMakerServiceException({
    name: 'ValidationException',
    $fault: 'client',
    $metadata: {},
    message: 'Could not assume role arn:aws:iam::123456789012:role/flow-role',
  });
  let attempts = 0;
  sagemaker.on(CreateFlowDefinitionCommand).callsFake(() => {
    attempts += 1;
    if (attempts < 3) throw notReady;
    return { FlowDefinitionArn: 'arn' };
  });
  sagemaker.on(DescribeFlowDefinitionCommand).callsFake((input: { FlowDefinitionName: string }) => {
    if (attempts < 3) throw notFound();
    return described(input.FlowDefinitionName, 'Active');
  });

  await handler(createEvent(props));

  expect(attempts).toBe(3);
});

test('other validation errors fail the deploy at once', async () => {
  sagemaker.on(DescribeFlowDefinitionCommand).rejects(notFound());
  sagemaker.on(CreateFlowDefinitionCommand).rejects(
    new SageMakerServiceException({
      name: 'ValidationException',
      $fault: 'client',
      $metadata: {},
      message: 'TaskCount too big',
    }),
  );

  await expect(handler(createEvent(props))).rejects.toThrow('TaskCount too big');
  expect(sagemaker.commandCalls(CreateFlowDefinitionCommand)).toHaveLength(1);
});

test('create waits while the flow definition is Initializing', async () => {
  simulateCreate(3);

  await handler(createEvent(props));

  expect(sagemaker.commandCalls(DescribeFlowDefinitionCommand).length).toBe(5); // absent, 3 x Initializing, Active
});

test('a flow definition that ends Failed fails the deploy with the reason and what to do', async () => {
  sagemaker.on(CreateFlowDefinitionCommand).resolves({});
  sagemaker
    .on(DescribeFlowDefinitionCommand)
    .rejectsOnce(notFound())
    .resolves(described('x', 'Failed', { FailureReason: 'Role cannot be assumed' }));

  await expect(handler(createEvent(props))).rejects.toThrow(
    /is Failed: Role cannot be assumed\. Fix the cause, delete it/,
  );
});

test('a changed configuration creates a new flow definition and leaves the old one for CloudFormation to delete', async () => {
  simulateCreate(0);
  const first = await handler(createEvent(props));
  sagemaker.reset();
  simulateCreate(0);

  const second = await handler(updateEvent(first.PhysicalResourceId, { ...props, TaskCount: '3' }, props));

  expect(second.PhysicalResourceId).not.toBe(first.PhysicalResourceId);
  expect(sagemaker.commandCalls(CreateFlowDefinitionCommand)).toHaveLength(1);
  expect(sagemaker.commandCalls(DeleteFlowDefinitionCommand)).toHaveLength(0);
});

test('an update that changes nothing A2I sees keeps the flow definition', async () => {
  simulateCreate(0);
  const first = await handler(createEvent(props));

  const second = await handler(updateEvent(first.PhysicalResourceId, props, props));

  expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
  expect(sagemaker.commandCalls(CreateFlowDefinitionCommand)).toHaveLength(1);
});

test('a flow definition of the same name still Deleting is waited for before it is created again', async () => {
  let deletingPolls = 2;
  let created = false;
  sagemaker.on(DescribeFlowDefinitionCommand).callsFake((input: { FlowDefinitionName: string }) => {
    if (deletingPolls-- > 0) return described(input.FlowDefinitionName, 'Deleting');
    if (!created) throw notFound();
    return described(input.FlowDefinitionName, 'Active');
  });
  sagemaker.on(CreateFlowDefinitionCommand).callsFake(() => {
    created = true;
    return {};
  });

  await handler(createEvent(props));

  expect(sagemaker.commandCalls(CreateFlowDefinitionCommand)).toHaveLength(1);
});

describe('delete', () => {
  const NAME = 'sentiment-review-0a1b2c3d';
  const inUse = () =>
    new SageMakerServiceException({ name: 'ResourceInUse', $fault: 'client', $metadata: {}, message: 'in use' });

  test('deletes a flow definition without loops in progress and waits until it is gone', async () => {
    sagemaker.on(DeleteFlowDefinitionCommand).resolves({});
    sagemaker
      .on(DescribeFlowDefinitionCommand)
      .resolvesOnce(described(NAME, 'Active'))
      .resolvesOnce(described(NAME, 'Deleting'))
      .resolvesOnce(described(NAME, 'Deleting'))
      .rejects(notFound());
    a2i.on(ListHumanLoopsCommand).resolves({
      HumanLoopSummaries: [{ HumanLoopName: 'done-1', HumanLoopStatus: 'Completed' } as never],
    });

    await handler(deleteEvent(NAME, props));

    // Only loops younger than the availability lifetime plus the time limit (and an hour) can still be in progress.
    const listed = a2i.commandCalls(ListHumanLoopsCommand)[0].args[0].input;
    expect(listed.FlowDefinitionArn).toBe(arnOf(NAME));
    const windowSeconds = (Date.now() - listed.CreationTimeAfter!.getTime()) / 1000;
    expect(Math.round(windowSeconds / 60)).toBe((86_400 + 3_600 + 3_600) / 60);
    expect(sagemaker.commandCalls(DeleteFlowDefinitionCommand)).toHaveLength(1);
    expect(sagemaker.commandCalls(DescribeFlowDefinitionCommand)).toHaveLength(4);
  });

  test('is refused while reviews are in progress, naming them: A2I would stop the unanswered ones', async () => {
    sagemaker.on(DescribeFlowDefinitionCommand).resolves(described(NAME, 'Active'));
    a2i
      .on(ListHumanLoopsCommand)
      .resolvesOnce({
        HumanLoopSummaries: [
          { HumanLoopName: 'loop-1', HumanLoopStatus: 'InProgress' } as never,
          { HumanLoopName: 'loop-2', HumanLoopStatus: 'Completed' } as never,
        ],
        NextToken: 'page-2',
      })
      .resolves({ HumanLoopSummaries: [{ HumanLoopName: 'loop-3', HumanLoopStatus: 'InProgress' } as never] });

    await expect(handler(deleteEvent(NAME, props))).rejects.toThrow(
      `Flow definition ${NAME} has 2 human loops in progress (loop-1, loop-3); deleting it would make A2I stop the unanswered ones.`,
    );
    expect(sagemaker.commandCalls(DeleteFlowDefinitionCommand)).toHaveLength(0);
  });

  test('ResourceInUse is waited out, then the delete goes through', async () => {
    sagemaker.on(DeleteFlowDefinitionCommand).rejectsOnce(inUse()).rejectsOnce(inUse()).resolves({});
    sagemaker.on(DescribeFlowDefinitionCommand).resolvesOnce(described(NAME, 'Active')).rejects(notFound());

    await handler(deleteEvent(NAME, props));

    expect(sagemaker.commandCalls(DeleteFlowDefinitionCommand)).toHaveLength(3);
  });

  test('ResourceInUse that lasts is reported with what holds the flow definition', async () => {
    jest.useFakeTimers({ now: 0 });
    process.env.POLL_INTERVAL_MS = '5000';
    try {
      sagemaker.on(DeleteFlowDefinitionCommand).rejects(inUse());
      sagemaker.on(DescribeFlowDefinitionCommand).resolves(described(NAME, 'Active'));
      a2i
        .on(ListHumanLoopsCommand)
        .resolvesOnce({ HumanLoopSummaries: [] })
        .resolves({ HumanLoopSummaries: [{ HumanLoopName: 'late-1', HumanLoopStatus: 'InProgress' } as never] });

      const deleting = handler(deleteEvent(NAME, props));
      const settled = expect(deleting).rejects.toThrow(`Flow definition ${NAME} has 1 human loop in progress (late-1)`);
      await jest.advanceTimersByTimeAsync(6 * 60_000);
      await settled;
    } finally {
      process.env.POLL_INTERVAL_MS = '1';
      jest.useRealTimers();
    }
  });

  test('a flow definition that is already gone is success', async () => {
    sagemaker.on(DescribeFlowDefinitionCommand).rejects(notFound());

    await expect(handler(deleteEvent(NAME, props))).resolves.toEqual({ PhysicalResourceId: NAME });
    expect(sagemaker.commandCalls(DeleteFlowDefinitionCommand)).toHaveLength(0);
  });
});

test('TaskCount 4 is refused before any call', async () => {
  await expect(handler(createEvent({ ...props, TaskCount: '4' }))).rejects.toThrow(/TaskCount/);
  expect(sagemaker.calls()).toHaveLength(0);
});
