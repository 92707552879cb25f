/**
 * The A2I runtime client, made once per Lambda container: up to 3 attempts of 2 s for each call, in the SDK's
 * adaptive retry mode (after a ThrottlingException the client paces all its calls), and a socket for every loop the
 * predict handler may start at once, so no start waits for another's socket.
 */
import { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { LOOP_START_CONCURRENCY } from '../../../common/contract';

const sockets = { keepAlive: true, maxSockets: LOOP_START_CONCURRENCY.max };

export const a2iRuntime = new SageMakerA2IRuntimeClient({
  maxAttempts: 3,
  retryMode: 'adaptive',
  requestHandler: {
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    throwOnRequestTimeout: true,
    httpsAgent: sockets,
    httpAgent: sockets,
  },
});
