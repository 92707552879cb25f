/**
 * Custom resource for an A2I flow definition. Flow definitions cannot be updated, so the name carries a hash of the
 * whole configuration: any change creates a new one (and waits until it is Active) before CloudFormation deletes the old.
 */
import type { FlowDefinitionStatus } from '@aws-sdk/client-sagemaker';
import {
  CreateFlowDefinitionCommand,
  DeleteFlowDefinitionCommand,
  DescribeFlowDefinitionCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import * as z from 'zod/mini';
import { isA2iName, nameWithContentHash } from '../../common/names';
import type { CustomResourceEvent, CustomResourceResponse } from '../shared/custom-resource';
import { eventSummary, isNotFound, parseProperties } from '../shared/custom-resource';
import { logger } from '../shared/logger';
import { pollUntil } from '../shared/poll';

const sagemaker = new SageMakerClient({});

const Properties = z.object({
  NamePrefix: z.string(),
  RoleArn: z.string(),
  WorkteamArn: z.string(),
  HumanTaskUiArn: z.string(),
  TaskTitle: z.string().check(z.minLength(1), z.maxLength(128)),
  TaskDescription: z.string().check(z.minLength(1), z.maxLength(255)),
  TaskCount: z.coerce.number().check(z.int(), z.gte(1), z.lte(3)),
  TaskAvailabilityLifetimeInSeconds: z.coerce.number().check(z.int(), z.gte(1), z.lte(864_000)),
  TaskTimeLimitInSeconds: z.coerce.number().check(z.int(), z.gte(30), z.lte(28_800)),
  S3OutputPath: z.string().check(z.regex(/^s3:\/\//)),
  KmsKeyId: z.optional(z.string()),
});
type Properties = z.infer<typeof Properties>;

export async function handler(event: CustomResourceEvent): Promise<CustomResourceResponse> {
  logger.info('Flow definition event', eventSummary(event));
  if (event.RequestType === 'Delete') {
    await deleteFlowDefinition(event.PhysicalResourceId);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  return ensureFlowDefinition(parseProperties(Properties, event.ResourceProperties));
}

type FlowDefinitionState = { status: 'absent' } | { status: FlowDefinitionStatus; arn: string; failureReason?: string };

async function describeFlowDefinition(name: string): Promise<FlowDefinitionState> {
  try {
    const found = await sagemaker.send(new DescribeFlowDefinitionCommand({ FlowDefinitionName: name }));
    return {
      status: found.FlowDefinitionStatus ?? 'Initializing',
      arn: found.FlowDefinitionArn ?? '',
      failureReason: found.FailureReason,
    };
  } catch (error) {
    if (isNotFound(error)) return { status: 'absent' };
    throw error;
  }
}

/** Waits while the flow definition is in `transitional`; returns the state it settles in. */
async function waitWhile(name: string, transitional: FlowDefinitionStatus): Promise<FlowDefinitionState> {
  return pollUntil(
    async () => {
      const state = await describeFlowDefinition(name);
      return state.status === transitional ? undefined : state;
    },
    { description: `flow definition ${name} to leave ${transitional}` },
  );
}

async function ensureFlowDefinition(props: Properties): Promise<CustomResourceResponse> {
  const { NamePrefix, ...definition } = props;
  const name = nameWithContentHash(NamePrefix, definition);
  let state = await describeFlowDefinition(name);
  if (state.status === 'Deleting') {
    logger.info('Waiting for the earlier flow definition of the same name to finish deleting', { name });
    state = await waitWhile(name, 'Deleting');
  }
  if (state.status === 'absent') {
    const command = new CreateFlowDefinitionCommand({
      FlowDefinitionName: name,
      RoleArn: definition.RoleArn,
      HumanLoopConfig: {
        WorkteamArn: definition.WorkteamArn,
        HumanTaskUiArn: definition.HumanTaskUiArn,
        TaskTitle: definition.TaskTitle,
        TaskDescription: definition.TaskDescription,
        TaskCount: definition.TaskCount,
        TaskAvailabilityLifetimeInSeconds: definition.TaskAvailabilityLifetimeInSeconds,
        TaskTimeLimitInSeconds: definition.TaskTimeLimitInSeconds,
      },
      OutputConfig: { S3OutputPath: definition.S3OutputPath, KmsKeyId: definition.KmsKeyId },
    });
    // A role created in the same deploy may not be assumable for a few seconds (IAM is eventually consistent).
    await pollUntil(
      async () => {
        try {
          await sagemaker.send(command);
          return true;
        } catch (error) {
          if (!isRoleNotReady(error)) throw error;
          logger.info('The flow definition role is not usable yet; retrying', { name });
          return undefined;
        }
      },
      { description: `the role ${definition.RoleArn} to become usable by SageMaker`, timeoutMs: 2 * 60_000 },
    );
    logger.info('Created flow definition', { name });
    state = { status: 'Initializing', arn: '' };
  }
  if (state.status === 'Initializing') state = await waitWhile(name, 'Initializing');
  if (state.status !== 'Active' || !('arn' in state)) {
    const reason = 'failureReason' in state && state.failureReason ? `: ${state.failureReason}` : '';
    throw new Error(
      `Flow definition ${name} is ${state.status}${reason}. Fix the cause, delete it ` +
        `(aws sagemaker delete-flow-definition --flow-definition-name ${name}) and deploy again.`,
    );
  }
  logger.info('Flow definition is Active', { name, arn: state.arn });
  return { PhysicalResourceId: name, Data: { FlowDefinitionName: name, FlowDefinitionArn: state.arn } };
}

function isRoleNotReady(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /role|assume/i.test(error.message);
}

/** Deletes and waits until it is gone, so the task UI it uses can be deleted right after. */
async function deleteFlowDefinition(name: string): Promise<void> {
  if (!isA2iName(name)) {
    logger.info('No flow definition was created under this physical id; nothing to delete', { name });
    return;
  }
  try {
    await sagemaker.send(new DeleteFlowDefinitionCommand({ FlowDefinitionName: name }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
    logger.info('Flow definition was already gone', { name });
    return;
  }
  await pollUntil(async () => ((await describeFlowDefinition(name)).status === 'absent' ? true : undefined), {
    description: `flow definition ${name} to finish deleting`,
  });
  logger.info('Deleted flow definition', { name });
}
