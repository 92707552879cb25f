/**
 * The portal's Cognito sign-in without a network: ID tokens signed here with a key pair whose public half is loaded
 * into the verifier's JWKS cache, and the token endpoint a fake fetch. Covers the PKCE redirect, the callback, the
 * tokens refused, the refresh of an expired ID token, and sign-out.
 */
import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import type { CognitoSessionConfig, CognitoSessionDeps, TokenFetch } from '../../../lambda/portal/cognito-session';
import {
  ID_TOKEN_COOKIE,
  REFRESH_TOKEN_COOKIE,
  SIGN_IN_STATE_COOKIE,
  callbackUrl,
  completeSignIn,
  idTokenVerifier,
  revokeRefreshToken,
  signIn,
  signOut,
  signedInWorker,
} from '../../../lambda/portal/cognito-session';
import type { PortalRequest, PortalResponse } from '../../../lambda/portal/http';

const config: CognitoSessionConfig = {
  userPoolId: 'eu-west-1_TestPool1',
  region: 'eu-west-1',
  clientId: 'portal-client-id',
  domain: 'review-workers-123.auth.eu-west-1.amazoncognito.com',
  groupName: 'reviewers',
  portalUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/portal',
  cookieSecret: 'test-cookie-secret',
};
const ORIGIN = 'https://abc.execute-api.eu-west-1.amazonaws.com';
const PORTAL_PATH = '/prod/portal';
const COGNITO = 'https://review-workers-123.auth.eu-west-1.amazoncognito.com';
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1';
const SUB = '3f2c9a7e-1b4d-4e8a-9c6f-0d5e7b8a9c1d';
const KID = 'test-key-1';

// One key pair for the file: RSA key generation is the slow part.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

beforeAll(() => {
  const exported = publicKey.export({ format: 'jwk' });
  idTokenVerifier(config).cacheJwks({
    keys: [{ kty: 'RSA', n: String(exported.n), e: String(exported.e), kid: KID, alg: 'RS256', use: 'sig' }],
  });
});

function jwt(claims: Record<string, unknown>): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: KID })}.${encode(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

/** A Cognito ID token's claims; an override of `undefined` leaves the claim out. */
function idClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: SUB,
    iss: ISSUER,
    aud: config.clientId,
    token_use: 'id',
    'cognito:groups': ['reviewers'],
    'cognito:username': SUB,
    email: 'ana@example.com',
    email_verified: true,
    auth_time: now,
    iat: now,
    exp: now + 3600,
    jti: 'a-jti',
    origin_jti: 'an-origin-jti',
    ...overrides,
  };
}

function expiredClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return idClaims({ iat: now - 3700, auth_time: now - 3700, exp: now - 100, ...overrides });
}

type FakeFetch = jest.Mock<ReturnType<TokenFetch>, Parameters<TokenFetch>>;

function tokenEndpoint(status: number, body: unknown): FakeFetch {
  return jest
    .fn<ReturnType<TokenFetch>, Parameters<TokenFetch>>()
    .mockResolvedValue({ ok: status === 200, status, json: () => Promise.resolve(body) });
}

function formOf(fake: FakeFetch, call = 0): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(fake.mock.calls[call][1].body));
}

function request(cookies: Record<string, string>, query: Record<string, string> = {}): PortalRequest {
  const cookie = Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  return { method: 'GET', path: '/portal/callback', query, headers: { cookie }, body: '' };
}

interface SetCookie {
  readonly value: string;
  readonly attributes: readonly string[];
}

function cookieOf(response: { readonly cookies?: readonly string[] }, name: string): SetCookie {
  const header = (response.cookies ?? []).find((cookie) => cookie.startsWith(`${name}=`));
  if (header === undefined) throw new Error(`No Set-Cookie for ${name} in ${JSON.stringify(response.cookies)}`);
  const [pair, ...attributes] = header.split('; ');
  return { value: pair.slice(name.length + 1), attributes };
}

