import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { ApiConfig, ModelConfig, OperationsConfig, ReviewConfig } from '../config';
import { AlarmNotifications } from '../constructs/alarm-notifications';
import { ModelEndpoint } from '../constructs/model-endpoint';
import { PredictApi } from '../constructs/predict-api';
import { A2iReviewBackend } from '../constructs/review/a2i/a2i-review-backend';
import { requireA2iRegion } from '../constructs/review/a2i/a2i-region-rule';
import type { IReviewBackend } from '../constructs/review/review-backend';
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

/** The review pipeline: output bucket, review backend, model endpoint, predict API, collector, dashboard. */
export class PipelineStack extends Stack {
  readonly output: ReviewOutputBucket;
  readonly reviews: IReviewBackend;
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
    const outputs = { bucket: this.output.bucket, prefix: review.outputPrefix, encryptionKey };
    const a2i = new A2iReviewBackend(this, {
      namePrefix: review.resourcePrefix,
      templateContent: review.taskTemplateContent,
      workteamArn: props.workteamArn,
      outputs,
      taskTitle: review.taskTitle,
      taskDescription: review.taskDescription,
      taskCount: review.taskCount,
      taskAvailabilityLifetime: Duration.seconds(review.taskAvailabilityLifetimeInSeconds),
      taskTimeLimit: Duration.seconds(review.taskTimeLimitInSeconds),
    });
    this.reviews = a2i;
    this.endpoint = new ModelEndpoint(this, 'Model', { model: props.model, encryptionKey });
    this.predictApi = new PredictApi(this, 'PredictApi', {
      endpoint: this.endpoint,
      reviews: this.reviews,
      confidenceThreshold: review.confidenceThreshold,
      contentClassifiers: props.api.contentClassifiers,
      throttling: { rateLimit: props.api.throttleRateLimit, burstLimit: props.api.throttleBurstLimit },
      logRequestText: props.api.logRequestText,
      loopStartConcurrency: props.api.loopStartConcurrency,
      labelSet: review.labelSet,
      reserveConsumerConcurrency: props.operations?.reserveConsumerConcurrency,
    });
    this.collector = new ReviewCollector(this, 'Collector', {
      reviews: this.reviews,
      bucket: this.output.bucket,
      datasetPrefix: review.datasetPrefix,
      encryptionKey,
      labelSet: review.labelSet,
      reserveConsumerConcurrency: props.operations?.reserveConsumerConcurrency,
    });
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

    new CfnOutput(this, 'ReviewBackend', { value: this.reviews.backendName });
    new CfnOutput(this, 'FlowDefinitionArn', { value: a2i.flowDefinition.flowDefinitionArn });
    new CfnOutput(this, 'HumanTaskUiArn', { value: a2i.taskUi.humanTaskUiArn });
    new CfnOutput(this, 'OutputBucketName', { value: this.output.bucket.bucketName });
    new CfnOutput(this, 'S3OutputPath', { value: a2i.flowDefinition.s3OutputPath });
    new CfnOutput(this, 'EndpointName', { value: this.endpoint.endpointName });
    new CfnOutput(this, 'DatasetUri', { value: `s3://${this.output.bucket.bucketName}/${review.datasetPrefix}/` });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}
