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
  alarmEmail: 'ops@example.com',
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

describe('alarms', () => {
  interface AlarmProperties {
    AlarmDescription: string;
    MetricName?: string;
    Namespace?: string;
    Dimensions?: { Name: string; Value: unknown }[];
    Period?: number;
    Statistic?: string;
    Metrics?: {
      Id: string;
      Expression?: string;
      MetricStat?: {
        Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
        Period: number;
        Stat: string;
      };
    }[];
    Threshold: number;
    EvaluationPeriods: number;
    DatapointsToAlarm?: number;
    ComparisonOperator: string;
    TreatMissingData: string;
    AlarmActions?: unknown[];
    OKActions?: unknown[];
  }
  const alarms = pipelineTemplate.findResources('AWS::CloudWatch::Alarm') as Record<
    string,
    { Properties: AlarmProperties }
  >;
  const alarm = (name: string): AlarmProperties => {
    const found = Object.entries(alarms).filter(([id]) => id.startsWith(`ReviewsMonitoring${name}Alarm`));
    expect(found).toHaveLength(1);
    return found[0][1].Properties;
  };
  /** The namespace, name and statistic of each metric an alarm reads, and its period. */
  const metricsOf = (properties: AlarmProperties) =>
    properties.Metrics
      ? properties.Metrics.filter((query) => query.MetricStat).map(({ MetricStat }) => [
          MetricStat!.Metric.Namespace,
          MetricStat!.Metric.MetricName,
          MetricStat!.Stat,
          MetricStat!.Period,
        ])
      : [[properties.Namespace, properties.MetricName, properties.Statistic, properties.Period]];
  const dimensionOf = (properties: AlarmProperties, name: string) =>
    (
      properties.Metrics?.find((query) => query.MetricStat)?.MetricStat?.Metric.Dimensions ?? properties.Dimensions
    )?.find((dimension) => dimension.Name === name)?.Value;
  const ref = (properties: AlarmProperties, name: string) => dimensionOf(properties, name) as { Ref: string };
  const anyInFiveMinutes = {
    Threshold: 1,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  };
  const functionDescribed = (description: RegExp) =>
    Object.keys(
      pipelineTemplate.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp(description.source) },
      }),
    )[0];

  test('every alarm of the backend is on the dashboard and notifies the alarm topic, on ALARM and on OK', () => {
    const names = Object.keys(alarms).filter((id) => id.startsWith('ReviewsMonitoring'));
    expect(names).toHaveLength(8);
    const dashboard = JSON.stringify(pipelineTemplate.findResources('AWS::CloudWatch::Dashboard'));
    for (const id of names) {
      expect(dashboard).toContain(`"${id}"`);
      expect(alarms[id].Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmNotificationsTopic/) }]);
      expect(alarms[id].Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^AlarmNotificationsTopic/) }]);
      expect(alarms[id].Properties.AlarmDescription.length).toBeGreaterThan(80);
    }
  });

  test('the sweeper: any error in five minutes', () => {
    const errors = alarm('SweeperErrors');
    expect(errors).toMatchObject(anyInFiveMinutes);
    expect(metricsOf(errors)).toEqual([['AWS/Lambda', 'Errors', 'Sum', 300]]);
    expect(ref(errors, 'FunctionName').Ref).toBe(functionDescribed(/^Expires, stops and completes/));
  });

  test('the sweeper not running: no invocation in three consecutive minutes, and no data counts as none', () => {
    const silent = alarm('SweeperNotRunning');
    expect(silent).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
    expect(metricsOf(silent)).toEqual([['AWS/Lambda', 'Invocations', 'Sum', 300]]);
    expect(ref(silent, 'FunctionName').Ref).toBe(functionDescribed(/^Expires, stops and completes/));
  });

  test("the scheduler's failed and dropped invocations, of a schedule group that holds only the sweeper's schedule", () => {
    const schedule = alarm('SweeperScheduleFailures');
    expect(schedule).toMatchObject(anyInFiveMinutes);
    expect(metricsOf(schedule)).toEqual([
      ['AWS/Scheduler', 'TargetErrorCount', 'Sum', 300],
      ['AWS/Scheduler', 'InvocationDroppedCount', 'Sum', 300],
    ]);
    expect(schedule.Metrics?.find((query) => query.Expression)?.Expression).toBe(
      'FILL(targetErrors, 0) + FILL(dropped, 0)',
    );
    const groups = pipelineTemplate.findResources('AWS::Scheduler::ScheduleGroup') as Record<
      string,
      { Properties: { Name: string }; DeletionPolicy?: string }
    >;
    const [group] = Object.values(groups);
    expect(Object.keys(groups)).toHaveLength(1);
    expect(group.DeletionPolicy).toBe('Delete');
    expect(dimensionOf(schedule, 'ScheduleGroup')).toBe(group.Properties.Name);
    const schedules = Object.values(pipelineTemplate.findResources('AWS::Scheduler::Schedule')) as {
      Properties: { GroupName: string };
    }[];
    expect(schedules.map((s) => s.Properties.GroupName)).toEqual([group.Properties.Name]);
  });

  test.each([
    ['Portal', 'ReviewPipeline-portal', /^Worker portal/],
    ['RuntimeApi', 'ReviewPipeline-a2i-runtime', /^A2I runtime API/],
  ])('%s: any 5xx answer, and any error or throttle of its function, in five minutes', (name, apiName, fn) => {
    const serverErrors = alarm(`${name}ServerErrors`);
    expect(serverErrors).toMatchObject(anyInFiveMinutes);
    expect(metricsOf(serverErrors)).toEqual([['AWS/ApiGateway', '5XXError', 'Sum', 300]]);
    expect(dimensionOf(serverErrors, 'ApiName')).toBe(apiName);

    const failures = alarm(`${name}FunctionFailures`);
    expect(failures).toMatchObject(anyInFiveMinutes);
    expect(metricsOf(failures)).toEqual([
      ['AWS/Lambda', 'Errors', 'Sum', 300],
      ['AWS/Lambda', 'Throttles', 'Sum', 300],
    ]);
    expect(ref(failures, 'FunctionName').Ref).toBe(functionDescribed(fn));
  });

  test('the task table: any throttled request, of every operation the handlers may call, gaps read as zero', () => {
    const throttles = alarm('TaskTableThrottles');
    expect(throttles).toMatchObject(anyInFiveMinutes);
    const operations = ['GetItem', 'PutItem', 'DeleteItem', 'Query'];
    expect(metricsOf(throttles)).toEqual(operations.map(() => ['AWS/DynamoDB', 'ThrottledRequests', 'Sum', 300]));
    expect(
      throttles.Metrics?.filter((query) => query.MetricStat).map(
        (query) => query.MetricStat!.Metric.Dimensions.find((d) => d.Name === 'Operation')?.Value,
      ),
    ).toEqual(operations);
    expect(throttles.Metrics?.find((query) => query.Expression)?.Expression).toBe(
      operations.map((operation) => `FILL(throttled${operation}, 0)`).join(' + '),
    );
    // The operations the alarm watches are the ones the handlers are granted.
    const granted = (
      Object.values(pipelineTemplate.findResources('AWS::IAM::Policy')) as {
        Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } };
      }[]
    )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => action.startsWith('dynamodb:'));
    expect([...new Set(granted)].sort()).toEqual(operations.map((operation) => `dynamodb:${operation}`).sort());
  });

  test('the dashboard has a row of the backend: sweeper, 5xx, functions, task table', () => {
    const body = JSON.stringify(pipelineTemplate.findResources('AWS::CloudWatch::Dashboard'));
    for (const title of [
      'Sweeper',
      'Portal and runtime API: 5xx',
      'Portal and runtime API: function errors and throttles',
      'Task table',
    ])
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
  });
});

