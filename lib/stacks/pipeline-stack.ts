import * as path from 'node:path';
import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { ApiConfig, ModelConfig, OperationsConfig, ReviewConfig } from '../config';
import { TEMPLATE_FILE_SUFFIX, TEMPLATES_DIR } from '../config';
import { AlarmNotifications } from '../constructs/alarm-notifications';
import { ModelEndpoint } from '../constructs/model-endpoint';
import { PredictApi } from '../constructs/predict-api';
import { A2iReviewBackend } from '../constructs/review/a2i/a2i-review-backend';
import { requireA2iRegion } from '../constructs/review/a2i/a2i-region-rule';
import type { IReviewBackend, ReviewOutputs } from '../constructs/review/review-backend';
import type { ReviewWorkers } from '../constructs/review/self-hosted/self-hosted-review-backend';
import { SelfHostedReviewBackend } from '../constructs/review/self-hosted/self-hosted-review-backend';
import { ReviewCollector } from '../constructs/review-collector';
import { ReviewDashboard } from '../constructs/review-dashboard';
import { ReviewOutputBucket } from '../constructs/review-output-bucket';

export interface PipelineStackProps extends StackProps {
  readonly model: ModelConfig;
  readonly review: ReviewConfig;
  readonly api: ApiConfig;
  /** @default no alarm notifications; the queue consumers reserve their concurrency */
  readonly operations?: OperationsConfig;
  /** With A2I: the private workteam that reviews (from the workforce stack, or an existing one). */
  readonly workteamArn?: string;
  /** With the self-hosted backend: the workers' Cognito pool (the workforce stack's). */
  readonly workers?: ReviewWorkers;
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
    const encryptionKey = review.kmsKeyArn ? kms.Key.fromKeyArn(this, 'Key', review.kmsKeyArn) : undefined;

    this.output = new ReviewOutputBucket(this, 'Output', {
      encryptionKey,
      outputPrefix: review.outputPrefix,
      outputRetentionDays: review.outputRetentionDays,
    });
    const outputs = { bucket: this.output.bucket, prefix: review.outputPrefix, encryptionKey };
    this.reviews = this.reviewBackend(props, outputs);
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
    const backendMonitoring = this.reviews instanceof SelfHostedReviewBackend ? this.reviews.monitoring : undefined;
    this.monitoring = new ReviewDashboard(this, 'Monitoring', {
      alarms: [
        this.predictApi.deadLetterAlarm,
        this.collector.events.alarm,
        this.predictApi.serverErrorsAlarm,
        this.predictApi.predictThrottlesAlarm,
        ...(backendMonitoring?.alarms ?? []),
      ],
      backendWidgets: backendMonitoring?.widgets,
    });
    const alarmEmail = props.operations?.alarmEmail;
    if (alarmEmail !== undefined) {
      new AlarmNotifications(this, 'AlarmNotifications', { email: alarmEmail }).notifyOn(this.monitoring.alarms);
    }

    if (this.reviews instanceof SelfHostedReviewBackend) {
      // API Gateway's account-wide logging role, which the predict API sets, comes before any other stage's logs.
      const account = this.predictApi.api.node.tryFindChild('Account');
      if (account) {
        this.reviews.portal.api.deploymentStage.node.addDependency(account);
        this.reviews.runtimeApi.api.deploymentStage.node.addDependency(account);
      }
      new CfnOutput(this, 'ReviewEventBusName', { value: this.reviews.bus.eventBusName });
      new CfnOutput(this, 'TaskTableName', { value: this.reviews.table.tableName });
    }
    new CfnOutput(this, 'ReviewBackend', { value: this.reviews.backendName });
    new CfnOutput(this, 'FlowDefinitionArn', { value: this.reviews.flowDefinitionArn });
    if (this.reviews instanceof A2iReviewBackend)
      new CfnOutput(this, 'HumanTaskUiArn', { value: this.reviews.taskUi.humanTaskUiArn });
    new CfnOutput(this, 'OutputBucketName', { value: this.output.bucket.bucketName });
    new CfnOutput(this, 'S3OutputPath', { value: `s3://${this.output.bucket.bucketName}/${review.outputPrefix}` });
    new CfnOutput(this, 'EndpointName', { value: this.endpoint.endpointName });
    new CfnOutput(this, 'DatasetUri', { value: `s3://${this.output.bucket.bucketName}/${review.datasetPrefix}/` });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    // What a review job's task type must match (review-pipeline jobs start): the template and the workers per task.
    new CfnOutput(this, 'TaskTemplate', { value: review.taskTemplateName });
    new CfnOutput(this, 'TaskCount', { value: String(review.taskCount) });
  }

  private reviewBackend(props: PipelineStackProps, outputs: ReviewOutputs): IReviewBackend {
    const { review } = props;
    const task = {
      namePrefix: review.resourcePrefix,
      outputs,
      taskCount: review.taskCount,
      taskAvailabilityLifetime: Duration.seconds(review.taskAvailabilityLifetimeInSeconds),
      taskTimeLimit: Duration.seconds(review.taskTimeLimitInSeconds),
      taskObjectLocations: review.taskObjectLocations,
    };
    if (review.backend === 'self-hosted') {
      if (props.workers === undefined) throw new Error('PipelineStack: the self-hosted backend needs `workers`');
      return new SelfHostedReviewBackend(this, 'Reviews', {
        ...task,
        templateFile: path.join(TEMPLATES_DIR, `${review.taskTemplateName}${TEMPLATE_FILE_SUFFIX}`),
        workers: props.workers,
      });
    }
    if (props.workteamArn === undefined) throw new Error('PipelineStack: the A2I backend needs `workteamArn`');
    requireA2iRegion(this);
    return new A2iReviewBackend(this, {
      ...task,
      templateContent: review.taskTemplateContent,
      workteamArn: props.workteamArn,
      taskTitle: review.taskTitle,
      taskDescription: review.taskDescription,
    });
  }
}
