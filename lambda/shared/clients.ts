/**
 * SDK clients, made once per Lambda container. Timeouts keep a whole predict request inside API Gateway's 29 s:
 * the model gets up to 3 attempts of MODEL_TIMEOUT_MS (default 6 s) each, A2I and SQS 2 attempts of 2 s.
 * Endpoints come from the standard AWS_ENDPOINT_URL_* variables, which is how local mode reaches its emulator.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../../common/contract';

const modelTimeoutMs = Number(process.env[ENV.modelTimeoutMs]) || 6_000;

export const sageMakerRuntime = new SageMakerRuntimeClient({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: modelTimeoutMs, throwOnRequestTimeout: true },
});

export const a2iRuntime = new SageMakerA2IRuntimeClient({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
});

export const sqs = new SQSClient({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
});

export const s3 = new S3Client({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
  // A local S3 emulator on loopback has no virtual-host names; real S3 serves both styles.
  forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined,
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
