/**
 * The worker portal over a neutral request and the signed-in worker: the tasks waiting for the worker, taking one,
 * the task they hold rendered from the task template with SageMaker's Liquid semantics, and the answer, give-back and
 * decline actions. Nothing changes on a GET; every POST is checked against forgery. Signing in is the adapter's: it
 * passes the identity, or none, and the portal sends a worker without one to `signInUrl`.
 */
import { ObjectOutsideLocationsError } from '../../common/object-locations';
import { renderTaskTemplate } from '../../common/task-template';
import { logger } from '../shared/logger';
import { isReviewError } from '../shared/review/port';
import type { Claim, LoopRecord } from '../shared/review/tasks';
import type { WorkerTasks } from '../shared/review/worker-tasks';
import type { ForgeryGuard } from './csrf';
import type { PortalRequest, PortalResponse, WorkerIdentity } from './http';
import { framePolicy, jsonResponse, redirect, respond } from './http';
import type { PageContext } from './pages';
import { DEFAULT_BASE, html, messagePage, offerPage, taskFrame, taskListPage, taskPage } from './pages';

/** Static files the portal serves under `/portal/` (the crowd-element stand-ins and the style sheet). */
export type Asset = { readonly body: string; readonly contentType: string };

export interface PortalDeps {
  readonly tasks: WorkerTasks;
  /** The task template's source. */
  readonly template: () => Promise<string>;
  /** What `grant_read_access` turns an S3 object into: a URL the worker's browser may fetch until the lease ends. */
  readonly grantReadAccess: (bucket: string, key: string, until: Date) => string | Promise<string>;
  readonly assets: (name: string) => Promise<Asset | undefined>;
  readonly forgery: ForgeryGuard;
  readonly signInUrl: string;
  readonly signOutUrl: string;
  /** The portal's path as the browser sees it (requests arrive under `/portal` whatever it is). @default '/portal' */
  readonly base?: string;
  /** The origins the portal is served at, for the task frame's policy (framePolicy). @default none: `'self'` only */
  readonly origins?: readonly string[];
}

/** An answer of a task is at most this long (an output.json holds up to three). */
const ANSWER_MAX_BYTES = 1024 * 1024;

export async function handlePortal(
  request: PortalRequest,
  worker: WorkerIdentity | undefined,
  deps: PortalDeps,
): Promise<PortalResponse> {
  const { method, path } = request;
  const asset = /^\/portal\/([\w.-]+\.(?:js|css))$/.exec(path);
  if (asset && method === 'GET') {
    const found = await deps.assets(asset[1]);
    return found ? respond(200, found.body, found.contentType) : respond(404, 'Not found', 'text/plain');
  }

  const api = path.startsWith('/portal/api/');
  const frame = /^\/portal\/tasks\/([^/]+)\/frame$/.exec(path);
  if (worker === undefined) {
    if (api) return jsonResponse(401, { message: `Sign in first (${deps.signInUrl})` });
    // A frame cannot follow the sign-in redirect (the sign-in page refuses to be framed): it says what to do.
    if (frame)
      return frameResponse(401, deps, '<p class="crowd-status error">Your session ended: reload the page.</p>');
    return redirect(deps.signInUrl);
  }
  const base = deps.base ?? DEFAULT_BASE;
  const context: PageContext = {
    worker,
    csrfToken: deps.forgery.tokenFor(worker),
    signOutUrl: deps.signOutUrl,
    base,
  };

  if ((path === '/portal' || path === '/portal/') && method === 'GET') {
    return respond(200, taskListPage(context, await deps.tasks.openTasks(worker), preview));
  }
  if (path === '/portal/api/tasks' && method === 'GET') {
    const tasks = (await deps.tasks.openTasks(worker)).map((loop) => ({
      humanLoopName: loop.name,
      createdAt: loop.createdAt,
      input: JSON.parse(loop.inputContent) as unknown,
    }));
    return jsonResponse(200, { worker: { id: worker.id, name: worker.name }, waiting: tasks.length, tasks });
  }

  const task = /^\/portal\/tasks\/([^/]+)$/.exec(path);
  if (task && method === 'GET') return showTask(decodeURIComponent(task[1]), context, deps);
  if (frame && method === 'GET') return showFrame(decodeURIComponent(frame[1]), context, deps);

  const action = /^\/portal\/(?:tasks\/([^/]+)\/(claim|release|decline)|next)$/.exec(path);
  if (action && method === 'POST') {
    const refusal = deps.forgery.refusal(request, worker, new URLSearchParams(request.body).get('csrf') ?? undefined);
    if (refusal) return respond(403, messagePage(context, 'Not done', refusal));
    if (action[1] === undefined) return takeNextTask(context, deps);
    const name = decodeURIComponent(action[1]);
    if (action[2] === 'claim') return claimTask(name, context, deps);
    await (action[2] === 'release' ? deps.tasks.release(name, worker) : deps.tasks.decline(name, worker)).catch(
      (error: unknown) => {
        if (!isReviewError(error, 'ResourceNotFound')) throw error;
      },
    );
    return redirect(base);
  }

  const answer = /^\/portal\/api\/tasks\/([^/]+)\/answers$/.exec(path);
  if (answer && method === 'POST') return submitAnswer(request, decodeURIComponent(answer[1]), worker, deps);

  return respond(404, messagePage(context, 'Not found', `Nothing at ${path}`));
}

