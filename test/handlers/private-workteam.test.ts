import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateWorkforceCommand,
  CreateWorkteamCommand,
  DeleteWorkforceCommand,
  DeleteWorkteamCommand,
  DescribeWorkforceCommand,
  DescribeWorkteamCommand,
  ListTagsCommand,
  ListWorkforcesCommand,
  ListWorkteamsCommand,
  SageMakerClient,
  SageMakerServiceException,
  UpdateWorkteamCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { CREATED_BY_TAG, handler } from '../../lambda/private-workteam';
import { createEvent, deleteEvent, STACK_ID, updateEvent } from '../helpers/events';

const sagemaker = mockClient(SageMakerClient);
const cognito = mockClient(CognitoIdentityProviderClient);

const props = {
  UserPoolId: 'eu-west-1_Pool1',
  ClientId: 'client-1',
  UserGroup: 'reviewers',
  WorkforceName: 'review-workforce',
  WorkteamName: 'review-team',
  WorkteamDescription: 'Reviewers',
  ClientSettingsFingerprint: 'aaaa1111',
};
const workforce = {
  WorkforceName: 'review-workforce',
  WorkforceArn: 'arn:aws:sagemaker:eu-west-1:123456789012:workforce/review-workforce',
  CognitoConfig: { UserPool: props.UserPoolId, ClientId: props.ClientId },
  SubDomain: 'abc123.labeling.eu-west-1.sagemaker.aws',
  Status: 'Active' as const,
};
const workteamArn = 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/review-team';
const portal = 'https://abc123.labeling.eu-west-1.sagemaker.aws';
const client = {
  UserPoolId: props.UserPoolId,
  ClientId: props.ClientId,
  ClientName: 'PortalClient',
  ClientSecret: 'secret-value',
  CreationDate: new Date(0),
  LastModifiedDate: new Date(0),
  AllowedOAuthFlows: ['code' as const, 'implicit' as const],
  AllowedOAuthScopes: ['email', 'openid', 'profile'],
  AllowedOAuthFlowsUserPoolClient: true,
  SupportedIdentityProviders: ['COGNITO'],
  CallbackURLs: ['https://localhost/pending-workforce-portal'],
  LogoutURLs: ['https://localhost/pending-workforce-portal'],
  PreventUserExistenceErrors: 'ENABLED' as const,
  RefreshTokenValidity: 30,
  ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH' as const],
};

function serviceError(name: string, message: string) {
  return new SageMakerServiceException({ name, $fault: 'client', $metadata: {}, message });
}

beforeEach(() => {
  sagemaker.reset();
  cognito.reset();
  sagemaker.on(DescribeWorkforceCommand).resolves({ Workforce: workforce });
  sagemaker
    .on(DescribeWorkteamCommand)
    .rejects(serviceError('ValidationException', 'Workteam review-team does not exist'));
  sagemaker.on(CreateWorkteamCommand).resolves({ WorkteamArn: workteamArn });
  cognito.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: client });
  cognito.on(UpdateUserPoolClientCommand).resolves({});
});