/** The sign-in's redirect, and what its state cookie holds (the test reads inside it; the callback checks its MAC). */
function startSignIn(returnTo?: string, withConfig = config) {
  const response = signIn(withConfig, returnTo);
  const location = new URL(response.headers.Location);
  const cookie = cookieOf(response, SIGN_IN_STATE_COOKIE);
  const sealed = JSON.parse(Buffer.from(cookie.value.split('.')[0], 'base64url').toString('utf8')) as {
    state: string;
    verifier: string;
    returnTo: string;
  };
  return { response, location, cookie, sealed };
}

async function callback(
  query: Record<string, string>,
  stateCookie: string | undefined,
  deps: CognitoSessionDeps,
): Promise<PortalResponse> {
  return completeSignIn(
    config,
    request(stateCookie === undefined ? {} : { [SIGN_IN_STATE_COOKIE]: stateCookie }, query),
    deps,
  );
}

function workerFor(idToken: string, more: Record<string, string> = {}, deps: CognitoSessionDeps = {}) {
  return signedInWorker(config, request({ [ID_TOKEN_COOKIE]: idToken, ...more }), deps);
}

const SESSION_ATTRIBUTES = [`Path=${PORTAL_PATH}`, 'HttpOnly', 'Secure', 'SameSite=Lax'];

