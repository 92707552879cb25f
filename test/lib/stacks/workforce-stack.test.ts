import { Stack } from 'aws-cdk-lib';
import { CfnUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EXISTING_ENDPOINT, normalizedTemplate, synthApp, templates } from '../../helpers/app';

const { workforceTemplate } = templates({ ...EXISTING_ENDPOINT, workerEmails: 'ana@example.com,bo@example.com' });
const template = workforceTemplate!;

describe('worker user pool', () => {
  test('only administrators create users, and email is the username', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
    });
  });

  test('has a strong password policy', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });
  });

  test('is protected from deletion and retained with the stack', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('has a group for the team', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'reviewers' });
  });

  test('has a domain unique per account and Region by default', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['-', ['review-workers', { Ref: 'AWS::AccountId' }, { Ref: 'AWS::Region' }]] },
    });
  });

  test('takes the domain prefix from context', () => {
    const custom = templates({ ...EXISTING_ENDPOINT, cognitoDomainPrefix: 'acme-reviewers' }).workforceTemplate!;
    custom.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-reviewers' });
  });
});

describe('app client for the workforce', () => {
  test('has a secret, code and implicit flows, email openid profile scopes and the Cognito IdP', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AllowedOAuthFlows: ['implicit', 'code'],
      AllowedOAuthScopes: ['email', 'openid', 'profile'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO'],
    });
  });
});

describe('private workforce and workteam custom resource', () => {
  test('gets the pool, client, group and names', () => {
    template.hasResourceProperties('Custom::PrivateWorkteam', {
      UserPoolId: { Ref: Match.stringLikeRegexp('WorkerPool') },
      ClientId: { Ref: Match.stringLikeRegexp('PortalClient') },
      UserGroup: { Ref: Match.stringLikeRegexp('Workers') },
      WorkforceName: 'review-workforce',
      WorkteamName: 'review-team',
      WorkteamDescription: 'Reviewers of low-confidence model predictions',
    });
  });

  test('carries a fingerprint of the client declaration, so any client change runs it again', () => {
    const fingerprint = (changeClient?: (client: CfnUserPoolClient) => void) => {
      const { workforce } = synthApp(EXISTING_ENDPOINT);
      const client = workforce!.node.findAll().find((c): c is CfnUserPoolClient => c instanceof CfnUserPoolClient)!;
      changeClient?.(client);
      const [resource] = Object.values(Template.fromStack(workforce!).findResources('Custom::PrivateWorkteam'));
      return (resource as { Properties: { ClientSettingsFingerprint: string } }).Properties.ClientSettingsFingerprint;
    };
    const declared = fingerprint();

    expect(declared).toMatch(/^[0-9a-f]{8}$/);
    expect(fingerprint()).toBe(declared);
    expect(fingerprint((client) => (client.callbackUrLs = ['https://example.com/other']))).not.toBe(declared);
    expect(fingerprint((client) => (client.refreshTokenValidity = 7))).not.toBe(declared);
  });

  test('runs after the client exists', () => {
    const [resource] = Object.values(template.findResources('Custom::PrivateWorkteam'));
    expect((resource as { DependsOn: string[] }).DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/PortalClient/)]),
    );
  });

  test('the handler may manage only this workteam, create only our workforce, and update only this pool', () => {
    const statements = handlerStatements();
    expect(statements.ManageTheWorkteam).toMatchObject({
      Resource: {
        'Fn::Join': ['', expect.arrayContaining([expect.stringMatching(/:workteam\/private-crowd\/review-team$/)])],
      },
    });
    expect(statements.CreateOurWorkforce).toMatchObject({
      Action: 'sagemaker:CreateWorkforce',
      Resource: { 'Fn::Join': ['', expect.arrayContaining([expect.stringMatching(/:workforce\/review-workforce$/)])] },
    });
    // A renamed team and a workforce created under an earlier workforceName are deleted under their old names.
    expect(statements.DescribeOrDeleteTheRegionsWorkforce).toMatchObject({
      Action: ['sagemaker:DeleteWorkforce', 'sagemaker:DescribeWorkforce'],
      Resource: { 'Fn::Join': ['', expect.arrayContaining([expect.stringMatching(/:workforce\/\*$/)])] },
    });
    expect(statements.DeleteOurWorkteams).toMatchObject({
      Action: 'sagemaker:DeleteWorkteam',
      Resource: { 'Fn::Join': ['', expect.arrayContaining([expect.stringMatching(/:workteam\/private-crowd\/\*$/)])] },
    });
    expect(statements.SetThePortalUrlsOnTheClient).toMatchObject({
      Action: ['cognito-idp:DescribeUserPoolClient', 'cognito-idp:UpdateUserPoolClient'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/WorkerPool/), 'Arn'] },
    });
    // DescribeUserPoolDomain has no resource type: scoped to the pool it would never apply.
    expect(statements.ReadTheWorkforcePoolDomain).toMatchObject({
      Action: 'cognito-idp:DescribeUserPoolDomain',
      Resource: '*',
    });
  });

  test('the handler is granted nothing it never calls: no tagging of workforces, no pool updates or group listing', () => {
    const actions = Object.values(handlerStatements()).flatMap((statement) => [statement.Action].flat());
    for (const unused of ['sagemaker:ListTags', 'cognito-idp:UpdateUserPool', 'cognito-idp:ListGroups']) {
      expect(actions).not.toContain(unused);
    }
  });

  test('the workforce resource waits for the pool domain and the client', () => {
    const [resource] = Object.values(template.findResources('Custom::PrivateWorkteam')) as { DependsOn: string[] }[];
    expect(resource.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/WorkerPoolDomain/), expect.stringMatching(/PortalClient/)]),
    );
  });

  test("the pool carries its stack's name, so a workforce left on it by a failed deploy is recognised", () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTags: { 'review-pipeline:workforce-stack': 'ReviewWorkforce' },
    });
  });

  test('the portal client keeps a sign-in for a working day, not 30 days', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 720,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  test('the handler runs on Node.js 24 on arm64 with its own log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      LoggingConfig: Match.objectLike({ LogGroup: { Ref: Match.stringLikeRegexp('OnEventLogs') } }),
    });
  });

  test('no role uses an AWS managed policy', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as { Properties: { ManagedPolicyArns?: unknown } }).Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

