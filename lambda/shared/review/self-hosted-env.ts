/**
 * The self-hosted adapter with the Lambdas' own clients, for from-env.ts. A module of its own so that a bundle built
 * for the A2I backend leaves it (and the DynamoDB and EventBridge clients) out.
 */
import { dynamodb } from '../clients/dynamodb';
import { eventBridge } from '../clients/eventbridge';
import { s3 } from '../clients/s3';
import type { Env } from '../env';
import type { ReviewClients } from './from-env';
import type { ReviewPort } from './port';
import { selfHostedReviewPort, selfHostedSettings } from './self-hosted';

export function selfHostedPortFromEnv(env: Env, clients: ReviewClients): ReviewPort {
  return selfHostedReviewPort(selfHostedSettings(env), {
    dynamodb: clients.dynamodb ?? dynamodb,
    s3: clients.s3 ?? s3,
    eventBridge: clients.eventBridge ?? eventBridge,
  });
}
