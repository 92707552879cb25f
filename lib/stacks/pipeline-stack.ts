import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { ApiConfig, ModelConfig, OperationsConfig, ReviewConfig } from '../config';
import { requireA2iRegion } from '../constructs/a2i-region-rule';
import { AlarmNotifications } from '../constructs/alarm-notifications';
import { FlowDefinition } from '../constructs/flow-definition';
import { HumanTaskUi } from '../constructs/human-task-ui';
import { ModelEndpoint } from '../constructs/model-endpoint';
import { PredictApi } from '../constructs/predict-api';
import { ReviewCollector } from '../constructs/review-collector';
import { ReviewDashboard } from '../constructs/review-dashboard';
import { ReviewOutputBucket } from '../constructs/review-output-bucket';

export interface PipelineStackProps extends StackProps {
  readonly model: ModelConfig;
  readonly review: ReviewConfig;
  readonly api: ApiConfig;
  /** @default no alarm notifications; the queue consumers reserve their concurrency */
  readonly operations?: OperationsConfig;
  /** The private workteam that reviews (from the workforce stack, or an existing one). */
  readonly workteamArn: string;
}

/** The review pipeline: output bucket, task UI, flow definition, model endpoint, predict API, collector, dashboard. */
export class PipelineStack extends Stack {
  readonly output: ReviewOutputBucket;
  readonly taskUi: HumanTaskUi;
  readonly flowDefinition: FlowDefinition;
  readonly endpoint: ModelEndpoint;
  readonly predictApi: PredictApi;
  readonly collector: ReviewCollector;
  readonly monitoring: ReviewDashboard;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { review } = props;
    requireA2iRegion(this);
    const encryptionKey = review.kmsKeyArn ? kms.Key.fromKeyArn(this, 'Key', review.kmsKeyArn) : undefined;

    this.output = new ReviewOutputBucket(this, 'Output', {
      encryptionKey,
      outputPrefix: review.outputPrefix,
      outputRetentionDays: review.outputRetentionDays,
    });
    this.taskUi = new HumanTaskUi(this, 'TaskUi', {
      namePrefix: review.resourcePrefix,
      templateContent: review.taskTemplateContent,
    });
    this.flowDefinition = new FlowDefinition(this, 'FlowDefinition', {
      namePrefix: review.resourcePrefix,
      workteamArn: props.workteamArn,
      humanTaskUi: this.taskUi,
      outputBucket: this.output.bucket,
      outputPrefix: review.outputPrefix,
      encryptionKey,
      taskTitle: review.taskTitle,
      taskDescription: review.taskDescription,
      taskCount: review.taskCount,
      taskAvailabilityLifetime: Duration.seconds(review.taskAvailabilityLifetimeInSeconds),
      taskTimeLimit: Duration.seconds(review.taskTimeLimitInSeconds),
    });
    this.endpoint = new ModelEndpoint(this, 'Model', { model: props.model, encryptionKey });
    this.predictApi = new PredictApi(this, 'PredictApi', {
      endpoint: this.endpoint,
      flowDefinition: this.flowDefinition,
      outputBucket: this.output.bucket,
      outputPrefix: review.outputPrefix,
      encryptionKey,
      confidenceThreshold: review.confidenceThreshold,
      contentClassifiers: props.api.contentClassifiers,
      throttling: { rateLimit: props.api.throttleRateLimit, burstLimit: props.api.throttleBurstLimit },
      logRequestText: props.api.logRequestText,
      labelSet: review.labelSet,
      reserveConsumerConcurrency: props.operations?.reserveConsumerConcurrency,
    });
    this.collector = new ReviewCollector(this, 'Collector', {
      flowDefinition: this.flowDefinition,
      bucket: this.output.bucket,
      outputPrefix: review.outputPrefix,
      datasetPrefix: review.datasetPrefix,
      encryptionKey,
      labelSet: review.labelSet,
      reserveConsumerConcurrency: props.operations?.reserveConsumerConcurrency,
    });
    // Deleted before the collector: a flow definition kept because reviews are in progress (its delete is refused)
    // keeps the collector that turns those reviews into the dataset.
    this.flowDefinition.resource.node.addDependency(this.collector);
    this.monitoring = new ReviewDashboard(this, 'Monitoring', {
      alarms: [
        this.predictApi.deadLetterAlarm,
        this.collector.events.alarm,
        this.predictApi.serverErrorsAlarm,
        this.predictApi.predictThrottlesAlarm,
      ],
    });
    const alarmEmail = props.operations?.alarmEmail;
    if (alarmEmail !== undefined) {
      new AlarmNotifications(this, 'AlarmNotifications', { email: alarmEmail }).notifyOn(this.monitoring.alarms);
    }

    new CfnOutput(this, 'FlowDefinitionArn', { value: this.flowDefinition.flowDefinitionArn });
    new CfnOutput(this, 'HumanTaskUiArn', { value: this.taskUi.humanTaskUiArn });
    new CfnOutput(this, 'OutputBucketName', { value: this.output.bucket.bucketName });
    new CfnOutput(this, 'S3OutputPath', { value: this.flowDefinition.s3OutputPath });
    new CfnOutput(this, 'EndpointName', { value: this.endpoint.endpointName });
    new CfnOutput(this, 'DatasetUri', { value: `s3://${this.output.bucket.bucketName}/${review.datasetPrefix}/` });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}