/** Takes the task for the worker (for the task time limit), then shows it. */
async function claimTask(name: string, context: PageContext, deps: PortalDeps): Promise<PortalResponse> {
  try {
    await deps.tasks.claim(name, context.worker);
  } catch (error) {
    if (!isNotTakeable(error)) throw error;
    return respond(409, notAvailable(name, context));
  }
  return redirect(`${context.base}/tasks/${encodeURIComponent(name)}`);
}

/** Tasks tried in order when the oldest is taken by someone else meanwhile. */
const NEXT_TASK_TRIES = 5;

/** Takes the oldest task the worker may take and opens it; with none left, back to the (empty) queue. */
async function takeNextTask(context: PageContext, deps: PortalDeps): Promise<PortalResponse> {
  const open = await deps.tasks.openTasks(context.worker);
  for (const loop of open.slice(0, NEXT_TASK_TRIES)) {
    try {
      await deps.tasks.claim(loop.name, context.worker);
      return redirect(`${context.base}/tasks/${encodeURIComponent(loop.name)}`);
    } catch (error) {
      if (!isNotTakeable(error)) throw error;
    }
  }
  return redirect(context.base);
}

/** The task page of the task the worker holds; one they may take, offered; any other, not available. */
async function showTask(name: string, context: PageContext, deps: PortalDeps): Promise<PortalResponse> {
  const held = await deps.tasks.held(name, context.worker);
  const open = await deps.tasks.openTasks(context.worker);
  if (held === undefined) {
    const offered = open.find((loop) => loop.name === name);
    return offered
      ? respond(200, offerPage(context, offered, preview(offered)))
      : respond(404, notAvailable(name, context));
  }
  const lease = leaseOf(held, context);
  const waiting = open.filter((loop) => loop.name !== name).length;
  const secondsLeft = (Date.parse(lease.expiresAt) - deps.tasks.now().getTime()) / 1000;
  return respond(200, taskPage(context, held, { token: lease.token, secondsLeft }, waiting));
}

