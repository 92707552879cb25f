/**
 * The worker portal's Lambda as API Gateway calls it (REST API, Lambda proxy: the stage stripped from `path`), with
 * its module-level clients on DynamoDB's wire protocol (dynalite) and local mode's S3 emulator, EventBridge and
 * Secrets Manager mocked, and ID tokens signed here with a key pair whose public half is in the verifier's JWKS cache.
 * Each case asserts what a worker's browser, or an attacker's, gets back.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CROWD_SCRIPTS, ENV, PORTAL_BUNDLE_FILES } from '../../../common/contract';
import type * as Portal from '../../../lambda/portal';
import { logger } from '../../../lambda/shared/logger';
import { ID_TOKEN_COOKIE, REFRESH_TOKEN_COOKIE, idTokenVerifier } from '../../../lambda/portal/cognito-session';
import { DynamoTaskStore } from '../../../lambda/shared/review/dynamo-task-store';
import type { TaskReviewPort } from '../../../lambda/shared/review/task-port';
import { selfHostedReviewPort, selfHostedSettings } from '../../../lambda/shared/review/self-hosted';
import type { LocalDynamo } from '../../helpers/dynalite';
import { startDynamo } from '../../helpers/dynalite';
import { startLocalS3 } from '../../helpers/local-s3';

const REGION = 'eu-west-1';
const POOL_ID = 'eu-west-1_TestPool1';
const CLIENT_ID = 'portal-client-id';
const GROUP = 'reviewers';
const COGNITO_DOMAIN = 'review-workers-123.auth.eu-west-1.amazoncognito.com';
const ORIGIN = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const PORTAL_URL = `${ORIGIN}/prod/portal`;
const BASE = '/prod/portal';
const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`;
const TABLE = 'review-tasks';
const FLOW = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d';
const KID = 'test-key-1';
const ANA_SUB = '3f2c9a7e-1b4d-4e8a-9c6f-0d5e7b8a9c1d';

// One key pair for the file: RSA key generation is the slow part.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const eventBridge = mockClient(EventBridgeClient);
const secrets = mockClient(SecretsManagerClient);
let dynamo: LocalDynamo;
let localS3: Awaited<ReturnType<typeof startLocalS3>>;
let s3: S3Client;
let port: TaskReviewPort;
let store: DynamoTaskStore;
let filesDir: string;
let handler: typeof Portal.handler;
let cognitoFetch: jest.SpiedFunction<typeof fetch>;

beforeAll(async () => {
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'test-secret' });
  // Nothing here may reach Cognito: sign-out's token revocation is answered here.
  cognitoFetch = jest.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('', { status: 200 }));
  [dynamo, localS3] = await Promise.all([startDynamo(TABLE), startLocalS3()]);

  filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-files-'));
  const root = path.join(__dirname, '../../..');
  // The sentiment template, and an image for inputs that name one (the objects test below).
  fs.writeFileSync(
    path.join(filesDir, 'task-template.html'),
    `${fs.readFileSync(path.join(root, 'templates/sentiment.liquid.html'), 'utf8')}\n` +
      '{% if task.input.image %}<img alt="shown" src="{{ task.input.image | grant_read_access }}">{% endif %}\n',
  );
  for (const asset of Object.keys(PORTAL_BUNDLE_FILES.assets))
    fs.copyFileSync(path.join(root, 'lambda/portal/assets', asset), path.join(filesDir, asset));

  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_ENDPOINT_URL_S3: localS3.url,
    [ENV.portalUrl]: PORTAL_URL,
    [ENV.portalSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:portal-AbCdEf',
    [ENV.portalClientId]: CLIENT_ID,
    [ENV.workerPoolId]: POOL_ID,
    [ENV.workerPoolDomain]: COGNITO_DOMAIN,
    [ENV.workerGroup]: GROUP,
    [ENV.portalFilesDir]: filesDir,
    [ENV.flowDefinitionArn]: FLOW,
    [ENV.taskTableName]: TABLE,
    [ENV.s3OutputPath]: 's3://review-output/a2i-results',
    [ENV.taskInputsPath]: 's3://review-output/a2i-results/_inputs',
    [ENV.reviewEventBus]: 'review-events',
    [ENV.workerIdentityIssuer]: ISSUER,
    [ENV.taskCount]: '1',
    [ENV.taskObjectLocations]: JSON.stringify(['s3://review-images/shown/']),
  });
  // After the environment: the handler's module-level clients read their endpoints when they are made.
  handler = jest.requireActual<typeof Portal>('../../../lambda/portal').handler;

  const exported = publicKey.export({ format: 'jwk' });
  idTokenVerifier({ userPoolId: POOL_ID, region: REGION, clientId: CLIENT_ID }).cacheJwks({
    keys: [{ kty: 'RSA', n: String(exported.n), e: String(exported.e), kid: KID, alg: 'RS256', use: 'sig' }],
  });

  s3 = new S3Client({ endpoint: localS3.url, region: REGION, forcePathStyle: true });
  store = new DynamoTaskStore(dynamo.client, TABLE);
  port = selfHostedReviewPort(selfHostedSettings(process.env), {
    dynamodb: dynamo.client,
    s3,
    eventBridge: new EventBridgeClient({ region: REGION }),
  });
});

afterAll(async () => {
  cognitoFetch.mockRestore();
  s3.destroy();
  await Promise.all([localS3.stop(), dynamo.close()]);
  fs.rmSync(filesDir, { recursive: true, force: true });
});

function jwt(claims: Record<string, unknown>): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: KID })}.${encode(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

/** A Cognito ID token of the worker pool for the portal's client. */
function idToken(overrides: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt({
    sub: ANA_SUB,
    iss: ISSUER,
    aud: CLIENT_ID,
    token_use: 'id',
    'cognito:groups': [GROUP],
    'cognito:username': ANA_SUB,
    email: 'ana@example.com',
    email_verified: true,
    auth_time: now,
    iat: now,
    exp: now + 3600,
    ...overrides,
  });
}

