/**
 * The portal's routes on the neutral request, without a server: sign-in redirects, the worker's queue, taking a task
 * (a POST; opening one changes nothing), answering it, giving it back and declining it, and the forgery checks on
 * every action.
 */
import { forgeryGuard } from '../../../lambda/portal/csrf';
import type { PortalRequest, WorkerIdentity } from '../../../lambda/portal/http';
import type { PortalDeps } from '../../../lambda/portal/routes';
import { clock } from '../../../lambda/portal/pages';
import { handlePortal } from '../../../lambda/portal/routes';
import { MemoryTaskStore } from '../../../local/memory-task-store';
import type { TaskBackend } from '../shared/review/task-backend';
import { taskBackend } from '../shared/review/task-backend';

const ORIGIN = 'https://portal.example.com';
const TEMPLATE = '<crowd-form><p>{{ task.input.taskObject | escape }}</p></crowd-form>';
const ana: WorkerIdentity = { id: 'worker-ana', name: 'Ana', groups: ['reviewers'] };
const bo: WorkerIdentity = { id: 'worker-bo', name: 'Bo', groups: ['reviewers'] };
const cy: WorkerIdentity = { id: 'worker-cy', name: 'Cy', groups: ['reviewers'] };

let backend: TaskBackend;
let deps: PortalDeps;
beforeEach(async () => {
  backend = taskBackend(new MemoryTaskStore());
  deps = {
    tasks: backend.workers,
    template: () => Promise.resolve(TEMPLATE),
    grantReadAccess: (bucket, key) => `/objects/${bucket}/${key}`,
    assets: () => Promise.resolve(undefined),
    forgery: forgeryGuard('portal-secret', [ORIGIN]),
    signInUrl: '/sign-in',
    signOutUrl: '/sign-out',
  };
  await backend.port.start({ name: 'review-1', input: { taskObject: 'It is <b>okay</b>' } });
});

function request(method: string, path: string, init: Partial<PortalRequest> = {}): PortalRequest {
  return { method, path, query: {}, headers: {}, body: '', ...init };
}

/** A request from the portal's own pages: its origin, and the worker's CSRF token. */
function fromPortal(worker: WorkerIdentity, method: string, path: string, body = ''): PortalRequest {
  const token = deps.forgery.tokenFor(worker);
  const form = path.includes('/api/') ? body : `csrf=${token}`;
  return request(method, path, { headers: { origin: ORIGIN, 'x-csrf-token': token }, body: form });
}

/** The worker takes the task, as the portal's "Take this task" button does. */
const take = (worker: WorkerIdentity) =>
  handlePortal(fromPortal(worker, 'POST', '/portal/tasks/review-1/claim'), worker, deps);
const open = (worker: WorkerIdentity) => handlePortal(request('GET', '/portal/tasks/review-1'), worker, deps);
const frameOf = (worker: WorkerIdentity) => handlePortal(request('GET', '/portal/tasks/review-1/frame'), worker, deps);

/** The lease token the worker's task page carries, as portal-task.js reads it. */
async function leaseToken(worker: WorkerIdentity): Promise<string> {
  const page = await open(worker);
  return /data-lease-token="([^"]+)"/.exec(page.body)?.[1] ?? 'no-lease-on-the-page';
}

/** The worker's answer, as the task page posts it: the answer, the page's lease token, the CSRF header. */
const answer = async (
  worker: WorkerIdentity,
  content: unknown = { sentiment: { label: 'positive' } },
  token?: string,
) =>
  handlePortal(
    fromPortal(
      worker,
      'POST',
      '/portal/api/tasks/review-1/answers',
      JSON.stringify({ answerContent: content, leaseToken: token ?? (await leaseToken(worker)) }),
    ),
    worker,
    deps,
  );

test('without a worker, pages go to sign-in and the API answers 401', async () => {
  expect(await handlePortal(request('GET', '/portal'), undefined, deps)).toMatchObject({
    status: 303,
    headers: { Location: '/sign-in' },
  });
  expect((await handlePortal(request('GET', '/portal/api/tasks'), undefined, deps)).status).toBe(401);
});

