/**
 * The app's configuration: every CDK context key is read here, once, into a typed object.
 * A bad or missing value never reaches a construct: synthesis stops with one message per problem, naming the key,
 * the value given and what is accepted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContentClassifier } from '../common/contract';
import { CONTENT_CLASSIFIERS } from '../common/contract';
import { A2I_NAME_PATTERN, A2I_NAME_PREFIX_MAX_LENGTH } from '../common/names';

export const TEMPLATES_DIR = path.join(__dirname, '..', 'templates');
export const TEMPLATE_FILE_SUFFIX = '.liquid.html';
export const UI_TEMPLATE_MAX_CHARS = 128_000;

export type ModelConfig =
  | { readonly kind: 'existing'; readonly endpointName: string }
  | {
      readonly kind: 'new';
      readonly modelDataUrl: string;
      /** @default the PyTorch inference container of the stack's Region */
      readonly modelImageUri?: string;
      readonly networkIsolation: boolean;
      readonly compute:
        | { readonly kind: 'instances'; readonly instanceType: string; readonly instanceCount: number }
        | { readonly kind: 'serverless'; readonly memorySizeInMB: number; readonly maxConcurrency: number };
    };

export type WorkteamConfig =
  | { readonly kind: 'existing'; readonly workteamArn: string }
  | {
      readonly kind: 'managed';
      /** @default unique per account and Region: `review-workers-<account>-<region>` */
      readonly cognitoDomainPrefix?: string;
      readonly workforceName: string;
      readonly workteamName: string;
      readonly workteamDescription: string;
      readonly workerEmails: readonly string[];
      readonly workerMfa: 'optional' | 'required';
    };

export interface ReviewConfig {
  readonly confidenceThreshold: number;
  readonly resourcePrefix: string;
  readonly taskTemplateName: string;
  readonly taskTemplateContent: string;
  readonly taskCount: number;
  readonly taskTitle: string;
  readonly taskDescription: string;
  readonly taskAvailabilityLifetimeInSeconds: number;
  readonly taskTimeLimitInSeconds: number;
  readonly outputPrefix: string;
  readonly datasetPrefix: string;
  readonly kmsKeyArn?: string;
}

export interface ApiConfig {
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly contentClassifiers: readonly ContentClassifier[];
  readonly logRequestText: boolean;
}

export interface AppConfig {
  readonly model: ModelConfig;
  readonly workteam: WorkteamConfig;
  readonly review: ReviewConfig;
  readonly api: ApiConfig;
}

export const DEFAULTS = {
  instanceType: 'ml.m5.large',
  instanceCount: 1,
  serverlessMemorySizeInMB: 2048,
  serverlessMaxConcurrency: 5,
  networkIsolation: true,
  workforceName: 'review-workforce',
  workteamName: 'review-team',
  workteamDescription: 'Reviewers of low-confidence model predictions',
  workerMfa: 'optional',
  confidenceThreshold: 0.9,
  resourcePrefix: 'sentiment-review',
  taskTemplate: 'sentiment',
  taskCount: 1,
  taskTitle: 'Classify the sentiment of a product review',
  taskDescription: 'Read the review and choose -1 (negative), 0 (neutral) or 1 (positive).',
  taskAvailabilityLifetimeInSeconds: 86_400,
  taskTimeLimitInSeconds: 3_600,
  outputPrefix: 'a2i-results',
  datasetPrefix: 'dataset',
  apiThrottleRateLimit: 50,
  apiThrottleBurstLimit: 100,
} as const;

const SAGEMAKER_RESOURCE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const S3_MODEL_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+\.tar\.gz$/;
const ECR_IMAGE_URI =
  /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9]+([._/-][a-z0-9]+)*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;
const WORKTEAM_ARN =
  /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:workteam\/private-crowd\/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const KMS_KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const COGNITO_DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const COGNITO_RESERVED_WORDS = ['aws', 'amazon', 'cognito'];
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
const S3_KEY_PREFIX = /^[a-zA-Z0-9!_.*'()-]+(\/[a-zA-Z0-9!_.*'()-]+)*$/;
const SERVERLESS_MEMORY_SIZES = [1024, 2048, 3072, 4096, 5120, 6144];

export const MODEL_KEYS = [
  'modelDataUrl',
  'modelImageUri',
  'instanceType',
  'instanceCount',
  'serverlessMemorySizeInMB',
  'serverlessMaxConcurrency',
  'networkIsolation',
] as const;
export const WORKFORCE_KEYS = [
  'cognitoDomainPrefix',
  'workforceName',
  'workteamName',
  'workteamDescription',
  'workerEmails',
  'workerMfa',
] as const;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CDK context (fix with -c key=value or in cdk.json):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type ContextLookup = (key: string) => unknown;

