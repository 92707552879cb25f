/**
 * The worker portal on Node's http for local mode: the request handed to the portal's neutral routes, and a local
 * sign-in standing in for Cognito. Signing in is a name (the worker id is derived from it); the cookie that keeps it
 * is signed with the data folder's secret, and every form, sign-in and sign-out included, is checked against forgery.
 * Objects that `grant_read_access` points at are served from the local S3 store under a signed, expiring URL, as S3
 * serves a presigned GET (the sandboxed task frame sends no cookies).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import type { ForgeryGuard } from '../lambda/portal/csrf';
import type { PortalRequest, PortalResponse, WorkerIdentity } from '../lambda/portal/http';
import { redirect, respond } from '../lambda/portal/http';
import { html, portalPage } from '../lambda/portal/pages';
import type { Asset, PortalDeps } from '../lambda/portal/routes';
import { handlePortal } from '../lambda/portal/routes';
import type { ObjectStore } from './object-store';
import { BodyTooLargeError, readBody } from './wire';

const COOKIE = 'review-worker';
const ASSETS_DIR = path.join(__dirname, '..', 'lambda', 'portal', 'assets');
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
/** Requests to the portal carry a form or an answer: at most this many bytes. */
const BODY_MAX_BYTES = 1024 * 1024 + 4096;

export const SIGN_IN_URL = '/portal/sign-in';
export const SIGN_OUT_URL = '/portal/sign-out';

/** A worker of local mode: the id is derived from the name, so the same name is the same worker after a restart. */
export function workerFromName(name: string): WorkerIdentity {
  const clean = name.trim().slice(0, 64);
  return {
    name: clean,
    id: createHash('sha256').update(`local-worker:${clean.toLowerCase()}`).digest('hex').slice(0, 16),
    groups: ['reviewers'],
  };
}

/** The files of lambda/portal/assets, read once. */
export function localAssets(): (name: string) => Promise<Asset | undefined> {
  const cache = new Map<string, Asset>();
  return async (name) => {
    const type = CONTENT_TYPES[path.extname(name)];
    if (type === undefined || name.includes('/')) return undefined;
    const cached = cache.get(name);
    if (cached) return cached;
    const body = await fs.promises.readFile(path.join(ASSETS_DIR, name), 'utf8').catch(() => undefined);
    if (body === undefined) return undefined;
    const asset = { body, contentType: type };
    cache.set(name, asset);
    return asset;
  };
}

export interface LocalPortal {
  readonly deps: Omit<PortalDeps, 'signInUrl' | 'signOutUrl'>;
  readonly objects: ObjectStore;
  readonly secret: string;
  readonly forgery: ForgeryGuard;
}

export async function handleLocalPortal(
  portal: LocalPortal,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const body = await readBody(req, BODY_MAX_BYTES).catch((error: unknown) => {
    if (error instanceof BodyTooLargeError) return undefined;
    throw error;
  });
  if (body === undefined)
    return write(res, respond(413, `A portal request is at most ${BODY_MAX_BYTES} bytes`, 'text/plain'));
  const request: PortalRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]),
    ),
    body: body.toString('utf8'),
  };
  const object = /^\/portal\/objects\/([^/]+)\/(.+)$/.exec(request.path);
  if (object && request.method === 'GET') {
    const bucket = decodeURIComponent(object[1]);
    const key = object[2].split('/').map(decodeURIComponent).join('/');
    const found = isGranted(portal.secret, bucket, key, request.query) && portal.objects.get(bucket, key);
    if (!found) return write(res, respond(403, 'Not granted, expired, or not found', 'text/plain'));
    // Whatever the object holds, it never runs as a page of the portal's origin (it could read the CSRF token).
    res
      .writeHead(200, {
        'Content-Type': found.contentType,
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "sandbox; default-src 'none'",
      })
      .end(found.body);
    return;
  }
  const worker = signedInWorker(request, portal.secret);
  write(res, await route(portal, request, worker));
}

async function route(
  portal: LocalPortal,
  request: PortalRequest,
  worker: WorkerIdentity | undefined,
): Promise<PortalResponse> {
  if (request.path === SIGN_IN_URL) return signIn(portal, request);
  if (request.path === SIGN_OUT_URL && request.method === 'POST') {
    const refusal = portal.forgery.refusal(request, worker, new URLSearchParams(request.body).get('csrf') ?? undefined);
    if (refusal) return respond(403, portalPage('Not signed out', undefined, `<p>${html(refusal)}</p>`));
    return redirect(SIGN_IN_URL, { 'Set-Cookie': `${COOKIE}=; Path=/portal; Max-Age=0; HttpOnly; SameSite=Strict` });
  }
  return handlePortal(request, worker, { ...portal.deps, signInUrl: SIGN_IN_URL, signOutUrl: SIGN_OUT_URL });
}

function signIn(portal: LocalPortal, request: PortalRequest): PortalResponse {
  if (request.method !== 'POST') return respond(200, signInPage());
  const refusal = portal.forgery.refusal(request, undefined, undefined);
  if (refusal) return respond(403, signInPage(refusal));
  const name = (new URLSearchParams(request.body).get('name') ?? '').trim().slice(0, 64);
  if (!name) return respond(400, signInPage('Enter a name'));
  const value = Buffer.from(name).toString('base64url');
  const cookie = `${COOKIE}=${value}.${sign(value, portal.secret)}; Path=/portal; HttpOnly; SameSite=Strict`;
  return redirect('/portal', { 'Set-Cookie': cookie });
}

function signInPage(error?: string): string {
  return portalPage(
    'Sign in',
    undefined,
    `<h1>Sign in</h1><p>Local mode: choose a name. It identifies your answers (a stable worker id is derived from it); no password.</p>
${error ? `<p class="crowd-status error">${html(error)}</p>` : ''}
<form class="sign-in" method="post" action="${SIGN_IN_URL}"><label>Name <input name="name" required maxlength="64" autofocus></label><button>Sign in</button></form>`,
  );
}

/**
 * `grant_read_access` in local mode: a URL to the object that works without a cookie until `until`, signed with the
 * data folder's secret like S3's presigned GET. Only what a task grants is served.
 */
export function localReadGrant(secret: string): PortalDeps['grantReadAccess'] {
  return (bucket, key, until) => {
    const expires = String(Math.floor(until.getTime() / 1000));
    const query = new URLSearchParams({ expires, signature: grantSignature(secret, bucket, key, expires) });
    return `/portal/objects/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}?${query.toString()}`;
  };
}

function grantSignature(secret: string, bucket: string, key: string, expires: string): string {
  return createHmac('sha256', secret).update(`read-grant:${bucket}\n${key}\n${expires}`).digest('base64url');
}

function isGranted(secret: string, bucket: string, key: string, query: Readonly<Record<string, string>>): boolean {
  const { expires = '', signature = '' } = query;
  if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= Date.now()) return false;
  const expected = Buffer.from(grantSignature(secret, bucket, key, expires));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function sign(value: string, secret: string): string {
  return createHmac('sha256', secret).update(`sign-in:${value}`).digest('base64url');
}

function signedInWorker(request: PortalRequest, secret: string): WorkerIdentity | undefined {
  const cookie = (request.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${COOKIE}=`));
  const [value, signature] = (cookie?.slice(COOKIE.length + 1) ?? '').split('.');
  if (!value || !signature) return undefined;
  const expected = Buffer.from(sign(value, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const name = Buffer.from(value, 'base64url').toString('utf8');
  return name.trim() ? workerFromName(name) : undefined;
}

function write(res: http.ServerResponse, response: PortalResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}
