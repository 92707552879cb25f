/**
 * Local mode: one loopback server that serves the predict API with the same Lambda handlers as on AWS, the
 * self-hosted review backend on the same code as on AWS (its loops in DynamoDB, here dynalite persisted in the data
 * folder; output.json and inputs in S3; ended loops announced on EventBridge), the A2I runtime's API over those loops,
 * and the worker portal. It emulates the AWS APIs the code calls (SageMaker runtime, S3, SQS, EventBridge; DynamoDB is
 * dynalite) on their wire protocols; the handlers reach them through the standard AWS_ENDPOINT_URL_* variables, and no
 * handler code knows it runs locally. With `reviewBackend: 'a2i'` the handlers take the A2I adapter path instead,
 * through the same A2I-compatible API, and ended loops are announced as A2I announces them. The handlers' SDK clients
 * are made when their modules load, so one process runs one local server (again on the same port after a restart).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ENV, LAMBDA_TIMEOUT_SECONDS, REVIEW_ENDED_EVENT, STACK_NAMES } from '../common/contract';
import { templateLabelSet } from '../common/label-set';
import { nameWithContentHash } from '../common/names';
import { createTaskTableInput } from '../common/task-table';
import { forgeryGuard } from '../lambda/portal/csrf';
import { loopEndedDetail } from '../lambda/shared/review/ended-event';
import type { SelfHostedClients } from '../lambda/shared/review/self-hosted';
import { selfHostedLoops, selfHostedSettings } from '../lambda/shared/review/self-hosted';
import { TaskReviewPort } from '../lambda/shared/review/task-port';
import type { LoopEffects, TaskLoops } from '../lambda/shared/review/task-loops';
import type { LoopRecord, Worker } from '../lambda/shared/review/tasks';
import { WorkerTasks } from '../lambda/shared/review/worker-tasks';
import { answerLine, datasetRecordLine, predictLines } from './activity-log';
import { captureHandlerLogs } from './handler-logs';
import { lambdaContext } from './lambda-context';
import type { DataDir } from './data-dir';
import { isRunning, lockDataDir, openDataDir } from './data-dir';
import type { BusEvent } from './events-emulator';
import { LocalEventBuses } from './events-emulator';
import type { ObjectLocation } from '../common/object-locations';
import { guardedReadGrant } from '../common/object-locations';
import type { ModelBackend } from './model/model-backend';
import { ObjectStore } from './object-store';
import type { LocalPortal } from './portal-http';
import { handleLocalPortal, localAssets, localReadGrant } from './portal-http';
import { handleCloudFormation } from './cloudformation-emulator';
import { handleRuntimeApi } from './runtime-api-http';
import { handleRuntime } from './runtime-emulator';
import { handleS3 } from './s3-emulator';
import { handleSqs, LocalQueue } from './sqs-emulator';
import { BodyTooLargeError, MalformedJsonError, readBody } from './wire';

export const LOCAL = {
  account: '000000000000',
  region: 'us-east-1',
  endpointName: 'local-sentiment',
  /** Named by the same rule as a deployed flow definition: `<prefix>-<8 hex>`. */
  flowDefinitionName: nameWithContentHash('sentiment-review', 'local'),
  bucket: 'local-review-output',
  outputPrefix: 'a2i-results',
  datasetPrefix: 'dataset',
  /** A2I's default TaskTimeLimitInSeconds. */
  taskTimeLimitSeconds: 3_600,
  taskTable: 'review-tasks',
  eventBus: 'review-events',
  workerIssuer: 'https://cognito-idp.us-east-1.amazonaws.com/local-workers',
} as const;

/** Which adapter the handlers use: the self-hosted backend's own (default), or A2I's over the A2I-compatible API. */
export const LOCAL_REVIEW_BACKENDS = ['self-hosted', 'a2i'] as const;
export type LocalReviewBackend = (typeof LOCAL_REVIEW_BACKENDS)[number];