/** Reads context values of one kind each; records a problem instead of throwing so all problems are reported at once. */
class ContextReader {
  readonly problems: string[] = [];

  constructor(private readonly lookup: ContextLookup) {}

  has(key: string): boolean {
    const value = this.lookup(key);
    return value !== undefined && value !== null && value !== '';
  }

  problem(key: string, value: unknown, expected: string): undefined {
    this.problems.push(`${key}: got ${describe(value)}; expected ${expected}.`);
    return undefined;
  }

  string(
    key: string,
    rule: { pattern?: RegExp; minLength?: number; maxLength?: number; expected: string },
  ): string | undefined {
    if (!this.has(key)) return undefined;
    const value = this.lookup(key);
    if (typeof value !== 'string') return this.problem(key, value, rule.expected);
    const fits =
      (rule.pattern === undefined || rule.pattern.test(value)) &&
      value.length >= (rule.minLength ?? 1) &&
      value.length <= (rule.maxLength ?? Infinity);
    return fits ? value : this.problem(key, value, rule.expected);
  }

  number(key: string, min: number, max: number, opts: { integer: boolean }): number | undefined {
    if (!this.has(key)) return undefined;
    const value = this.lookup(key);
    const parsed =
      typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    const ok = Number.isFinite(parsed) && (!opts.integer || Number.isInteger(parsed)) && parsed >= min && parsed <= max;
    return ok ? parsed : this.problem(key, value, `${opts.integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }

  boolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const value = this.lookup(key);
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return this.problem(key, value, 'true or false');
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T | undefined {
    if (!this.has(key)) return undefined;
    const value = this.lookup(key);
    return (choices as readonly unknown[]).includes(value)
      ? (value as T)
      : this.problem(key, value, `one of ${choices.join(', ')}`);
  }

  /** A list given as a JSON array (cdk.json) or a comma-separated string (-c key=a,b). */
  list(key: string): string[] {
    if (!this.has(key)) return [];
    const value = this.lookup(key);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim());
    if (typeof value === 'string')
      return value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
    this.problem(key, value, 'a comma-separated string or a JSON array of strings');
    return [];
  }

  /** Keys that only make sense in another mode are an error, not silently ignored. */
  forbid(keys: readonly string[], because: string): void {
    for (const key of keys) {
      if (this.has(key)) this.problems.push(`${key}: got ${describe(this.lookup(key))}; not allowed ${because}.`);
    }
  }
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function parseConfig(lookup: ContextLookup): AppConfig {
  const ctx = new ContextReader(lookup);
  const model = parseModel(ctx);
  const workteam = parseWorkteam(ctx);
  const review = parseReview(ctx);
  const api = parseApi(ctx);
  if (ctx.problems.length > 0 || model === undefined || review === undefined) throw new ConfigError(ctx.problems);
  return { model, workteam, review, api };
}

function parseApi(ctx: ContextReader): ApiConfig {
  const throttleRateLimit =
    ctx.number('apiThrottleRateLimit', 1, 10_000, { integer: true }) ?? DEFAULTS.apiThrottleRateLimit;
  const throttleBurstLimit =
    ctx.number('apiThrottleBurstLimit', 1, 5_000, { integer: true }) ?? DEFAULTS.apiThrottleBurstLimit;
  const contentClassifiers = ctx.list('contentClassifiers');
  for (const classifier of contentClassifiers) {
    if (!(CONTENT_CLASSIFIERS as readonly string[]).includes(classifier)) {
      ctx.problem('contentClassifiers', classifier, `some of ${CONTENT_CLASSIFIERS.join(', ')}, separated by commas`);
    }
  }
  return {
    throttleRateLimit,
    throttleBurstLimit,
    contentClassifiers: contentClassifiers as ContentClassifier[],
    logRequestText: ctx.boolean('logRequestText') ?? false,
  };
}

function parseModel(ctx: ContextReader): ModelConfig | undefined {
  const endpointName = ctx.string('endpointName', {
    pattern: SAGEMAKER_RESOURCE_NAME,
    expected: 'a SageMaker endpoint name (1-63 letters, digits or hyphens, not starting or ending with a hyphen)',
  });
  if (ctx.has('endpointName')) {
    ctx.forbid(MODEL_KEYS, 'together with endpointName (use an existing endpoint, or build one from modelDataUrl)');
    return endpointName === undefined ? undefined : { kind: 'existing', endpointName };
  }
  if (!ctx.has('modelDataUrl')) {
    ctx.problems.push(
      'endpointName or modelDataUrl: neither was given; expected exactly one (an existing endpoint, or the S3 URI of a model.tar.gz).',
    );
    return undefined;
  }
  const modelDataUrl = ctx.string('modelDataUrl', {
    pattern: S3_MODEL_URI,
    expected: 'an S3 URI of a model archive, like s3://my-bucket/models/model.tar.gz',
  });
  const modelImageUri = ctx.string('modelImageUri', {
    pattern: ECR_IMAGE_URI,
    expected: 'an ECR image URI with a tag or digest, like 123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:tag',
  });
  const networkIsolation = ctx.boolean('networkIsolation') ?? DEFAULTS.networkIsolation;
  const serverless = ctx.has('serverlessMemorySizeInMB') || ctx.has('serverlessMaxConcurrency');
  let compute: Extract<ModelConfig, { kind: 'new' }>['compute'] | undefined;
  if (serverless) {
    ctx.forbid(
      ['instanceType', 'instanceCount'],
      'together with a serverless configuration (serverlessMemorySizeInMB, serverlessMaxConcurrency)',
    );
    const memory = ctx.has('serverlessMemorySizeInMB')
      ? ctx.number('serverlessMemorySizeInMB', 1024, 6144, { integer: true })
      : DEFAULTS.serverlessMemorySizeInMB;
    const memorySizeInMB =
      memory === undefined || SERVERLESS_MEMORY_SIZES.includes(memory)
        ? memory
        : ctx.problem('serverlessMemorySizeInMB', memory, `one of ${SERVERLESS_MEMORY_SIZES.join(', ')}`);
    const maxConcurrency = ctx.has('serverlessMaxConcurrency')
      ? ctx.number('serverlessMaxConcurrency', 1, 200, { integer: true })
      : DEFAULTS.serverlessMaxConcurrency;
    if (memorySizeInMB !== undefined && maxConcurrency !== undefined)
      compute = { kind: 'serverless', memorySizeInMB, maxConcurrency };
  } else {
    const instanceType =
      ctx.string('instanceType', { pattern: INSTANCE_TYPE, expected: 'a SageMaker instance type, like ml.m5.large' }) ??
      (ctx.has('instanceType') ? undefined : DEFAULTS.instanceType);
    const instanceCount = ctx.has('instanceCount')
      ? ctx.number('instanceCount', 1, 100, { integer: true })
      : DEFAULTS.instanceCount;
    if (instanceType !== undefined && instanceCount !== undefined)
      compute = { kind: 'instances', instanceType, instanceCount };
  }
  if (
    modelDataUrl === undefined ||
    compute === undefined ||
    (ctx.has('modelImageUri') && modelImageUri === undefined)
  ) {
    return undefined;
  }
  return { kind: 'new', modelDataUrl, modelImageUri, networkIsolation, compute };
}

function parseWorkteam(ctx: ContextReader): WorkteamConfig {
  if (ctx.has('existingWorkteamArn')) {
    ctx.forbid(WORKFORCE_KEYS, 'together with existingWorkteamArn (no workforce stack is made)');
    const workteamArn = ctx.string('existingWorkteamArn', {
      pattern: WORKTEAM_ARN,
      expected: 'a private workteam ARN, like arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/my-team',
    });
    return { kind: 'existing', workteamArn: workteamArn ?? '' };
  }
  const sagemakerName = (key: string, fallback: string): string =>
    ctx.string(key, {
      pattern: SAGEMAKER_RESOURCE_NAME,
      expected: '1-63 letters, digits or hyphens, not starting or ending with a hyphen',
    }) ?? fallback;
  let cognitoDomainPrefix = ctx.string('cognitoDomainPrefix', {
    pattern: COGNITO_DOMAIN_PREFIX,
    expected: '1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen',
  });
  const reserved = COGNITO_RESERVED_WORDS.find((word) => cognitoDomainPrefix?.includes(word));
  if (reserved !== undefined) {
    cognitoDomainPrefix = ctx.problem(
      'cognitoDomainPrefix',
      cognitoDomainPrefix,
      `a prefix without the reserved word "${reserved}"`,
    );
  }
  const workerEmails = ctx.list('workerEmails');
  for (const email of workerEmails) {
    if (!EMAIL.test(email))
      ctx.problem('workerEmails', email, 'email addresses like worker@example.com, separated by commas');
  }
  const duplicate = workerEmails.find(
    (email, i) => workerEmails.findIndex((e) => e.toLowerCase() === email.toLowerCase()) !== i,
  );
  if (duplicate !== undefined) ctx.problem('workerEmails', duplicate, 'each address once');
  return {
    kind: 'managed',
    cognitoDomainPrefix,
    workforceName: sagemakerName('workforceName', DEFAULTS.workforceName),
    workteamName: sagemakerName('workteamName', DEFAULTS.workteamName),
    workteamDescription:
      ctx.string('workteamDescription', { maxLength: 200, expected: '1-200 characters' }) ??
      DEFAULTS.workteamDescription,
    workerEmails,
    workerMfa: ctx.oneOf('workerMfa', ['optional', 'required'] as const) ?? DEFAULTS.workerMfa,
  };
}

function parseReview(ctx: ContextReader): ReviewConfig | undefined {
  const taskTemplateName =
    ctx.string('taskTemplate', {
      pattern: /^[a-z0-9][a-z0-9-]*$/,
      expected: `the name of a file in templates/ without ${TEMPLATE_FILE_SUFFIX}, like sentiment`,
    }) ?? DEFAULTS.taskTemplate;
  const taskTemplateContent = readTemplate(ctx, taskTemplateName);
  const config: ReviewConfig = {
    confidenceThreshold: ctx.number('confidenceThreshold', 0, 1, { integer: false }) ?? DEFAULTS.confidenceThreshold,
    resourcePrefix:
      ctx.string('resourcePrefix', {
        pattern: A2I_NAME_PATTERN,
        maxLength: A2I_NAME_PREFIX_MAX_LENGTH,
        expected: `1-${A2I_NAME_PREFIX_MAX_LENGTH} lowercase letters, digits or hyphens, not starting or ending with a hyphen (the name gets -<8-character hash> appended and must stay within 63 characters)`,
      }) ?? DEFAULTS.resourcePrefix,
    taskTemplateName,
    taskTemplateContent: taskTemplateContent ?? '',
    taskCount: ctx.number('taskCount', 1, 3, { integer: true }) ?? DEFAULTS.taskCount,
    taskTitle: ctx.string('taskTitle', { maxLength: 128, expected: '1-128 characters' }) ?? DEFAULTS.taskTitle,
    taskDescription:
      ctx.string('taskDescription', { maxLength: 255, expected: '1-255 characters' }) ?? DEFAULTS.taskDescription,
    taskAvailabilityLifetimeInSeconds:
      ctx.number('taskAvailabilityLifetimeInSeconds', 60, 864_000, { integer: true }) ??
      DEFAULTS.taskAvailabilityLifetimeInSeconds,
    taskTimeLimitInSeconds:
      ctx.number('taskTimeLimitInSeconds', 30, 28_800, { integer: true }) ?? DEFAULTS.taskTimeLimitInSeconds,
    outputPrefix:
      ctx.string('outputPrefix', {
        pattern: S3_KEY_PREFIX,
        maxLength: 256,
        expected: "an S3 key prefix of letters, digits and !_.*'()- separated by single slashes, like a2i-results",
      }) ?? DEFAULTS.outputPrefix,
    datasetPrefix:
      ctx.string('datasetPrefix', {
        pattern: S3_KEY_PREFIX,
        maxLength: 256,
        expected: "an S3 key prefix of letters, digits and !_.*'()- separated by single slashes, like dataset",
      }) ?? DEFAULTS.datasetPrefix,
    kmsKeyArn: ctx.string('kmsKeyArn', {
      pattern: KMS_KEY_ARN,
      expected: 'a KMS key ARN, like arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    }),
  };
  const [a, b] = [`${config.outputPrefix}/`, `${config.datasetPrefix}/`];
  if (a.startsWith(b) || b.startsWith(a)) {
    ctx.problem('datasetPrefix', config.datasetPrefix, `a prefix apart from outputPrefix (${config.outputPrefix})`);
  }
  if (config.taskAvailabilityLifetimeInSeconds < config.taskTimeLimitInSeconds) {
    ctx.problem(
      'taskAvailabilityLifetimeInSeconds',
      config.taskAvailabilityLifetimeInSeconds,
      `at least taskTimeLimitInSeconds (${config.taskTimeLimitInSeconds})`,
    );
  }
  return taskTemplateContent === undefined ? undefined : config;
}

function readTemplate(ctx: ContextReader, name: string): string | undefined {
  const file = path.join(TEMPLATES_DIR, `${name}${TEMPLATE_FILE_SUFFIX}`);
  if (!fs.existsSync(file)) {
    const available = fs
      .readdirSync(TEMPLATES_DIR)
      .filter((f) => f.endsWith(TEMPLATE_FILE_SUFFIX))
      .map((f) => f.slice(0, -TEMPLATE_FILE_SUFFIX.length));
    return ctx.problem('taskTemplate', name, `one of the templates in templates/: ${available.join(', ')}`);
  }
  const content = fs.readFileSync(file, 'utf8');
  if (content.length > UI_TEMPLATE_MAX_CHARS) {
    return ctx.problem(
      'taskTemplate',
      name,
      `a template of at most ${UI_TEMPLATE_MAX_CHARS} characters (it has ${content.length})`,
    );
  }
  return content;
}
