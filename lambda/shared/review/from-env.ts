/**
 * The one place a review adapter is built. REVIEW_BACKEND names the backend (the CDK app sets it with the backend's
 * own variables); the handlers and the CLI get the port from here and never know which backend answers.
 */
import type { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import type { ReviewBackendName } from '../../../common/contract';
import { ENV, REVIEW_BACKENDS } from '../../../common/contract';
import type { Env } from '../env';
import { oneOfEnv } from '../env';
import type * as A2iEnv from './a2i-env';
import type { ReviewPort } from './port';
import type { SelfHostedClients } from './self-hosted';
import type * as SelfHostedEnv from './self-hosted-env';

/** Clients to use instead of the Lambdas' own (lambda/shared/clients/), like the CLI's, which may wait longer. */
export interface ReviewClients extends Partial<SelfHostedClients> {
  readonly a2iRuntime?: SageMakerA2IRuntimeClient;
}

type Adapter = (env: Env, clients: ReviewClients) => ReviewPort;

/**
 * Each backend's adapter. A Lambda's bundle is built for its stack's backend: HandlerFunction
 * (lib/constructs/handler-function.ts) has esbuild replace `process.env.REVIEW_BACKEND_BUNDLE` with that backend's
 * name, so the other backend's condition below is constant, and esbuild leaves its adapter and SDK clients out of the
 * bundle (it replaces only the expression as written, so that stays spelled out in full). Unbundled (ts-jest, tsx,
 * the CLI) the variable is unset and both are here.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const ADAPTERS: { readonly [B in ReviewBackendName]: (() => Adapter) | undefined } = {
  a2i:
    process.env.REVIEW_BACKEND_BUNDLE !== 'self-hosted'
      ? loaded(() => (require('./a2i-env') as typeof A2iEnv).a2iPortFromEnv, true)
      : undefined,
  'self-hosted':
    process.env.REVIEW_BACKEND_BUNDLE !== 'a2i'
      ? loaded(() => (require('./self-hosted-env') as typeof SelfHostedEnv).selfHostedPortFromEnv)
      : undefined,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * A bundle's one adapter loads with this module, as the Lambdas make their SDK clients when they load. Unbundled, the
 * self-hosted adapter and its DynamoDB and EventBridge clients load when first used (the CLI and the A2I tests need
 * neither); the A2I one, the default and light, loads with this module, so that a test that loads the handlers in an
 * isolated module registry with its SDK mocks gets its adapter from that registry.
 */
function loaded(load: () => Adapter, eagerWhenUnbundled = false): () => Adapter {
  if (process.env.REVIEW_BACKEND_BUNDLE === undefined && !eagerWhenUnbundled) return load;
  const adapter = load();
  return () => adapter;
}

export function reviewPortFromEnv(env: Env = process.env, clients: ReviewClients = {}): ReviewPort {
  const backend = oneOfEnv(env, ENV.reviewBackend, REVIEW_BACKENDS, 'a2i');
  const adapter = ADAPTERS[backend];
  if (adapter === undefined) {
    throw new Error(
      `Environment variable ${ENV.reviewBackend} is ${backend}, but this code was bundled for the ` +
        `${process.env.REVIEW_BACKEND_BUNDLE} backend only; deploy the stack with -c reviewBackend=${backend} ` +
        `instead of changing ${ENV.reviewBackend}`,
    );
  }
  return adapter()(env, clients);
}
