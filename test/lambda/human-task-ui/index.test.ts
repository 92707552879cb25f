import {
  CreateHumanTaskUiCommand,
  DeleteHumanTaskUiCommand,
  DescribeHumanTaskUiCommand,
  ResourceNotFound,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { nameWithContentHash } from '../../../common/names';
import { handler } from '../../../lambda/human-task-ui';
import { createEvent, deleteEvent, updateEvent } from '../../helpers/events';

const sagemaker = mockClient(SageMakerClient);
const props = { NamePrefix: 'sentiment-review', Content: '<crowd-form>v1</crowd-form>' };
const v1Name = nameWithContentHash('sentiment-review', props.Content);
const arnOf = (name: string) => `arn:aws:sagemaker:eu-west-1:123456789012:human-task-ui/${name}`;
const notFound = () => new ResourceNotFound({ message: 'not found', $metadata: {} });

beforeEach(() => {
  sagemaker.reset();
  sagemaker.on(DescribeHumanTaskUiCommand).rejects(notFound());
  sagemaker
    .on(CreateHumanTaskUiCommand)
    .callsFake((input: { HumanTaskUiName: string }) => ({ HumanTaskUiArn: arnOf(input.HumanTaskUiName) }));
});

test('create makes a task UI named after the prefix and a hash of the template', async () => {
  const result = await handler(createEvent(props));

  expect(v1Name).toMatch(/^sentiment-review-[0-9a-f]{8}$/);
  expect(sagemaker.commandCalls(CreateHumanTaskUiCommand)[0].args[0].input).toEqual({
    HumanTaskUiName: v1Name,
    UiTemplate: { Content: props.Content },
  });
  expect(result).toEqual({
    PhysicalResourceId: v1Name,
    Data: { HumanTaskUiName: v1Name, HumanTaskUiArn: arnOf(v1Name) },
  });
});

test('a repeated create of the same template reuses the task UI', async () => {
  sagemaker
    .on(DescribeHumanTaskUiCommand)
    .resolves({ HumanTaskUiName: v1Name, HumanTaskUiArn: arnOf(v1Name), HumanTaskUiStatus: 'Active' } as never);

  const result = await handler(createEvent(props));

  expect(sagemaker.commandCalls(CreateHumanTaskUiCommand)).toHaveLength(0);
  expect(result.PhysicalResourceId).toBe(v1Name);
});

test('a changed template creates a new task UI first and does not delete the old one', async () => {
  const v2 = { ...props, Content: '<crowd-form>v2</crowd-form>' };

  const result = await handler(updateEvent(v1Name, v2, props));

  const v2Name = nameWithContentHash('sentiment-review', v2.Content);
  expect(v2Name).not.toBe(v1Name);
  expect(result.PhysicalResourceId).toBe(v2Name);
  expect(sagemaker.commandCalls(CreateHumanTaskUiCommand)).toHaveLength(1);
  expect(sagemaker.commandCalls(DeleteHumanTaskUiCommand)).toHaveLength(0);
});

test('a task UI of the same name that is still Deleting is waited for, then created again', async () => {
  sagemaker
    .on(DescribeHumanTaskUiCommand)
    .resolvesOnce({ HumanTaskUiName: v1Name, HumanTaskUiArn: arnOf(v1Name), HumanTaskUiStatus: 'Deleting' } as never)
    .resolvesOnce({ HumanTaskUiName: v1Name, HumanTaskUiArn: arnOf(v1Name), HumanTaskUiStatus: 'Deleting' } as never)
    .rejects(notFound());

  await handler(createEvent(props));

  expect(sagemaker.commandCalls(DescribeHumanTaskUiCommand)).toHaveLength(3);
  expect(sagemaker.commandCalls(CreateHumanTaskUiCommand)).toHaveLength(1);
});

test('delete removes the task UI', async () => {
  sagemaker.on(DeleteHumanTaskUiCommand).resolves({});

  await handler(deleteEvent(v1Name, props));

  expect(sagemaker.commandCalls(DeleteHumanTaskUiCommand)[0].args[0].input).toEqual({ HumanTaskUiName: v1Name });
});

test('delete of a task UI that is already gone is success', async () => {
  sagemaker.on(DeleteHumanTaskUiCommand).rejects(notFound());

  await expect(handler(deleteEvent(v1Name, props))).resolves.toEqual({ PhysicalResourceId: v1Name });
});

test('delete after a failed create (no task UI behind the physical id) calls nothing', async () => {
  await handler(deleteEvent('Failed:Create:request-1', props));

  expect(sagemaker.calls()).toHaveLength(0);
});

test('a template over 128,000 characters is refused before any call', async () => {
  await expect(handler(createEvent({ ...props, Content: 'x'.repeat(128_001) }))).rejects.toThrow(
    'Invalid resource properties',
  );
  expect(sagemaker.calls()).toHaveLength(0);
});
