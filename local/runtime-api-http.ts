/**
 * The A2I runtime's REST protocol (lambda/runtime-api/protocol.ts) on Node's http: local mode serves it so that the
 * handlers' A2I client, the CLI and any A2I code reach local loops as they reach A2I or the self-hosted runtime API.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import type { FlowDefinitions } from '../lambda/runtime-api/protocol';
import { handleRuntimeRequest } from '../lambda/runtime-api/protocol';
import { readBody } from './wire';

/** StartHumanLoop's largest body: 3,145,728 characters of input, escaped, and the rest of the request. */
const BODY_MAX_BYTES = 16 * 1024 * 1024;

export async function handleRuntimeApi(
  flows: FlowDefinitions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  log: (message: string) => void = () => undefined,
): Promise<void> {
  const url = new URL(path, 'http://local');
  const body = await readBody(req, BODY_MAX_BYTES).catch(() => undefined);
  const response =
    body === undefined
      ? {
          status: 413,
          headers: { 'Content-Type': 'application/json', 'x-amzn-errortype': 'ValidationException' },
          body: JSON.stringify({ message: `The request body is over ${BODY_MAX_BYTES} bytes` }),
        }
      : await handleRuntimeRequest(
          flows,
          { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: body.toString('utf8') },
          (error) => log(`A2I runtime API: ${req.method} ${url.pathname}: ${String(error)}`),
        );
  res.writeHead(response.status, { ...response.headers, 'x-amzn-RequestId': randomUUID() }).end(response.body);
}
