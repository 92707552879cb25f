/**
 * The self-hosted review backend, for accounts without A2I: loops in one DynamoDB table, inputs and output.json in the
 * output bucket, ended events on the backend's own bus, a sweeper every minute, the worker portal (Cognito sign-in)
 * and an A2I-compatible runtime API. The handlers reach it through the same review port as A2I
 * (lambda/shared/review/self-hosted.ts); this construct writes the variables that port reads.
 */
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type { IDependable } from 'constructs';
import { Construct } from 'constructs';
import { ENV, LAMBDA_TIMEOUT_SECONDS, REVIEW_ENDED_EVENT } from '../../../../common/contract';
import { HANDLERS } from '../../../../common/handlers';
import { nameWithContentHash } from '../../../../common/names';
import { TASK_TABLE } from '../../../../common/task-table';
import { acknowledgeWildcardResource } from '../../../nag';
import { HandlerFunction } from '../../handler-function';
import type { IReviewBackend, ReviewOutputs } from '../review-backend';
import { grantOutputObjects } from '../review-backend';
import type { ObjectLocation } from '../../../../common/object-locations';
import { RuntimeApi } from './runtime-api';
import { SelfHostedMonitoring } from './self-hosted-monitoring';
import { WorkerPortal } from './worker-portal';

/** The workers' side of the Cognito pool (the workforce stack's). */
export interface ReviewWorkers {
  readonly userPool: cognito.IUserPool;
  /** The managed login's domain prefix: `<prefix>.auth.<region>.amazoncognito.com`. */
  readonly domainPrefix: string;
  readonly groupName: string;
}

export interface SelfHostedReviewBackendProps {
  /** The flow definition's name (it names no AWS resource here, only the loops' ARNs) starts with it. */
  readonly namePrefix: string;
  /** The task template's file: the portal renders it. */
  readonly templateFile: string;
  readonly outputs: ReviewOutputs;
  readonly workers: ReviewWorkers;
  /** Workers who answer each task, 1-3. */
  readonly taskCount: number;
  readonly taskAvailabilityLifetime: Duration;
  readonly taskTimeLimit: Duration;
  /** Where templates may show objects from: the portal may read and presign exactly these. */
  readonly taskObjectLocations: readonly ObjectLocation[];
}

/** Where large inputs go: under the output prefix, beside the flow definitions' folders (whose names cannot start with `_`). */
const INPUTS_FOLDER = '_inputs';

/** What the handlers do on the task table (grantUseLoops): on its items, and on its indexes. */
const ITEM_OPERATIONS = ['GetItem', 'PutItem', 'DeleteItem'] as const;
const INDEX_OPERATIONS = ['Query'] as const;

export class SelfHostedReviewBackend extends Construct implements IReviewBackend {
  readonly backendName = 'self-hosted';
  readonly flowDefinitionArn: string;
  readonly outputs: ReviewOutputs;
  readonly handlerEnvironment: Readonly<Record<string, string>>;
  readonly endedEvents: IReviewBackend['endedEvents'];
  readonly table: dynamodb.Table;
  readonly bus: events.EventBus;
  readonly sweeper: HandlerFunction;
  readonly portal: WorkerPortal;
  readonly runtimeApi: RuntimeApi;
  readonly monitoring: SelfHostedMonitoring;

