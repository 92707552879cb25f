/**
 * The worker portal on AWS: API Gateway (a regional REST API, Lambda proxy) hands every `/portal` request here. Sign-in
 * is the worker pool's managed login (cognito-session.ts); every request is verified from its session cookies; the
 * portal's routes (routes.ts) do the rest over the self-hosted backend's loops. The task template travels in the
 * bundle (task-template.html, copied at synthesis), the cookie and CSRF key in Secrets Manager.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ENV, PORTAL_BUNDLE_FILES } from '../../common/contract';
import { decodeObjectLocations, guardedReadGrant } from '../../common/object-locations';
import { dynamodb } from '../shared/clients/dynamodb';
import { eventBridge } from '../shared/clients/eventbridge';
import { s3 } from '../shared/clients/s3';
import { requiredEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { selfHostedLoops, selfHostedSettings } from '../shared/review/self-hosted';
import { WorkerTasks } from '../shared/review/worker-tasks';
import type { CognitoSessionConfig } from './cognito-session';
import {
  CALLBACK_PATH,
  cognitoBase,
  completeSignIn,
  revokeRefreshToken,
  SIGN_OUT_PATH,
  SIGNED_OUT_PATH,
  signedInWorker,
  signIn,
  signOut,
} from './cognito-session';
import type { ForgeryGuard } from './csrf';
import { forgeryGuard } from './csrf';
import type { PortalRequest, PortalResponse } from './http';
import { PAGE_POLICY, pagePolicy, respond } from './http';
import { html, portalPage } from './pages';
import type { Asset, PortalDeps } from './routes';
import { handlePortal } from './routes';

/**
 * The bundle's files besides the code: the task template and the portal's assets, copied beside the code at
 * synthesis (lib/constructs/review/self-hosted/worker-portal.ts); PORTAL_FILES_DIR points elsewhere (tests).
 */
const filesDir = () => process.env[ENV.portalFilesDir] || __dirname;
export const TASK_TEMPLATE_FILE = 'task-template.html';
const SIGN_IN_PATH = '/sign-in';
/** Under the portal's own path: requests arrive at `/portal/...` whatever the stage. */
const ROUTE_BASE = '/portal';
/** A presigned URL lives at most this long (S3's limit for SigV4), and never past the lease. */
const PRESIGN_MAX_SECONDS = 7 * 24 * 3600;

interface Portal {
  readonly session: CognitoSessionConfig;
  readonly forgery: ForgeryGuard;
  readonly deps: Omit<PortalDeps, 'signInUrl' | 'signOutUrl'>;
  /** The portal's path as the browser sees it: `/<stage>/portal`. */
  readonly base: string;
  /** Where the portal's forms may go besides itself: the managed login, which a sign-out goes on to. */
  readonly formTargets: readonly string[];
}

let portal: Promise<Portal> | undefined;

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  try {
    portal ??= setUp().catch((error: unknown) => {
      portal = undefined;
      throw error;
    });
    const ready = await portal;
    return toResult(await route(ready, portalRequest(event)), ready.formTargets);
  } catch (error) {
    logger.error('Portal request failed', {
      route: `${event.httpMethod} ${event.resource}`,
      error: error instanceof Error ? error.message : String(error),
    });
    return toResult(
      respond(500, portalPage('Something went wrong', undefined, '<h1>Something went wrong</h1><p>Try again.</p>')),
    );
  }
}

async function route(portal: Portal, request: PortalRequest): Promise<PortalResponse> {
  const { session, base } = portal;
  const sub = request.path.slice(ROUTE_BASE.length);
  if (sub === SIGN_IN_PATH && request.method === 'GET') return signIn(session, request.query.returnTo);
  if (sub === CALLBACK_PATH && request.method === 'GET') return completeSignIn(session, request);
  if (sub === SIGNED_OUT_PATH && request.method === 'GET')
    return respond(
      200,
      portalPage('Signed out', undefined, `<h1>Signed out</h1><p><a href="${html(base)}">Sign in again</a></p>`, base),
    );
  const signedIn = await signedInWorker(session, request);
  if (sub === SIGN_OUT_PATH && request.method === 'POST') {
    const refusal = portal.forgery.refusal(
      request,
      signedIn?.worker,
      new URLSearchParams(request.body).get('csrf') ?? undefined,
    );
    if (refusal) return respond(403, portalPage('Not signed out', undefined, `<p>${html(refusal)}</p>`, base));
    await revokeRefreshToken(session, request);
    return signOut(session);
  }
  const response = await handlePortal(request, signedIn?.worker, {
    ...portal.deps,
    signInUrl: `${base}${SIGN_IN_PATH}?returnTo=${encodeURIComponent(`${base}${sub}`)}`,
    signOutUrl: `${base}${SIGN_OUT_PATH}`,
  });
  return signedIn?.cookies.length
    ? { ...response, cookies: [...(response.cookies ?? []), ...signedIn.cookies] }
    : response;
}

