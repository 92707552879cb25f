/**
 * The self-hosted backend's A2I-compatible runtime API: API Gateway (IAM auth) hands every /human-loops request here,
 * and the A2I protocol (protocol.ts) answers it over this pipeline's review port. Clients keep their A2I code and
 * change only the endpoint and the signing name (docs/runtime-api.md).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { once } from '../shared/env';
import { logger } from '../shared/logger';
import { reviewPortFromEnv } from '../shared/review/from-env';
import { handleRuntimeRequest } from './protocol';

const flows = once(() => {
  const port = reviewPortFromEnv();
  return new Map([[port.flowDefinitionArn, port]]);
});

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const query = new URLSearchParams();
  for (const [key, values] of Object.entries(event.multiValueQueryStringParameters ?? {}))
    for (const value of values ?? []) query.append(key, value);
  const body = event.body === null ? '' : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').toString();
  const response = await handleRuntimeRequest(
    flows(),
    { method: event.httpMethod, path: event.path, query, body },
    (error) =>
      logger.error('A2I runtime request failed', {
        operation: `${event.httpMethod} ${event.resource}`,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
  return {
    statusCode: response.status,
    headers: { ...response.headers, 'x-amzn-RequestId': event.requestContext.requestId },
    body: response.body,
  };
}