describe('signIn', () => {
  test('redirects to the authorize endpoint with PKCE S256, the callback URL and the state of the signed cookie', () => {
    const { response, location, cookie, sealed } = startSignIn(`${PORTAL_PATH}/tasks/loop-1`);

    expect(response.status).toBe(303);
    expect(`${location.origin}${location.pathname}`).toBe(`${COGNITO}/oauth2/authorize`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      response_type: 'code',
      client_id: config.clientId,
      redirect_uri: `${ORIGIN}${PORTAL_PATH}/callback`,
      scope: 'openid email profile',
      state: sealed.state,
      code_challenge: createHash('sha256').update(sealed.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    expect(location.search).toContain('scope=openid+email+profile');
    expect(sealed.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sealed.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sealed.returnTo).toBe(`${PORTAL_PATH}/tasks/loop-1`);
    // Only the callback gets it, for ten minutes; Lax, as Cognito's redirect back is a cross-site navigation.
    expect(cookie.attributes).toEqual([
      `Path=${PORTAL_PATH}/callback`,
      'Max-Age=600',
      'HttpOnly',
      'Secure',
      'SameSite=Lax',
    ]);
  });

  test('two sign-ins share neither state nor verifier', () => {
    const first = startSignIn();
    const second = startSignIn();
    expect(second.sealed.state).not.toBe(first.sealed.state);
    expect(second.sealed.verifier).not.toBe(first.sealed.verifier);
  });

  test.each([
    'https://evil.example/prod/portal/tasks',
    '//evil.example/prod/portal',
    '/\\evil.example/prod/portal',
    '/prod/other',
    '/prod/portalx',
    '/prod/portal/../admin',
    '/prod/portal/%2e%2e/admin',
    'javascript:alert(1)',
    '/portal/tasks/loop-1',
  ])('a returnTo outside the portal (%s) lands on the portal root', (returnTo) => {
    expect(startSignIn(returnTo).sealed.returnTo).toBe(PORTAL_PATH);
  });

  test('a returnTo under the portal keeps its path and query', () => {
    expect(startSignIn(`${ORIGIN}${PORTAL_PATH}/tasks/a%20b?view=1#top`).sealed.returnTo).toBe(
      `${PORTAL_PATH}/tasks/a%20b?view=1`,
    );
  });
});

describe('completeSignIn', () => {
  test('trades the code with the PKCE verifier as a public client and sets the session cookies', async () => {
    const { cookie, sealed } = startSignIn(`${PORTAL_PATH}/tasks/loop-1?view=1`);
    const idToken = jwt(idClaims());
    const fetch = tokenEndpoint(200, {
      id_token: idToken,
      access_token: 'unused-access-token',
      refresh_token: 'refresh.token-from.cognito',
      expires_in: 3600,
      token_type: 'Bearer',
    });

    const response = await callback({ code: 'the-code', state: sealed.state }, cookie.value, { fetch });

    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(`${COGNITO}/oauth2/token`);
    expect(init.method).toBe('POST');
    expect(init.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(init.headers).map((name) => name.toLowerCase())).not.toContain('authorization');
    expect(formOf(fetch)).toEqual({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code: 'the-code',
      redirect_uri: `${ORIGIN}${PORTAL_PATH}/callback`,
      code_verifier: sealed.verifier,
    });

    expect(response.status).toBe(303);
    expect(response.headers.Location).toBe(`${ORIGIN}${PORTAL_PATH}/tasks/loop-1?view=1`);
    const id = cookieOf(response, ID_TOKEN_COOKIE);
    const refresh = cookieOf(response, REFRESH_TOKEN_COOKIE);
    expect(id.value).toBe(idToken);
    expect(refresh.value).toBe('refresh.token-from.cognito');
    expect(refresh.attributes).toContain('Max-Age=43200');
    for (const session of [id, refresh]) expect(session.attributes).toEqual(expect.arrayContaining(SESSION_ATTRIBUTES));
    expect(cookieOf(response, SIGN_IN_STATE_COOKIE)).toEqual({
      value: '',
      attributes: [`Path=${PORTAL_PATH}/callback`, 'Max-Age=0', 'HttpOnly', 'Secure', 'SameSite=Lax'],
    });

    const signedIn = await workerFor(id.value, { [REFRESH_TOKEN_COOKIE]: refresh.value });
    expect(signedIn).toEqual({
      worker: {
        id: createHash('sha256').update(`${ISSUER}\n${SUB}`).digest('hex').slice(0, 32),
        name: 'ana@example.com',
        groups: ['reviewers'],
        identity: { issuer: ISSUER, sub: SUB },
      },
      cookies: [],
    });
  });

  function expectRefusal(response: PortalResponse, status: number, message: RegExp): void {
    expect(response.status).toBe(status);
    expect(response.headers['Content-Type']).toMatch(/^text\/html/);
    expect(response.body).toMatch(message);
    expect(response.body).toContain(`<a href="${ORIGIN}${PORTAL_PATH}">Sign in again</a>`);
    expect(response.body).not.toMatch(/eyJ|at \w+ \(/); // no token, no stack trace
    expect(response.cookies).toEqual([
      `${SIGN_IN_STATE_COOKIE}=; Path=${PORTAL_PATH}/callback; Max-Age=0; HttpOnly; Secure; SameSite=Lax`,
    ]);
  }

  test('refuses a callback without the state cookie', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims()) });
    const { sealed } = startSignIn();
    expectRefusal(await callback({ code: 'c', state: sealed.state }, undefined, { fetch }), 400, /too long ago/);
    expect(fetch).not.toHaveBeenCalled();
  });

  test('refuses a callback without a state parameter', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims()) });
    const { cookie } = startSignIn();
    expectRefusal(await callback({ code: 'c' }, cookie.value, { fetch }), 400, /does not belong/);
    expect(fetch).not.toHaveBeenCalled();
  });

  test('refuses a state that is not the one of the cookie', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims()) });
    const { cookie } = startSignIn();
    const other = startSignIn();
    expectRefusal(
      await callback({ code: 'c', state: other.sealed.state }, cookie.value, { fetch }),
      400,
      /does not belong/,
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  test('refuses a state cookie signed with another secret', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims()) });
    const { cookie, sealed } = startSignIn(undefined, { ...config, cookieSecret: 'another-secret' });
    expectRefusal(
      await callback({ code: 'c', state: sealed.state }, cookie.value, { fetch }),
      400,
      /not started by the portal/,
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  test('refuses a state cookie whose content was changed', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims()) });
    const { cookie, sealed } = startSignIn();
    const [, mac] = cookie.value.split('.');
    const forged = Buffer.from(JSON.stringify({ ...sealed, returnTo: '//evil.example' })).toString('base64url');
    expectRefusal(
      await callback({ code: 'c', state: sealed.state }, `${forged}.${mac}`, { fetch }),
      400,
      /not started by the portal/,
    );
    expect(fetch).not.toHaveBeenCalled();
  });

  test('refuses a state cookie older than ten minutes', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims()) });
    const { cookie, sealed } = startSignIn();
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 601_000);
    try {
      expectRefusal(await callback({ code: 'c', state: sealed.state }, cookie.value, { fetch }), 400, /expired/);
    } finally {
      clock.mockRestore();
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  test('shows the error Cognito sent back, escaped', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims()) });
    const { cookie, sealed } = startSignIn();
    const response = await callback({ error: 'access_denied<script>', state: sealed.state }, cookie.value, { fetch });
    expectRefusal(response, 400, /Cognito did not sign you in \(access_denied&lt;script&gt;\)/);
    expect(fetch).not.toHaveBeenCalled();
  });

  test('refuses when the token endpoint refuses the code', async () => {
    const fetch = tokenEndpoint(400, { error: 'invalid_grant' });
    const { cookie, sealed } = startSignIn();
    expectRefusal(
      await callback({ code: 'used-code', state: sealed.state }, cookie.value, { fetch }),
      400,
      /invalid_grant/,
    );
  });

  test('answers 502 when Cognito cannot be reached', async () => {
    const fetch = jest.fn<ReturnType<TokenFetch>, Parameters<TokenFetch>>().mockRejectedValue(new Error('ECONNRESET'));
    const { cookie, sealed } = startSignIn();
    const response = await callback({ code: 'c', state: sealed.state }, cookie.value, { fetch });
    expectRefusal(response, 502, /could not be reached/);
    expect(response.body).not.toContain('ECONNRESET');
  });

  test('refuses, 403, a worker who is not in the group, and offers to sign in as someone else', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims({ 'cognito:groups': ['admins'] })), refresh_token: 'r' });
    const { cookie, sealed } = startSignIn();
    const response = await callback({ code: 'c', state: sealed.state }, cookie.value, { fetch });
    expectRefusal(response, 403, /not in this portal’s workteam/);
    expect(response.body).toContain(`href="${COGNITO}/logout?client_id=`);
  });

  test('refuses an ID token for another app client', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims({ aud: 'another-client' })), refresh_token: 'r' });
    const { cookie, sealed } = startSignIn();
    expectRefusal(
      await callback({ code: 'c', state: sealed.state }, cookie.value, { fetch }),
      400,
      /could not be verified/,
    );
  });
});