interface EventInit {
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** API Gateway's proxy event for a browser's request to `https://<api>/prod<path>`. */
function apiEvent(method: string, resourcePath: string, init: EventInit = {}): APIGatewayProxyEvent {
  const headers: Record<string, string> = { Host: new URL(ORIGIN).host, 'User-Agent': 'jest', ...init.headers };
  const query = init.query;
  return {
    httpMethod: method,
    path: resourcePath,
    resource: '/portal/{proxy+}',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]]))
      : null,
    pathParameters: { proxy: resourcePath.replace(/^\/portal\/?/, '') },
    stageVariables: null,
    body: init.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      stage: 'prod',
      requestId: 'req-1',
      path: `/prod${resourcePath}`,
      httpMethod: method,
      resourcePath: '/portal/{proxy+}',
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

const session = (token: string) => ({ Cookie: `${ID_TOKEN_COOKIE}=${token}` });

/** A request from the portal's own pages, signed in with `token`. */
function fromPortal(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...session(token), Origin: ORIGIN, ...extra };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

function setCookies(result: APIGatewayProxyResult): string[] {
  const values = result.multiValueHeaders?.['Set-Cookie'] ?? [];
  return values.map(String);
}

function location(result: APIGatewayProxyResult): string {
  return String(result.headers?.Location);
}

/** The CSRF token of the sign-out (and every other) form on a page. */
function csrfOf(page: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error(`No CSRF field in ${page.slice(0, 200)}`);
  return match[1];
}

async function startLoop(
  name: string,
  text = 'The delivery was quick and the product works.',
  extra: Record<string, string> = {},
): Promise<void> {
  await port.start({ name, input: { taskObject: text, initialValue: '1', ...extra } });
}

async function listPage(token: string) {
  const result = await handler(apiEvent('GET', '/portal', { headers: session(token) }));
  expect(result.statusCode).toBe(200);
  return { result, csrf: csrfOf(result.body) };
}

