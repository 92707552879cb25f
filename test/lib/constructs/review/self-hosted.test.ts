/**
 * `-c reviewBackend=self-hosted`: the pipeline gets the self-hosted backend's resources (table, bus, sweeper schedule,
 * portal with its own Cognito client, A2I-compatible runtime API) and nothing of A2I, in either stack.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { ENV, REVIEW_ENDED_EVENT } from '../../../../common/contract';
import { EXISTING_ENDPOINT, templates } from '../../../helpers/app';

const { workforceTemplate, pipelineTemplate } = templates({
  ...EXISTING_ENDPOINT,
  reviewBackend: 'self-hosted',
  workerEmails: 'ana@example.com',
});

function resourceTypes(template: NonNullable<typeof workforceTemplate>): string[] {
  return Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
}

test('no SageMaker workforce, workteam, task UI or flow definition; the Cognito pool, group and domain stay', () => {
  const types = [...resourceTypes(workforceTemplate!), ...resourceTypes(pipelineTemplate)];
  expect(
    types.filter((type) => /SageMaker::Work|Custom::(PrivateWorkteam|HumanTaskUi|FlowDefinition)/i.test(type)),
  ).toEqual([]);
  expect(types.filter((type) => /^Custom::/.test(type))).toEqual([]);
  workforceTemplate!.resourceCountIs('AWS::Cognito::UserPool', 1);
  workforceTemplate!.resourceCountIs('AWS::Cognito::UserPoolGroup', 1);
  workforceTemplate!.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  pipelineTemplate.resourceCountIs('AWS::SageMaker::Endpoint', 0);
});

test('one on-demand task table, encrypted, with point-in-time recovery, its two indexes, kept on delete', () => {
  pipelineTemplate.hasResource('AWS::DynamoDB::Table', {
    DeletionPolicy: 'Retain',
    Properties: Match.objectLike({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
      KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byCreation' }), Match.objectLike({ IndexName: 'byDue' })],
    }),
  });
});

test('the sweeper runs every minute, one run at a time', () => {
  pipelineTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
    ScheduleExpression: 'rate(1 minute)',
    Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } }),
  });
  pipelineTemplate.hasResourceProperties('AWS::Lambda::Function', {
    Description: Match.stringLikeRegexp('^Expires, stops and completes'),
    ReservedConcurrentExecutions: 1,
  });
});

test("the collector's rule reads the backend's own bus, for this pipeline's flow definition only", () => {
  pipelineTemplate.resourceCountIs('AWS::Events::EventBus', 1);
  pipelineTemplate.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: Match.anyValue(),
    EventPattern: {
      source: [REVIEW_ENDED_EVENT.selfHostedSource],
      'detail-type': [REVIEW_ENDED_EVENT.detailType],
      detail: { flowDefinitionArn: [Match.anyValue()] },
    },
  });
});

test('the handlers build the self-hosted port', () => {
  pipelineTemplate.hasResourceProperties('AWS::Lambda::Function', {
    Description: Match.stringLikeRegexp('[Pp]redict'),
    Environment: {
      Variables: Match.objectLike({ [ENV.reviewBackend]: 'self-hosted', [ENV.taskTableName]: Match.anyValue() }),
    },
  });
});

test('the portal signs in with its own public client: code grant only, callback and sign-out under /prod/portal', () => {
  pipelineTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
    GenerateSecret: false,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: Match.arrayWith(['openid', 'email', 'profile']),
    CallbackURLs: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/prod/portal/callback'])] })],
    LogoutURLs: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/prod/portal/signed-out'])] })],
    EnableTokenRevocation: true,
    RefreshTokenValidity: 720,
  });
});

test('the runtime API is IAM-authorized on every method; the portal checks its own sessions', () => {
  const methods = pipelineTemplate.findResources('AWS::ApiGateway::Method');
  const byApi = new Map<string, string[]>();
  for (const method of Object.values(methods) as {
    Properties: { RestApiId: { Ref: string }; AuthorizationType: string };
  }[])
    byApi.set(method.Properties.RestApiId.Ref, [
      ...(byApi.get(method.Properties.RestApiId.Ref) ?? []),
      method.Properties.AuthorizationType,
    ]);
  const runtime = [...byApi.entries()].find(([id]) => /RuntimeApi/.test(id));
  const portal = [...byApi.entries()].find(([id]) => /Portal/.test(id));
  expect(runtime?.[1]).toEqual(['AWS_IAM', 'AWS_IAM', 'AWS_IAM', 'AWS_IAM', 'AWS_IAM']);
  expect(portal?.[1]).toEqual(['NONE', 'NONE']);
});

test('outputs: the portal URL, the runtime API URL and the bus', () => {
  const outputs = Object.keys(pipelineTemplate.toJSON().Outputs as object);
  expect(outputs).toEqual(
    expect.arrayContaining([
      'WorkerPortalUrl',
      'RuntimeApiUrl',
      'ReviewEventBusName',
      'FlowDefinitionArn',
      'ReviewBackend',
    ]),
  );
  expect(outputs).not.toContain('HumanTaskUiArn');
});