describe('signedInWorker refuses', () => {
  test('an ID token for another app client (aud)', async () => {
    expect(await workerFor(jwt(idClaims({ aud: 'another-client' })))).toBeUndefined();
  });

  test('an ID token from another user pool (iss)', async () => {
    const other = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OtherPool';
    expect(await workerFor(jwt(idClaims({ iss: other })))).toBeUndefined();
  });

  test('a worker who is not in the group', async () => {
    expect(await workerFor(jwt(idClaims({ 'cognito:groups': ['admins'] })))).toBeUndefined();
    expect(await workerFor(jwt(idClaims({ 'cognito:groups': undefined })))).toBeUndefined();
  });

  test('an expired ID token without a refresh cookie', async () => {
    expect(await workerFor(jwt(expiredClaims()))).toBeUndefined();
  });

  test('an access token instead of an ID token (token_use)', async () => {
    const access = jwt(idClaims({ token_use: 'access', aud: undefined, client_id: config.clientId, scope: 'openid' }));
    expect(await workerFor(access)).toBeUndefined();
  });

  test('a token whose claims were changed after signing', async () => {
    const [header, , signature] = jwt(idClaims({ 'cognito:groups': ['viewers'] })).split('.');
    const claims = Buffer.from(JSON.stringify(idClaims())).toString('base64url');
    expect(await workerFor(`${header}.${claims}.${signature}`)).toBeUndefined();
  });

  test('a tampered token even with a refresh cookie: no refresh is tried', async () => {
    const [header, , signature] = jwt(expiredClaims({ sub: 'someone-else' })).split('.');
    const claims = Buffer.from(JSON.stringify(expiredClaims())).toString('base64url');
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims()) });
    expect(
      await workerFor(`${header}.${claims}.${signature}`, { [REFRESH_TOKEN_COOKIE]: 'r' }, { fetch }),
    ).toBeUndefined();
    expect(fetch).not.toHaveBeenCalled();
  });

  test('a request without cookies', async () => {
    expect(await signedInWorker(config, { ...request({}), headers: {} })).toBeUndefined();
  });
});

