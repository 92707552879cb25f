/** Small helpers for answering the SDK in the AWS JSON protocols. */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';

/** A request body over the limit the route sets: answered 413 by the server. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`The request body is over this route's limit of ${limit} bytes`);
  }
}

/** A request body that should be JSON and is not: answered 400 by the server. */
export class MalformedJsonError extends Error {
  override readonly name = 'MalformedJsonError';
}

/**
 * The request's body, up to `limit` bytes. A body declared or found over the limit is refused without keeping it;
 * the rest of it is read and dropped, so the client gets the answer instead of a reset connection.
 */
export function readBody(req: http.IncomingMessage, limit = 8 * 1024 * 1024): Promise<Buffer> {
  if (Number(req.headers['content-length']) > limit) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => (size > limit ? reject(new BodyTooLargeError(limit)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

export async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  try {
    return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
  } catch (error) {
    throw new MalformedJsonError(`The request body is not JSON: ${(error as Error).message}`);
  }
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  res.writeHead(status, { 'Content-Type': contentType, 'x-amzn-RequestId': randomUUID() });
  res.end(JSON.stringify(body));
}

/** REST-JSON and JSON 1.0 errors: the type in `x-amzn-errortype` and in `__type`, the text in `message`. */
export function sendAwsError(
  res: http.ServerResponse,
  status: number,
  type: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'x-amzn-errortype': type,
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(JSON.stringify({ __type: type, message, Message: message, ...extra }));
}
