/** The part of a Lambda invocation's context the handlers read, for calling them in local mode with the same budget. */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export function lambdaContext(functionName: string, timeoutSeconds: number): Context {
  const endsAt = Date.now() + timeoutSeconds * 1000;
  return {
    functionName,
    awsRequestId: randomUUID(),
    getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()),
  } as Context;
}