describe('signedInWorker', () => {
  test('names the worker by their username when the token has no email', async () => {
    const signedIn = await workerFor(jwt(idClaims({ email: undefined, 'cognito:username': 'ana' })));
    expect(signedIn?.worker.name).toBe('ana');
  });

  test('renews an expired ID token with the refresh cookie and returns the new cookie', async () => {
    const renewed = jwt(idClaims({ jti: 'renewed' }));
    const fetch = tokenEndpoint(200, { id_token: renewed, access_token: 'a', expires_in: 3600, token_type: 'Bearer' });

    const signedIn = await workerFor(jwt(expiredClaims()), { [REFRESH_TOKEN_COOKIE]: 'the.refresh-token' }, { fetch });

    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toBe(`${COGNITO}/oauth2/token`);
    expect(formOf(fetch)).toEqual({
      grant_type: 'refresh_token',
      client_id: config.clientId,
      refresh_token: 'the.refresh-token',
    });
    expect(signedIn?.worker.identity).toEqual({ issuer: ISSUER, sub: SUB });
    expect(signedIn?.cookies).toHaveLength(1);
    const id = cookieOf({ cookies: signedIn?.cookies }, ID_TOKEN_COOKIE);
    expect(id.value).toBe(renewed);
    expect(id.attributes).toEqual(expect.arrayContaining([...SESSION_ATTRIBUTES, 'Max-Age=43200']));
  });

  test('keeps a rotated refresh token too', async () => {
    const fetch = tokenEndpoint(200, { id_token: jwt(idClaims()), refresh_token: 'rotated.refresh-token' });
    const signedIn = await workerFor(jwt(expiredClaims()), { [REFRESH_TOKEN_COOKIE]: 'old.refresh-token' }, { fetch });
    expect(cookieOf({ cookies: signedIn?.cookies }, REFRESH_TOKEN_COOKIE).value).toBe('rotated.refresh-token');
  });

  test('gives up when the refresh is refused, or the renewed token is no longer in the group', async () => {
    const cookies = { [REFRESH_TOKEN_COOKIE]: 'revoked.refresh-token' };
    const refused = tokenEndpoint(400, { error: 'invalid_grant' });
    expect(await workerFor(jwt(expiredClaims()), cookies, { fetch: refused })).toBeUndefined();
    const removed = tokenEndpoint(200, { id_token: jwt(idClaims({ 'cognito:groups': [] })) });
    expect(await workerFor(jwt(expiredClaims()), cookies, { fetch: removed })).toBeUndefined();
  });
});

describe('signOut', () => {
  test('clears the session cookies and goes to Cognito’s logout with the signed-out page as logout_uri', () => {
    const response = signOut(config);
    expect(response.status).toBe(303);
    expect(response.headers.Location).toBe(
      `${COGNITO}/logout?client_id=${config.clientId}&logout_uri=${encodeURIComponent(`${ORIGIN}${PORTAL_PATH}/signed-out`)}`,
    );
    for (const name of [ID_TOKEN_COOKIE, REFRESH_TOKEN_COOKIE]) {
      expect(cookieOf(response, name)).toEqual({
        value: '',
        attributes: [`Path=${PORTAL_PATH}`, 'Max-Age=0', 'HttpOnly', 'Secure', 'SameSite=Lax'],
      });
    }
  });

  test('revokes the refresh token at Cognito, and survives Cognito being down', async () => {
    const fetch = tokenEndpoint(200, {});
    await revokeRefreshToken(config, request({ [REFRESH_TOKEN_COOKIE]: 'the.refresh-token' }), { fetch });
    expect(fetch.mock.calls[0][0]).toBe(`${COGNITO}/oauth2/revoke`);
    expect(formOf(fetch)).toEqual({ token: 'the.refresh-token', client_id: config.clientId });

    const down = jest.fn<ReturnType<TokenFetch>, Parameters<TokenFetch>>().mockRejectedValue(new Error('timeout'));
    await expect(
      revokeRefreshToken(config, request({ [REFRESH_TOKEN_COOKIE]: 'r' }), { fetch: down }),
    ).resolves.toBeUndefined();
  });
});

test('the callback URL is built by concatenation, so CDK tokens in the portal URL survive', () => {
  expect(callbackUrl('${Token[TOKEN.42]}/portal/')).toBe('${Token[TOKEN.42]}/portal/callback');
});
