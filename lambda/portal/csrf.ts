/**
 * Forgery checks for every state-changing request of the portal: the request must come from the portal's own origin
 * (its Origin header, or its Referer when a browser leaves Origin out), and carry the worker's CSRF token, an HMAC of
 * the worker id under the portal's secret (no session state to keep).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PortalRequest, WorkerIdentity } from './http';

export interface ForgeryGuard {
  /** The token to put in the worker's pages and forms. */
  tokenFor(worker: WorkerIdentity): string;
  /** Why the request is refused, or undefined when it may go ahead. */
  refusal(request: PortalRequest, worker: WorkerIdentity | undefined, token: string | undefined): string | undefined;
}

/** `origins` are the portal's own, like `https://portal.example.com`, or `http://127.0.0.1:3000` and its aliases. */
export function forgeryGuard(secret: string, origins: readonly string[]): ForgeryGuard {
  const tokenFor = (worker: Pick<WorkerIdentity, 'id'>) =>
    createHmac('sha256', secret).update(`csrf:${worker.id}`).digest('base64url');
  return {
    tokenFor,
    refusal(request, worker, token) {
      const from = request.headers.origin ?? originOf(request.headers.referer);
      if (from === undefined || !origins.includes(from))
        return `The request did not come from the portal (${from ?? 'no origin'})`;
      if (worker === undefined) return undefined;
      const expected = Buffer.from(tokenFor(worker));
      const given = Buffer.from(token ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return 'The form has expired; reload the page';
      return undefined;
    },
  };
}

function originOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
