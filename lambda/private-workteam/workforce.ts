/**
 * The Region's one private workforce: found, created, adopted when it already uses this pool and client, replaced when
 * an earlier failed deploy of this same stack left it bound to the stack's old (retained) pool, and deleted only by
 * the resource that created it.
 */
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Workforce } from '@aws-sdk/client-sagemaker';
import {
  CreateWorkforceCommand,
  DeleteWorkforceCommand,
  DeleteWorkteamCommand,
  DescribeWorkforceCommand,
  ListWorkforcesCommand,
  SageMakerClient,
  paginateListWorkteams,
} from '@aws-sdk/client-sagemaker';
import { WORKER_POOL_STACK_TAG } from '../../common/contract';
import { isNotFound } from '../shared/custom-resource';
import { logger } from '../shared/logger';
import type { Deadline } from '../shared/deadline';
import { pollUntil } from '../shared/poll';

export const sagemaker = new SageMakerClient({});
const cognito = new CognitoIdentityProviderClient({});

export interface WorkforceRequest {
  readonly UserPoolId: string;
  readonly ClientId: string;
  readonly WorkforceName: string;
  readonly WorkteamName: string;
}

export async function findWorkforce(): Promise<Workforce | undefined> {
  const { Workforces = [] } = await sagemaker.send(new ListWorkforcesCommand({}));
  return Workforces[0];
}

/** The name of the workforce for this pool and client (maybe still Initializing), and whether this call created it. */
export async function ensureWorkforce(
  props: WorkforceRequest,
  stackName: string,
  budget: Deadline,
): Promise<{ workforceName: string; created: boolean }> {
  let found = await findWorkforce();
  let created = false;
  if (found !== undefined && !usesThisPool(found, props)) {
    if (!(await isThisStacksOldPool(found, stackName))) throw foreignWorkforceError(found, props);
    await replaceLeftover(found, props, budget);
    found = undefined;
  }
  if (found === undefined) {
    created = await createWorkforce(props);
    found = await findWorkforce();
    if (found === undefined) throw new Error('The private workforce was created but is not listed yet; deploy again');
    if (!usesThisPool(found, props)) throw foreignWorkforceError(found, props);
  } else {
    logger.info('Found the private workforce', { workforceName: found.WorkforceName });
  }
  return { workforceName: found.WorkforceName ?? props.WorkforceName, created };
}

/** true when this call created it; false when another deployment won the race (then it is adopted or refused). */
async function createWorkforce(props: WorkforceRequest): Promise<boolean> {
  try {
    await sagemaker.send(
      new CreateWorkforceCommand({
        WorkforceName: props.WorkforceName,
        CognitoConfig: { UserPool: props.UserPoolId, ClientId: props.ClientId },
      }),
    );
    logger.info('Created the private workforce', { workforceName: props.WorkforceName });
    return true;
  } catch (error) {
    if (error instanceof Error && /more than one workforce/i.test(error.message)) return false;
    throw error;
  }
}

function usesThisPool(workforce: Workforce, props: WorkforceRequest): boolean {
  return workforce.CognitoConfig?.UserPool === props.UserPoolId && workforce.CognitoConfig.ClientId === props.ClientId;
}

