/**
 * The self-hosted adapter with the Lambdas' own clients, for from-env.ts. A module of its own so that from-env.ts
 * loads it (and the DynamoDB and EventBridge clients) only when the backend is self-hosted: A2I handlers keep their
 * cold start.
 */
import { dynamodb } from '../clients/dynamodb';
import { eventBridge } from '../clients/eventbridge';
import { s3 } from '../clients/s3';
import type { Env } from '../env';
import type { ReviewPort } from './port';
import type { SelfHostedClients } from './self-hosted';
import { selfHostedReviewPort, selfHostedSettings } from './self-hosted';

export function selfHostedPortFromEnv(env: Env, clients: Partial<SelfHostedClients>): ReviewPort {
  return selfHostedReviewPort(selfHostedSettings(env), {
    dynamodb: clients.dynamodb ?? dynamodb,
    s3: clients.s3 ?? s3,
    eventBridge: clients.eventBridge ?? eventBridge,
  });
}