describe('objects templates show (taskObjectLocations)', () => {
  const LOCATIONS = ['s3://clarify-explanations/shap/', 's3://review-images'];
  const shown = templates({ ...EXISTING_ENDPOINT, reviewBackend: 'self-hosted', taskObjectLocations: LOCATIONS });
  const readStatements = (template: typeof pipelineTemplate) =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Sid?: string }[])
        .filter((statement) => statement.Sid === 'ReadTaskObjects')
        .map((statement) => ({ roles: policy.Properties.Roles as unknown[], statement })),
    );

  test("only the portal's role may get them, exactly under each location", () => {
    const statements = readStatements(shown.pipelineTemplate);
    expect(statements).toHaveLength(1);
    expect(JSON.stringify(statements[0].roles)).toMatch(/PortalHandler/);
    expect(statements[0].statement).toEqual({
      Sid: 'ReadTaskObjects',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::clarify-explanations/shap/*']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::review-images/*']] },
      ],
    });
  });

  test('the portal is told the locations, and refuses others (lambda/portal/index.ts)', () => {
    shown.pipelineTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Worker portal of the self-hosted review backend',
      Environment: {
        Variables: Match.objectLike({
          [ENV.taskObjectLocations]: JSON.stringify(['s3://clarify-explanations/shap/', 's3://review-images/']),
        }),
      },
    });
  });

  test('without the key, no role may read outside the pipeline, and the portal shows nothing from elsewhere', () => {
    expect(readStatements(pipelineTemplate)).toEqual([]);
    pipelineTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Worker portal of the self-hosted review backend',
      Environment: { Variables: Match.objectLike({ [ENV.taskObjectLocations]: '[]' }) },
    });
  });
});
