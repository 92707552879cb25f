/**
 * Local mode: one loopback server that serves the predict API with the same Lambda handlers as on AWS, emulates the
 * AWS APIs those handlers call (SageMaker runtime, A2I runtime, S3, SQS) on their wire protocols, and hosts the worker
 * portal. The handlers reach the emulators through the standard AWS_ENDPOINT_URL_* variables; no handler code knows
 * it runs locally. The handlers' SDK clients are made when their modules load, so one process runs one local server.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ENV, LAMBDA_TIMEOUT_SECONDS, REVIEW_ENDED_EVENT } from '../common/contract';
import { templateLabelSet } from '../common/label-set';
import { nameWithContentHash } from '../common/names';
import { forgeryGuard } from '../lambda/portal/csrf';
import { loopEndedDetail } from '../lambda/shared/review/ended-event';
import { TaskReviewPort } from '../lambda/shared/review/task-port';
import { TaskLoops } from '../lambda/shared/review/task-loops';
import type { FlowSettings, LoopRecord } from '../lambda/shared/review/tasks';
import { WorkerTasks } from '../lambda/shared/review/worker-tasks';
import { lambdaContext } from './lambda-context';
import type { DataDir } from './data-dir';
import { openDataDir } from './data-dir';
import { FileTaskStore } from './file-task-store';
import type { ModelBackend } from './model/model-backend';
import { ObjectStore } from './object-store';
import type { LocalPortal } from './portal-http';
import { handleLocalPortal, localAssets, localReadGrant } from './portal-http';
import { handleRuntimeApi } from './runtime-api-http';
import { handleRuntime } from './runtime-emulator';
import { handleS3 } from './s3-emulator';
import { handleSqs, LocalQueue } from './sqs-emulator';
import { readBody } from './wire';

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
} as const;

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
  readonly log?: (message: string) => void;
}

export interface LocalServer {
  readonly url: string;
  readonly dataDir: DataDir;
  readonly objects: ObjectStore;
  /** The flow definition's loops through the review port, as the A2I emulator serves them. */
  readonly reviews: TaskReviewPort;
  /** The workers' side of the same loops, as the portal uses it. */
  readonly workerTasks: WorkerTasks;
  close(): Promise<void>;
}

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const TEMPLATES = path.join(__dirname, '..', 'templates');

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const log = options.log ?? ((message: string) => console.log(message));
  const dataDir = openDataDir(options.dataDir);
  const templateFile = path.join(TEMPLATES, `${options.taskTemplate}.liquid.html`);
  if (!fs.existsSync(templateFile)) throw new Error(`No task template ${templateFile}`);
  const objects = new ObjectStore(dataDir.objects);
  const store = new FileTaskStore(dataDir.loops);

  let route: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> = () =>
    Promise.reject(new Error('starting'));
  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      log(`local server: ${req.method} ${req.url}: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          message: 'Local server error',
          detail: error instanceof Error ? error.message : String(error),
        }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const flowDefinitionArn = `arn:aws:sagemaker:${LOCAL.region}:${LOCAL.account}:flow-definition/${LOCAL.flowDefinitionName}`;
  const retryQueueUrl = `${url}/aws/sqs/${LOCAL.account}/review-retry`;

  Object.assign(process.env, {
    AWS_REGION: LOCAL.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: `${url}/aws/runtime`,
    AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME: `${url}/aws/a2i`,
    AWS_ENDPOINT_URL_S3: `${url}/aws/s3`,
    AWS_ENDPOINT_URL_SQS: `${url}/aws/sqs`,
    [ENV.endpointName]: LOCAL.endpointName,
    [ENV.flowDefinitionArn]: flowDefinitionArn,
    [ENV.confidenceThreshold]: String(options.confidenceThreshold),
    [ENV.retryQueueUrl]: retryQueueUrl,
    [ENV.datasetBucket]: LOCAL.bucket,
    [ENV.datasetPrefix]: LOCAL.datasetPrefix,
    [ENV.workerIdSalt]: 'local',
    [ENV.labelSet]: labelSetJson(fs.readFileSync(templateFile, 'utf8')),
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
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
      delayMs: options.queueDelayMs ?? 2_000,
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
  const flow: FlowSettings = {
    flowDefinitionArn,
    s3OutputPath: `s3://${LOCAL.bucket}/${LOCAL.outputPrefix}`,
    taskCount: options.taskCount,
    taskAvailabilityLifetimeSeconds: options.taskAvailabilityLifetimeSeconds,
    taskTimeLimitSeconds: Math.min(LOCAL.taskTimeLimitSeconds, options.taskAvailabilityLifetimeSeconds),
  };
  const loops = new TaskLoops(store, {
    // A2I announces each ended loop on EventBridge; the rule's queue feeds the collector.
    announceEnd: (loop) => {
      collectorQueue.send(JSON.stringify(statusChangeEvent(loop)));
      return Promise.resolve();
    },
    writeOutput: ({ bucket, key }, document) => {
      objects.put(bucket, key, Buffer.from(document), 'application/json');
      return Promise.resolve();
    },
    identityIssuer: `https://cognito-idp.${LOCAL.region}.amazonaws.com/local-workers`,
    onStepFailed: (loop, step, error) => log(`human loop ${loop.name}: ${step} failed, due again: ${String(error)}`),
  });
  const reviews = new TaskReviewPort(loops, flow);
  const workerTasks = new WorkerTasks(loops);
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
      grantReadAccess: localReadGrant(dataDir.portalSecret),
      assets: localAssets(),
      forgery,
    },
  };
  const endpoint = { name: LOCAL.endpointName, model: options.model };
  const flows = new Map([[flowDefinitionArn, reviews]]);

  route = async (req, res) => {
    const requestUrl = new URL(req.url ?? '/', url);
    const { pathname } = requestUrl;
    const under = (prefix: string) =>
      pathname === prefix || pathname.startsWith(`${prefix}/`)
        ? (req.url ?? '/').slice(prefix.length) || '/'
        : undefined;
    let rest: string | undefined;
    if ((rest = under('/aws/s3')) !== undefined) return handleS3(objects, req, res, rest);
    if ((rest = under('/aws/a2i')) !== undefined) return handleRuntimeApi(flows, req, res, rest, log);
    if ((rest = under('/aws/runtime')) !== undefined) return handleRuntime(endpoint, req, res, rest);
    if (under('/aws/sqs') !== undefined) return handleSqs(queues, req, res);
    if (pathname === '/portal' || pathname.startsWith('/portal/'))
      return handleLocalPortal(portal, req, res, requestUrl);
    if (pathname === '/predict' && req.method === 'POST') return callApi(api.predict, req, res, '/predict', requestUrl);
    if (pathname === '/loops' && req.method === 'GET') return callApi(api.loops, req, res, '/loops', requestUrl);
    const loopMatch = /^\/loops\/([^/]+)$/.exec(pathname);
    if (loopMatch && req.method === 'GET')
      return callApi(api.loops, req, res, '/loops/{name}', requestUrl, { name: decodeURIComponent(loopMatch[1]) });
    if (pathname === '/' && req.method === 'GET') {
      res.writeHead(303, { Location: '/portal' }).end();
      return;
    }
    res
      .writeHead(404, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ message: `No route ${req.method} ${pathname}` }));
  };

  return {
    url,
    dataDir,
    objects,
    reviews,
    workerTasks,
    close: async () => {
      clearInterval(sweeper);
      retryQueue.close();
      collectorQueue.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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

/** API Gateway's proxy event for one HTTP request, as the REST API would pass it. */
async function callApi(
  handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  resource: string,
  url: URL,
  pathParameters: Record<string, string> | null = null,
): Promise<void> {
  const body = req.method === 'POST' ? await readBody(req, 10 * 1024 * 1024).catch(() => undefined) : Buffer.alloc(0);
  if (body === undefined) {
    res.writeHead(413, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'Request Too Long' }));
    return;
  }
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
    body: req.method === 'POST' ? body.toString('utf8') : null,
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
  const result = await handler(event);
  res.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
}

/** The EventBridge event A2I sends when a loop ends, as the collector's queue delivers it. */
function statusChangeEvent(loop: LoopRecord) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': REVIEW_ENDED_EVENT.detailType,
    source: REVIEW_ENDED_EVENT.a2iSource,
    account: LOCAL.account,
    time: new Date().toISOString(),
    region: LOCAL.region,
    resources: [loop.arn],
    detail: loopEndedDetail(loop),
  };
}
