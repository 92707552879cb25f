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
import { paginateListHumanLoops, SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import * as z from 'zod/mini';
import { isA2iName, nameWithContentHash } from '../../common/names';
import type { CustomResourceEvent, CustomResourceResponse } from '../shared/custom-resource';
import { eventSummary, isNotFound, parseProperties } from '../shared/custom-resource';
import { logger } from '../shared/logger';
import { pollUntil } from '../shared/poll';

const sagemaker = new SageMakerClient({});
const a2i = new SageMakerA2IRuntimeClient({});

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

/** Loops named in a refusal; the count covers them all. */
const LOOPS_NAMED_MAX = 5;
/** How long a delete answered ResourceInUse is tried again before the handler reports what holds the flow definition. */
const IN_USE_WAIT_MS = 5 * 60_000;

/**
 * Deletes and waits until it is gone, so the task UI it uses can be deleted right after. Deleting a flow definition
 * makes A2I stop and delete its loops that no worker has started: with reviews in progress the delete is refused,
 * naming them, instead (during an update CloudFormation then keeps the old flow definition and the reviews finish;
 * on destroy the stack waits for the operator).
 */
async function deleteFlowDefinition(name: string): Promise<void> {
  if (!isA2iName(name)) {
    logger.info('No flow definition was created under this physical id; nothing to delete', { name });
    return;
  }
  const state = await describeFlowDefinition(name);
  if (state.status === 'absent') {
    logger.info('Flow definition was already gone', { name });
    return;
  }
  if (state.status !== 'Deleting') {
    await refuseWhileInProgress(name, state.arn);
    await pollUntil(
      async () => {
        try {
          await sagemaker.send(new DeleteFlowDefinitionCommand({ FlowDefinitionName: name }));
          return true;
        } catch (error) {
          if (isNotFound(error)) return true;
          if (!(error instanceof Error && error.name === 'ResourceInUse')) throw error;
          logger.info('The flow definition is in use; trying again', { name });
          return undefined;
        }
      },
      {
        description: `flow definition ${name} to be released (DeleteFlowDefinition answers ResourceInUse)`,
        timeoutMs: IN_USE_WAIT_MS,
      },
    ).catch(async (error: unknown) => {
      await refuseWhileInProgress(name, state.arn);
      throw error;
    });
  }
  await pollUntil(async () => ((await describeFlowDefinition(name)).status === 'absent' ? true : undefined), {
    description: `flow definition ${name} to finish deleting`,
  });
  logger.info('Deleted flow definition', { name });
}

/** Fails, naming the loops, while human loops of the flow definition are in progress. */
async function refuseWhileInProgress(name: string, arn: string): Promise<void> {
  const inProgress: string[] = [];
  for await (const page of paginateListHumanLoops({ client: a2i }, { FlowDefinitionArn: arn, MaxResults: 100 })) {
    for (const loop of page.HumanLoopSummaries ?? [])
      if (loop.HumanLoopStatus === 'InProgress' && loop.HumanLoopName) inProgress.push(loop.HumanLoopName);
  }
  if (inProgress.length === 0) return;
  const named = inProgress.slice(0, LOOPS_NAMED_MAX).join(', ');
  throw new Error(
    `Flow definition ${name} has ${inProgress.length} human loop${inProgress.length === 1 ? '' : 's'} in progress ` +
      `(${named}${inProgress.length > LOOPS_NAMED_MAX ? ', ...' : ''}); deleting it would make A2I stop the unanswered ones. ` +
      'Wait until they end (npx review-pipeline loops list --status InProgress), or stop them ' +
      '(npx review-pipeline loops stop <name>), then deploy or destroy again. A deploy that replaced this flow ' +
      'definition has succeeded; only the old one is kept until its reviews are done.',
  );
}