describe('create', () => {
  test('creates the workforce with the pool and client, tagged with the stack that created it', async () => {
    sagemaker
      .on(ListWorkforcesCommand)
      .resolvesOnce({ Workforces: [] })
      .resolves({ Workforces: [workforce] });

    const result = await handler(createEvent(props));

    expect(sagemaker.commandCalls(CreateWorkforceCommand)[0].args[0].input).toEqual({
      WorkforceName: 'review-workforce',
      CognitoConfig: { UserPool: props.UserPoolId, ClientId: props.ClientId },
      Tags: [{ Key: CREATED_BY_TAG, Value: STACK_ID }],
    });
    expect(result).toEqual({
      PhysicalResourceId: 'review-team',
      Data: {
        WorkteamArn: workteamArn,
        WorkteamName: 'review-team',
        WorkforceName: 'review-workforce',
        PortalUrl: portal,
      },
    });
  });

  test('creates the workteam over the Cognito group with a description', async () => {
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [workforce] });

    await handler(createEvent(props));

    expect(sagemaker.commandCalls(CreateWorkteamCommand)[0].args[0].input).toEqual({
      WorkteamName: 'review-team',
      WorkforceName: 'review-workforce',
      Description: 'Reviewers',
      MemberDefinitions: [
        { CognitoMemberDefinition: { UserPool: props.UserPoolId, UserGroup: 'reviewers', ClientId: props.ClientId } },
      ],
      Tags: [{ Key: CREATED_BY_TAG, Value: STACK_ID }],
    });
  });

  test('adopts the Region workforce when it already uses this pool and client', async () => {
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [{ ...workforce, WorkforceName: 'default' }] });
    sagemaker
      .on(DescribeWorkforceCommand, { WorkforceName: 'default' })
      .resolves({ Workforce: { ...workforce, WorkforceName: 'default' } });

    const result = await handler(createEvent(props));

    expect(sagemaker.commandCalls(CreateWorkforceCommand)).toHaveLength(0);
    expect(sagemaker.commandCalls(CreateWorkteamCommand)[0].args[0].input.WorkforceName).toBe('default');
    expect(result.Data?.WorkforceName).toBe('default');
  });

  test('adopts a workforce another deployment created between the list and the create', async () => {
    sagemaker
      .on(ListWorkforcesCommand)
      .resolvesOnce({ Workforces: [] })
      .resolves({ Workforces: [workforce] });
    sagemaker
      .on(CreateWorkforceCommand)
      .rejects(serviceError('ValidationException', 'Cannot create more than one workforce for account 123456789012'));

    await expect(handler(createEvent(props))).resolves.toMatchObject({ PhysicalResourceId: 'review-team' });
  });

  test('refuses a workforce that belongs to another user pool, saying to import a workteam instead', async () => {
    sagemaker.on(ListWorkforcesCommand).resolves({
      Workforces: [
        { ...workforce, WorkforceName: 'default', CognitoConfig: { UserPool: 'eu-west-1_Other', ClientId: 'other' } },
      ],
    });

    await expect(handler(createEvent(props))).rejects.toThrow(
      'The private workforce "default" of this account and Region already uses Cognito user pool eu-west-1_Other with app client other, ' +
        'not user pool eu-west-1_Pool1 with client client-1; a Region has only one private workforce. ' +
        'Use a workteam of that workforce instead: deploy the pipeline with -c existingWorkteamArn=<workteam ARN> ' +
        '(list them with: aws sagemaker list-workteams) and without the workforce stack.',
    );
    expect(sagemaker.commandCalls(CreateWorkteamCommand)).toHaveLength(0);
    expect(cognito.commandCalls(UpdateUserPoolClientCommand)).toHaveLength(0);
  });

  test('waits while the new workforce is Initializing', async () => {
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [workforce] });
    sagemaker
      .on(DescribeWorkforceCommand)
      .resolvesOnce({ Workforce: { ...workforce, Status: 'Initializing', SubDomain: undefined } })
      .resolvesOnce({ Workforce: { ...workforce, Status: 'Initializing' } })
      .resolves({ Workforce: workforce });

    await handler(createEvent(props));

    expect(sagemaker.commandCalls(DescribeWorkforceCommand)).toHaveLength(3);
    expect(sagemaker.commandCalls(CreateWorkteamCommand)).toHaveLength(1);
  });

  test('fails with the reason when the workforce ends Failed', async () => {
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [workforce] });
    sagemaker
      .on(DescribeWorkforceCommand)
      .resolves({ Workforce: { ...workforce, Status: 'Failed', FailureReason: 'bad pool' } });

    await expect(handler(createEvent(props))).rejects.toThrow('Workforce review-workforce is Failed: bad pool');
  });
});

describe('portal URLs on the app client', () => {
  beforeEach(() => {
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [workforce] });
  });

  test('an update after a client change applies the portal URLs again and writes every other field back', async () => {
    await handler(updateEvent('review-team', { ...props, ClientSettingsFingerprint: 'bbbb2222' }, props));

    const { ClientSecret: _secret, CreationDate: _created, LastModifiedDate: _modified, ...writable } = client;
    expect(cognito.commandCalls(UpdateUserPoolClientCommand)[0].args[0].input).toEqual({
      ...writable,
      CallbackURLs: [`${portal}/oauth2/idpresponse`],
      LogoutURLs: [`${portal}/logout`],
      DefaultRedirectURI: undefined,
    });
  });

  test('the client secret and read-only dates are never sent', async () => {
    await handler(createEvent(props));

    const input = cognito.commandCalls(UpdateUserPoolClientCommand)[0].args[0].input;
    expect(Object.keys(input)).not.toEqual(expect.arrayContaining(['ClientSecret']));
    expect(input).not.toHaveProperty('CreationDate');
    expect(input).not.toHaveProperty('LastModifiedDate');
  });

  test('a client that already lists the portal URLs is left alone', async () => {
    cognito.on(DescribeUserPoolClientCommand).resolves({
      UserPoolClient: { ...client, CallbackURLs: [`${portal}/oauth2/idpresponse`], LogoutURLs: [`${portal}/logout`] },
    });

    await handler(updateEvent('review-team', props, props));

    expect(cognito.commandCalls(UpdateUserPoolClientCommand)).toHaveLength(0);
  });

  test('a default redirect URI moves to the portal callback, which the new list contains', async () => {
    cognito.on(DescribeUserPoolClientCommand).resolves({
      UserPoolClient: { ...client, DefaultRedirectURI: 'https://localhost/pending-workforce-portal' },
    });

    await handler(createEvent(props));

    expect(cognito.commandCalls(UpdateUserPoolClientCommand)[0].args[0].input.DefaultRedirectURI).toBe(
      `${portal}/oauth2/idpresponse`,
    );
  });
});

