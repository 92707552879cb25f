/** The A2I runtime client, made once per Lambda container: 2 attempts of 2 s for each call. */
import { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';

export const a2iRuntime = new SageMakerA2IRuntimeClient({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
});