export interface LocalServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly dataDir: string;
  readonly model: ModelBackend;
  readonly confidenceThreshold: number;
  readonly taskCount: number;
  readonly taskAvailabilityLifetimeSeconds: number;
  /** A file name in templates/ without `.liquid.html`. */
  readonly taskTemplate: string;
  /** Origins the portal is also reached at (a forwarded port), besides the loopback ones. */
  readonly portalOrigins?: readonly string[];
  /** Delay before a queued message is delivered (and between retries). */
  readonly queueDelayMs?: number;
  /** The retry queue's own delay, when it differs. @default queueDelayMs */
  readonly retryQueueDelayMs?: number;
  readonly log?: (message: string) => void;
  /** @default 'self-hosted' */
  readonly reviewBackend?: LocalReviewBackend;
  /** The review backend's clock (leases, expiry), for tests that move time. @default the system clock */
  readonly now?: () => Date;
  /**
   * Where templates may show objects from besides local mode's own bucket (`taskObjectLocations` on AWS): an object
   * elsewhere is refused by name, as the deployed portal refuses it.
   */
  readonly taskObjectLocations?: readonly ObjectLocation[];
}

/** The setting that names more locations templates may show objects from (local/main.ts reads it). */
export const LOCAL_TASK_OBJECT_LOCATIONS = 'LOCAL_TASK_OBJECT_LOCATIONS';

