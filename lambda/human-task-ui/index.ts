/**
 * Custom resource for a SageMaker human task UI (the worker template). Task UIs cannot be updated, so the name
 * carries a hash of the template: a new template is a new task UI, created here before CloudFormation deletes the old.
 */
import {
  CreateHumanTaskUiCommand,
  DeleteHumanTaskUiCommand,
  DescribeHumanTaskUiCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type { HumanTaskUiData, HumanTaskUiProperties } from '../../common/custom-resources';
import { isA2iName, nameWithContentHash } from '../../common/names';
import type { CustomResourceEvent, CustomResourceResponse } from '../shared/custom-resource';
import { eventSummary, isNotFound, parseProperties } from '../shared/custom-resource';
import { logger } from '../shared/logger';
import type { Deadline } from '../shared/deadline';
import { pollUntil, waitingBudget } from '../shared/poll';

const sagemaker = new SageMakerClient({});

const Properties: z.ZodMiniType<HumanTaskUiProperties> = z.object({
  NamePrefix: z.string(),
  Content: z.string().check(z.minLength(1), z.maxLength(128_000)),
});
type Properties = z.infer<typeof Properties>;

export async function handler(event: CustomResourceEvent, context?: Context): Promise<CustomResourceResponse> {
  logger.info('Human task UI event', eventSummary(event));
  if (event.RequestType === 'Delete') {
    await deleteTaskUi(event.PhysicalResourceId);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  return ensureTaskUi(parseProperties(Properties, event.ResourceProperties), waitingBudget(context));
}

type TaskUiState = { status: 'absent' } | { status: 'Active' | 'Deleting'; arn: string };

async function describeTaskUi(name: string): Promise<TaskUiState> {
  try {
    const ui = await sagemaker.send(new DescribeHumanTaskUiCommand({ HumanTaskUiName: name }));
    return { status: ui.HumanTaskUiStatus === 'Deleting' ? 'Deleting' : 'Active', arn: ui.HumanTaskUiArn ?? '' };
  } catch (error) {
    if (isNotFound(error)) return { status: 'absent' };
    throw error;
  }
}

/** Creates the task UI unless one with this content already exists (a retried or repeated deploy). */
async function ensureTaskUi(props: Properties, budget: Deadline): Promise<CustomResourceResponse> {
  const name = nameWithContentHash(props.NamePrefix, props.Content);
  let state = await describeTaskUi(name);
  if (state.status === 'Deleting') {
    logger.info('Waiting for the earlier task UI of the same name to finish deleting', { name });
    await pollUntil(async () => ((await describeTaskUi(name)).status === 'absent' ? true : undefined), {
      description: `human task UI ${name} to finish deleting`,
      until: budget,
    });
    state = { status: 'absent' };
  }
  let arn: string;
  if (state.status === 'Active') {
    logger.info('Task UI with this content already exists', { name });
    arn = state.arn;
  } else {
    const created = await sagemaker.send(
      new CreateHumanTaskUiCommand({ HumanTaskUiName: name, UiTemplate: { Content: props.Content } }),
    );
    arn = created.HumanTaskUiArn ?? '';
    logger.info('Created task UI', { name, arn });
  }
  const data: HumanTaskUiData = { HumanTaskUiName: name, HumanTaskUiArn: arn };
  return { PhysicalResourceId: name, Data: data };
}

async function deleteTaskUi(name: string): Promise<void> {
  if (!isA2iName(name)) {
    logger.info('No task UI was created under this physical id; nothing to delete', { name });
    return;
  }
  try {
    await sagemaker.send(new DeleteHumanTaskUiCommand({ HumanTaskUiName: name }));
    logger.info('Deleted task UI', { name });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    logger.info('Task UI was already gone', { name });
  }
}
