import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HumanTaskUi } from '../../../lib/constructs/review/a2i/human-task-ui';
import { ModelEndpoint } from '../../../lib/constructs/model-endpoint';
import { EXISTING_ENDPOINT, MODEL_ARCHIVE, normalizedTemplate, templates } from '../../helpers/app';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const template = templates(EXISTING_ENDPOINT).pipelineTemplate;
const withKey = templates({ ...EXISTING_ENDPOINT, kmsKeyArn: KEY_ARN }).pipelineTemplate;
const outputBucket = () =>
  Object.keys(
    template.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: Match.anyValue() } }),
  )[0];

describe('output bucket', () => {
  test('blocks all public access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  test('is encrypted with S3-managed keys by default, and with the given KMS key when there is one', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    withKey.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
  });

  test('refuses requests without SSL', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: outputBucket() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('writes server access logs to a separate bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') },
        LogFilePrefix: 'review-output/',
      },
    });
  });

  test("keeps A2I's output.json files for outputRetentionDays when set; noncurrent versions for 90 days", () => {
    const kept = templates({ ...EXISTING_ENDPOINT, outputRetentionDays: 30 }).pipelineTemplate;
    kept.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          { NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' },
          { Prefix: 'a2i-results/', ExpirationInDays: 30, Status: 'Enabled' },
        ],
      },
    });
  });

  test('is retained when the stack is deleted', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }),
      DeletionPolicy: 'Retain',
    });
  });
});