describe('update', () => {
  beforeEach(() => {
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [workforce] });
  });

  test('a changed description updates the existing workteam in place', async () => {
    sagemaker.on(DescribeWorkteamCommand).resolves({
      Workteam: {
        WorkteamName: 'review-team',
        WorkteamArn: workteamArn,
        Description: 'Reviewers',
        MemberDefinitions: [
          { CognitoMemberDefinition: { UserPool: props.UserPoolId, UserGroup: 'reviewers', ClientId: props.ClientId } },
        ],
        WorkforceArn: workforce.WorkforceArn,
        CreateDate: new Date(0),
        LastUpdatedDate: new Date(0),
        SubDomain: 'x',
      },
    });

    const result = await handler(updateEvent('review-team', { ...props, WorkteamDescription: 'New text' }, props));

    expect(sagemaker.commandCalls(UpdateWorkteamCommand)[0].args[0].input).toMatchObject({ Description: 'New text' });
    expect(sagemaker.commandCalls(CreateWorkteamCommand)).toHaveLength(0);
    expect(result.PhysicalResourceId).toBe('review-team');
  });

  test('a new workteam name creates the new team and returns its name, so CloudFormation deletes the old one', async () => {
    const result = await handler(updateEvent('review-team', { ...props, WorkteamName: 'night-shift' }, props));

    expect(sagemaker.commandCalls(CreateWorkteamCommand)[0].args[0].input.WorkteamName).toBe('night-shift');
    expect(sagemaker.commandCalls(DeleteWorkteamCommand)).toHaveLength(0);
    expect(result.PhysicalResourceId).toBe('night-shift');
  });
});

describe('delete', () => {
  beforeEach(() => {
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [workforce] });
    sagemaker.on(DeleteWorkteamCommand).resolves({ Success: true });
    sagemaker.on(ListWorkteamsCommand).resolves({ Workteams: [] });
  });

  test('removes the workteam and the workforce this stack created', async () => {
    sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: CREATED_BY_TAG, Value: STACK_ID }] });

    await handler(deleteEvent('review-team', props));

    expect(sagemaker.commandCalls(DeleteWorkteamCommand)[0].args[0].input).toEqual({ WorkteamName: 'review-team' });
    expect(sagemaker.commandCalls(DeleteWorkforceCommand)[0].args[0].input).toEqual({
      WorkforceName: 'review-workforce',
    });
  });

  test('keeps an adopted workforce', async () => {
    sagemaker.on(ListTagsCommand).resolves({ Tags: [] });

    await handler(deleteEvent('review-team', props));

    expect(sagemaker.commandCalls(DeleteWorkteamCommand)).toHaveLength(1);
    expect(sagemaker.commandCalls(DeleteWorkforceCommand)).toHaveLength(0);
  });

  test('keeps a created workforce while other workteams still use it', async () => {
    sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: CREATED_BY_TAG, Value: STACK_ID }] });
    sagemaker.on(ListWorkteamsCommand).resolves({
      Workteams: [
        { WorkteamName: 'review-team', WorkforceArn: workforce.WorkforceArn } as never,
        { WorkteamName: 'night-shift', WorkforceArn: workforce.WorkforceArn } as never,
      ],
    });

    await handler(deleteEvent('review-team', props));

    expect(sagemaker.commandCalls(DeleteWorkforceCommand)).toHaveLength(0);
  });

  test('a workteam that is already gone is success', async () => {
    sagemaker
      .on(DeleteWorkteamCommand)
      .rejects(serviceError('ValidationException', 'Workteam review-team does not exist'));
    sagemaker.on(ListTagsCommand).resolves({ Tags: [] });

    await expect(handler(deleteEvent('review-team', props))).resolves.toEqual({ PhysicalResourceId: 'review-team' });
  });

  test('other errors fail the delete', async () => {
    sagemaker.on(DeleteWorkteamCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded'));

    await expect(handler(deleteEvent('review-team', props))).rejects.toThrow('Rate exceeded');
  });
});
