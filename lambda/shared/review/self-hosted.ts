/**
 * The self-hosted review backend on AWS: A2I's runtime semantics (task-port.ts over the task rules) with its loops in
 * the DynamoDB task table, inputs too large for an item and every output.json in S3, and each ended loop announced on
 * the backend's own EventBridge bus with A2I's detail-type and detail. The CDK construct
 * (lib/constructs/review/self-hosted/) sets the variables read here; the handlers, the portal and the sweeper share
 * them, so they all see the same loops under the same rules.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ENV, REVIEW_ENDED_EVENT } from '../../../common/contract';
import type { Env } from '../env';
import { numberEnv, requiredEnv } from '../env';
import type { LargeInputs } from './dynamo-task-store';
import { DynamoTaskStore } from './dynamo-task-store';
import { loopEndedDetail } from './ended-event';
import type { LoopEffects } from './task-loops';
import { TaskLoops } from './task-loops';
import { TaskReviewPort } from './task-port';
import type { FlowSettings, LoopRecord } from './tasks';

export interface SelfHostedClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly eventBridge: EventBridgeClient;
}

export interface SelfHostedSettings {
  readonly tableName: string;
  readonly flow: FlowSettings;
  /** `s3://bucket/prefix`: where inputs too large for a table item are kept. */
  readonly inputsPath: string;
  readonly eventBusName: string;
  /** The workers' identity provider (the Cognito pool's issuer URL), for output.json's identityData. */
  readonly identityIssuer: string;
}

/** The settings as the CDK construct writes them into a function's environment. */
export function selfHostedSettings(env: Env): SelfHostedSettings {
  return {
    tableName: requiredEnv(env, ENV.taskTableName),
    flow: {
      flowDefinitionArn: requiredEnv(env, ENV.flowDefinitionArn),
      s3OutputPath: s3Path(env, ENV.s3OutputPath),
      taskCount: numberEnv(env, ENV.taskCount, 1, 1, 3),
      taskAvailabilityLifetimeSeconds: numberEnv(env, ENV.taskAvailabilityLifetimeSeconds, 86_400, 60, 864_000),
      taskTimeLimitSeconds: numberEnv(env, ENV.taskTimeLimitSeconds, 3_600, 30, 28_800),
    },
    inputsPath: s3Path(env, ENV.taskInputsPath),
    eventBusName: requiredEnv(env, ENV.reviewEventBus),
    identityIssuer: requiredEnv(env, ENV.workerIdentityIssuer),
  };
}

function s3Path(env: Env, name: string): string {
  const value = requiredEnv(env, name);
  if (!/^s3:\/\/[^/]+(\/.*)?$/.test(value))
    throw new Error(`Environment variable ${name} is ${JSON.stringify(value)}; expected s3://bucket/prefix`);
  return value.replace(/\/+$/, '');
}

export interface SelfHostedOptions {
  /** @default the system clock */
  readonly now?: () => Date;
  /** How an ended loop is announced. @default its status-change event on the backend's bus (publishEnded) */
  readonly announceEnd?: LoopEffects['announceEnd'];
  /** @default ignored */
  readonly onStepFailed?: LoopEffects['onStepFailed'];
}

/** The backend's loops with their effects on AWS: what the review port, the portal and the sweeper work on. */
export function selfHostedLoops(
  settings: SelfHostedSettings,
  clients: SelfHostedClients,
  options: SelfHostedOptions = {},
): TaskLoops {
  const store = new DynamoTaskStore(
    clients.dynamodb,
    settings.tableName,
    s3LargeInputs(clients.s3, settings.inputsPath),
  );
  return new TaskLoops(store, {
    writeOutput: writeOnce(clients.s3),
    announceEnd: options.announceEnd ?? publishEnded(clients.eventBridge, settings.eventBusName),
    identityIssuer: settings.identityIssuer,
    now: options.now,
    onStepFailed: options.onStepFailed,
  });
}

export function selfHostedReviewPort(
  settings: SelfHostedSettings,
  clients: SelfHostedClients,
  options: SelfHostedOptions = {},
): TaskReviewPort {
  return new TaskReviewPort(selfHostedLoops(settings, clients, options), settings.flow);
}

/**
 * Writes output.json only if no object is at its key (S3's conditional write): a loop's output is written once, as
 * A2I writes it. The document is made from the stored, answered loop, so an object already there is this one.
 */
export function writeOnce(s3: S3Client): LoopEffects['writeOutput'] {
  return async ({ bucket, key }, document) => {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: document,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      // 412: written before. A ConditionalRequestConflict (409, a write in flight) is thrown: the step is due again.
      if ((error as Error).name !== 'PreconditionFailed') throw error;
    }
  };
}

/** Sends the loop's status-change event on the backend's bus; an entry EventBridge did not take is an error. */
export function publishEnded(eventBridge: EventBridgeClient, eventBusName: string): LoopEffects['announceEnd'] {
  return async (loop: LoopRecord) => {
    const { FailedEntryCount = 0, Entries = [] } = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: eventBusName,
            Source: REVIEW_ENDED_EVENT.selfHostedSource,
            DetailType: REVIEW_ENDED_EVENT.detailType,
            Resources: [loop.arn],
            Detail: JSON.stringify(loopEndedDetail(loop)),
          },
        ],
      }),
    );
    if (FailedEntryCount > 0) {
      const [entry] = Entries;
      throw new Error(
        `EventBridge did not take the end of ${loop.name}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  };
}

/** Inputs over a table item's room, as objects under `inputsPath` (`s3://bucket/prefix`). */
export function s3LargeInputs(s3: S3Client, inputsPath: string): LargeInputs {
  const [, bucket = '', prefix = ''] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(inputsPath) ?? [];
  const objectKey = (key: string) => (prefix === '' ? key : `${prefix}/${key}`);
  return {
    put: async (key, content) => {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: objectKey(key), Body: content, ContentType: 'application/json' }),
      );
    },
    get: async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
      return (await object.Body?.transformToString('utf-8')) ?? '';
    },
  };
}