describe('flow definition role', () => {
  const flowRole = (t: Template) =>
    Object.keys(
      t.findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('^A2I flow definition') },
      }),
    );

  test('is trusted by SageMaker and has no managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('^A2I flow definition'),
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('may only put objects under the output prefix', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: flowRole(template)[0] }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'WriteReviewResults',
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [outputBucket(), 'Arn'] }, '/a2i-results/*']] },
          },
        ],
      },
    });
  });

  test('may get the objects templates show, under exactly the taskObjectLocations', () => {
    const shown = templates({
      ...EXISTING_ENDPOINT,
      taskObjectLocations: 's3://clarify-explanations/shap/',
    }).pipelineTemplate;
    shown.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: flowRole(shown)[0] }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ReadTaskObjects',
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::clarify-explanations/shap/*']] },
          },
        ]),
      },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('ReadTaskObjects');
  });

  test('may use the KMS key when one is given', () => {
    withKey.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: flowRole(withKey)[0] }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: KEY_ARN }),
        ]),
      },
    });
  });
});

describe('human task UI', () => {
  test('is made from the template file', () => {
    template.hasResourceProperties('Custom::HumanTaskUi', {
      NamePrefix: 'sentiment-review',
      Content: fs.readFileSync(path.join(__dirname, '..', '..', '..', 'templates', 'sentiment.liquid.html'), 'utf8'),
    });
  });

  test('the template is a sentiment classifier over -1, 0, 1 with the model label preselected', () => {
    const content = fs.readFileSync(
      path.join(__dirname, '..', '..', '..', 'templates', 'sentiment.liquid.html'),
      'utf8',
    );
    expect(content).toMatch(/<crowd-classifier[^>]*name="sentiment"/);
    expect(content).toContain(`categories="['-1', '0', '1']"`);
    expect(content).toContain('initial-value="{{ task.input.initialValue }}"');
    expect(content).toContain('{{ task.input.taskObject }}');
    expect(content).toContain('<full-instructions');
    expect(content).toContain('<short-instructions>');
  });

  test('a template with to_json and no escape after it gets a synthesis warning', () => {
    const stack = new Stack(new App(), 'Ui');
    new HumanTaskUi(stack, 'TaskUi', { namePrefix: 'x', templateContent: '<i d="{{ task.input.l | to_json }}"></i>' });
    Annotations.fromStack(stack).hasWarning(
      '/Ui/TaskUi',
      Match.stringLikeRegexp('^Task template line 1: .* uses to_json without \\| escape'),
    );
  });
});

describe('flow definition', () => {
  test('gets the workteam, task UI, task settings and output path', () => {
    template.hasResourceProperties('Custom::FlowDefinition', {
      NamePrefix: 'sentiment-review',
      // A weak reference: the long-lived workforce stack is never locked by an export.
      WorkteamArn: {
        'Fn::GetStackOutput': Match.objectLike({
          StackName: 'ReviewWorkforce',
          OutputName: Match.stringLikeRegexp('WorkteamArn'),
        }),
      },
      HumanTaskUiArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TaskUi'), 'HumanTaskUiArn'] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowDefinitionRole'), 'Arn'] },
      TaskTitle: 'Classify the sentiment of a product review',
      TaskCount: 1,
      TaskAvailabilityLifetimeInSeconds: 86400,
      TaskTimeLimitInSeconds: 3600,
      S3OutputPath: { 'Fn::Join': ['', ['s3://', { Ref: outputBucket() }, '/a2i-results']] },
      KmsKeyId: Match.absent(),
    });
  });

  test('takes task settings and the KMS key from context', () => {
    const custom = templates({ ...EXISTING_ENDPOINT, taskCount: 3, taskTimeLimitInSeconds: 600, kmsKeyArn: KEY_ARN });
    custom.pipelineTemplate.hasResourceProperties('Custom::FlowDefinition', {
      TaskCount: 3,
      TaskTimeLimitInSeconds: 600,
      KmsKeyId: KEY_ARN,
    });
  });

  test('uses an existing workteam given by ARN', () => {
    const arn = 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/team';
    templates({ ...EXISTING_ENDPOINT, existingWorkteamArn: arn }).pipelineTemplate.hasResourceProperties(
      'Custom::FlowDefinition',
      { WorkteamArn: arn },
    );
  });

  test('its handler may pass only the flow definition role', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'iam:PassRole',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowDefinitionRole'), 'Arn'] },
          }),
        ]),
      },
    });
  });
});

describe('model endpoint', () => {
  test('an existing endpoint creates no SageMaker resources', () => {
    template.resourceCountIs('AWS::SageMaker::Model', 0);
    template.resourceCountIs('AWS::SageMaker::Endpoint', 0);
    template.hasOutput('EndpointName', { Value: 'sentiment-endpoint' });
  });

  test('grantInvoke allows InvokeEndpoint on that endpoint only', () => {
    const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
    const endpoint = new ModelEndpoint(stack, 'Model', { model: { kind: 'existing', endpointName: 'My-Endpoint' } });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    endpoint.grantInvoke(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sagemaker:InvokeEndpoint',
            Resource: {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:eu-west-1:123456789012:endpoint/my-endpoint'],
              ],
            },
          },
        ],
      },
    });
  });

  describe('built from a model archive', () => {
    const built = templates(MODEL_ARCHIVE).pipelineTemplate;

    test('runs the archive in the Region PyTorch inference container, with network access by default', () => {
      built.hasResourceProperties('AWS::SageMaker::Model', {
        EnableNetworkIsolation: Match.absent(),
        PrimaryContainer: {
          ModelDataUrl: 's3://model-bucket/sentiment/model.tar.gz',
          Image: {
            'Fn::Join': [
              '',
              Match.arrayWith([
                { 'Fn::FindInMap': ['DlcRepositoryAccountMap', { Ref: 'AWS::Region' }, 'value'] },
                Match.stringLikeRegexp('/pytorch-inference:2\\.6\\.0-cpu-py312-ubuntu22\\.04-sagemaker$'),
              ]),
            ],
          },
          Environment: Match.objectLike({ SAGEMAKER_PROGRAM: 'inference.py' }),
        },
      });
    });

    test('serves from the default instances', () => {
      built.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
        ProductionVariants: [Match.objectLike({ InstanceType: 'ml.m5.large', InitialInstanceCount: 1 })],
      });
      built.hasResourceProperties('AWS::SageMaker::Endpoint', {
        EndpointConfigName: { 'Fn::GetAtt': [Match.stringLikeRegexp('ModelConfig'), 'EndpointConfigName'] },
      });
    });

    test('its role may read only the model archive', () => {
      built.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'ReadModelArchive',
              Action: 's3:GetObject',
              Resource: {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::model-bucket/sentiment/model.tar.gz']],
              },
            }),
          ]),
        },
      });
    });

    test('network isolation when asked for', () => {
      const isolated = templates({ ...MODEL_ARCHIVE, networkIsolation: 'true' }).pipelineTemplate;
      isolated.hasResourceProperties('AWS::SageMaker::Model', { EnableNetworkIsolation: true });
    });

    test('a Graviton instance type gets the arm64 PyTorch image', () => {
      const graviton = templates({ ...MODEL_ARCHIVE, instanceType: 'ml.c7g.xlarge' }).pipelineTemplate;
      graviton.hasResourceProperties('AWS::SageMaker::Model', {
        PrimaryContainer: Match.objectLike({
          Image: {
            'Fn::Join': [
              '',
              Match.arrayWith([
                Match.stringLikeRegexp('/pytorch-inference-arm64:2\\.6\\.0-cpu-py312-ubuntu22\\.04-sagemaker$'),
              ]),
            ],
          },
        }),
      });
    });

    test('a serverless configuration replaces the instances, without network isolation or a volume key', () => {
      const serverless = templates({
        ...MODEL_ARCHIVE,
        serverlessMemorySizeInMB: 3072,
        serverlessMaxConcurrency: 10,
        kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      }).pipelineTemplate;
      serverless.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
        KmsKeyId: Match.absent(),
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: Match.anyValue(),
            ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 10 },
          },
        ],
      });
      serverless.hasResourceProperties('AWS::SageMaker::Model', { EnableNetworkIsolation: Match.absent() });
    });

    test('its role may pull the image, write logs and metrics, as CreateModel documents', () => {
      built.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'EcrLoginAndMetrics',
              Action: ['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken'],
              Resource: '*',
            }),
          ]),
        },
      });
    });

    test('a custom image gets pull rights on its own repository', () => {
      const image = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/sentiment:v7';
      const custom = templates({ ...MODEL_ARCHIVE, modelImageUri: image }).pipelineTemplate;
      custom.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: Match.objectLike({ Image: image }) });
      custom.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'PullImage',
              Resource: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111122223333:repository/team/sentiment'],
                ],
              },
            }),
          ]),
        },
      });
    });

    test('outputs the generated endpoint name', () => {
      built.hasOutput('EndpointName', {
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ModelEndpoint'), 'EndpointName'] },
      });
    });
  });
});

describe('alarms', () => {
  const alarmNames = (t: typeof template) => Object.keys(t.findResources('AWS::CloudWatch::Alarm')).sort();

  test('the API has a 5xx alarm and the predict function a throttling alarm', () => {
    expect(alarmNames(template)).toEqual([
      expect.stringMatching(/^CollectorEventsDeadLettersAlarm/),
      expect.stringMatching(/^MonitoringFailedLoopsAlarm/),
      expect.stringMatching(/^PredictApiPredictThrottlesAlarm/),
      expect.stringMatching(/^PredictApiRetryQueueDeadLettersAlarm/),
      expect.stringMatching(/^PredictApiServerErrorsAlarm/),
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
      Threshold: 1,
    });
  });

  test('notify nobody unless alarmEmail is set', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  test('with alarmEmail, every alarm notifies an encrypted topic with that email subscribed', () => {
    const notified = templates({ ...EXISTING_ENDPOINT, alarmEmail: 'ops@example.com' }).pipelineTemplate;
    notified.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    notified.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const alarms = Object.values(notified.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmActions?: unknown[]; OKActions?: unknown[] };
    }[];
    expect(alarms).toHaveLength(5);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmNotificationsTopic/) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^AlarmNotificationsTopic/) }]);
    }
  });
});

describe('queues and concurrency', () => {
  test('the retry queue and its dead-letter queue survive the stack: a queued review exists nowhere else', () => {
    const queues = template.findResources('AWS::SQS::Queue') as Record<string, { DeletionPolicy?: string }>;
    const retained = Object.entries(queues)
      .filter(([, queue]) => queue.DeletionPolicy === 'Retain')
      .map(([id]) => id)
      .sort();
    expect(retained).toEqual([
      expect.stringMatching(/^PredictApiRetryQueue[0-9A-F]{8}$/),
      expect.stringMatching(/^PredictApiRetryQueueDeadLetters/),
    ]);
  });

  test('the collector and review-retry keep executions of their own, as many as their queues may use', () => {
    for (const description of [
      'Writes each ended human loop to the retraining dataset',
      'Starts the human loops the predict API had to queue',
    ]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: description,
        ReservedConcurrentExecutions: 2,
      });
    }
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 2 } });
  });

  test('an account with a reduced Lambda quota can leave the reservation out; the queues still cap the consumers', () => {
    const unreserved = templates({ ...EXISTING_ENDPOINT, reserveConsumerConcurrency: 'false' }).pipelineTemplate;
    const reserved = Object.values(unreserved.findResources('AWS::Lambda::Function')).filter(
      (fn) => (fn as { Properties: { ReservedConcurrentExecutions?: number } }).Properties.ReservedConcurrentExecutions,
    );
    expect(reserved).toEqual([]);
    unreserved.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 2 } });
  });
});

test('outputs the flow definition, task UI, bucket and output path', () => {
  for (const name of ['FlowDefinitionArn', 'HumanTaskUiArn', 'OutputBucketName', 'S3OutputPath']) {
    template.hasOutput(name, {});
  }
});

test('snapshot', () => {
  expect(normalizedTemplate(template)).toMatchSnapshot();
});

test('a template for an unknown Region refuses to deploy outside the A2I Regions', () => {
  const { Rules } = template.toJSON() as { Rules: Record<string, unknown> };
  expect(Rules.A2iRegion).toEqual({
    Assertions: [
      {
        Assert: {
          'Fn::Contains': [
            expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2']),
            { Ref: 'AWS::Region' },
          ],
        },
        AssertDescription: expect.stringMatching(/^Amazon A2I exists only in us-east-1, /),
      },
    ],
  });
});

test('stateful and retained resources keep the logical ids they were first deployed with', () => {
  // A new logical id replaces the resource: a new bucket, an orphaned queue with the reviews on it, or a second
  // flow definition of the same name. Change one only with a migration.
  const kept = {
    OutputBucketB1E245A7: 'AWS::S3::Bucket',
    OutputAccessLogs4B4D634B: 'AWS::S3::Bucket',
    TaskUi997C8472: 'Custom::HumanTaskUi',
    FlowDefinition5B221FC5: 'Custom::FlowDefinition',
    PredictApiRetryQueueD78775BD: 'AWS::SQS::Queue',
    PredictApiRetryQueueDeadLetters193B6C8D: 'AWS::SQS::Queue',
    CollectorEventsQueue7457EAC5: 'AWS::SQS::Queue',
    CollectorEventsDeadLettersA1B7382F: 'AWS::SQS::Queue',
  };
  const resources = template.toJSON().Resources as Record<string, { Type: string }>;
  for (const [id, type] of Object.entries(kept)) expect([id, resources[id]?.Type]).toEqual([id, type]);
});
