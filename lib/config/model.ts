/** Where the predictions come from: an existing SageMaker endpoint, or one built from a model archive. */
import { DEFAULTS } from './defaults';
import { isGraviton } from './instance-types';
import type { ContextReader } from './reader';

/**
 * The AWS Deep Learning Containers that serve a PyTorch model archive with its code/inference.py (SageMaker's PyTorch
 * inference toolkit on TorchServe), per processor architecture. They are the last PyTorch inference images AWS built:
 * their patch support ended 2026-06-30 and no later PyTorch inference image exists (see docs/model.md); pass
 * modelImageUri for an image you maintain.
 */
export const DEFAULT_MODEL_IMAGES = {
  x86_64: { repository: 'pytorch-inference', tag: '2.6.0-cpu-py312-ubuntu22.04-sagemaker' },
  arm64: { repository: 'pytorch-inference-arm64', tag: '2.6.0-cpu-py312-ubuntu22.04-sagemaker' },
} as const;

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

const SAGEMAKER_RESOURCE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const S3_MODEL_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+\.tar\.gz$/;
const ECR_IMAGE_URI =
  /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9]+([._/-][a-z0-9]+)*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;
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

export function parseModel(ctx: ContextReader): ModelConfig | undefined {
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
  if (serverless && networkIsolation) {
    ctx.problem(
      'networkIsolation',
      networkIsolation,
      'false (or no value) with a serverless endpoint: SageMaker Serverless Inference does not support network isolation',
    );
  }
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
    if (instanceType !== undefined && modelImageUri !== undefined)
      checkImageArchitecture(ctx, modelImageUri, instanceType);
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

/** An AWS PyTorch inference image of the wrong processor architecture cannot start on the instance type. */
function checkImageArchitecture(ctx: ContextReader, imageUri: string, instanceType: string): void {
  const repository = /\/([^:@]+)/.exec(imageUri)?.[1];
  const graviton = isGraviton(instanceType);
  const wanted = DEFAULT_MODEL_IMAGES[graviton ? 'arm64' : 'x86_64'].repository;
  const other = DEFAULT_MODEL_IMAGES[graviton ? 'x86_64' : 'arm64'].repository;
  if (repository === other || (!graviton && repository === 'pytorch-inference-graviton')) {
    ctx.problem(
      'modelImageUri',
      imageUri,
      `an ${graviton ? 'arm64' : 'x86_64'} image for instanceType ${instanceType} (${graviton ? 'a Graviton' : 'an x86'} processor), like the ${wanted} repository's, or no modelImageUri to get ${wanted}:${DEFAULT_MODEL_IMAGES[graviton ? 'arm64' : 'x86_64'].tag}`,
    );
  }
}
