/**
 * The one place a review adapter is built. REVIEW_BACKEND names the backend (the CDK app sets it with the backend's
 * own variables); the handlers and the CLI get the port from here and never know which backend answers.
 */
import type { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { ENV, REVIEW_BACKENDS } from '../../../common/contract';
import { a2iRuntime } from '../clients/a2i-runtime';
import type { Env } from '../env';
import { oneOfEnv, requiredEnv } from '../env';
import { A2iReviewPort } from './a2i';
import type { ReviewPort } from './port';
import type { SelfHostedClients } from './self-hosted';
import type * as SelfHostedEnv from './self-hosted-env';

/** Clients to use instead of the Lambdas' own (lambda/shared/clients/), like the CLI's, which may wait longer. */
export interface ReviewClients extends Partial<SelfHostedClients> {
  readonly a2iRuntime?: SageMakerA2IRuntimeClient;
}

export function reviewPortFromEnv(env: Env = process.env, clients: ReviewClients = {}): ReviewPort {
  const backend = oneOfEnv(env, ENV.reviewBackend, REVIEW_BACKENDS, 'a2i');
  switch (backend) {
    case 'a2i':
      return new A2iReviewPort(clients.a2iRuntime ?? a2iRuntime, requiredEnv(env, ENV.flowDefinitionArn));
    case 'self-hosted': {
      // Required here, not imported: its DynamoDB and EventBridge clients added ~60 ms to the A2I handlers' cold load.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const selfHosted = require('./self-hosted-env') as typeof SelfHostedEnv;
      return selfHosted.selfHostedPortFromEnv(env, clients);
    }
  }
}
