/**
 * Custom resource that owns the private workforce and the workteam of the worker user pool.
 *
 * One private workforce exists per account and Region, and the Cognito app client and the workforce depend on each
 * other (the client must list the workforce portal's URLs, which exist only once the workforce does). So this handler:
 * creates the workforce, or adopts it when it already uses this pool and client; sets the client's portal URLs while
 * writing every other client field back unchanged (it runs again on every client change, see the construct); creates or
 * updates the workteam; and on delete removes the workteam, and the workforce only when this stack created it.
 */
import type { UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { MemberDefinition, Workforce } from '@aws-sdk/client-sagemaker';
import {
  CreateWorkforceCommand,
  CreateWorkteamCommand,
  DeleteWorkforceCommand,
  DeleteWorkteamCommand,
  DescribeWorkforceCommand,
  DescribeWorkteamCommand,
  ListTagsCommand,
  ListWorkforcesCommand,
  SageMakerClient,
  UpdateWorkteamCommand,
  paginateListWorkteams,
} from '@aws-sdk/client-sagemaker';
import * as z from 'zod/mini';
import type { CustomResourceEvent, CustomResourceResponse } from '../shared/custom-resource';
import { eventSummary, isNotFound, parseProperties } from '../shared/custom-resource';
import { logger } from '../shared/logger';
import { pollUntil } from '../shared/poll';

const sagemaker = new SageMakerClient({});
const cognito = new CognitoIdentityProviderClient({});

/** Tag on a workforce this handler created; its value is the creating stack's id. */
export const CREATED_BY_TAG = 'review-pipeline:created-by';

const Properties = z.object({
  UserPoolId: z.string().check(z.minLength(1)),
  ClientId: z.string().check(z.minLength(1)),
  UserGroup: z.string().check(z.minLength(1)),
  WorkforceName: z.string().check(z.minLength(1)),
  WorkteamName: z.string().check(z.minLength(1)),
  WorkteamDescription: z.string().check(z.minLength(1), z.maxLength(200)),
});
type Properties = z.infer<typeof Properties>;

export async function handler(event: CustomResourceEvent): Promise<CustomResourceResponse> {
  logger.info('Private workteam event', eventSummary(event));
  if (event.RequestType === 'Delete') {
    await deleteWorkteamAndOwnWorkforce(event.PhysicalResourceId, event.StackId);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const props = parseProperties(Properties, event.ResourceProperties);
  const workforce = await ensureWorkforce(props, event.StackId);
  const portalUrl = `https://${workforce.SubDomain}`;
  await applyPortalUrls(props, portalUrl);
  const workteamArn = await ensureWorkteam(props, workforce.WorkforceName ?? props.WorkforceName, event.StackId);
  return {
    PhysicalResourceId: props.WorkteamName,
    Data: {
      WorkteamArn: workteamArn,
      WorkteamName: props.WorkteamName,
      WorkforceName: workforce.WorkforceName ?? props.WorkforceName,
      PortalUrl: portalUrl,
    },
  };
}

async function findWorkforce(): Promise<Workforce | undefined> {
  const { Workforces = [] } = await sagemaker.send(new ListWorkforcesCommand({}));
  return Workforces[0];
}

function usesThisPool(workforce: Workforce, props: Properties): boolean {
  return workforce.CognitoConfig?.UserPool === props.UserPoolId && workforce.CognitoConfig.ClientId === props.ClientId;
}

function foreignWorkforceError(workforce: Workforce, props: Properties): Error {
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

async function ensureWorkforce(props: Properties, stackId: string): Promise<Workforce> {
  let workforce = await findWorkforce();
  if (workforce === undefined) {
    try {
      await sagemaker.send(
        new CreateWorkforceCommand({
          WorkforceName: props.WorkforceName,
          CognitoConfig: { UserPool: props.UserPoolId, ClientId: props.ClientId },
          Tags: [{ Key: CREATED_BY_TAG, Value: stackId }],
        }),
      );
      logger.info('Created the private workforce', { workforceName: props.WorkforceName });
    } catch (error) {
      // Another deployment created it between our list and create: adopt or refuse below, like any existing one.
      if (!(error instanceof Error && /more than one workforce/i.test(error.message))) throw error;
    }
    workforce = await findWorkforce();
    if (workforce === undefined)
      throw new Error('The private workforce was created but is not listed yet; deploy again');
  } else {
    logger.info('Found the private workforce', { workforceName: workforce.WorkforceName });
  }
  if (!usesThisPool(workforce, props)) throw foreignWorkforceError(workforce, props);
  return waitUntilActive(workforce.WorkforceName ?? props.WorkforceName);
}

async function waitUntilActive(workforceName: string): Promise<Workforce> {
  const workforce = await pollUntil(
    async () => {
      const { Workforce: found } = await sagemaker.send(new DescribeWorkforceCommand({ WorkforceName: workforceName }));
      const settled = found?.Status === undefined || !['Initializing', 'Updating'].includes(found.Status);
      return found && settled && found.SubDomain ? found : undefined;
    },
    { description: `workforce ${workforceName} to become Active` },
  );
  if (workforce.Status !== undefined && workforce.Status !== 'Active') {
    throw new Error(
      `Workforce ${workforceName} is ${workforce.Status}: ${workforce.FailureReason ?? 'no reason given'}`,
    );
  }
  return workforce;
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

async function deleteWorkteamAndOwnWorkforce(workteamName: string, stackId: string): Promise<void> {
  try {
    await sagemaker.send(new DeleteWorkteamCommand({ WorkteamName: workteamName }));
    logger.info('Deleted the workteam', { workteamName });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    logger.info('Workteam was already gone', { workteamName });
  }
  const workforce = await findWorkforce();
  if (workforce?.WorkforceArn === undefined || workforce.WorkforceName === undefined) return;
  const { Tags = [] } = await sagemaker.send(new ListTagsCommand({ ResourceArn: workforce.WorkforceArn }));
  if (!Tags.some((tag) => tag.Key === CREATED_BY_TAG && tag.Value === stackId)) {
    logger.info('Keeping the workforce: this stack adopted it and did not create it', {
      workforceName: workforce.WorkforceName,
    });
    return;
  }
  const others = [];
  for await (const page of paginateListWorkteams({ client: sagemaker }, {})) {
    others.push(
      ...(page.Workteams ?? []).filter(
        (team) => team.WorkteamName !== workteamName && team.WorkforceArn === workforce.WorkforceArn,
      ),
    );
  }
  if (others.length > 0) {
    logger.info('Keeping the workforce: other workteams still use it', {
      workforceName: workforce.WorkforceName,
      workteams: others.map((team) => team.WorkteamName),
    });
    return;
  }
  await sagemaker.send(new DeleteWorkforceCommand({ WorkforceName: workforce.WorkforceName }));
  logger.info('Deleted the workforce this stack created', { workforceName: workforce.WorkforceName });
}
