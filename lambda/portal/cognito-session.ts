/**
 * The worker portal's sign-in on AWS: a Cognito user pool's managed login, with the authorization code grant and PKCE
 * for a public app client (no client secret to keep), and the session kept in HttpOnly cookies: the ID token, which
 * says who the worker is, and the refresh token, which renews it while the working day lasts.
 *
 * The module reads no environment and keeps no state but the verifiers (their JWKS are cached across invocations of a
 * warm Lambda). Every function answers with plain data: a PortalResponse, whose `cookies` the adapter sends as
 * separate Set-Cookie headers, or the signed-in worker.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { CognitoJwtInvalidGroupError, JwtExpiredError } from 'aws-jwt-verify/error';
import { CALLBACK_PATH, callbackUrl, SESSION_HOURS, signedOutUrl } from '../../common/portal';
import type { PortalRequest, PortalResponse, WorkerIdentity } from './http';
import { redirect, respond } from './http';
import { html, portalPage } from './pages';

export interface CognitoSessionConfig {
  readonly userPoolId: string;
  /** The user pool's Region; the pool id starts with it. */
  readonly region: string;
  /** A public app client (no secret) with the authorization code grant. */
  readonly clientId: string;
  /** The managed login's host, like `review-workers-123.auth.eu-west-1.amazoncognito.com`. */
  readonly domain: string;
  /** The workteam's Cognito group: only its members are signed in. */
  readonly groupName: string;
  /** The portal's public base URL, API Gateway's stage included, like `https://abc.execute-api.eu-west-1.amazonaws.com/prod/portal`. */
  readonly portalUrl: string;
  /** The key the sign-in state cookie is signed with. */
  readonly cookieSecret: string;
}

/** The part of `fetch` the token endpoint needs; the global `fetch` is one. */
export type TokenFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ readonly ok: boolean; readonly status: number; json(): Promise<unknown> }>;

export interface CognitoSessionDeps {
  /** @default the global fetch */
  readonly fetch?: TokenFetch;
}

/** A signed-in worker, and the cookies to add to the response when their ID token was renewed on the way. */
export interface SignedInWorker {
  readonly worker: WorkerIdentity;
  readonly cookies: readonly string[];
}

/*
 * Cookie names carry no `__Host-` prefix: it demands Path=/, and on API Gateway's default domain every stage of the
 * API shares the host, so Path=/ would let the stages' portals (each with its own user pool) overwrite each other's
 * session and would send the tokens to every resource of the API. The cookies are scoped to the portal's path (stage
 * included) instead; the default domain is on the Public Suffix List, so no other API can set cookies for this host.
 */
export const ID_TOKEN_COOKIE = 'review-portal-id';
export const REFRESH_TOKEN_COOKIE = 'review-portal-refresh';
export const SIGN_IN_STATE_COOKIE = 'review-portal-sign-in';

export { CALLBACK_PATH, callbackUrl, SIGN_OUT_PATH, SIGNED_OUT_PATH, signedOutUrl } from '../../common/portal';

/** Matches the app client's refresh token validity: a working day, then the worker signs in again. */
export const SESSION_MAX_AGE_SECONDS = SESSION_HOURS * 60 * 60;
const SIGN_IN_STATE_MAX_AGE_SECONDS = 10 * 60;
/** Cognito answers in well under a second; a stuck call must not use up the Lambda's timeout. */
const TOKEN_ENDPOINT_TIMEOUT_MS = 5000;
/** Browsers drop a cookie longer than about 4 KB without a word, which would loop the worker through sign-in. */
const COOKIE_MAX_LENGTH = 4000;

/**
 * Starts the managed login: a redirect to Cognito's authorize endpoint, with the state and PKCE verifier kept in a
 * signed, short-lived cookie that only the callback receives. `returnTo` is where to land after sign-in: a path under
 * the portal as the browser sees it (stage included); anything else lands on the portal's root.
 */
