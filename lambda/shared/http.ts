/**
 * Typed errors that map to HTTP answers, and the one function that turns any error into a response.
 * A response never carries a stack trace; an unexpected error is a 500 with the request id to look it up in the logs.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';

export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  /** The request field at fault, like `instances[3].features`. */
  readonly field?: string;
  /** The limit the field broke. */
  readonly limit?: number;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = body.error;
  }
}

/** 400: the request is malformed. */
export function badRequest(field: string, message: string): HttpError {
  return new HttpError(400, { error: 'BadRequest', field, message });
}

/** 413: the request is well-formed but too large. */
export function tooLarge(field: string, message: string, limit: number): HttpError {
  return new HttpError(413, { error: 'PayloadTooLarge', field, message, limit });
}

/** 502: the model answered, but with an error or an answer that breaks the contract. */
export function badModelAnswer(message: string): HttpError {
  return new HttpError(502, { error: 'ModelError', message });
}

/** 503: a dependency is throttled or unavailable after retries; the same request may be sent again later. */
export function unavailable(error: string, message: string, retryAfterSeconds: number): HttpError {
  return new HttpError(503, { error, message }, { 'Retry-After': String(retryAfterSeconds) });
}

export function notFound(field: string, message: string): HttpError {
  return new HttpError(404, { error: 'NotFound', field, message });
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  if (error instanceof HttpError) return json(error.statusCode, error.body, error.headers);
  return json(500, { error: 'InternalError', message: `Unexpected error; quote request id ${requestId}` });
}
