import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateWorkforceCommand,
  CreateWorkteamCommand,
  DeleteWorkforceCommand,
  DeleteWorkteamCommand,
  DescribeWorkforceCommand,
  DescribeWorkteamCommand,
  ListWorkforcesCommand,
  ListWorkteamsCommand,
  SageMakerClient,
  SageMakerServiceException,
  UpdateWorkteamCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { CREATED_BY_TAG, handler } from '../../../lambda/private-workteam';
import { createEvent, deleteEvent, STACK_ID, updateEvent } from '../../helpers/events';

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
  cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { Id: 'eu-west-1_Other', UserPoolTags: {} } });
});

const CREATED_ID = 'review-team+workforce:review-workforce';

describe('create', () => {
  test('creates the workforce with the pool and client (no tags: SageMaker refuses them on workforces) and records that in its physical id', async () => {
    sagemaker
      .on(ListWorkforcesCommand)
      .resolvesOnce({ Workforces: [] })
      .resolves({ Workforces: [workforce] });

    const result = await handler(createEvent(props));

    expect(sagemaker.commandCalls(CreateWorkforceCommand)[0].args[0].input).toEqual({
      WorkforceName: 'review-workforce',
      CognitoConfig: { UserPool: props.UserPoolId, ClientId: props.ClientId },
    });
    expect(result).toEqual({
      PhysicalResourceId: CREATED_ID,
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
    expect(result.PhysicalResourceId).toBe('review-team');
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

  describe('a workforce an earlier failed deploy of this stack left on its old (retained) pool', () => {
    const leftover = {
      ...workforce,
      WorkforceArn: 'arn:aws:sagemaker:eu-west-1:123456789012:workforce/review-workforce',
      CognitoConfig: { UserPool: 'eu-west-1_OldPool', ClientId: 'old-client' },
    };
    beforeEach(() => {
      cognito.on(DescribeUserPoolCommand, { UserPoolId: 'eu-west-1_OldPool' }).resolves({
        UserPool: { Id: 'eu-west-1_OldPool', UserPoolTags: { 'review-pipeline:workforce-stack': 'ReviewWorkforce' } },
      });
      sagemaker.on(DeleteWorkteamCommand).resolves({ Success: true });
      sagemaker.on(DeleteWorkforceCommand).resolves({});
    });

    test('is replaced: its workteam and the workforce are deleted, then made again over the current pool', async () => {
      sagemaker
        .on(ListWorkforcesCommand)
        .resolvesOnce({ Workforces: [leftover] })
        .resolvesOnce({ Workforces: [] })
        .resolves({ Workforces: [workforce] });
      sagemaker.on(ListWorkteamsCommand).resolves({
        Workteams: [{ WorkteamName: 'review-team', WorkforceArn: leftover.WorkforceArn } as never],
      });

      const result = await handler(createEvent(props));

      expect(sagemaker.commandCalls(DeleteWorkteamCommand)[0].args[0].input).toEqual({ WorkteamName: 'review-team' });
      expect(sagemaker.commandCalls(DeleteWorkforceCommand)[0].args[0].input).toEqual({
        WorkforceName: 'review-workforce',
      });
      expect(sagemaker.commandCalls(CreateWorkforceCommand)[0].args[0].input.CognitoConfig).toEqual({
        UserPool: props.UserPoolId,
        ClientId: props.ClientId,
      });
      expect(result.PhysicalResourceId).toBe(CREATED_ID);
    });

    test('is refused, with what to do, while workteams of someone else use it', async () => {
      sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [leftover] });
      sagemaker.on(ListWorkteamsCommand).resolves({
        Workteams: [{ WorkteamName: 'their-team', WorkforceArn: leftover.WorkforceArn } as never],
      });

      await expect(handler(createEvent(props))).rejects.toThrow(
        'The private workforce "review-workforce" was left by an earlier failed deploy of this stack, bound to its old user pool eu-west-1_OldPool, but workteams their-team use it.',
      );
      expect(sagemaker.commandCalls(DeleteWorkforceCommand)).toHaveLength(0);
    });
  });

  test('a create that fails after making the workforce deletes it again (CloudFormation sends no delete for it)', async () => {
    sagemaker
      .on(ListWorkforcesCommand)
      .resolvesOnce({ Workforces: [] })
      .resolvesOnce({ Workforces: [workforce] })
      .resolvesOnce({ Workforces: [workforce] })
      .resolves({ Workforces: [] });
    sagemaker.on(ListWorkteamsCommand).resolves({ Workteams: [] });
    sagemaker.on(CreateWorkteamCommand).rejects(serviceError('ValidationException', 'group reviewers not found'));
    sagemaker
      .on(DeleteWorkteamCommand)
      .rejects(serviceError('ValidationException', 'Workteam review-team does not exist'));
    sagemaker.on(DeleteWorkforceCommand).resolves({});

    await expect(handler(createEvent(props))).rejects.toThrow('group reviewers not found');

    expect(sagemaker.commandCalls(DeleteWorkforceCommand)[0].args[0].input).toEqual({
      WorkforceName: 'review-workforce',
    });
  });

  test('a create that fails on an adopted workforce leaves the workforce alone', async () => {
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [workforce] });
    sagemaker.on(CreateWorkteamCommand).rejects(serviceError('ValidationException', 'group reviewers not found'));

    await expect(handler(createEvent(props))).rejects.toThrow('group reviewers not found');

    expect(sagemaker.commandCalls(DeleteWorkforceCommand)).toHaveLength(0);
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

  test('an update keeps the record that this resource created the workforce, under the same or a new team name', async () => {
    expect((await handler(updateEvent(CREATED_ID, props, props))).PhysicalResourceId).toBe(CREATED_ID);
    expect(
      (await handler(updateEvent(CREATED_ID, { ...props, WorkteamName: 'night-shift' }, props))).PhysicalResourceId,
    ).toBe('night-shift+workforce:review-workforce');
  });
});

describe('delete', () => {
  beforeEach(() => {
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [workforce] });
    sagemaker.on(DeleteWorkteamCommand).resolves({ Success: true });
    sagemaker.on(DeleteWorkforceCommand).resolves({});
    sagemaker.on(ListWorkteamsCommand).resolves({ Workteams: [] });
  });

  test('removes the workteam and the workforce this resource created, as its physical id says; no tagging call', async () => {
    sagemaker
      .on(ListWorkforcesCommand)
      .resolvesOnce({ Workforces: [workforce] })
      .resolves({ Workforces: [] });

    await handler(deleteEvent(CREATED_ID, props));

    expect(sagemaker.commandCalls(DeleteWorkteamCommand)[0].args[0].input).toEqual({ WorkteamName: 'review-team' });
    expect(sagemaker.commandCalls(DeleteWorkforceCommand)[0].args[0].input).toEqual({
      WorkforceName: 'review-workforce',
    });
    expect(sagemaker.calls().map((call) => call.args[0].constructor.name)).not.toContain('ListTagsCommand');
  });

  test('keeps an adopted workforce', async () => {
    await handler(deleteEvent('review-team', props));

    expect(sagemaker.commandCalls(DeleteWorkteamCommand)).toHaveLength(1);
    expect(sagemaker.commandCalls(DeleteWorkforceCommand)).toHaveLength(0);
  });

  test('keeps a created workforce while other workteams still use it', async () => {
    sagemaker.on(ListWorkteamsCommand).resolves({
      Workteams: [
        { WorkteamName: 'review-team', WorkforceArn: workforce.WorkforceArn } as never,
        { WorkteamName: 'night-shift', WorkforceArn: workforce.WorkforceArn } as never,
      ],
    });

    await handler(deleteEvent(CREATED_ID, props));

    expect(sagemaker.commandCalls(DeleteWorkforceCommand)).toHaveLength(0);
  });

  test('a workteam and workforce that are already gone are success', async () => {
    sagemaker
      .on(DeleteWorkteamCommand)
      .rejects(serviceError('ValidationException', 'Workteam review-team does not exist'));
    sagemaker.on(ListWorkforcesCommand).resolves({ Workforces: [] });

    await expect(handler(deleteEvent(CREATED_ID, props))).resolves.toEqual({ PhysicalResourceId: CREATED_ID });
    expect(sagemaker.commandCalls(DeleteWorkforceCommand)).toHaveLength(0);
  });

  test('other errors fail the delete', async () => {
    sagemaker.on(DeleteWorkteamCommand).rejects(serviceError('ThrottlingException', 'Rate exceeded'));

    await expect(handler(deleteEvent('review-team', props))).rejects.toThrow('Rate exceeded');
  });
});