export interface LocalServer {
  readonly url: string;
  readonly dataDir: DataDir;
  readonly objects: ObjectStore;
  readonly reviewBackend: LocalReviewBackend;
  /** The flow definition's loops through the review port, as the A2I-compatible API serves them. */
  readonly reviews: TaskReviewPort;
  /** The backend's loops: `sweep()` takes every step due now, as the sweeper does every second. */
  readonly loops: TaskLoops;
  /** The workers' side of the same loops, as the portal uses it. */
  readonly workerTasks: WorkerTasks;
  close(): Promise<void>;
}

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const TEMPLATES = path.join(__dirname, '..', 'templates');

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const log = options.log ?? ((message: string) => console.log(message));
  const reviewBackend = options.reviewBackend ?? 'self-hosted';
  const templateFile = path.join(TEMPLATES, `${options.taskTemplate}.liquid.html`);
  if (!fs.existsSync(templateFile)) throw new Error(`No task template ${templateFile}`);
  const dataDir = openDataDir(options.dataDir);
  const unlock = lockDataDir(dataDir.root);
  const objects = new ObjectStore(dataDir.objects);
  const dynamo = await startDynalite(dataDir.dynamodb).catch((error: unknown) => {
    unlock();
    throw error;
  });

  let route: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> = () =>
    Promise.reject(new Error('starting'));
  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => answerFailure(req, res, error, log));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  }).catch(async (error: unknown) => {
    await dynamo.close();
    unlock();
    throw error;
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const flowDefinitionArn = `arn:aws:sagemaker:${LOCAL.region}:${LOCAL.account}:flow-definition/${LOCAL.flowDefinitionName}`;
  const retryQueueUrl = `${url}/aws/sqs/${LOCAL.account}/review-retry`;
  const outputPath = `s3://${LOCAL.bucket}/${LOCAL.outputPrefix}`;

  Object.assign(process.env, {
    AWS_REGION: LOCAL.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: `${url}/aws/runtime`,
    AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME: `${url}/aws/a2i`,
    AWS_ENDPOINT_URL_S3: `${url}/aws/s3`,
    AWS_ENDPOINT_URL_SQS: `${url}/aws/sqs`,
    AWS_ENDPOINT_URL_DYNAMODB: `${url}/aws/dynamodb`,
    AWS_ENDPOINT_URL_EVENTBRIDGE: `${url}/aws/events`,
    [ENV.endpointName]: LOCAL.endpointName,
    [ENV.reviewBackend]: reviewBackend,
    [ENV.flowDefinitionArn]: flowDefinitionArn,
    [ENV.taskTableName]: LOCAL.taskTable,
    [ENV.reviewEventBus]: LOCAL.eventBus,
    [ENV.s3OutputPath]: outputPath,
    [ENV.taskInputsPath]: `${outputPath}/_inputs`,
    [ENV.taskCount]: String(options.taskCount),
    [ENV.taskAvailabilityLifetimeSeconds]: String(options.taskAvailabilityLifetimeSeconds),
    [ENV.taskTimeLimitSeconds]: String(Math.min(LOCAL.taskTimeLimitSeconds, options.taskAvailabilityLifetimeSeconds)),
    [ENV.workerIdentityIssuer]: LOCAL.workerIssuer,
    [ENV.confidenceThreshold]: String(options.confidenceThreshold),
    [ENV.retryQueueUrl]: retryQueueUrl,
    [ENV.datasetBucket]: LOCAL.bucket,
    [ENV.datasetPrefix]: LOCAL.datasetPrefix,
    [ENV.workerIdSalt]: 'local',
    [ENV.labelSet]: labelSetJson(fs.readFileSync(templateFile, 'utf8')),
    POWERTOOLS_METRICS_DISABLED: 'true',
    // The handlers' Powertools loggers write to the console, where local mode prints their lines readably.
    POWERTOOLS_DEV: 'true',
    POWERTOOLS_SERVICE_NAME: 'review-pipeline-local',
  });
  const releaseConsole = captureHandlerLogs(log);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const handlers = loadHandlers();
  const api = {
    predict: (event: APIGatewayProxyEvent) =>
      handlers.predict(event, lambdaContext('predict', LAMBDA_TIMEOUT_SECONDS.predict)),
    loops: (event: APIGatewayProxyEvent) => handlers.loops(event, lambdaContext('loops', LAMBDA_TIMEOUT_SECONDS.loops)),
  };

  const retryQueue = new LocalQueue(
    `arn:aws:sqs:${LOCAL.region}:${LOCAL.account}:review-retry`,
    {
      handler: (event) =>
        handlers.reviewRetry(event, lambdaContext('review-retry', LAMBDA_TIMEOUT_SECONDS.reviewRetry)),
      maxReceiveCount: 8,
      delayMs: options.retryQueueDelayMs ?? options.queueDelayMs ?? 2_000,
    },
    path.join(dataDir.queues, 'review-retry'),
    dataDir.deadLetters,
    log,
  );
  const collectorQueue = new LocalQueue(
    `arn:aws:sqs:${LOCAL.region}:${LOCAL.account}:collector-events`,
    {
      handler: (event) => handlers.collector(event, lambdaContext('collector', LAMBDA_TIMEOUT_SECONDS.collector)),
      maxReceiveCount: 5,
      delayMs: options.queueDelayMs ?? 2_000,
    },
    path.join(dataDir.queues, 'collector-events'),
    dataDir.deadLetters,
    log,
  );
  // The rules that feed the collector's queue on AWS: the self-hosted backend's events on its bus, A2I's on the
  // default bus.
  const toCollector = (event: BusEvent) => {
    const detail = event.detail as { humanLoopName?: string; humanLoopStatus?: string };
    log(`human loop ${detail.humanLoopName} ended ${detail.humanLoopStatus} (event from ${event.source})`);
    collectorQueue.send(JSON.stringify(event));
  };
  const rule = (bus: string, source: string) => ({
    bus,
    source,
    detailType: REVIEW_ENDED_EVENT.detailType,
    target: toCollector,
  });
  const buses = new LocalEventBuses(
    LOCAL.account,
    LOCAL.region,
    ['default', LOCAL.eventBus],
    [rule(LOCAL.eventBus, REVIEW_ENDED_EVENT.selfHostedSource), rule('default', REVIEW_ENDED_EVENT.a2iSource)],
  );

  const settings = selfHostedSettings(process.env);
  const clients = localClients(url);
  const loopOptions = {
    now: options.now,
    onStepFailed: (loop: { name: string }, step: string, error: unknown) =>
      log(`human loop ${loop.name}: ${step} failed, due again: ${String(error)}`),
  };
  const loops = selfHostedLoops(settings, clients, {
    ...loopOptions,
    announceEnd: reviewBackend === 'a2i' ? announceAsA2i(buses) : undefined,
  });
  const reviews = new TaskReviewPort(loops, settings.flow);
  const workerTasks = new LoggedWorkerTasks(loops, log);
  // Expiry, the end of a stop and announcements happen in time, as on AWS: a sweep takes every step that is due.
  const sweeper = setInterval(
    () => void loops.sweep().catch((error: unknown) => log(`sweep: ${String(error)}`)),
    1_000,
  );
  sweeper.unref();
  const queues = new Map([[retryQueueUrl, retryQueue]]);
  // The same loopback port under its other names, and any origin it is forwarded to (a dev container, a tunnel).
  const port = (server.address() as AddressInfo).port;
  const origins = [url, `http://localhost:${port}`, `http://[::1]:${port}`, ...(options.portalOrigins ?? [])];
  const forgery = forgeryGuard(dataDir.portalSecret, origins);
  const portal: LocalPortal = {
    objects,
    secret: dataDir.portalSecret,
    forgery,
    deps: {
      tasks: workerTasks,
      template: () => fs.promises.readFile(templateFile, 'utf8'),
      grantReadAccess: guardedReadGrant(
        [{ bucket: LOCAL.bucket, prefix: '' }, ...(options.taskObjectLocations ?? [])],
        LOCAL_TASK_OBJECT_LOCATIONS,
        localReadGrant(dataDir.portalSecret),
      ),
      assets: localAssets(),
      forgery,
      origins,
    },
  };
  const endpoint = { name: LOCAL.endpointName, model: options.model };
  const flows = new Map([[flowDefinitionArn, reviews]]);
  // What the operator CLI reads from a deployment, for local mode: the pipeline stack's outputs (local mode has no
  // workforce stack: workers sign in to the portal by name), with URLs at the origin the CLI reached (a forwarded one
  // included).
  const stacks = (origin: string) => [
    {
      name: STACK_NAMES.pipeline,
      outputs: {
        ApiUrl: `${origin}/`,
        ReviewBackend: reviewBackend,
        FlowDefinitionArn: flowDefinitionArn,
        RuntimeApiUrl: `${origin}/aws/a2i`,
        WorkerPortalUrl: `${origin}/portal`,
        OutputBucketName: LOCAL.bucket,
        S3OutputPath: outputPath,
        DatasetUri: `s3://${LOCAL.bucket}/${LOCAL.datasetPrefix}/`,
        EndpointName: LOCAL.endpointName,
        TaskTableName: LOCAL.taskTable,
        ReviewEventBusName: LOCAL.eventBus,
        TaskTemplate: options.taskTemplate,
        TaskCount: String(options.taskCount),
      },
    },
  ];
  const startedAt = new Date();

  // Requests name this server by one of its own hosts: a page on another name that resolves here (DNS rebinding)
  // reaches nothing.
  const hosts = new Set(origins.map((origin) => new URL(origin).host));
  route = async (req, res) => {
    if (!hosts.has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(421, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          message: `Host ${JSON.stringify(req.headers.host ?? '')} is not this local server's; use ${url} (or set LOCAL_PORTAL_ORIGIN for a forwarded one)`,
        }),
      );
      return;
    }
    if (!(req.url ?? '').startsWith('/'))
      throw new BadRequestError(`The request target ${JSON.stringify(req.url)} is not a path (like /predict)`);
    const requestUrl = new URL(`${url}${req.url}`);
    const { pathname } = requestUrl;
    // The emulators get the path as sent, as the services do: an S3 key with `..` in it is the emulator's to
    // refuse, not the URL parser's to resolve.
    const rawPath = (req.url ?? '/').split('?')[0];
    const under = (prefix: string) =>
      rawPath === prefix || rawPath.startsWith(`${prefix}/`) ? (req.url ?? '/').slice(prefix.length) || '/' : undefined;
    let rest: string | undefined;
    // Only an S3 key may hold "." and ".." (the S3 emulator refuses them by name); anywhere else the parser would
    // resolve them to another route than the one the guards below looked at.
    if (under('/aws/s3') === undefined && /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rawPath))
      throw new BadRequestError(`The path ${JSON.stringify(rawPath)} has "." or ".." segments`);
    // Browsers mark every request they send, a page's image or script load included, with Sec-Fetch-* headers.
    if (
      rawPath.startsWith('/aws/') &&
      (req.headers.origin !== undefined || req.headers['sec-fetch-mode'] !== undefined)
    ) {
      // The AWS emulators are for SDK clients on this machine, never for a web page.
      res.writeHead(403, { 'Content-Type': 'application/json' }).end('{"message":"Not for browsers"}');
      return;
    }
    if (!rawPath.startsWith('/aws/') && !SAFE_METHODS.has(req.method ?? '')) {
      // Changes come from this server's own pages or from tools that send no Origin (curl, SDKs), never from
      // another site's page: a form or fetch there sends its own Origin, or at least its Referer.
      const from = requestOrigin(req);
      if (from !== undefined && !origins.includes(from)) {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end(
          JSON.stringify({
            message: `Requests from ${from} may not change anything here; only this server's pages may`,
          }),
        );
        return;
      }
    }
    if ((rest = under('/aws/s3')) !== undefined) {
      await handleS3(objects, req, res, rest);
      const written = req.method === 'PUT' && res.statusCode === 200 ? datasetKey(rest) : undefined;
      if (written !== undefined) log(datasetRecordLine(dataDir.objects, LOCAL.bucket, written));
      return;
    }
    if ((rest = under('/aws/a2i')) !== undefined) return handleRuntimeApi(flows, req, res, rest, log);
    if ((rest = under('/aws/runtime')) !== undefined) return handleRuntime(endpoint, req, res, rest);
    if (under('/aws/sqs') !== undefined) return handleSqs(queues, req, res);
    if (under('/aws/dynamodb') !== undefined) return dynamo.forward(req, res);
    if (under('/aws/events') !== undefined) return buses.handle(req, res);
    if (under('/aws/cloudformation') !== undefined) {
      const host = (req.headers.host ?? '').toLowerCase();
      const origin = origins.find((candidate) => new URL(candidate).host === host) ?? url;
      return handleCloudFormation(stacks(origin), startedAt, req, res);
    }
    if (pathname === '/portal' || pathname.startsWith('/portal/'))
      return handleLocalPortal(portal, req, res, requestUrl);
    if (pathname === '/predict' && req.method === 'POST') {
      const receivedAt = loops.now();
      const { body, result } = await callApi(api.predict, req, '/predict', requestUrl);
      const createdAt = (name: string) =>
        loops.store.get(name).then((loop) => (loop === undefined ? undefined : new Date(loop.createdAt)));
      const batch = { requestBody: body, status: result.statusCode, responseBody: result.body, receivedAt };
      // Logged before the answer goes out, so the lines come before whatever the caller does next.
      for (const line of await predictLines(batch, createdAt, url)) log(line);
      return sendResult(res, result);
    }
    if (pathname === '/loops' && req.method === 'GET') {
      return sendResult(res, (await callApi(api.loops, req, '/loops', requestUrl)).result);
    }
    const loopMatch = /^\/loops\/([^/]+)$/.exec(pathname);
    if (loopMatch && req.method === 'GET') {
      const name = decodeURIComponent(loopMatch[1]);
      return sendResult(res, (await callApi(api.loops, req, '/loops/{name}', requestUrl, { name })).result);
    }
    if (pathname === '/' && req.method === 'GET') {
      res.writeHead(303, { Location: '/portal' }).end();
      return;
    }
    res
      .writeHead(404, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ message: `No route ${req.method} ${pathname}` }));
  };

  const close = async () => {
    clearInterval(sweeper);
    await Promise.all([retryQueue.close(), collectorQueue.close()]);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clients.dynamodb.destroy();
    clients.s3.destroy();
    clients.eventBridge.destroy();
    await dynamo.close();
    releaseConsole();
    unlock();
  };
  // A start that fails here leaves nothing running and the folder free for the next try.
  await ensureTaskTable(clients.dynamodb, settings.tableName).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  return { url, dataDir, objects, reviewBackend, reviews, loops, workerTasks, close };
}