/** A pool of this stack that a failed earlier deploy left behind (user pools are retained) carries the stack's tag. */
async function isThisStacksOldPool(workforce: Workforce, stackName: string): Promise<boolean> {
  const poolId = workforce.CognitoConfig?.UserPool;
  if (poolId === undefined) return false;
  try {
    const { UserPool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    return UserPool?.UserPoolTags?.[WORKER_POOL_STACK_TAG] === stackName;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

function foreignWorkforceError(workforce: Workforce, props: WorkforceRequest): Error {
  const owner = workforce.CognitoConfig
    ? `Cognito user pool ${workforce.CognitoConfig.UserPool} with app client ${workforce.CognitoConfig.ClientId}`
    : 'an OIDC identity provider';
  return new Error(
    `The private workforce "${workforce.WorkforceName}" of this account and Region already uses ${owner}, ` +
      `not user pool ${props.UserPoolId} with client ${props.ClientId}; a Region has only one private workforce. ` +
      `Use a workteam of that workforce instead: deploy the pipeline with -c existingWorkteamArn=<workteam ARN> ` +
      `(list them with: aws sagemaker list-workteams) and without the workforce stack.`,
  );
}

/**
 * Deletes a workforce this stack created in a deploy that failed (CloudFormation does not roll back a custom resource
 * whose create failed), with the workteam that deploy made, so that it can be made again over the current pool.
 */
async function replaceLeftover(workforce: Workforce, props: WorkforceRequest, budget: Deadline): Promise<void> {
  const name = workforce.WorkforceName ?? '';
  const teams = await workteamsOf(workforce);
  const foreign = teams.filter((team) => team !== props.WorkteamName);
  if (foreign.length > 0 || name !== props.WorkforceName) {
    throw new Error(
      `The private workforce "${name}" was left by an earlier failed deploy of this stack, bound to its old user pool ` +
        `${workforce.CognitoConfig?.UserPool}, but ${foreign.length > 0 ? `workteams ${foreign.join(', ')} use it` : `workforceName is now "${props.WorkforceName}"`}. ` +
        `Delete those workteams and the workforce (aws sagemaker delete-workforce --workforce-name ${name}), or deploy with -c workforceName=${name}.`,
    );
  }
  logger.info('Replacing the workforce an earlier failed deploy of this stack left on its old pool', {
    workforceName: name,
    oldUserPool: workforce.CognitoConfig?.UserPool,
  });
  if (teams.length > 0) await deleteWorkteam(props.WorkteamName);
  await deleteWorkforce(name, budget);
}

export async function deleteWorkteam(workteamName: string): Promise<void> {
  try {
    await sagemaker.send(new DeleteWorkteamCommand({ WorkteamName: workteamName }));
    logger.info('Deleted the workteam', { workteamName });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    logger.info('Workteam was already gone', { workteamName });
  }
}

async function workteamsOf(workforce: Workforce): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListWorkteams({ client: sagemaker }, {})) {
    for (const team of page.Workteams ?? []) {
      if (team.WorkforceArn === workforce.WorkforceArn && team.WorkteamName) names.push(team.WorkteamName);
    }
  }
  return names;
}

/**
 * Deletes a workforce this resource created, unless workteams other than `ownTeam` still use it; waits until it is
 * gone while the budget lasts (without a budget, it only asks for the deletion).
 */
export async function deleteCreatedWorkforce(workforceName: string, ownTeam: string, budget?: Deadline): Promise<void> {
  const workforce = await findWorkforce();
  if (workforce?.WorkforceName !== workforceName) {
    logger.info('The workforce this resource created is already gone', { workforceName });
    return;
  }
  const others = (await workteamsOf(workforce)).filter((team) => team !== ownTeam);
  if (others.length > 0) {
    logger.info('Keeping the workforce: other workteams still use it', { workforceName, workteams: others });
    return;
  }
  await deleteWorkforce(workforceName, budget);
}

async function deleteWorkforce(workforceName: string, budget: Deadline | undefined): Promise<void> {
  try {
    await sagemaker.send(new DeleteWorkforceCommand({ WorkforceName: workforceName }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (budget === undefined) {
    logger.info('Asked for the workforce to be deleted', { workforceName });
    return;
  }
  await pollUntil(async () => ((await findWorkforce())?.WorkforceName === workforceName ? undefined : true), {
    description: `workforce ${workforceName} to finish deleting`,
    until: budget,
  });
  logger.info('Deleted the workforce', { workforceName });
}

export async function waitUntilActive(workforceName: string, budget: Deadline): Promise<Workforce> {
  const workforce = await pollUntil(
    async () => {
      const { Workforce: found } = await sagemaker.send(new DescribeWorkforceCommand({ WorkforceName: workforceName }));
      const settled = found?.Status === undefined || !['Initializing', 'Updating'].includes(found.Status);
      return found && settled && found.SubDomain ? found : undefined;
    },
    { description: `workforce ${workforceName} to become Active`, until: budget },
  );
  if (workforce.Status !== undefined && workforce.Status !== 'Active') {
    throw new Error(
      `Workforce ${workforceName} is ${workforce.Status}: ${workforce.FailureReason ?? 'no reason given'}`,
    );
  }
  return workforce;
}
