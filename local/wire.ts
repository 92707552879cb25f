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

/** How much of a refused body is read and dropped, so the client can read the answer, before the connection ends. */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The request's body, up to `limit` bytes. A body declared or found over the limit is refused at once, without
 * keeping it; up to DRAIN_MAX_BYTES more of it are read and dropped, so the client gets the answer instead of a reset
 * connection, and a longer one is cut off.
 */
export function readBody(req: http.IncomingMessage, limit = 8 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = () => {
      chunks.length = 0;
      reject(new BodyTooLargeError(limit));
    };
    if (Number(req.headers['content-length']) > limit) refuse();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit + DRAIN_MAX_BYTES) req.destroy();
      else if (size > limit) refuse();
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
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