test('an unsigned request goes to sign-in, and sign-in goes to the managed login with a state cookie', async () => {
  const unsigned = await handler(apiEvent('GET', '/portal'));
  expect(unsigned.statusCode).toBe(303);
  expect(location(unsigned)).toBe('/prod/portal/sign-in?returnTo=%2Fprod%2Fportal');

  const signIn = await handler(apiEvent('GET', '/portal/sign-in', { query: { returnTo: '/prod/portal' } }));
  expect(signIn.statusCode).toBe(303);
  const authorize = new URL(location(signIn));
  expect(`${authorize.origin}${authorize.pathname}`).toBe(`https://${COGNITO_DOMAIN}/oauth2/authorize`);
  expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${PORTAL_URL}/callback`);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  const [state] = setCookies(signIn);
  expect(setCookies(signIn)).toHaveLength(1);
  expect(state).toMatch(/^review-portal-sign-in=[^;]+; Path=\/prod\/portal\/callback; Max-Age=\d+; HttpOnly; Secure/);
});

test("a signed-in worker's task list shows the waiting loop, under the stage, with the security headers", async () => {
  await startLoop('portal-list-1', 'Great value for the money.');
  const { result, csrf } = await listPage(idToken());

  expect(result.body).toContain('ana@example.com');
  expect(result.body).toContain(`href="${BASE}/tasks/portal-list-1"`);
  expect(result.body).toContain('Great value for the money.');
  expect(result.body).toContain(`<form id="next-task" class="claim" method="post" action="${BASE}/next">`);
  expect(result.body).toContain(`<form method="post" action="${BASE}/sign-out">`);
  expect(result.body).toContain(`href="${BASE}/portal.css"`);
  expect(result.body).not.toMatch(/(?:href|action|src)="\/portal/);
  expect(csrf).toMatch(/^[\w-]{43}$/);

  const headers = result.headers ?? {};
  expect(headers['Content-Type']).toBe('text/html; charset=utf-8');
  expect(String(headers['Content-Security-Policy'])).toContain("frame-ancestors 'none'");
  // The sign-out form goes on to the managed login: Chrome applies form-action to a form's redirects.
  expect(String(headers['Content-Security-Policy'])).toContain(`form-action 'self' https://${COGNITO_DOMAIN}`);
  expect(String(headers['Strict-Transport-Security'])).toMatch(/^max-age=\d+/);
  expect(headers['X-Frame-Options']).toBe('DENY');
  expect(headers['Cache-Control']).toBe('no-store');
});

test("the portal's assets are served under its path to anyone (the sign-in pages use them)", async () => {
  const css = await handler(apiEvent('GET', '/portal/portal.css'));
  expect(css.statusCode).toBe(200);
  expect(css.headers?.['Content-Type']).toBe('text/css; charset=utf-8');
  expect(css.body).toBe(fs.readFileSync(path.join(filesDir, 'portal.css'), 'utf8'));
  for (const script of [...CROWD_SCRIPTS, 'portal-task.js']) {
    const js = await handler(apiEvent('GET', `/portal/${script}`));
    expect(js.statusCode).toBe(200);
    expect(js.headers?.['Content-Type']).toBe('text/javascript; charset=utf-8');
  }
  expect((await handler(apiEvent('GET', '/portal/other.js'))).statusCode).toBe(404);
});