/** The template rendered for the task the worker holds, as the sandboxed frame's document. */
async function showFrame(name: string, context: PageContext, deps: PortalDeps): Promise<PortalResponse> {
  const held = await deps.tasks.held(name, context.worker);
  if (held === undefined)
    return frameResponse(404, deps, `<p class="crowd-status error">${html(notAvailableText(name))}</p>`);
  const leaseEnd = new Date(leaseOf(held, context).expiresAt);
  try {
    const rendered = await renderTaskTemplate(await deps.template(), JSON.parse(held.inputContent), {
      grantReadAccess: (bucket, key) => deps.grantReadAccess(bucket, key, leaseEnd),
      // As SageMaker renders for a worker: a field this loop's input lacks prints nothing.
      strictVariables: false,
    });
    return frameResponse(200, deps, rendered);
  } catch (error) {
    const message = `The task template did not render: ${(error as Error).message}`;
    // A refused object's location is the operator's to fix; other messages may quote the task's input, kept out of logs.
    const cause = (error as { originalError?: unknown }).originalError ?? error;
    const reason = cause instanceof ObjectOutsideLocationsError ? cause.message : (error as Error).name;
    logger.error('Task template did not render', { humanLoopName: name, reason });
    return frameResponse(500, deps, `<p class="crowd-status error">${html(message)}</p>`);
  }
}

/** A document for the task frame, under the frame's policy (it may be framed by the portal, and only by it). */
function frameResponse(status: number, deps: PortalDeps, body: string): PortalResponse {
  return respond(status, taskFrame(deps.base ?? DEFAULT_BASE, body), undefined, {
    'Content-Security-Policy': framePolicy(deps.origins),
    'X-Frame-Options': 'SAMEORIGIN',
  });
}

/** The worker's lease on a loop they hold (held() gives only such loops). */
function leaseOf(held: LoopRecord, context: PageContext): Claim {
  const lease = held.claims.find((claim) => claim.workerId === context.worker.id);
  if (lease === undefined) throw new Error(`Worker ${context.worker.id} holds no lease on ${held.name}`);
  return lease;
}

function isNotTakeable(error: unknown): boolean {
  return (
    isReviewError(error, 'ResourceNotFound') || isReviewError(error, 'Conflict') || isReviewError(error, 'Validation')
  );
}

function notAvailableText(name: string): string {
  return `Task ${name} is done, taken, was stopped, or does not exist.`;
}

function notAvailable(name: string, context: PageContext): string {
  return messagePage(context, 'Task not available', notAvailableText(name));
}

async function submitAnswer(
  request: PortalRequest,
  name: string,
  worker: WorkerIdentity,
  deps: PortalDeps,
): Promise<PortalResponse> {
  const refusal = deps.forgery.refusal(request, worker, request.headers['x-csrf-token']);
  if (refusal) return jsonResponse(403, { message: refusal });
  if (Buffer.byteLength(request.body, 'utf8') > ANSWER_MAX_BYTES)
    return jsonResponse(413, { message: `An answer has at most ${ANSWER_MAX_BYTES} bytes` });
  let body: { answerContent?: unknown; leaseToken?: unknown };
  try {
    body = JSON.parse(request.body) as typeof body;
  } catch {
    return jsonResponse(400, { message: 'The answer is not JSON' });
  }
  if (body.answerContent === null || typeof body.answerContent !== 'object' || Array.isArray(body.answerContent))
    return jsonResponse(400, { message: 'answerContent must be an object' });
  if (typeof body.leaseToken !== 'string' || body.leaseToken === '')
    return jsonResponse(400, { message: "leaseToken is required: the token of the task page's lease" });
  try {
    const loop = await deps.tasks.answer(name, worker, body.leaseToken, body.answerContent as Record<string, unknown>);
    return jsonResponse(200, { humanLoopName: loop.name, status: loop.status, outputS3Uri: loop.outputUri });
  } catch (error) {
    if (isReviewError(error, 'ResourceNotFound')) return jsonResponse(404, { message: error.message });
    if (isReviewError(error, 'Validation') || isReviewError(error, 'Conflict'))
      return jsonResponse(409, { message: error.message });
    throw error;
  }
}

function preview(loop: LoopRecord): string {
  const input = JSON.parse(loop.inputContent) as { taskObject?: unknown };
  const text = typeof input.taskObject === 'string' ? input.taskObject : JSON.stringify(input.taskObject ?? input);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
