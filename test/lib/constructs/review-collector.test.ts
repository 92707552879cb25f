import { Match } from 'aws-cdk-lib/assertions';
import { EXISTING_ENDPOINT, templates } from '../../helpers/app';

const { pipelineTemplate: template } = templates(EXISTING_ENDPOINT);

test('an EventBridge rule sends this pipeline A2I status changes, by flow definition name prefix, to the collector queue', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker A2I HumanLoop Status Change'],
      detail: {
        flowDefinitionArn: [
          {
            prefix: {
              'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':flow-definition/sentiment-review-$')])],
            },
          },
        ],
      },
    },
    Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CollectorEventsQueue'), 'Arn'] } })],
  });
});

test('the collector queue has a dead-letter queue with an alarm', () => {
  template.hasResourceProperties('AWS::SQS::Queue', {
    RedrivePolicy: {
      deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('CollectorEventsDeadLetters'), 'Arn'] },
      maxReceiveCount: 5,
    },
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Dimensions: [
      {
        Name: 'QueueName',
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('CollectorEventsDeadLetters'), 'QueueName'] },
      },
    ],
  });
});

test("the collector knows the template's label set", () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Description: 'Writes each ended human loop to the retraining dataset',
    Environment: {
      Variables: Match.objectLike({ REVIEW_LABEL_SET: '{"field":"sentiment","labels":["-1","0","1"]}' }),
    },
  });
});

test('the collector reads answers and writes only under the dataset prefix', () => {
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [Match.anyValue(), '/a2i-results/*']] },
        }),
        Match.objectLike({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [Match.anyValue(), '/dataset/*']] } }),
      ]),
    },
  });
});

test('an alarm watches failed loops, and the dashboard shows the pipeline metrics and all three alarms', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Threshold: 1,
    Metrics: [
      Match.objectLike({
        MetricStat: Match.objectLike({
          Metric: {
            MetricName: 'HumanLoopsFailed',
            Namespace: 'HumanReviewPipeline',
            Dimensions: [{ Name: 'service', Value: 'collector' }],
          },
          Stat: 'Sum',
        }),
      }),
    ],
  });
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as {
    Properties: { DashboardBody: unknown };
  }[];
  const body = JSON.stringify(dashboard.Properties.DashboardBody);
  for (const name of [
    'Predictions',
    'LowConfidencePredictions',
    'HumanLoopsStarted',
    'HumanLoopsCompleted',
    'HumanLoopsFailed',
    'HumanLoopsExpired',
    'TimeToAnswer',
    'HumanOverrides',
    'WorkerAgreement',
  ]) {
    expect(body).toContain(name);
  }
  for (const alarm of ['MonitoringFailedLoopsAlarm', 'RetryQueueDeadLettersAlarm', 'CollectorEventsDeadLettersAlarm']) {
    expect(body).toMatch(new RegExp(`${alarm}[0-9A-F]{8}\\W+Arn`));
  }
});

test('outputs the dataset location and the dashboard', () => {
  template.hasOutput('DatasetUri', {});
  template.hasOutput('DashboardName', {});
});

test('the flow definition is deleted before the collector, so reviews it keeps in progress are still collected', () => {
  const [flowDefinition] = Object.values(template.findResources('Custom::FlowDefinition')) as { DependsOn: string[] }[];
  for (const collectorPart of [/^CollectorStatusChanges/, /^Collector[0-9A-F]{8}$/, /^CollectorEventsQueue/])
    expect(flowDefinition.DependsOn).toContainEqual(expect.stringMatching(collectorPart));
});