  constructor(scope: Construct, id: string, props: SelfHostedReviewBackendProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.outputs = props.outputs;
    this.flowDefinitionArn = Arn.format(
      {
        service: 'sagemaker',
        resource: 'flow-definition',
        resourceName: nameWithContentHash(props.namePrefix, 'self-hosted'),
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      stack,
    );

    this.table = new dynamodb.Table(this, 'Tasks', {
      partitionKey: { name: TASK_TABLE.key, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(props.outputs.encryptionKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.outputs.encryptionKey }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      deletionProtection: true,
      // The loops in review and the answers not yet collected: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of [TASK_TABLE.byCreation, TASK_TABLE.byDue]) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      });
    }

    this.bus = new events.EventBus(this, 'Events', {
      description: 'Status changes of the self-hosted human loops (A2I detail-type and detail)',
    });
    this.endedEvents = {
      eventBus: this.bus,
      eventPattern: {
        source: [REVIEW_ENDED_EVENT.selfHostedSource],
        detailType: [REVIEW_ENDED_EVENT.detailType],
        detail: { flowDefinitionArn: [this.flowDefinitionArn] },
      },
    };

    const { bucket, prefix } = props.outputs;
    this.handlerEnvironment = {
      [ENV.reviewBackend]: this.backendName,
      [ENV.flowDefinitionArn]: this.flowDefinitionArn,
      [ENV.taskTableName]: this.table.tableName,
      [ENV.s3OutputPath]: `s3://${bucket.bucketName}/${prefix}`,
      [ENV.taskInputsPath]: `s3://${bucket.bucketName}/${prefix}/${INPUTS_FOLDER}`,
      [ENV.reviewEventBus]: this.bus.eventBusName,
      [ENV.taskCount]: String(props.taskCount),
      [ENV.taskAvailabilityLifetimeSeconds]: String(props.taskAvailabilityLifetime.toSeconds()),
      [ENV.taskTimeLimitSeconds]: String(props.taskTimeLimit.toSeconds()),
      [ENV.workerIdentityIssuer]: `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${props.workers.userPool.userPoolId}`,
    };

    this.sweeper = new HandlerFunction(this, 'Sweeper', {
      handlerDir: HANDLERS.sweeper,
      description: 'Expires, stops and completes self-hosted human loops, and re-sends their ended events',
      timeout: Duration.seconds(LAMBDA_TIMEOUT_SECONDS.sweeper + 5),
      // One run at a time: a slow run is never overlapped by the next minute's.
      reservedConcurrentExecutions: 1,
      environment: this.handlerEnvironment,
    });
    this.grantUseLoops(this.sweeper);
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'Invokes the review sweeper',
    });
    // A group of its own: EventBridge Scheduler's metrics are per group, so the sweeper's alarm sees only its schedule.
    const sweeperSchedules = new scheduler.ScheduleGroup(this, 'SweeperSchedules', {
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new scheduler.Schedule(this, 'EveryMinute', {
      description: 'Runs the review sweeper every minute',
      scheduleGroup: sweeperSchedules,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      // A missed run is made up by the next one: no retries piling up behind a slow run.
      target: new schedulerTargets.LambdaInvoke(this.sweeper, {
        role: schedulerRole,
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      }),
    });
    acknowledgeWildcardResource(
      schedulerRole,
      `${this.sweeper.functionArn}:*`,
      "The scheduler's Lambda target grants invoking the sweeper by qualified ARN (any version); the function is this one.",
    );

    this.portal = new WorkerPortal(this, 'Portal', {
      backend: this,
      templateFile: props.templateFile,
      workers: props.workers,
      taskObjectLocations: props.taskObjectLocations,
    });
    this.runtimeApi = new RuntimeApi(this, 'RuntimeApi', { backend: this });
    this.monitoring = new SelfHostedMonitoring(this, 'Monitoring', {
      sweeper: this.sweeper,
      sweeperSchedules,
      table: this.table,
      tableOperations: [...ITEM_OPERATIONS, ...INDEX_OPERATIONS],
      portal: { api: this.portal.api, fn: this.portal.portalFunction },
      runtimeApi: { api: this.runtimeApi.api, fn: this.runtimeApi.runtimeFunction },
    });
  }

  /**
   * What every user of the loops needs, because a read also takes the steps that are due (task-loops.ts): the table
   * and its indexes, inputs and output.json under the output prefix, and the bus.
   */
  grantUseLoops(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ITEM_OPERATIONS.map((operation) => `dynamodb:${operation}`),
        resources: [this.table.tableArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: INDEX_OPERATIONS.map((operation) => `dynamodb:${operation}`),
        resources: [TASK_TABLE.byCreation, TASK_TABLE.byDue].map(
          (index) => `${this.table.tableArn}/index/${index.indexName}`,
        ),
      }),
    );
    // The table's key, and the bucket's: the actions DynamoDB and S3 use for reads and writes, no wildcards.
    this.table.encryptionKey?.grant(grantee, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey');
    this.bus.grantPutEventsTo(grantee);
    grantOutputObjects(
      this.outputs,
      grantee,
      'read-write',
      'Inputs and output.json are written under keys made per loop at run time below the output prefix.',
    );
  }

  grantStartReviews(grantee: iam.IGrantable): void {
    this.grantUseLoops(grantee);
  }

  grantReadReviews(grantee: iam.IGrantable): void {
    this.grantUseLoops(grantee);
  }

  grantReadOutputs(grantee: iam.IGrantable): void {
    grantOutputObjects(
      this.outputs,
      grantee,
      'read',
      'Each output.json is under a key made per loop below the output prefix; read-only.',
    );
  }

  deleteBefore(consumer: IDependable): void {
    // What announces ends goes first: every end announced while the stack is deleted still reaches the collector.
    this.sweeper.node.addDependency(consumer);
    this.portal.portalFunction.node.addDependency(consumer);
    this.runtimeApi.runtimeFunction.node.addDependency(consumer);
  }
}
