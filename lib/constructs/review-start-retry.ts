/**
 * Reviews the predict API could not start in time wait here: an SQS queue (dead-letter queue and alarm included,
 * retained with the stack, as a queued review exists nowhere else) and the review-retry Lambda that starts them
 * through the review backend.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { LAMBDA_TIMEOUT_SECONDS } from '../../common/contract';
import { HANDLERS } from '../../common/handlers';
import { HandlerFunction } from './handler-function';
import { CONSUMER_CONCURRENCY, QueueWithDeadLetters } from './queue-with-dead-letters';
import type { IReviewBackend } from './review/review-backend';

export interface ReviewStartRetryProps {
  readonly reviews: IReviewBackend;
  /**
   * Whether the consumer reserves the concurrency the queue may use (see CONSUMER_CONCURRENCY).
   * @default true
   */
  readonly reserveConsumerConcurrency?: boolean;
}

export class ReviewStartRetry extends Construct {
  /** The queue, its dead-letter queue and the alarm on it: the construct's default child, so their ids stay put. */
  readonly queues: QueueWithDeadLetters;
  readonly retryFunction: HandlerFunction;

  constructor(scope: Construct, id: string, props: ReviewStartRetryProps) {
    super(scope, id);
    this.queues = new QueueWithDeadLetters(this, 'Default', {
      visibilityTimeout: Duration.minutes(3),
      maxReceiveCount: 8,
      alarmDescription:
        'Human reviews that could not be started after all retries: start them by hand or redrive the queue',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.retryFunction = new HandlerFunction(this, 'ReviewRetry', {
      handlerDir: HANDLERS.reviewRetry,
      description: 'Starts the human loops the predict API had to queue',
      timeout: Duration.seconds(LAMBDA_TIMEOUT_SECONDS.reviewRetry),
      environment: { ...props.reviews.handlerEnvironment },
      reservedConcurrentExecutions: (props.reserveConsumerConcurrency ?? true) ? CONSUMER_CONCURRENCY : undefined,
    });
    this.retryFunction.addEventSource(
      new SqsEventSource(this.queues.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: CONSUMER_CONCURRENCY,
      }),
    );
    props.reviews.grantStartReviews(this.retryFunction);
  }

  /** Lets the producer (the predict Lambda) queue reviews. */
  grantSendReviews(grantee: iam.IGrantable): void {
    this.queues.queue.grantSendMessages(grantee);
  }
}
