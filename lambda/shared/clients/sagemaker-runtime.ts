/**
 * The SageMaker runtime client, made once per Lambda container. The model gets up to 3 attempts of MODEL_TIMEOUT_MS
 * (default 6 s) each; the predict handler's deadline cuts them short when the request's time is up. Endpoints come from
 * the standard AWS_ENDPOINT_URL_* variables, which is how local mode and the wire tests reach their emulators.
 */
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { ENV } from '../../../common/contract';

const modelTimeoutMs = Number(process.env[ENV.modelTimeoutMs]) || 6_000;

export const sageMakerRuntime = new SageMakerRuntimeClient({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: modelTimeoutMs, throwOnRequestTimeout: true },
});