test('a worker claims a task, sees the template and answers it: the loop completes with their identity', async () => {
  const name = 'portal-answer-1';
  await startLoop(name, 'Broke after two days.');
  const token = idToken();
  const { csrf } = await listPage(token);

  const claim = await handler(
    apiEvent('POST', `/portal/tasks/${name}/claim`, {
      headers: fromPortal(token, FORM),
      body: form({ csrf }),
    }),
  );
  expect(claim.statusCode).toBe(303);
  expect(location(claim)).toBe(`${BASE}/tasks/${name}`);

  const task = await handler(apiEvent('GET', `/portal/tasks/${name}`, { headers: session(token) }));
  expect(task.statusCode).toBe(200);
  expect(task.body).toContain(`data-answer-url="${BASE}/api/tasks/${name}/answers"`);
  expect(task.body).toContain(`<iframe title="Task" src="${BASE}/tasks/${name}/frame"`);
  expect(task.body).toContain(`<script src="${BASE}/portal-task.js"></script>`);
  expect(String(task.headers?.['Content-Security-Policy'])).toContain("frame-ancestors 'none'");
  expect(task.headers?.['X-Frame-Options']).toBe('DENY');
  const leaseToken = /data-lease-token="([^"]+)"/.exec(task.body)?.[1];

  const frame = await handler(apiEvent('GET', `/portal/tasks/${name}/frame`, { headers: session(token) }));
  expect(frame.statusCode).toBe(200);
  expect(frame.body).toContain('<crowd-classifier');
  expect(frame.body).toContain('Broke after two days.');
  expect(frame.body).toContain(CROWD_SCRIPTS.map((name) => `<script src="${BASE}/${name}"></script>`).join(''));
  expect(frame.body).not.toContain('assets.crowd.aws');
  expect(String(frame.headers?.['Content-Security-Policy'])).toMatch(/^sandbox allow-scripts allow-forms;/);
  expect(String(frame.headers?.['Content-Security-Policy'])).toContain("frame-ancestors 'self'");
  expect(frame.headers?.['X-Frame-Options']).toBe('SAMEORIGIN');
  expect(String(frame.headers?.['Strict-Transport-Security'])).toMatch(/^max-age=\d+/);

  const answer = await handler(
    apiEvent('POST', `/portal/api/tasks/${name}/answers`, {
      headers: fromPortal(token, { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }),
      body: JSON.stringify({ answerContent: { sentiment: { label: 'positive' } }, leaseToken }),
    }),
  );
  expect(answer.statusCode).toBe(200);
  const answered = JSON.parse(answer.body) as { humanLoopName: string; status: string; outputS3Uri: string };
  expect(answered).toMatchObject({ humanLoopName: name, status: 'Completed' });

  const loop = await port.describe(name);
  expect(loop.status).toBe('Completed');
  expect(loop.outputUri).toBe(answered.outputS3Uri);
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(loop.outputUri ?? '') ?? [];
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const output = JSON.parse((await object.Body?.transformToString('utf-8')) ?? '{}') as {
    humanLoopName: string;
    humanAnswers: {
      answerContent: unknown;
      workerId: string;
      workerMetadata: { identityData: { identityProviderType: string; issuer: string; sub: string } };
    }[];
  };
  expect(output.humanLoopName).toBe(name);
  expect(output.humanAnswers).toHaveLength(1);
  const [human] = output.humanAnswers;
  expect(human.answerContent).toEqual({ sentiment: { label: 'positive' } });
  expect(human.workerMetadata.identityData).toEqual({ identityProviderType: 'Cognito', issuer: ISSUER, sub: ANA_SUB });
  expect(human.workerId).toMatch(/^[0-9a-f]{32}$/);
  expect(human.workerId).not.toBe(ANA_SUB);

  // Done: the task is no longer offered.
  const after = await handler(apiEvent('GET', '/portal', { headers: session(token) }));
  expect(after.body).not.toContain(`/tasks/${name}"`);
});

