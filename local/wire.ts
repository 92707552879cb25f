/** Small helpers for answering the SDK in the AWS JSON protocols. */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';

export async function readBody(req: http.IncomingMessage, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`Request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
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
