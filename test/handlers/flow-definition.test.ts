import {
  CreateFlowDefinitionCommand,
  DeleteFlowDefinitionCommand,
  DescribeFlowDefinitionCommand,
  ResourceNotFound,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/flow-definition';
import { createEvent, deleteEvent, updateEvent } from '../helpers/events';

const sagemaker = mockClient(SageMakerClient);
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

beforeEach(() => sagemaker.reset());

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

test('delete waits until the flow definition is gone', async () => {
  sagemaker.on(DeleteFlowDefinitionCommand).resolves({});
  sagemaker
    .on(DescribeFlowDefinitionCommand)
    .resolvesOnce(described('sentiment-review-0a1b2c3d', 'Deleting'))
    .resolvesOnce(described('sentiment-review-0a1b2c3d', 'Deleting'))
    .rejects(notFound());

  await handler(deleteEvent('sentiment-review-0a1b2c3d', props));

  expect(sagemaker.commandCalls(DescribeFlowDefinitionCommand)).toHaveLength(3);
});

test('delete of a flow definition that is already gone is success', async () => {
  sagemaker.on(DeleteFlowDefinitionCommand).rejects(notFound());

  await expect(handler(deleteEvent('sentiment-review-0a1b2c3d', props))).resolves.toEqual({
    PhysicalResourceId: 'sentiment-review-0a1b2c3d',
  });
  expect(sagemaker.commandCalls(DescribeFlowDefinitionCommand)).toHaveLength(0);
});

test('TaskCount 4 is refused before any call', async () => {
  await expect(handler(createEvent({ ...props, TaskCount: '4' }))).rejects.toThrow(/TaskCount/);
  expect(sagemaker.calls()).toHaveLength(0);
});
