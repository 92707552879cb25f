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
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type { FlowDefinitionData, FlowDefinitionProperties } from '../../common/custom-resources';
import { isA2iName, nameWithContentHash } from '../../common/names';
import type { CustomResourceEvent, CustomResourceResponse } from '../shared/custom-resource';
import { eventSummary, isNotFound, parseProperties } from '../shared/custom-resource';
import { logger } from '../shared/logger';
import { Deadline } from '../shared/deadline';
import { pollUntil, waitingBudget } from '../shared/poll';

const sagemaker = new SageMakerClient({});
const a2i = new SageMakerA2IRuntimeClient({});

const Properties: z.ZodMiniType<FlowDefinitionProperties> = z.object({
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

export async function handler(event: CustomResourceEvent, context?: Context): Promise<CustomResourceResponse> {
  logger.info('Flow definition event', eventSummary(event));
  const budget = waitingBudget(context);
  if (event.RequestType === 'Delete') {
    await deleteFlowDefinition(event.PhysicalResourceId, loopLifetimeSeconds(event.ResourceProperties), budget);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  return ensureFlowDefinition(parseProperties(Properties, event.ResourceProperties), budget);
}

/** How long a loop of this flow definition can stay in progress: its availability lifetime plus the time limit. */
function loopLifetimeSeconds(properties: unknown): number {
  const parsed = Properties.safeParse(properties);
  return parsed.success
    ? parsed.data.TaskAvailabilityLifetimeInSeconds + parsed.data.TaskTimeLimitInSeconds
    : 864_000 + 28_800;
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
async function waitWhile(
  name: string,
  transitional: FlowDefinitionStatus,
  budget: Deadline,
): Promise<FlowDefinitionState> {
  return pollUntil(
    async () => {
      const state = await describeFlowDefinition(name);
      return state.status === transitional ? undefined : state;
    },
    { description: `flow definition ${name} to leave ${transitional}`, until: budget },
  );
}

async function ensureFlowDefinition(props: Properties, budget: Deadline): Promise<CustomResourceResponse> {
  const { NamePrefix, ...definition } = props;
  const name = nameWithContentHash(NamePrefix, definition);
  let state = await describeFlowDefinition(name);
  if (state.status === 'Deleting') {
    logger.info('Waiting for the earlier flow definition of the same name to finish deleting', { name });
    state = await waitWhile(name, 'Deleting', budget);
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
      {
        description: `the role ${definition.RoleArn} to become usable by SageMaker`,
        until: budget.earliest(Deadline.in(ROLE_PROPAGATION_MS)),
      },
    );
    logger.info('Created flow definition', { name });
    state = { status: 'Initializing', arn: '' };
  }
  if (state.status === 'Initializing') state = await waitWhile(name, 'Initializing', budget);
  if (state.status !== 'Active' || !('arn' in state)) {
    const reason = 'failureReason' in state && state.failureReason ? `: ${state.failureReason}` : '';
    throw new Error(
      `Flow definition ${name} is ${state.status}${reason}. Fix the cause, delete it ` +
        `(aws sagemaker delete-flow-definition --flow-definition-name ${name}) and deploy again.`,
    );
  }
  logger.info('Flow definition is Active', { name, arn: state.arn });
  const data: FlowDefinitionData = { FlowDefinitionName: name, FlowDefinitionArn: state.arn };
  return { PhysicalResourceId: name, Data: data };
}

function isRoleNotReady(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /role|assume/i.test(error.message);
}

/** Loops named in a refusal; the count covers them all. */
const LOOPS_NAMED_MAX = 5;
/** How long a delete answered ResourceInUse is tried again before the handler reports what holds the flow definition. */
const IN_USE_WAIT_MS = 5 * 60_000;
/** How long a role made in the same deploy may take to become usable by SageMaker. */
const ROLE_PROPAGATION_MS = 2 * 60_000;

/**
 * Deletes and waits until it is gone, so the task UI it uses can be deleted right after. Deleting a flow definition
 * makes A2I stop and delete its loops that no worker has started: with reviews in progress the delete is refused,
 * naming them, instead (during an update CloudFormation then keeps the old flow definition and the reviews finish;
 * on destroy the stack waits for the operator).
 */
async function deleteFlowDefinition(name: string, loopLifetimeSeconds: number, budget: Deadline): Promise<void> {
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
    const holdingLoops = () => refuseWhileInProgress(name, state.arn, loopLifetimeSeconds);
    await holdingLoops();
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
        until: budget.earliest(Deadline.in(IN_USE_WAIT_MS)),
      },
    ).catch(async (error: unknown) => {
      await holdingLoops();
      throw error;
    });
  }
  await pollUntil(async () => ((await describeFlowDefinition(name)).status === 'absent' ? true : undefined), {
    description: `flow definition ${name} to finish deleting`,
    until: budget,
  });
  logger.info('Deleted flow definition', { name });
}

/**
 * Fails, naming the loops, while human loops of the flow definition are in progress. Only loops created within the
 * loop lifetime can still be in progress, so the listing starts there instead of at the flow definition's beginning.
 */
async function refuseWhileInProgress(name: string, arn: string, loopLifetimeSeconds: number): Promise<void> {
  const inProgress: string[] = [];
  const since = new Date(Date.now() - (loopLifetimeSeconds + 3_600) * 1000);
  for await (const page of paginateListHumanLoops(
    { client: a2i },
    { FlowDefinitionArn: arn, CreationTimeAfter: since, MaxResults: 100 },
  )) {
    for (const loop of page.HumanLoopSummaries ?? [])
      if (loop.HumanLoopStatus === 'InProgress' && loop.HumanLoopName) inProgress.push(loop.HumanLoopName);
  }
  if (inProgress.length === 0) return;
  const named = inProgress.slice(0, LOOPS_NAMED_MAX).join(', ');
  throw new Error(
    `Flow definition ${name} has ${inProgress.length} human loop${inProgress.length === 1 ? '' : 's'} in progress ` +
      `(${named}${inProgress.length > LOOPS_NAMED_MAX ? ', ...' : ''}); deleting it would make A2I stop the unanswered ones. ` +
      `List them with: aws sagemaker-a2i-runtime list-human-loops --flow-definition-arn ${arn}. ` +
      'If the stack is being deleted: wait until they end, or stop them (aws sagemaker-a2i-runtime stop-human-loop ' +
      '--human-loop-name <name>), then destroy again. If a deploy replaced this flow definition: the deploy ' +
      `succeeded and kept this one for its reviews; delete it once they have ended (aws sagemaker delete-flow-definition --flow-definition-name ${name}).`,
  );
}
