/**
 * The worker portal: a local sign-in (a name; the worker id is derived from it), the list of waiting tasks, each task
 * rendered from templates/ with SageMaker's Liquid semantics, and the answer endpoint the crowd-form posts to.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { renderTaskTemplate } from '../../common/task-template';
import type { ObjectStore } from '../object-store';
import type { LocalReviewService, Worker } from '../review-service';
import { A2iError } from '../review-service';
import { readBody } from '../wire';
import { messagePage, signInPage, taskListPage, taskPage } from './pages';

const COOKIE = 'review-worker';
const ASSETS: Record<string, [string, string]> = {
  '/portal/crowd-html-elements.js': ['crowd-html-elements.js', 'text/javascript; charset=utf-8'],
  '/portal/portal.css': ['portal.css', 'text/css; charset=utf-8'],
};

export interface PortalDeps {
  readonly service: LocalReviewService;
  readonly objects: ObjectStore;
  /** The task template's source (from templates/). */
  readonly template: () => string;
}

export function workerFromName(name: string): Worker {
  const clean = name.trim().slice(0, 64);
  return {
    name: clean,
    id: createHash('sha256').update(`local-worker:${clean.toLowerCase()}`).digest('hex').slice(0, 16),
  };
}

function signedInWorker(req: http.IncomingMessage): Worker | undefined {
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${COOKIE}=`));
  if (!cookie) return undefined;
  try {
    const name = Buffer.from(cookie.slice(COOKIE.length + 1), 'base64url').toString('utf8');
    return name.trim() ? workerFromName(name) : undefined;
  } catch {
    return undefined;
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string,
  type = 'text/html; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers }).end(body);
}

function redirect(res: http.ServerResponse, to: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { Location: to, ...headers }).end();
}

function preview(loop: { inputContent: string }): string {
  const input = JSON.parse(loop.inputContent) as { taskObject?: unknown };
  const text = typeof input.taskObject === 'string' ? input.taskObject : JSON.stringify(input.taskObject ?? input);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export async function handlePortal(
  deps: PortalDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
): Promise<void> {
  const asset = ASSETS[pathname];
  if (asset && req.method === 'GET')
    return send(res, 200, fs.readFileSync(path.join(__dirname, asset[0]), 'utf8'), asset[1]);

  if (pathname === '/portal/sign-in') {
    if (req.method === 'GET') return send(res, 200, signInPage());
    const name = new URLSearchParams((await readBody(req, 4096)).toString('utf8')).get('name') ?? '';
    if (!name.trim()) return send(res, 400, signInPage('Enter a name'));
    const cookie = `${COOKIE}=${Buffer.from(name.trim().slice(0, 64)).toString('base64url')}; Path=/portal; HttpOnly; SameSite=Strict`;
    return redirect(res, '/portal', { 'Set-Cookie': cookie });
  }
  if (pathname === '/portal/sign-out' && req.method === 'POST') {
    return redirect(res, '/portal/sign-in', { 'Set-Cookie': `${COOKIE}=; Path=/portal; Max-Age=0` });
  }

  const objectMatch = /^\/portal\/objects\/([^/]+)\/(.+)$/.exec(pathname);
  if (objectMatch && req.method === 'GET') {
    const object = deps.objects.get(decodeURIComponent(objectMatch[1]), decodeURIComponent(objectMatch[2]));
    if (!object) return send(res, 404, 'Not found', 'text/plain');
    res.writeHead(200, { 'Content-Type': object.contentType }).end(object.body);
    return;
  }

  const worker = signedInWorker(req);
  const api = pathname.startsWith('/portal/api/');
  if (worker === undefined) {
    return api
      ? send(res, 401, JSON.stringify({ message: 'Sign in first (POST /portal/sign-in)' }), 'application/json')
      : redirect(res, '/portal/sign-in');
  }

  if ((pathname === '/portal' || pathname === '/portal/') && req.method === 'GET') {
    return send(res, 200, taskListPage(worker, deps.service.openTasks(worker), preview));
  }
  if (pathname === '/portal/api/tasks' && req.method === 'GET') {
    const tasks = deps.service.openTasks(worker).map((loop) => ({
      humanLoopName: loop.name,
      createdAt: loop.creationTime,
      input: JSON.parse(loop.inputContent) as unknown,
    }));
    return send(res, 200, JSON.stringify({ worker, waiting: tasks.length, tasks }), 'application/json');
  }

  const taskMatch = /^\/portal\/tasks\/([^/]+)$/.exec(pathname);
  if (taskMatch && req.method === 'GET') {
    const name = decodeURIComponent(taskMatch[1]);
    const open = deps.service.openTasks(worker);
    const loop = open.find((task) => task.name === name);
    if (!loop)
      return send(
        res,
        404,
        messagePage(worker, 'Task not available', `Task ${name} is done, was stopped, or does not exist.`),
      );
    try {
      const rendered = await renderTaskTemplate(deps.template(), JSON.parse(loop.inputContent), {
        grantReadAccess: (bucket, key) =>
          `/portal/objects/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`,
      });
      return send(res, 200, taskPage(worker, loop, rendered, open.length - 1));
    } catch (error) {
      return send(res, 500, messagePage(worker, 'The task template did not render', (error as Error).message));
    }
  }

  const answerMatch = /^\/portal\/api\/tasks\/([^/]+)\/answers$/.exec(pathname);
  if (answerMatch && req.method === 'POST') {
    let body: { answerContent?: unknown; acceptanceTime?: unknown };
    try {
      body = JSON.parse((await readBody(req, 1024 * 1024)).toString('utf8')) as typeof body;
    } catch {
      return send(res, 400, JSON.stringify({ message: 'The answer is not JSON' }), 'application/json');
    }
    if (body.answerContent === null || typeof body.answerContent !== 'object' || Array.isArray(body.answerContent)) {
      return send(res, 400, JSON.stringify({ message: 'answerContent must be an object' }), 'application/json');
    }
    try {
      const loop = deps.service.submitAnswer(decodeURIComponent(answerMatch[1]), worker, {
        answerContent: body.answerContent as Record<string, unknown>,
        acceptanceTime: typeof body.acceptanceTime === 'string' ? body.acceptanceTime : new Date().toISOString(),
      });
      return send(
        res,
        200,
        JSON.stringify({ humanLoopName: loop.name, status: loop.status, outputS3Uri: loop.outputS3Uri }),
        'application/json',
      );
    } catch (error) {
      if (error instanceof A2iError)
        return send(res, error.status, JSON.stringify({ message: error.message }), 'application/json');
      throw error;
    }
  }
  return send(res, 404, messagePage(worker, 'Not found', `Nothing at ${pathname}`));
}