test("the worker's queue lists the task, its input escaped", async () => {
  const page = await handlePortal(request('GET', '/portal'), ana, deps);
  expect(page.status).toBe(200);
  expect(page.body).toContain('href="/portal/tasks/review-1"');
  expect(page.body).toContain('It is &lt;b&gt;okay&lt;/b&gt;');
  expect(page.body).not.toContain('<b>okay');
  const api = await handlePortal(request('GET', '/portal/api/tasks'), ana, deps);
  expect(JSON.parse(api.body)).toMatchObject({ waiting: 1, tasks: [{ humanLoopName: 'review-1' }] });
});

test('opening a task offers it and changes nothing; taking it (a POST) renders the template', async () => {
  const offer = await open(ana);
  expect(offer.status).toBe(200);
  expect(offer.body).toContain('action="/portal/tasks/review-1/claim"');
  expect(offer.body).not.toContain('<crowd-form>');
  expect((await open(bo)).status).toBe(200);
  expect((await open(cy)).status).toBe(200);

  expect(await take(ana)).toMatchObject({ status: 303, headers: { Location: '/portal/tasks/review-1' } });
  const page = await open(ana);
  expect(page.body).toContain(`<meta name="csrf-token" content="${deps.forgery.tokenFor(ana)}">`);
  expect(page.body).toContain(
    '<iframe title="Task" src="/portal/tasks/review-1/frame" sandbox="allow-scripts allow-forms">',
  );
  expect(page.body).not.toContain('okay');
  expect(page.body).not.toMatch(/<script>/);
  expect(page.headers['Content-Security-Policy']).toContain("script-src 'self';");
  expect(page.headers['Content-Security-Policy']).not.toContain('unsafe-inline');
  expect(page.headers['X-Frame-Options']).toBe('DENY');

  const frame = await frameOf(ana);
  expect(frame.status).toBe(200);
  expect(frame.body).toContain('<p>It is &lt;b&gt;okay&lt;/b&gt;</p>');
  expect(frame.body).not.toContain(deps.forgery.tokenFor(ana));
  expect(frame.body).not.toContain(await leaseToken(ana));
  expect(frame.headers['Content-Security-Policy']).toMatch(/^sandbox allow-scripts allow-forms;/);
  expect(frame.headers['Content-Security-Policy']).toContain("connect-src 'none'");
  expect(frame.headers['Content-Security-Policy']).toContain("frame-ancestors 'self'");
  expect(frame.headers['X-Frame-Options']).toBe('SAMEORIGIN');
});

test('a frame without a session says to reload (a frame cannot follow the sign-in redirect)', async () => {
  const frame = await handlePortal(request('GET', '/portal/tasks/review-1/frame'), undefined, deps);
  expect(frame.status).toBe(401);
  expect(frame.body).toContain('Your session ended: reload the page.');
  expect(frame.headers['Content-Security-Policy']).toMatch(/^sandbox /);
});

test("the frame's policy names the portal's origins beside 'self' (some browsers match 'self' to nothing there)", async () => {
  deps = { ...deps, origins: [ORIGIN] };
  await take(ana);
  const policy = (await frameOf(ana)).headers['Content-Security-Policy'];
  expect(policy).toContain(`script-src 'self' ${ORIGIN} 'unsafe-inline'`);
  expect(policy).toContain(`frame-ancestors 'self' ${ORIGIN}`);
});

test('a claim stored without a lease token lapses: the task page never breaks on it', async () => {
  await take(ana);
  const stored = await backend.loops.store.get('review-1');
  const tokenless = stored!.claims.map(({ token: _token, ...claim }) => claim) as never;
  await backend.loops.store.replace({ ...stored!, claims: tokenless, version: stored!.version + 1 }, stored!.version);
  expect((await open(ana)).status).toBe(200);
  expect(await take(ana)).toMatchObject({ status: 303 });
  expect((await answer(ana)).status).toBe(200);
});

test('the frame of a task the worker does not hold shows no template', async () => {
  const frame = await frameOf(ana);
  expect(frame.status).toBe(404);
  expect(frame.body).not.toContain('okay');
  expect(frame.headers['Content-Security-Policy']).toMatch(/^sandbox /);
});

