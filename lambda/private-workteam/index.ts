/**
 * Custom resource that owns the private workforce and the workteam of the worker user pool.
 *
 * One private workforce exists per account and Region, and the Cognito app client and the workforce depend on each
 * other (the client must list the workforce portal's URLs, which exist only once the workforce does). So this handler:
 * creates the workforce, adopts it when it already uses this pool and client, or replaces the one an earlier failed
 * deploy of this stack left on its old pool; sets the client's portal URLs while writing every other client field back
 * unchanged (it runs again on every client change, see the construct); creates or updates the workteam; and on delete
 * removes the workteam, and the workforce only when this resource created it (recorded in its physical id).
 * A create that fails undoes what it made: CloudFormation sends no delete after a failed create.
 */
import type { UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { MemberDefinition } from '@aws-sdk/client-sagemaker';
import { CreateWorkteamCommand, DescribeWorkteamCommand, UpdateWorkteamCommand } from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type { PrivateWorkteamData, PrivateWorkteamProperties } from '../../common/custom-resources';
import type { CustomResourceEvent, CustomResourceResponse } from '../shared/custom-resource';
import { eventSummary, isNotFound, parseProperties } from '../shared/custom-resource';
import type { Deadline } from '../shared/deadline';
import { logger } from '../shared/logger';
import { waitingBudget } from '../shared/poll';
import type { Ownership } from './ownership';
import { parsePhysicalId, physicalId } from './ownership';
import { deleteCreatedWorkforce, deleteWorkteam, ensureWorkforce, sagemaker, waitUntilActive } from './workforce';

const cognito = new CognitoIdentityProviderClient({});

/** Tag on a workteam this handler created; its value is the creating stack's id. */
export const CREATED_BY_TAG = 'review-pipeline:created-by';

const Properties: z.ZodMiniType<PrivateWorkteamProperties> = z.object({
  UserPoolId: z.string().check(z.minLength(1)),
  ClientId: z.string().check(z.minLength(1)),
  UserGroup: z.string().check(z.minLength(1)),
  WorkforceName: z.string().check(z.minLength(1)),
  WorkteamName: z.string().check(z.minLength(1)),
  WorkteamDescription: z.string().check(z.minLength(1), z.maxLength(200)),
});
type Properties = z.infer<typeof Properties>;

export async function handler(event: CustomResourceEvent, context?: Context): Promise<CustomResourceResponse> {
  logger.info('Private workteam event', eventSummary(event));
  const budget = waitingBudget(context);
  if (event.RequestType === 'Delete') {
    await deleteOwned(parsePhysicalId(event.PhysicalResourceId), budget);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const props = parseProperties(Properties, event.ResourceProperties);
  const previous = event.RequestType === 'Update' ? parsePhysicalId(event.PhysicalResourceId) : undefined;
  const { workforceName, created } = await ensureWorkforce(props, stackNameOf(event.StackId), budget);
  try {
    const workforce = await waitUntilActive(workforceName, budget);
    const portalUrl = `https://${workforce.SubDomain}`;
    await applyPortalUrls(props, portalUrl);
    const workteamArn = await ensureWorkteam(props, workforceName, event.StackId);
    return {
      PhysicalResourceId: nextPhysicalId(props, previous, created ? workforceName : undefined),
      Data: {
        WorkteamArn: workteamArn,
        WorkteamName: props.WorkteamName,
        WorkforceName: workforceName,
        PortalUrl: portalUrl,
      } satisfies PrivateWorkteamData,
    };
  } catch (error) {
    if (event.RequestType === 'Create' && created) {
      await undoCreate(props.WorkteamName, workforceName).catch((undoError: unknown) =>
        logger.error('Could not undo the failed create; delete the workforce by hand', {
          workforceName,
          error: undoError instanceof Error ? undoError.message : String(undoError),
        }),
      );
    }
    throw error;
  }
}

/**
 * The physical id changes only with the workteam's name (then CloudFormation deletes the old team): an update of the
 * same team keeps its id, so the delete that follows a replacement never removes the team this update kept.
 */
function nextPhysicalId(props: Properties, previous: Ownership | undefined, createdNow: string | undefined): string {
  if (previous?.workteamName === props.WorkteamName) return physicalId(previous);
  return physicalId({ workteamName: props.WorkteamName, createdWorkforce: previous?.createdWorkforce ?? createdNow });
}

function stackNameOf(stackId: string): string {
  return /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
}

async function deleteOwned(ownership: Ownership, budget: Deadline): Promise<void> {
  await deleteWorkteam(ownership.workteamName);
  if (ownership.createdWorkforce === undefined) {
    logger.info('Keeping the workforce: this resource adopted it and did not create it');
    return;
  }
  await deleteCreatedWorkforce(ownership.createdWorkforce, ownership.workteamName, budget);
}

/** Runs in the margin the waiting budget left: it asks for the deletions and does not wait for them. */
async function undoCreate(workteamName: string, workforceName: string): Promise<void> {
  logger.info('Undoing the failed create: deleting what it made', { workteamName, workforceName });
  await deleteWorkteam(workteamName);
  await deleteCreatedWorkforce(workforceName, workteamName);
}

/**
 * UpdateUserPoolClient resets every field it is not given, so the request is the described client with only the
 * portal URLs changed. Read-only fields are dropped; the SDK sends only the fields the update accepts.
 */
export function clientUpdateWithPortalUrls(client: UserPoolClientType, portalUrl: string) {
  const { ClientSecret: _secret, CreationDate: _created, LastModifiedDate: _modified, ...writable } = client;
  const callback = `${portalUrl}/oauth2/idpresponse`;
  return {
    ...writable,
    UserPoolId: client.UserPoolId,
    ClientId: client.ClientId,
    CallbackURLs: [callback],
    LogoutURLs: [`${portalUrl}/logout`],
    DefaultRedirectURI: client.DefaultRedirectURI === undefined ? undefined : callback,
  };
}

async function applyPortalUrls(props: Properties, portalUrl: string): Promise<void> {
  const { UserPoolClient: client } = await cognito.send(
    new DescribeUserPoolClientCommand({ UserPoolId: props.UserPoolId, ClientId: props.ClientId }),
  );
  if (client === undefined)
    throw new Error(`App client ${props.ClientId} of user pool ${props.UserPoolId} was not found`);
  const update = clientUpdateWithPortalUrls(client, portalUrl);
  const same = (a: string[] | undefined, b: string[]) => JSON.stringify(a ?? []) === JSON.stringify(b);
  if (same(client.CallbackURLs, update.CallbackURLs) && same(client.LogoutURLs, update.LogoutURLs)) {
    logger.info('App client already lists the portal URLs', { portalUrl });
    return;
  }
  await cognito.send(new UpdateUserPoolClientCommand(update));
  logger.info('Set the app client callback and logout URLs to the workforce portal', { portalUrl });
}

function memberDefinitions(props: Properties): MemberDefinition[] {
  return [
    { CognitoMemberDefinition: { UserPool: props.UserPoolId, UserGroup: props.UserGroup, ClientId: props.ClientId } },
  ];
}

async function ensureWorkteam(props: Properties, workforceName: string, stackId: string): Promise<string> {
  let existing;
  try {
    ({ Workteam: existing } = await sagemaker.send(new DescribeWorkteamCommand({ WorkteamName: props.WorkteamName })));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (existing?.WorkteamArn === undefined) {
    const created = await sagemaker.send(
      new CreateWorkteamCommand({
        WorkteamName: props.WorkteamName,
        WorkforceName: workforceName,
        Description: props.WorkteamDescription,
        MemberDefinitions: memberDefinitions(props),
        Tags: [{ Key: CREATED_BY_TAG, Value: stackId }],
      }),
    );
    logger.info('Created the workteam', { workteamName: props.WorkteamName });
    return created.WorkteamArn ?? '';
  }
  const members = memberDefinitions(props);
  if (
    existing.Description !== props.WorkteamDescription ||
    JSON.stringify(existing.MemberDefinitions) !== JSON.stringify(members)
  ) {
    await sagemaker.send(
      new UpdateWorkteamCommand({
        WorkteamName: props.WorkteamName,
        Description: props.WorkteamDescription,
        MemberDefinitions: members,
      }),
    );
    logger.info('Updated the workteam', { workteamName: props.WorkteamName });
  }
  return existing.WorkteamArn;
}
