/**
 * What the CDK app and the Lambdas must agree on: environment variable names and the predict API's limits.
 * The app writes them (function environment, API Gateway request model); the handlers read them.
 */

/** The review backends: the CDK app picks one, and the handlers build its adapter (lambda/shared/review/from-env.ts). */
export const REVIEW_BACKENDS = ['a2i', 'self-hosted'] as const;
export type ReviewBackendName = (typeof REVIEW_BACKENDS)[number];

export const ENV = {
  endpointName: 'SAGEMAKER_ENDPOINT_NAME',
  /** Which review backend the handlers talk to (lambda/shared/review/from-env.ts); `a2i` when unset. */
  reviewBackend: 'REVIEW_BACKEND',
  /** The flow definition loops start under (A2I's, or the one a self-hosted backend names). */
  flowDefinitionArn: 'FLOW_DEFINITION_ARN',
  /** The self-hosted backend's (lambda/shared/review/self-hosted.ts): its table, bus, S3 paths and task settings. */
  taskTableName: 'REVIEW_TASK_TABLE',
  reviewEventBus: 'REVIEW_EVENT_BUS',
  s3OutputPath: 'REVIEW_S3_OUTPUT_PATH',
  taskInputsPath: 'REVIEW_TASK_INPUTS_PATH',
  taskCount: 'REVIEW_TASK_COUNT',
  taskAvailabilityLifetimeSeconds: 'REVIEW_TASK_LIFETIME_SECONDS',
  taskTimeLimitSeconds: 'REVIEW_TASK_TIME_LIMIT_SECONDS',
  workerIdentityIssuer: 'REVIEW_WORKER_ISSUER',
  /** The worker portal on AWS (lambda/portal/index.ts): its URL, the pool it signs in with, its key. */
  portalUrl: 'PORTAL_URL',
  portalSecretArn: 'PORTAL_SECRET_ARN',
  portalClientId: 'PORTAL_CLIENT_ID',
  workerPoolId: 'WORKER_POOL_ID',
  workerPoolDomain: 'WORKER_POOL_DOMAIN',
  workerGroup: 'WORKER_GROUP',
  /** JSON array of the `s3://` locations templates may show objects from (common/object-locations.ts). */
  taskObjectLocations: 'TASK_OBJECT_LOCATIONS',
  /** Where the portal's template and assets are. @default beside the bundled code */
  portalFilesDir: 'PORTAL_FILES_DIR',
  confidenceThreshold: 'CONFIDENCE_THRESHOLD',
  contentClassifiers: 'CONTENT_CLASSIFIERS',
  retryQueueUrl: 'REVIEW_RETRY_QUEUE_URL',
  modelTimeoutMs: 'MODEL_TIMEOUT_MS',
  loopStartConcurrency: 'LOOP_START_CONCURRENCY',
  logRequestText: 'LOG_REQUEST_TEXT',
  datasetBucket: 'DATASET_BUCKET',
  datasetPrefix: 'DATASET_PREFIX',
  workerIdSalt: 'WORKER_ID_SALT',
  /** JSON of the LabelSet (common/label-set.ts) reviewers choose from; absent when the template's is unknown. */
  labelSet: 'REVIEW_LABEL_SET',
} as const;

/**
 * Each runtime Lambda's timeout in seconds: the CDK app sets it, the handlers plan their deadlines within it (from
 * the Lambda context), and local mode gives its handlers the same budget.
 */
export const LAMBDA_TIMEOUT_SECONDS = {
  /** API Gateway gives up at 29 s. */
  predict: 28,
  loops: 15,
  reviewRetry: 30,
  collector: 60,
  /** Runs every minute: it ends well before the next run. */
  sweeper: 50,
  runtimeApi: 15,
  portal: 15,
} as const;

/**
 * The "review ended" event. A2I publishes it on the default event bus with source `aws.sagemaker`; a self-hosted
 * backend publishes the same detail-type and detail on its own bus under its own source (EventBridge reserves the
 * `aws.` sources). The collector reads either (lambda/shared/review/ended-event.ts).
 */
export const REVIEW_ENDED_EVENT = {
  detailType: 'SageMaker A2I HumanLoop Status Change',
  a2iSource: 'aws.sagemaker',
  selfHostedSource: 'review-pipeline.reviews',
} as const;

/**
 * Human loops the predict handler starts at once. The default starts every low-confidence item of the largest batch
 * in one wave, which is what one InvokeEndpoint and then all StartHumanLoop calls at once with the bare SDK reach
 * (BENCHMARKS.md); A2I publishes no request rate for StartHumanLoop, and a throttled start slows the client down
 * (adaptive retry) and then goes to the retry queue.
 */
export const LOOP_START_CONCURRENCY = { default: 100, min: 1, max: 100 } as const;

/** Limits of POST /predict, stated in the README and enforced by the API's request model and by the handler. */
export const PREDICT_LIMITS = {
  /** Items per request. */
  maxInstances: 100,
  /** Strings in one item's `features`. */
  maxFeaturesPerInstance: 16,
  /** Characters of one item, all its features together. */
  maxCharactersPerInstance: 10_000,
  /**
   * Bytes of the whole request body: far below SageMaker's smallest InvokeEndpoint payload limit (4 MB, serverless;
   * 6 MB real-time), so the batch always goes to the model in one call.
   */
  maxRequestBytes: 1_048_576,
  /** Characters of `requestId` and of an item's `id`. */
  maxIdLength: 128,
} as const;

export const CONTENT_CLASSIFIERS = ['FreeOfPersonallyIdentifiableInformation', 'FreeOfAdultContent'] as const;
export type ContentClassifier = (typeof CONTENT_CLASSIFIERS)[number];

/**
 * Tag on the workers' Cognito user pool naming the stack that owns it. The workforce custom resource reads it to
 * recognise a workforce that an earlier, failed deploy of the same stack bound to its (retained) old pool.
 */
export const WORKER_POOL_STACK_TAG = 'review-pipeline:workforce-stack';

/** Stack names: the CDK app creates them, the operator CLI reads their outputs. */
export const STACK_NAMES = { workforce: 'ReviewWorkforce', pipeline: 'ReviewPipeline' } as const;

/** What the worker portal's Lambda reads beside its code: the CDK app copies them into its bundle. */
/** The portal's crowd HTML elements, the scripts of a task frame in the order it loads them (core first). */
export const CROWD_SCRIPTS = [
  'crowd-core.js',
  'crowd-regions.js',
  'crowd-text.js',
  'crowd-layout.js',
  'crowd-image.js',
  'crowd-entity.js',
  'crowd-segmentation.js',
] as const;

const JAVASCRIPT = 'text/javascript; charset=utf-8';

export const PORTAL_BUNDLE_FILES = {
  taskTemplate: 'task-template.html',
  /** Served under `/portal/<name>`, by content type. */
  assets: {
    ...(Object.fromEntries(CROWD_SCRIPTS.map((name) => [name, JAVASCRIPT])) as Record<
      (typeof CROWD_SCRIPTS)[number],
      typeof JAVASCRIPT
    >),
    'portal-task.js': JAVASCRIPT,
    'portal.css': 'text/css; charset=utf-8',
  },
} as const;