test('the task page counts down the lease from the time left on the backend clock', async () => {
  await take(ana);
  backend.advance(100);
  const page = await open(ana);
  expect(page.body).toContain(`data-seconds-left="${backend.flow.taskTimeLimitSeconds - 100}"`);
  expect(page.body).toContain(
    `<strong id="time-left" role="timer">${clock(backend.flow.taskTimeLimitSeconds - 100)}</strong>`,
  );
});

test('an answer needs the lease token of the live lease: none is a 400, a stale one a 409', async () => {
  await take(ana);
  const stale = await leaseToken(ana);
  expect((await answer(ana, undefined, '')).status).toBe(400);
  backend.advance(backend.flow.taskTimeLimitSeconds);
  await take(ana);
  const refused = await answer(ana, undefined, stale);
  expect(refused.status).toBe(409);
  expect(JSON.parse(refused.body)).toMatchObject({ message: expect.stringContaining('taken again') });
  expect((await answer(ana)).status).toBe(200);
});

test('"next task" takes the oldest task the worker may take; with none left it goes back to the queue', async () => {
  await backend.port.start({ name: 'review-2', input: { taskObject: 'Later' } });
  const next = (worker: WorkerIdentity) => handlePortal(fromPortal(worker, 'POST', '/portal/next'), worker, deps);
  expect(await next(ana)).toMatchObject({ status: 303, headers: { Location: '/portal/tasks/review-1' } });
  expect((await answer(ana)).status).toBe(200);
  expect(await next(ana)).toMatchObject({ status: 303, headers: { Location: '/portal/tasks/review-2' } });
  await handlePortal(fromPortal(ana, 'POST', '/portal/tasks/review-2/decline'), ana, deps);
  expect(await next(ana)).toMatchObject({ status: 303, headers: { Location: '/portal' } });
  const forged = await handlePortal(
    request('POST', '/portal/next', { headers: { origin: 'https://evil.example' } }),
    bo,
    deps,
  );
  expect(forged.status).toBe(403);
  expect(await backend.workers.openTasks(bo)).toHaveLength(2);
});

test('with TaskCount taken, a third worker is told so; an unknown task is not available', async () => {
  await take(ana);
  await take(bo);
  const third = await take(cy);
  expect(third.status).toBe(409);
  expect(third.body).toContain('Task not available');
  expect((await open(cy)).status).toBe(404);
  expect((await handlePortal(request('GET', '/portal/tasks/no-such-loop'), ana, deps)).status).toBe(404);
});

test("two workers' answers complete the loop and write its output.json", async () => {
  await take(ana);
  await take(bo);
  const first = await answer(ana);
  expect(first.status).toBe(200);
  expect(JSON.parse(first.body)).toMatchObject({ status: 'InProgress' });
  const second = JSON.parse((await answer(bo, { sentiment: { label: 'neutral' } })).body) as { outputS3Uri: string };
  expect(second).toMatchObject({ status: 'Completed' });
  const output = JSON.parse(backend.outputs.get(second.outputS3Uri) ?? '{}') as { humanAnswers: unknown[] };
  expect(output.humanAnswers).toEqual([
    expect.objectContaining({ workerId: 'worker-ana', answerContent: { sentiment: { label: 'positive' } } }),
    expect.objectContaining({ workerId: 'worker-bo', answerContent: { sentiment: { label: 'neutral' } } }),
  ]);
  expect((await answer(ana)).status).toBe(409);
});

test('an answer without a task taken, or to an unknown loop, is refused', async () => {
  expect((await answer(ana)).status).toBe(409);
  const unknown = await handlePortal(
    fromPortal(ana, 'POST', '/portal/api/tasks/nope/answers', '{"answerContent":{},"leaseToken":"t"}'),
    ana,
    deps,
  );
  expect(unknown.status).toBe(404);
});