export function signIn(config: CognitoSessionConfig, returnTo?: string): PortalResponse {
  const portal = portalOf(config);
  const state: SignInState = {
    state: randomBytes(32).toString('base64url'),
    verifier: randomBytes(32).toString('base64url'),
    returnTo: safeReturnTo(portal, returnTo),
    expiresAt: Math.floor(Date.now() / 1000) + SIGN_IN_STATE_MAX_AGE_SECONDS,
  };
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: callbackUrl(config.portalUrl),
    scope: 'openid email profile',
    state: state.state,
    code_challenge: createHash('sha256').update(state.verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const cookie = setCookie(SIGN_IN_STATE_COOKIE, sealState(config, state), portal.callbackPath, {
    maxAge: SIGN_IN_STATE_MAX_AGE_SECONDS,
  });
  return { ...redirect(`${cognitoBase(config)}/oauth2/authorize?${query.toString()}`), cookies: [cookie] };
}

/**
 * Cognito's redirect back: checks the state against the cookie, trades the code (and PKCE verifier) for tokens,
 * verifies the ID token and keeps the session in cookies. A refusal is a page with a way to sign in again.
 */
export async function completeSignIn(
  config: CognitoSessionConfig,
  request: PortalRequest,
  deps: CognitoSessionDeps = {},
): Promise<PortalResponse> {
  const portal = portalOf(config);
  const refuse = (status: number, message: string, offerSignOut = false) =>
    refusal(config, portal, status, message, offerSignOut);
  // Cognito's error codes are a short fixed list, but anyone can craft this link: the code is shown escaped, cut short.
  if (request.query.error !== undefined)
    return refuse(400, `Cognito did not sign you in (${request.query.error.slice(0, 64)}).`);
  const sealed = readCookies(request).get(SIGN_IN_STATE_COOKIE);
  if (sealed === undefined)
    return refuse(400, 'This sign-in was started too long ago, or in another browser. Sign in again.');
  const state = unsealState(config, sealed);
  if (state === undefined) return refuse(400, 'This sign-in has expired or was not started by the portal.');
  if (!sameSecret(request.query.state ?? '', state.state))
    return refuse(400, 'The answer from Cognito does not belong to the sign-in this browser started.');
  const code = request.query.code;
  if (!code) return refuse(400, 'The answer from Cognito has no authorization code.');

  const tokens = await requestTokens(config, deps, {
    grant_type: 'authorization_code',
    client_id: config.clientId,
    code,
    redirect_uri: callbackUrl(config.portalUrl),
    code_verifier: state.verifier,
  });
  if (tokens.outcome === 'unavailable') return refuse(502, 'Cognito could not be reached. Try again in a moment.');
  if (tokens.outcome === 'refused') return refuse(400, `Cognito refused the sign-in (${tokens.error}).`);

  const verified = await verifyIdToken(config, tokens.idToken);
  if (verified.outcome === 'not-in-group')
    return refuse(403, 'Your account is not in this portal’s workteam. Ask an administrator to add you.', true);
  if (verified.outcome !== 'valid') return refuse(400, 'The sign-in from Cognito could not be verified.');

  const cookies = sessionCookies(portal, tokens);
  if (cookies === undefined)
    return refuse(400, 'Your account’s sign-in token is too large for the portal to keep (too many groups?).');
  return {
    ...redirect(`${portal.origin}${state.returnTo}`),
    cookies: [...cookies, clearCookie(SIGN_IN_STATE_COOKIE, portal.callbackPath)],
  };
}

/**
 * The worker of the request's session cookies, or undefined. An expired (or missing) ID token is renewed with the
 * refresh token when there is one; the renewed cookies come back for the caller's response. A token that is wrong in
 * any other way (signature, issuer, client, group) ends the session: no refresh is tried for it.
 */
export async function signedInWorker(
  config: CognitoSessionConfig,
  request: PortalRequest,
  deps: CognitoSessionDeps = {},
): Promise<SignedInWorker | undefined> {
  const cookies = readCookies(request);
  const idToken = cookies.get(ID_TOKEN_COOKIE);
  if (idToken !== undefined) {
    const verified = await verifyIdToken(config, idToken);
    if (verified.outcome === 'valid') return { worker: verified.worker, cookies: [] };
    if (verified.outcome !== 'expired') return undefined;
  }
  const refreshToken = cookies.get(REFRESH_TOKEN_COOKIE);
  if (refreshToken === undefined) return undefined;
  const tokens = await requestTokens(config, deps, {
    grant_type: 'refresh_token',
    client_id: config.clientId,
    refresh_token: refreshToken,
  });
  if (tokens.outcome !== 'issued') return undefined;
  const verified = await verifyIdToken(config, tokens.idToken);
  if (verified.outcome !== 'valid') return undefined;
  const renewed = sessionCookies(portalOf(config), tokens);
  return renewed && { worker: verified.worker, cookies: renewed };
}

/**
 * Ends the session: clears its cookies, and signs the worker out of the managed login too, which would otherwise sign
 * them straight back in. Cognito only goes back to a logout_uri that is one of the app client's sign-out URLs.
 */
export function signOut(config: CognitoSessionConfig): PortalResponse {
  const portal = portalOf(config);
  return {
    ...redirect(cognitoLogoutUrl(config)),
    cookies: [clearCookie(ID_TOKEN_COOKIE, portal.cookiePath), clearCookie(REFRESH_TOKEN_COOKIE, portal.cookiePath)],
  };
}

/**
 * Revokes the session's refresh token at Cognito, so that a copied refresh cookie stops working at sign-out (a copied
 * ID token still passes until it expires: it is checked offline). Needs token revocation on the app client, Cognito's
 * default. Best effort: a failure leaves the refresh token to expire at the end of its validity.
 */
export async function revokeRefreshToken(
  config: CognitoSessionConfig,
  request: PortalRequest,
  deps: CognitoSessionDeps = {},
): Promise<void> {
  const token = readCookies(request).get(REFRESH_TOKEN_COOKIE);
  if (token === undefined) return;
  await postForm(config, deps, '/oauth2/revoke', { token, client_id: config.clientId }).catch(() => undefined);
}

/**
 * The ID token verifier of a user pool and app client, made once per warm Lambda so its JWKS cache lasts. The group
 * is given at each verification, so one verifier serves every group of the pool.
 */
export function idTokenVerifier(config: Pick<CognitoSessionConfig, 'userPoolId' | 'region' | 'clientId'>) {
  const key = `${config.userPoolId}\n${config.clientId}`;
  let verifier = verifiers.get(key);
  if (verifier === undefined) {
    if (!config.userPoolId.startsWith(`${config.region}_`))
      throw new Error(`The user pool ${config.userPoolId} is not in the Region ${config.region}`);
    verifier = createVerifier(config.userPoolId, config.clientId);
    verifiers.set(key, verifier);
  }
  return verifier;
}

function createVerifier(userPoolId: string, clientId: string) {
  return CognitoJwtVerifier.create({ userPoolId, tokenUse: 'id', clientId });
}

const verifiers = new Map<string, ReturnType<typeof createVerifier>>();

type Verification =
  | { readonly outcome: 'valid'; readonly worker: WorkerIdentity }
  | { readonly outcome: 'expired' | 'not-in-group' | 'invalid' };

async function verifyIdToken(config: CognitoSessionConfig, token: string): Promise<Verification> {
  // Outside the try: a configuration error must fail loudly, not read as a worker's bad token.
  const verifier = idTokenVerifier(config);
  try {
    const payload = await verifier.verify(token, { groups: config.groupName });
    return { outcome: 'valid', worker: workerFromClaims(payload) };
  } catch (error) {
    // The library checks the signature before expiry and group, so these two are about a genuine token.
    if (error instanceof JwtExpiredError) return { outcome: 'expired' };
    if (error instanceof CognitoJwtInvalidGroupError) return { outcome: 'not-in-group' };
    return { outcome: 'invalid' };
  }
}

function workerFromClaims(claims: { iss: string; sub: string; [claim: string]: unknown }): WorkerIdentity {
  const id = createHash('sha256').update(`${claims.iss}\n${claims.sub}`).digest('hex').slice(0, 32);
  const email = claims.email;
  const username = claims['cognito:username'];
  const groups = claims['cognito:groups'];
  return {
    id,
    name: typeof email === 'string' && email ? email : typeof username === 'string' && username ? username : id,
    groups: Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [],
    identity: { issuer: claims.iss, sub: claims.sub },
  };
}

type TokenResult =
  | { readonly outcome: 'issued'; readonly idToken: string; readonly refreshToken?: string }
  | { readonly outcome: 'refused'; readonly error: string }
  | { readonly outcome: 'unavailable' };

/** Calls the token endpoint as a public client: the client id in the form, no secret, no Authorization header. */
async function requestTokens(
  config: CognitoSessionConfig,
  deps: CognitoSessionDeps,
  form: Record<string, string>,
): Promise<TokenResult> {
  let status: number;
  let body: unknown;
  try {
    const response = await postForm(config, deps, '/oauth2/token', form);
    status = response.status;
    body = await response.json().catch(() => undefined);
  } catch {
    return { outcome: 'unavailable' };
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (status >= 500) return { outcome: 'unavailable' };
  if (status !== 200 || typeof fields.id_token !== 'string') {
    const error = typeof fields.error === 'string' ? fields.error.slice(0, 64) : `HTTP ${status}`;
    return { outcome: 'refused', error };
  }
  return typeof fields.refresh_token === 'string'
    ? { outcome: 'issued', idToken: fields.id_token, refreshToken: fields.refresh_token }
    : { outcome: 'issued', idToken: fields.id_token };
}

function postForm(config: CognitoSessionConfig, deps: CognitoSessionDeps, path: string, form: Record<string, string>) {
  const fetchTokens: TokenFetch = deps.fetch ?? fetch;
  return fetchTokens(`${cognitoBase(config)}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(TOKEN_ENDPOINT_TIMEOUT_MS),
  });
}

interface SignInState {
  readonly state: string;
  readonly verifier: string;
  /** A path (and query) under the portal, already checked. */
  readonly returnTo: string;
  /** Seconds since the epoch; the cookie's Max-Age is only the browser's side. */
  readonly expiresAt: number;
}

function sealState(config: CognitoSessionConfig, state: SignInState): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${payload}.${stateSignature(config, payload)}`;
}

function unsealState(config: CognitoSessionConfig, sealed: string): SignInState | undefined {
  const dot = sealed.lastIndexOf('.');
  const payload = sealed.slice(0, dot);
  if (dot < 0 || !sameSecret(sealed.slice(dot + 1), stateSignature(config, payload))) return undefined;
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isSignInState(state) || state.expiresAt <= Date.now() / 1000) return undefined;
  return state;
}

function isSignInState(value: unknown): value is SignInState {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return (
    typeof fields.state === 'string' &&
    typeof fields.verifier === 'string' &&
    typeof fields.returnTo === 'string' &&
    typeof fields.expiresAt === 'number'
  );
}

/** The purpose in the MAC keeps this signature from standing in for another one made with the same secret. */
function stateSignature(config: CognitoSessionConfig, payload: string): string {
  return createHmac('sha256', config.cookieSecret).update(`cognito-sign-in-state:${payload}`).digest('base64url');
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Portal {
  readonly origin: string;
  /** The portal's path as the browser sees it, stage included, without a trailing slash ('' at the host's root). */
  readonly path: string;
  readonly cookiePath: string;
  readonly callbackPath: string;
}

function portalOf(config: CognitoSessionConfig): Portal {
  const url = new URL(config.portalUrl);
  // Secure cookies are not kept over plain HTTP: the sign-in would loop.
  if (url.protocol !== 'https:') throw new Error(`The portal URL must be HTTPS: ${config.portalUrl}`);
  const path = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, path, cookiePath: path || '/', callbackPath: `${path}${CALLBACK_PATH}` };
}

/** Only a path under the portal, on the portal's origin: the sign-in must not become an open redirect. */
function safeReturnTo(portal: Portal, returnTo: string | undefined): string {
  const root = portal.cookiePath;
  if (!returnTo) return root;
  let target: URL;
  try {
    // Resolving against the origin normalises `..`, `%2e%2e`, backslashes and `//host` the way the browser will.
    target = new URL(returnTo, portal.origin);
  } catch {
    return root;
  }
  if (target.origin !== portal.origin) return root;
  if (target.pathname !== portal.path && !target.pathname.startsWith(`${portal.path}/`)) return root;
  return `${target.pathname}${target.search}`;
}

/** The managed login's origin: where sign-in and sign-out go. */
export function cognitoBase(config: CognitoSessionConfig): string {
  return `https://${config.domain.replace(/^https:\/\//, '').replace(/\/+$/, '')}`;
}

function cognitoLogoutUrl(config: CognitoSessionConfig): string {
  const query = new URLSearchParams({ client_id: config.clientId, logout_uri: signedOutUrl(config.portalUrl) });
  return `${cognitoBase(config)}/logout?${query.toString()}`;
}

/**
 * SameSite=Lax, not Strict: Cognito's redirect to the callback is a cross-site navigation that must carry the state
 * cookie, and a worker following a link to a task from an email should arrive signed in.
 */
function setCookie(name: string, value: string, path: string, options: { maxAge: number }): string {
  return `${name}=${value}; Path=${path}; Max-Age=${options.maxAge}; HttpOnly; Secure; SameSite=Lax`;
}

function clearCookie(name: string, path: string): string {
  return setCookie(name, '', path, { maxAge: 0 });
}

/**
 * The session's cookies for newly issued tokens (a refresh gives a refresh token only when the app client rotates
 * them), or undefined when a token cannot travel in a cookie: a character that would end it, or too long for browsers.
 */
function sessionCookies(portal: Portal, tokens: { idToken: string; refreshToken?: string }): string[] | undefined {
  const cookies: string[] = [];
  for (const [name, token] of [
    [ID_TOKEN_COOKIE, tokens.idToken],
    [REFRESH_TOKEN_COOKIE, tokens.refreshToken],
  ] as const) {
    if (token === undefined) continue;
    const cookie = setCookie(name, token, portal.cookiePath, { maxAge: SESSION_MAX_AGE_SECONDS });
    if (!/^[A-Za-z0-9._~+/=-]+$/.test(token) || cookie.length > COOKIE_MAX_LENGTH) return undefined;
    cookies.push(cookie);
  }
  return cookies;
}

/** The first value of each name wins: browsers send the cookie of the longest matching path first. */
function readCookies(request: PortalRequest): Map<string, string> {
  const cookies = new Map<string, string>();
  // Commas too: an adapter may join several Cookie headers (HTTP/2) with them, and no cookie value here holds one.
  for (const part of (request.headers.cookie ?? '').split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && value && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

function refusal(
  config: CognitoSessionConfig,
  portal: Portal,
  status: number,
  message: string,
  offerSignOut: boolean,
): PortalResponse {
  // Someone in the wrong group is still signed in to the managed login, which would sign them straight back in.
  const switchAccount = offerSignOut
    ? ` or <a href="${html(cognitoLogoutUrl(config))}">sign in as someone else</a>`
    : '';
  const body = `<h1>Not signed in</h1><p>${html(message)}</p><p><a href="${html(`${portal.origin}${portal.cookiePath}`)}">Sign in again</a>${switchAccount}.</p>`;
  return {
    ...respond(status, portalPage('Not signed in', undefined, body)),
    cookies: [clearCookie(SIGN_IN_STATE_COOKIE, portal.callbackPath)],
  };
}