test('an object under taskObjectLocations is shown through a presigned URL; one elsewhere is refused by name', async () => {
  const token = idToken();
  const frameFor = async (name: string, image: string) => {
    await startLoop(name, 'Looks right.', { image });
    const { csrf } = await listPage(token);
    const claim = await handler(
      apiEvent('POST', `/portal/tasks/${name}/claim`, { headers: fromPortal(token, FORM), body: form({ csrf }) }),
    );
    expect(claim.statusCode).toBe(303);
    return handler(apiEvent('GET', `/portal/tasks/${name}/frame`, { headers: session(token) }));
  };
  const errors = jest.spyOn(logger, 'error');
  try {
    const shown = await frameFor('portal-object-1', 's3://review-images/shown/shap-3.png');
    expect(shown.statusCode).toBe(200);
    const src = /<img alt="shown" src="([^"]+)"/.exec(shown.body)?.[1] ?? '';
    const url = new URL(src.replace(/&amp;/g, '&'));
    expect(url.pathname).toBe('/review-images/shown/shap-3.png');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    await handler(
      apiEvent('POST', `/portal/tasks/portal-object-1/decline`, {
        headers: fromPortal(token, FORM),
        body: form({ csrf: (await listPage(token)).csrf }),
      }),
    );

    const refused = await frameFor('portal-object-2', 's3://review-images/other/secret.png');
    expect(refused.statusCode).toBe(500);
    expect(refused.body).toContain(
      's3://review-images/other/secret.png is outside the locations tasks may show objects from (s3://review-images/shown/); the pipeline&#39;s operator adds its bucket or prefix to the taskObjectLocations context key',
    );
    expect(refused.body).not.toContain('X-Amz-Signature');
    expect(errors).toHaveBeenCalledWith('Task template did not render', {
      humanLoopName: 'portal-object-2',
      reason: expect.stringContaining('s3://review-images/other/secret.png is outside') as unknown,
    });
  } finally {
    errors.mockRestore();
  }
});

test('a POST from a foreign origin is refused and changes nothing', async () => {
  const name = 'portal-forged-1';
  await startLoop(name);
  const token = idToken();
  const { csrf } = await listPage(token);

  const forged = await handler(
    apiEvent('POST', `/portal/tasks/${name}/claim`, {
      headers: { ...session(token), ...FORM, Origin: 'https://attacker.example' },
      body: form({ csrf }),
    }),
  );
  expect(forged.statusCode).toBe(403);
  expect(forged.body).toContain('did not come from the portal');

  const answer = await handler(
    apiEvent('POST', `/portal/api/tasks/${name}/answers`, {
      headers: { ...session(token), Origin: 'https://attacker.example', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ answerContent: { sentiment: { label: 'negative' } } }),
    }),
  );
  expect(answer.statusCode).toBe(403);
  expect(JSON.parse(answer.body)).toEqual({
    message: 'The request did not come from the portal (https://attacker.example)',
  });

  expect(await store.get(name)).toMatchObject({ status: 'InProgress', claims: [], answers: [] });
});

test('a POST without the CSRF token is refused, for forms and for the API', async () => {
  const name = 'portal-no-csrf-1';
  await startLoop(name);
  const token = idToken();

  const claim = await handler(
    apiEvent('POST', `/portal/tasks/${name}/claim`, { headers: fromPortal(token, FORM), body: '' }),
  );
  expect(claim.statusCode).toBe(403);
  expect(claim.body).toContain('The form has expired');
  const wrong = await handler(
    apiEvent('POST', `/portal/tasks/${name}/claim`, {
      headers: fromPortal(token, FORM),
      body: form({ csrf: csrfOf((await listPage(idToken({ sub: 'someone-else' }))).result.body) }),
    }),
  );
  expect(wrong.statusCode).toBe(403);
  const answer = await handler(
    apiEvent('POST', `/portal/api/tasks/${name}/answers`, {
      headers: fromPortal(token, { 'Content-Type': 'application/json' }),
      body: JSON.stringify({ answerContent: { sentiment: { label: 'negative' } } }),
    }),
  );
  expect(answer.statusCode).toBe(403);
  expect(JSON.parse(answer.body)).toEqual({ message: 'The form has expired; reload the page' });

  expect(await store.get(name)).toMatchObject({ status: 'InProgress', claims: [], answers: [] });
});

test('a worker outside the workteam group is not signed in', async () => {
  const outsider = idToken({ sub: 'b7e0c1d2-0000-4000-8000-000000000001', 'cognito:groups': ['other-team'] });
  const page = await handler(apiEvent('GET', '/portal', { headers: session(outsider) }));
  expect(page.statusCode).toBe(303);
  expect(location(page)).toBe('/prod/portal/sign-in?returnTo=%2Fprod%2Fportal');

  const api = await handler(apiEvent('GET', '/portal/api/tasks', { headers: session(outsider) }));
  expect(api.statusCode).toBe(401);
  expect(api.body).not.toContain('portal-');

  const noGroups = idToken({ sub: 'b7e0c1d2-0000-4000-8000-000000000002', 'cognito:groups': undefined });
  expect((await handler(apiEvent('GET', '/portal/api/tasks', { headers: session(noGroups) }))).statusCode).toBe(401);
});

