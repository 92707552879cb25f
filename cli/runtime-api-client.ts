/**
 * An A2I runtime client for the self-hosted backend's runtime API: the SDK's own client, with the API's URL as its
 * endpoint and SigV4 signed for `execute-api` (API Gateway's IAM auth) instead of A2I's `sagemaker`. This is the
 * configuration docs/runtime-api.md gives to users; the CLI uses it as it is.
 */
import { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import type { SageMakerA2IRuntimeClientConfig } from '@aws-sdk/client-sagemaker-a2i-runtime';

export function runtimeApiClient(
  runtimeApiUrl: string,
  config: Omit<SageMakerA2IRuntimeClientConfig, 'endpoint' | 'httpAuthSchemeProvider'> = {},
): SageMakerA2IRuntimeClient {
  return new SageMakerA2IRuntimeClient({
    ...config,
    endpoint: runtimeApiUrl,
    // The typed way to change the signing name: the same SigV4 scheme the client uses for A2I, for another service.
    httpAuthSchemeProvider: ({ region }) => [
      {
        schemeId: 'aws.auth#sigv4',
        signingProperties: { signingName: 'execute-api', signingRegion: region },
        propertiesExtractor: (signingConfig, context) => ({ signingProperties: { config: signingConfig, context } }),
      },
    ],
  });
}