interface Statement {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The policy statements of the stack that have a Sid, by Sid. */
function handlerStatements(): Record<string, Statement> {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { PolicyDocument: { Statement: Statement[] } };
  }[];
  const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  const entries: [string, Statement][] = statements.flatMap((statement) =>
    statement.Sid === undefined ? [] : [[statement.Sid, statement] as [string, Statement]],
  );
  return Object.fromEntries(entries);
}

describe('initial workers', () => {
  test('each email is invited by Cognito email, with no password anywhere', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolUser', 2);
    template.hasResourceProperties('AWS::Cognito::UserPoolUser', {
      Username: 'ana@example.com',
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'email', Value: 'ana@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"(Temporary)?Password":/);
  });

  test('each is added to the group', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolUserToGroupAttachment', 2);
    template.hasResourceProperties('AWS::Cognito::UserPoolUserToGroupAttachment', {
      GroupName: { Ref: Match.stringLikeRegexp('Workers') },
      Username: { Ref: Match.anyValue() },
    });
  });
});

test('outputs the workteam ARN and the labeling portal URL', () => {
  template.hasOutput('WorkteamArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('Workteam'), 'WorkteamArn'] } });
  template.hasOutput('LabelingPortalUrl', {
    Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('Workteam'), 'PortalUrl'] },
  });
});

test('no workforce stack when an existing workteam is imported', () => {
  const built = templates({
    ...EXISTING_ENDPOINT,
    existingWorkteamArn: 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/team',
  });
  expect(built.workforce).toBeUndefined();
  expect(built.app.node.children.filter(Stack.isStack).map((stack) => stack.stackName)).toEqual(['ReviewPipeline']);
});

test('snapshot', () => {
  expect(normalizedTemplate(template)).toMatchSnapshot();
});

test('the pool, its domain, client and group, and the workteam keep the logical ids they were first deployed with', () => {
  // The pool is retained: a new logical id would leave the workers in the old pool and create an empty one.
  const kept = {
    WorkerPool7BD0D164: 'AWS::Cognito::UserPool',
    WorkerPoolDomainDA883B2D: 'AWS::Cognito::UserPoolDomain',
    WorkerPoolPortalClientDFF6C19F: 'AWS::Cognito::UserPoolClient',
    WorkerPoolWorkers7B1FD8FD: 'AWS::Cognito::UserPoolGroup',
    WorkteamBAC3ABC3: 'Custom::PrivateWorkteam',
  };
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  for (const [id, type] of Object.entries(kept)) expect([id, resources[id]?.Type]).toEqual([id, type]);
});
