/**
 * The worker portal's view of HTTP: a request and a response as plain data, and the signed-in worker. An adapter
 * turns its server's request into these (local mode: Node's http; on AWS: API Gateway's event) and writes the
 * response back; the portal itself knows neither.
 */

export interface PortalRequest {
  readonly method: string;
  /** The path, starting with the portal's base path (`/portal`). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body as text (a form or JSON); empty without one. */
  readonly body: string;
}

export interface PortalResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /**
   * Set-Cookie values, each to be sent as its own header (one header cannot carry several cookies): API Gateway's
   * `multiValueHeaders['Set-Cookie']`, Node's `setHeader('Set-Cookie', [...])`. @default none
   */
  readonly cookies?: readonly string[];
}

/** Who is signed in, as the identity provider says (Cognito on AWS, the local sign-in on one machine). */
export interface WorkerIdentity {
  /** Stable, unique and not reversible: a hash of the identity provider's issuer and subject. */
  readonly id: string;
  readonly name: string;
  readonly groups: readonly string[];
  /** The issuer and subject themselves, for output.json's identityData. @default none (local mode's sign-in) */
  readonly identity?: { readonly issuer: string; readonly sub: string };
}

/**
 * The portal's own pages: scripts, styles and frames from the portal only, no inline script or style (the task
 * template runs in a frame of its own, framePolicy), never framed by another page. Forms post to the portal, and to
 * `formTargets` (the sign-in service a sign-out goes on to: Chrome applies form-action to a form's redirects too).
 */
export function pagePolicy(formTargets: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-src 'self'",
    "connect-src 'self'",
    ["form-action 'self'", ...formTargets].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The policy `respond` gives every page; an adapter with form targets replaces it (pagePolicy). */
export const PAGE_POLICY = pagePolicy();

/**
 * The task frame: the rendered template is sandboxed into an origin of its own (scripts and forms, no same-origin),
 * so its scripts, the templates' inline ones included, cannot read the portal's cookies, pages or tokens, nor fetch
 * or post anything. It loads the portal's scripts and styles (named by `origins` as well as `'self'`: in an opaque
 * origin some browsers match `'self'` to nothing), and shows images and media over HTTPS (presigned S3 URLs).
 */
export function framePolicy(origins: readonly string[] = []): string {
  // CSP's source grammar has no IPv6 literals: Chrome reports `http://[::1]:3000` as invalid and ignores it.
  const portal = ["'self'", ...origins.filter((origin) => !new URL(origin).hostname.startsWith('['))].join(' ');
  return [
    'sandbox allow-scripts allow-forms',
    "default-src 'none'",
    `script-src ${portal} 'unsafe-inline'`,
    `style-src ${portal} 'unsafe-inline'`,
    `img-src ${portal} https: data: blob:`,
    `media-src ${portal} https: data: blob:`,
    `font-src ${portal} data:`,
    "connect-src 'none'",
    "form-action 'none'",
    `frame-ancestors ${portal}`,
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function respond(
  status: number,
  body: string,
  contentType = 'text/html; charset=utf-8',
  headers: Record<string, string> = {},
): PortalResponse {
  return {
    status,
    headers: {
      'Content-Type': contentType,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'Content-Security-Policy': PAGE_POLICY,
      'X-Frame-Options': 'DENY',
      ...headers,
    },
    body,
  };
}

export function redirect(location: string, headers: Record<string, string> = {}): PortalResponse {
  return { status: 303, headers: { Location: location, 'Cache-Control': 'no-store', ...headers }, body: '' };
}

export function jsonResponse(status: number, body: unknown): PortalResponse {
  return respond(status, JSON.stringify(body), 'application/json');
}
