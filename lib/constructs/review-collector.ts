import { Duration, Names } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV, LAMBDA_TIMEOUT_SECONDS } from '../../common/contract';
import type { LabelSet } from '../../common/label-set';
import { acknowledgeWildcardResource } from '../nag';
import { HandlerFunction } from './handler-function';
import type { IReviewBackend } from './review/review-backend';
import { CONSUMER_CONCURRENCY, QueueWithDeadLetters } from './queue-with-dead-letters';
import { HANDLERS } from '../../common/handlers';

export interface ReviewCollectorProps {
  /** Whose ended reviews are collected. */
  readonly reviews: IReviewBackend;
  /** Holds the dataset, under datasetPrefix. */
  readonly bucket: s3.IBucket;
  readonly datasetPrefix: string;
  /** @default the bucket's own key, if any */
  readonly encryptionKey?: kms.IKey;
  /**
   * The labels the task template offers: an answer outside them is recorded as invalid, never as training data.
   * @default none: answers are not checked
   */
  readonly labelSet?: LabelSet;
  /**
   * Whether the queue's consumer reserves the concurrency the queue may use (see CONSUMER_CONCURRENCY).
   * @default true
   */
  readonly reserveConsumerConcurrency?: boolean;
}

/**
 * From human answers to the retraining dataset: an EventBridge rule on the review backend's "review ended" events of
 * this pipeline feeds an SQS queue (dead-letter queue and alarm included) that the collector Lambda drains. The
 * backend is deleted first, so reviews it keeps while being deleted are still collected.
 */
export class ReviewCollector extends Construct {
  readonly collectorFunction: HandlerFunction;
  readonly events: QueueWithDeadLetters;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReviewCollectorProps) {
    super(scope, id);
    this.events = new QueueWithDeadLetters(this, 'Events', {
      visibilityTimeout: Duration.minutes(6),
      maxReceiveCount: 5,
      alarmDescription:
        'Ended human loops that could not be collected into the dataset (for example output.json missing): inspect and redrive',
    });
    this.rule = new events.Rule(this, 'StatusChanges', {
      description: 'Human loops of this pipeline that completed, failed or stopped',
      eventBus: props.reviews.endedEvents.eventBus,
      eventPattern: props.reviews.endedEvents.eventPattern,
      targets: [new targets.SqsQueue(this.events.queue)],
    });

    this.collectorFunction = new HandlerFunction(this, 'Collector', {
      handlerDir: HANDLERS.collector,
      description: 'Writes each ended human loop to the retraining dataset',
      timeout: Duration.seconds(LAMBDA_TIMEOUT_SECONDS.collector),
      // Two loops at a time, each with an output.json of up to 16 MiB read whole (lambda/shared/review/output.ts).
      memorySize: 512,
      reservedConcurrentExecutions: (props.reserveConsumerConcurrency ?? true) ? CONSUMER_CONCURRENCY : undefined,
      environment: {
        [ENV.datasetBucket]: props.bucket.bucketName,
        [ENV.datasetPrefix]: props.datasetPrefix,
        // Not a secret: it only keeps worker ids of this pipeline from matching those of another dataset.
        [ENV.workerIdSalt]: Names.uniqueId(this),
        ...(props.labelSet ? { [ENV.labelSet]: JSON.stringify(props.labelSet) } : {}),
      },
    });
    this.collectorFunction.addEventSource(
      new SqsEventSource(this.events.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: CONSUMER_CONCURRENCY,
      }),
    );

    props.reviews.grantReadOutputs(this.collectorFunction);
    props.reviews.deleteBefore(this);
    const dataset = props.bucket.arnForObjects(`${props.datasetPrefix}/*`);
    this.collectorFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [dataset] }),
    );
    (props.encryptionKey ?? props.bucket.encryptionKey)?.grant(this.collectorFunction, 'kms:GenerateDataKey');
    acknowledgeWildcardResource(
      this.collectorFunction.role!,
      dataset,
      'One record per loop, keyed by loop name and date, only under the dataset prefix.',
    );
  }
}