/** The key of a dataset record put through the S3 API (`/<bucket>/dataset/...jsonl`), else undefined. */
function datasetKey(s3Path: string): string | undefined {
  const { pathname } = new URL(s3Path, 'http://local');
  const prefix = `/${LOCAL.bucket}/${LOCAL.datasetPrefix}/`;
  if (!pathname.startsWith(prefix) || !pathname.endsWith('.jsonl')) return undefined;
  return pathname
    .slice(LOCAL.bucket.length + 2)
    .split('/')
    .map(decodeURIComponent)
    .join('/');
}

/**
 * The portal's and the tests' side of the loops, with a line on the log for every answer: before it is stored, so
 * that it comes before the loop's end it may cause, and a second line when it is refused.
 */
class LoggedWorkerTasks extends WorkerTasks {
  constructor(
    loops: TaskLoops,
    private readonly log: (message: string) => void,
  ) {
    super(loops);
  }

  override async answer(
    name: string,
    worker: Worker,
    leaseToken: string,
    answerContent: Readonly<Record<string, unknown>>,
  ): Promise<LoopRecord> {
    this.log(answerLine(name, worker.name ?? worker.id));
    return super.answer(name, worker, leaseToken, answerContent).catch((error: unknown) => {
      this.log(`${answerLine(name, worker.name ?? worker.id)} refused: ${String(error)}`);
      throw error;
    });
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request the server cannot take as sent: answered 400 with its message. */
class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/** The origin a browser says a request comes from: its Origin header, else its Referer's origin. */
function requestOrigin(req: http.IncomingMessage): string | undefined {
  const { origin, referer } = req.headers;
  if (origin !== undefined) return origin;
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'an unreadable Referer';
  }
}

/**
 * The answer to a request whose handling failed: what the client sent wrong is a 400 or 413 with what to change;
 * anything else is a 500 with the error's message, and a line on the log.
 */
function answerFailure(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  error: unknown,
  log: (message: string) => void,
): void {
  const message = error instanceof Error ? error.message : String(error);
  const [status, text] =
    error instanceof BodyTooLargeError
      ? [413, message]
      : error instanceof URIError
        ? [400, `The URL ${JSON.stringify(req.url)} is malformed: ${message}`]
        : error instanceof BadRequestError || error instanceof MalformedJsonError
          ? [400, message]
          : [500, `Local server error: ${message}`];
  if (status === 500) log(`local server: ${req.method} ${req.url}: ${message}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const aws = (req.url ?? '').startsWith('/aws/');
  const type = status === 413 ? 'RequestEntityTooLarge' : status === 400 ? 'ValidationException' : 'InternalFailure';
  res
    .writeHead(status, {
      'Content-Type': 'application/json',
      ...(aws ? { 'x-amzn-errortype': type } : {}),
      ...(status === 413 ? { Connection: 'close' } : {}),
    })
    .end(JSON.stringify(aws ? { __type: type, message: text } : { message: text }));
}

/** The local server's own SDK clients, for the backend's loops: the same settings as the Lambdas', on loopback. */
function localClients(url: string): SelfHostedClients {
  const common = {
    region: LOCAL.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  };
  return {
    dynamodb: new DynamoDBClient({ ...common, endpoint: `${url}/aws/dynamodb` }),
    s3: new S3Client({ ...common, endpoint: `${url}/aws/s3`, forcePathStyle: true }),
    eventBridge: new EventBridgeClient({ ...common, endpoint: `${url}/aws/events` }),
  };
}

/**
 * An end announced as A2I announces it, for `reviewBackend: 'a2i'`: by the service, on the default bus, with
 * `aws.sagemaker` as its source (which no PutEvents caller may use).
 */
function announceAsA2i(buses: LocalEventBuses): LoopEffects['announceEnd'] {
  return (loop) => {
    buses.publish('default', {
      source: REVIEW_ENDED_EVENT.a2iSource,
      'detail-type': REVIEW_ENDED_EVENT.detailType,
      resources: [loop.arn],
      detail: loopEndedDetail(loop),
    });
    return Promise.resolve();
  };
}

async function ensureTaskTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    await dynamodb.send(new CreateTableCommand(createTaskTableInput(tableName)));
  }
}

interface LocalDynamo {
  /** Hands an SDK request to dynalite. */
  forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  close(): Promise<void>;
}

/**
 * DynamoDB on dynalite, kept in `dir` (LevelDB). It listens on a Unix socket of its own, out of a web page's reach,
 * and the local server forwards `/aws/dynamodb` to it, so the endpoint stays the server's across restarts.
 */
async function startDynalite(dir: string): Promise<LocalDynamo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => http.Server;
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const socketPath = dynamoSocketPath();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  const agent = new http.Agent({ keepAlive: true });
  return {
    forward: (req, res) =>
      new Promise<void>((resolve) => {
        const upstream = http.request(
          { socketPath, agent, path: '/', method: req.method, headers: endToEnd(req.headers) },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
            answer.pipe(res).on('finish', resolve);
          },
        );
        upstream.on('error', (error) => {
          if (!res.headersSent)
            res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.0' }).end(
              JSON.stringify({
                __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
                message: error.message,
              }),
            );
          else res.destroy(error);
          resolve();
        });
        // A client that gave up: the request to dynalite goes too.
        res.on('close', () => {
          if (!res.writableFinished) upstream.destroy();
          resolve();
        });
        req.pipe(upstream);
      }),
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      if (process.platform !== 'win32') fs.rmSync(socketPath, { force: true });
    },
  };
}

const SOCKET_PREFIX = 'review-pipeline-dynamodb-';

/**
 * Where dynalite listens: a named pipe on Windows, else a Unix socket in the temporary folder (short enough for
 * macOS's 104 characters with its usual TMPDIR). Sockets left by a process that died are removed first.
 */
function dynamoSocketPath(): string {
  const name = `${SOCKET_PREFIX}${process.pid}-${randomUUID().slice(0, 8)}`;
  if (process.platform === 'win32') return `\\\\.\\pipe\\${name}`;
  for (const file of fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(SOCKET_PREFIX))) {
    const pid = Number(file.slice(SOCKET_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && !isRunning(pid)) fs.rmSync(path.join(os.tmpdir(), file), { force: true });
  }
  return path.join(os.tmpdir(), `${name}.sock`);
}

/** Headers without the hop-by-hop ones, which belong to each connection and not to the request. */
function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !hopByHop.has(name.toLowerCase())));
}

/** The Lambda handlers, loaded only now: their SDK clients read the endpoints set above when they load. */
function loadHandlers() {
  /* eslint-disable @typescript-eslint/no-require-imports -- deferred on purpose, see above */
  return {
    predict: (require('../lambda/predict') as { handler: ApiHandler }).handler,
    loops: (require('../lambda/loops') as { handler: ApiHandler }).handler,
    reviewRetry: (require('../lambda/review-retry') as { handler: QueueHandler }).handler,
    collector: (require('../lambda/collector') as { handler: QueueHandler }).handler,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The template's label set as the CDK app passes it, or '' when the template has none it can read. */
function labelSetJson(template: string): string {
  const set = templateLabelSet(template);
  return set === undefined ? '' : JSON.stringify(set);
}

/** API Gateway's limit on a REST API's request payload. */
const API_PAYLOAD_MAX_BYTES = 10 * 1024 * 1024;

/**
 * The handler's answer to one HTTP request, called with API Gateway's proxy event as the REST API would pass it,
 * with the request's body. A body over API Gateway's payload limit gets its 413 without reaching the handler.
 */
async function callApi(
  handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
  req: http.IncomingMessage,
  resource: string,
  url: URL,
  pathParameters: Record<string, string> | null = null,
): Promise<{ body: string; result: APIGatewayProxyResult }> {
  const raw =
    req.method === 'POST'
      ? await readBody(req, API_PAYLOAD_MAX_BYTES).catch((error: unknown) => {
          if (error instanceof BodyTooLargeError) return undefined;
          throw error;
        })
      : Buffer.alloc(0);
  if (raw === undefined) {
    // API Gateway's own answer, whose message names no limit: docs/api.md gives it.
    return { body: '', result: { statusCode: 413, body: JSON.stringify({ message: 'Request Too Long' }) } };
  }
  const body = raw.toString('utf8');
  const query = Object.fromEntries(url.searchParams);
  const event = {
    resource,
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers: Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    ),
    multiValueHeaders: {},
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: null,
    pathParameters,
    stageVariables: null,
    body: req.method === 'POST' ? body : null,
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      stage: 'local',
      httpMethod: req.method,
      resourcePath: resource,
      path: url.pathname,
    },
  } as unknown as APIGatewayProxyEvent;
  return { body, result: await handler(event) };
}

function sendResult(res: http.ServerResponse, result: APIGatewayProxyResult): void {
  res
    .writeHead(result.statusCode, { 'Content-Type': 'application/json', ...(result.headers as Record<string, string>) })
    .end(result.body);
}