describe('forgery', () => {
  beforeEach(() => take(ana));
  const answerBody = '{"answerContent":{"sentiment":{"label":"positive"}}}';

  test.each([
    ['no origin', {}],
    ['another origin', { origin: 'https://evil.example.com' }],
    ['another origin in the Referer', { referer: 'https://evil.example.com/portal' }],
    ['no CSRF token', { origin: ORIGIN }],
    ['a made-up CSRF token', { origin: ORIGIN, 'x-csrf-token': 'x'.repeat(43) }],
    ['another worker’s CSRF token', { origin: ORIGIN, 'x-csrf-token': 'token of bo' }],
  ])('an answer with %s is refused with 403 and recorded nowhere', async (_, headers: Record<string, string>) => {
    const token = headers['x-csrf-token'] === 'token of bo' ? deps.forgery.tokenFor(bo) : headers['x-csrf-token'];
    const response = await handlePortal(
      request('POST', '/portal/api/tasks/review-1/answers', {
        headers: { ...headers, 'x-csrf-token': token },
        body: answerBody,
      }),
      ana,
      deps,
    );
    expect(response.status).toBe(403);
    expect((await backend.port.describe('review-1')).status).toBe('InProgress');
    expect((await answer(ana)).status).toBe(200);
  });

  test('a take, give-back or decline form from elsewhere, or without the token, is refused', async () => {
    const forgedTake = request('POST', '/portal/tasks/review-1/claim', {
      headers: { origin: 'https://evil.example.com' },
      body: `csrf=${deps.forgery.tokenFor(bo)}`,
    });
    expect((await handlePortal(forgedTake, bo, deps)).status).toBe(403);
    const forged = request('POST', '/portal/tasks/review-1/decline', {
      headers: { origin: 'https://evil.example.com' },
      body: `csrf=${deps.forgery.tokenFor(ana)}`,
    });
    expect((await handlePortal(forged, ana, deps)).status).toBe(403);
    const tokenless = request('POST', '/portal/tasks/review-1/release', { headers: { origin: ORIGIN } });
    expect((await handlePortal(tokenless, ana, deps)).status).toBe(403);
    expect((await answer(ana)).status).toBe(200);
  });
});

describe('answers the portal cannot take', () => {
  beforeEach(() => take(ana));

  test.each([
    ['not JSON', 'answer', 400],
    ['an array answerContent', '{"answerContent":[1]}', 400],
    ['no answerContent', '{}', 400],
    ['over 1 MiB', JSON.stringify({ answerContent: { text: 'x'.repeat(1024 * 1024) } }), 413],
  ])('%s: %p', async (_, body, status) => {
    const response = await handlePortal(fromPortal(ana, 'POST', '/portal/api/tasks/review-1/answers', body), ana, deps);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ message: expect.any(String) });
  });
});

test('give back: the task is open to others again; decline: never offered to this worker again', async () => {
  const openFor = async (worker: WorkerIdentity) =>
    (JSON.parse((await handlePortal(request('GET', '/portal/api/tasks'), worker, deps)).body) as { waiting: number })
      .waiting;
  await take(ana);
  await take(bo);
  expect(await openFor(cy)).toBe(0);
  const released = await handlePortal(fromPortal(bo, 'POST', '/portal/tasks/review-1/release'), bo, deps);
  expect(released).toMatchObject({ status: 303, headers: { Location: '/portal' } });
  expect(await openFor(cy)).toBe(1);
  expect(await openFor(bo)).toBe(1);
  await handlePortal(fromPortal(bo, 'POST', '/portal/tasks/review-1/decline'), bo, deps);
  expect(await openFor(bo)).toBe(0);
  expect((await open(bo)).status).toBe(404);
});

test("a field this loop's input lacks prints nothing, as SageMaker renders it for a worker", async () => {
  deps = {
    ...deps,
    template: () =>
      Promise.resolve(
        '<crowd-form>[{{ task.input.missing }}]{% for x in task.input.list %}<b>{{ x }}</b>{% endfor %}[{{ task.input.missing | escape | default: "d" }}]<crowd-input name="a"></crowd-input></crowd-form>',
      ),
  };
  await take(ana);
  const frame = await frameOf(ana);
  expect(frame.status).toBe(200);
  expect(frame.body).toContain('<crowd-form>[][d]<crowd-input');
});

test('a template that does not render is a 500 page naming the error', async () => {
  deps = { ...deps, template: () => Promise.resolve('{% if %}') };
  await take(ana);
  const frame = await frameOf(ana);
  expect(frame.status).toBe(500);
  expect(frame.body).toContain('The task template did not render');
});
