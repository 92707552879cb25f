/**
 * The A2I adapter with the Lambdas' own client, for from-env.ts. A module of its own so that a bundle built for the
 * self-hosted backend leaves it (and the A2I runtime client) out.
 */
import { ENV } from '../../../common/contract';
import { a2iRuntime } from '../clients/a2i-runtime';
import type { Env } from '../env';
import { requiredEnv } from '../env';
import { A2iReviewPort } from './a2i';
import type { ReviewClients } from './from-env';
import type { ReviewPort } from './port';

export function a2iPortFromEnv(env: Env, clients: ReviewClients): ReviewPort {
  return new A2iReviewPort(clients.a2iRuntime ?? a2iRuntime, requiredEnv(env, ENV.flowDefinitionArn));
}