async function setUp(): Promise<Portal> {
  const env = process.env;
  const portalUrl = requiredEnv(env, ENV.portalUrl).replace(/\/+$/, '');
  const secret = await readSecret(requiredEnv(env, ENV.portalSecretArn));
  const session: CognitoSessionConfig = {
    userPoolId: requiredEnv(env, ENV.workerPoolId),
    region: requiredEnv(env, 'AWS_REGION'),
    clientId: requiredEnv(env, ENV.portalClientId),
    domain: requiredEnv(env, ENV.workerPoolDomain),
    groupName: requiredEnv(env, ENV.workerGroup),
    portalUrl,
    cookieSecret: secret,
  };
  const forgery = forgeryGuard(secret, [new URL(portalUrl).origin]);
  const loops = selfHostedLoops(selfHostedSettings(env), { dynamodb, s3, eventBridge });
  const template = fs.readFileSync(path.join(filesDir(), PORTAL_BUNDLE_FILES.taskTemplate), 'utf8');
  const base = new URL(portalUrl).pathname;
  const origin = new URL(portalUrl).origin;
  return {
    session,
    forgery,
    base,
    formTargets: [cognitoBase(session)],
    deps: {
      origins: [origin],
      tasks: new WorkerTasks(loops),
      template: () => Promise.resolve(template),
      grantReadAccess: guardedReadGrant(
        decodeObjectLocations(env[ENV.taskObjectLocations] ?? '[]', ENV.taskObjectLocations),
        'the taskObjectLocations context key',
        (bucket, key, until: Date) =>
          getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
            expiresIn: Math.max(1, Math.min(PRESIGN_MAX_SECONDS, Math.ceil((until.getTime() - Date.now()) / 1000))),
          }),
      ),
      assets: (name) => Promise.resolve(asset(name)),
      forgery,
      base,
    },
  };
}

async function readSecret(arn: string): Promise<string> {
  const client = new SecretsManagerClient({ maxAttempts: 3 });
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error(`Secret ${arn} has no string value`);
  return SecretString;
}

const assetCache = new Map<string, Asset>();

function asset(name: string): Asset | undefined {
  const contentType = (PORTAL_BUNDLE_FILES.assets as Record<string, string>)[name];
  if (contentType === undefined) return undefined;
  let found = assetCache.get(name);
  if (found === undefined) {
    found = { body: fs.readFileSync(path.join(filesDir(), name), 'utf8'), contentType };
    assetCache.set(name, found);
  }
  return found;
}

function portalRequest(event: APIGatewayProxyEvent): PortalRequest {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {}))
    headers[name.toLowerCase()] = (values ?? []).join(name.toLowerCase() === 'cookie' ? '; ' : ', ');
  for (const [name, value] of Object.entries(event.headers ?? {}))
    if (value !== undefined) headers[name.toLowerCase()] ??= value;
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {}))
    if (value !== undefined) query[name] = value;
  const body = event.body === null ? '' : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').toString();
  return { method: event.httpMethod, path: event.path, query, headers, body };
}

/**
 * The portal's answer, with the headers every page of it carries on AWS; a page's policy lets its forms go on to the
 * managed login (a sign-out does).
 */
function toResult(response: PortalResponse, formTargets: readonly string[] = []): APIGatewayProxyResult {
  const policy = response.headers['Content-Security-Policy'];
  return {
    statusCode: response.status,
    headers: {
      ...response.headers,
      ...(policy === PAGE_POLICY ? { 'Content-Security-Policy': pagePolicy(formTargets) } : {}),
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
    },
    multiValueHeaders: response.cookies?.length ? { 'Set-Cookie': [...response.cookies] } : undefined,
    body: response.body,
  };
}