test('a tampered or foreign ID token cookie is not a session', async () => {
  const [header, , signature] = idToken().split('.');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: 'someone-else',
    iss: ISSUER,
    aud: CLIENT_ID,
    token_use: 'id',
    'cognito:groups': [GROUP],
    iat: now,
    exp: now + 3600,
  };
  const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
  const otherClient = idToken({ aud: 'another-client' });
  const otherIssuer = idToken({ iss: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_OtherPool` });

  for (const token of [tampered, otherClient, otherIssuer, 'not-a-jwt']) {
    const page = await handler(apiEvent('GET', '/portal', { headers: session(token) }));
    expect(page.statusCode).toBe(303);
    expect(location(page)).toMatch(/^\/prod\/portal\/sign-in\?/);
    const api = await handler(apiEvent('GET', '/portal/api/tasks', { headers: session(token) }));
    expect(api.statusCode).toBe(401);
  }
  // None of them cost a call to Cognito's token endpoint (there is no refresh token to try).
  expect(cognitoFetch).not.toHaveBeenCalled();
});

test('sign-out with the CSRF token goes to the managed logout and clears both session cookies', async () => {
  const token = idToken();
  const { csrf } = await listPage(token);
  const signOut = await handler(
    apiEvent('POST', '/portal/sign-out', {
      headers: {
        Cookie: `${ID_TOKEN_COOKIE}=${token}; ${REFRESH_TOKEN_COOKIE}=refresh-token-1`,
        Origin: ORIGIN,
        ...FORM,
      },
      body: form({ csrf }),
    }),
  );
  expect(signOut.statusCode).toBe(303);
  const logout = new URL(location(signOut));
  expect(`${logout.origin}${logout.pathname}`).toBe(`https://${COGNITO_DOMAIN}/logout`);
  expect(Object.fromEntries(logout.searchParams)).toEqual({
    client_id: CLIENT_ID,
    logout_uri: `${PORTAL_URL}/signed-out`,
  });
  const cleared = setCookies(signOut);
  expect(cleared).toHaveLength(2);
  for (const name of [ID_TOKEN_COOKIE, REFRESH_TOKEN_COOKIE])
    expect(cleared).toContainEqual(expect.stringMatching(new RegExp(`^${name}=; Path=/prod/portal; Max-Age=0;`)));

  // The refresh token was revoked at Cognito.
  expect(cognitoFetch).toHaveBeenCalledTimes(1);
  const [url, init] = cognitoFetch.mock.calls[0];
  expect(url).toBe(`https://${COGNITO_DOMAIN}/oauth2/revoke`);
  expect(typeof init?.body).toBe('string');
  expect(Object.fromEntries(new URLSearchParams(init?.body as string))).toEqual({
    token: 'refresh-token-1',
    client_id: CLIENT_ID,
  });
  cognitoFetch.mockClear();

  const signedOut = await handler(apiEvent('GET', '/portal/signed-out'));
  expect(signedOut.statusCode).toBe(200);
  expect(signedOut.body).toContain(`href="${BASE}"`);
});

test('sign-out without the CSRF token, or from a foreign origin, keeps the session', async () => {
  const token = idToken();
  const { csrf } = await listPage(token);
  const attempts = [
    { headers: fromPortal(token, FORM), body: '' },
    { headers: { ...session(token), ...FORM, Origin: 'https://attacker.example' }, body: form({ csrf }) },
  ];
  for (const attempt of attempts) {
    const refused = await handler(apiEvent('POST', '/portal/sign-out', attempt));
    expect(refused.statusCode).toBe(403);
    expect(setCookies(refused)).toEqual([]);
  }
  expect(cognitoFetch).not.toHaveBeenCalled();
});
