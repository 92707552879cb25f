/**
 * The whole review loop in local mode over HTTP, without a browser: the reference reviews through the real predict
 * handler, reviews completed through the portal's HTTP surface, output.json with AWS's shape and key, loop states,
 * the collector's dataset record, and state that survives a restart.
 */
import { CROWD_SCRIPTS } from '../../common/contract';
import type { LocalServer } from '../../local/server';
import { datasetRecord, eventually, REFERENCE_REVIEWS, startLocal } from './start';

let server: LocalServer & { logs: string[] };
let cookie: string;
interface Prediction {
  id: number;
  predictedLabel: number;
  probability: number;
  humanReview: { status: string; humanLoopName?: string };
}
let predictions: Prediction[];

let csrf: string;
/** The lease token of the task Ana took, from its task page. */
let leaseToken = '';

const api = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
/** A request of the signed-in worker, from the portal's own pages (its origin and CSRF token). */
const asWorker = (path: string, init: RequestInit = {}) =>
  api(path, {
    ...init,
    headers: { origin: server.url, 'x-csrf-token': csrf, ...init.headers, cookie },
    redirect: 'manual',
  });

beforeAll(async () => {
  server = await startLocal();
  const signIn = await api('/portal/sign-in', {
    method: 'POST',
    body: 'name=Ana%20Reviewer',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', origin: server.url },
    redirect: 'manual',
  });
  cookie = signIn.headers.get('set-cookie')!.split(';')[0];
  const portal = await (await asWorker('/portal')).text();
  csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(portal)![1];
  const response = await api('/predict', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      requestId: 'reference-1',
      instances: REFERENCE_REVIEWS.map((text) => ({ features: [text] })),
    }),
  });
  expect(response.status).toBe(200);
  predictions = ((await response.json()) as { predictions: Prediction[] }).predictions;
});
afterAll(() => server.close());

test('the model answers every review, and exactly the low-confidence ones start a loop', () => {
  expect(predictions.map((p) => p.predictedLabel)).toEqual([1, -1, 1, 0]);
  for (const p of predictions) {
    expect(p.humanReview.status).toBe(p.probability < 0.9 ? 'started' : 'not-needed');
  }
  expect(predictions[1].humanReview.status).toBe('started');
  expect(predictions[3].humanReview.status).toBe('started');
});

test('the portal lists the open tasks with their input', async () => {
  const tasks = (await (await asWorker('/portal/api/tasks')).json()) as {
    waiting: number;
    tasks: { humanLoopName: string; input: { taskObject: string } }[];
  };
  const started = predictions.filter((p) => p.humanReview.status === 'started');
  expect(tasks.waiting).toBe(started.length);
  expect(tasks.tasks.map((t) => t.input.taskObject).sort()).toEqual(started.map((p) => REFERENCE_REVIEWS[p.id]).sort());
});

test('a task page renders the template with the review escaped and the model label preselected', async () => {
  const name = predictions[1].humanReview.humanLoopName!;
  expect(await (await asWorker(`/portal/tasks/${name}`)).text()).toContain(`action="/portal/tasks/${name}/claim"`);
  const taken = await asWorker(`/portal/tasks/${name}/claim`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `csrf=${csrf}`,
  });
  expect(taken.headers.get('location')).toBe(`/portal/tasks/${name}`);
  const page = await (await asWorker(`/portal/tasks/${name}`)).text();
  expect(page).toContain(`<iframe title="Task" src="/portal/tasks/${name}/frame" sandbox="allow-scripts allow-forms">`);
  leaseToken = /data-lease-token="([^"]+)"/.exec(page)?.[1] ?? '';
  const frame = await asWorker(`/portal/tasks/${name}/frame`);
  expect(frame.headers.get('content-security-policy')).toMatch(/^sandbox allow-scripts allow-forms;/);
  const template = await frame.text();
  expect(template).toContain('I am unhappy with this product');
  expect(template).toContain('initial-value="-1"');
  for (const script of CROWD_SCRIPTS) expect(template).toContain(`<script src="/portal/${script}"></script>`);
  expect(template).not.toContain('assets.crowd.aws');
});

test('answering completes the loop, writes output.json with AWS shape and key, and the collector records it', async () => {
  const name = predictions[1].humanReview.humanLoopName!;
  const answer = await asWorker(`/portal/api/tasks/${name}/answers`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ answerContent: { sentiment: { label: '0' } }, leaseToken }),
  });
  expect(answer.status).toBe(200);

  const loop = (await (await api(`/loops/${name}`)).json()) as {
    status: string;
    createdAt: string;
    humanAnswers: unknown[];
  };
  expect(loop.status).toBe('Completed');
  expect(loop.humanAnswers).toEqual([
    expect.objectContaining({ answerContent: { sentiment: { label: '0' } }, timeSpentInSeconds: expect.any(Number) }),
  ]);

  const t = new Date(loop.createdAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const key = `a2i-results/sentiment-review-25bf8e1a/${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${pad(t.getUTCHours())}/${pad(t.getUTCMinutes())}/${pad(t.getUTCSeconds())}/${name}/output.json`;
  const output = JSON.parse(server.objects.get('local-review-output', key)!.body.toString('utf8')) as Record<
    string,
    unknown
  >;
  expect(output).toEqual({
    flowDefinitionArn: 'arn:aws:sagemaker:us-east-1:000000000000:flow-definition/sentiment-review-25bf8e1a',
    humanAnswers: [
      {
        acceptanceTime: expect.any(String),
        answerContent: { sentiment: { label: '0' } },
        submissionTime: expect.any(String),
        timeSpentInSeconds: expect.any(Number),
        workerId: expect.stringMatching(/^[0-9a-f]{16}$/),
        workerMetadata: {
          identityData: { identityProviderType: 'Cognito', issuer: expect.any(String), sub: expect.any(String) },
        },
      },
    ],
    humanLoopName: name,
    inputContent: {
      initialValue: -1,
      taskObject: 'I am unhappy with this product',
      modelProbability: predictions[1].probability,
      threshold: 0.9,
      labelSet: { field: 'sentiment', labels: ['-1', '0', '1'] },
    },
  });

  const record = await datasetRecord(server, name);
  expect(server.logs).toContain(`human loop ${name} ended Completed (event from review-pipeline.reviews)`);
  expect(record).toMatchObject({
    status: 'Completed',
    model: { label: -1 },
    human: { label: 0, overridesModel: true, disputed: false },
  });
});

test('a worker cannot answer the same task twice, and the task leaves their list', async () => {
  const name = predictions[1].humanReview.humanLoopName!;
  const again = await asWorker(`/portal/api/tasks/${name}/answers`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ answerContent: { sentiment: { label: '1' } }, leaseToken }),
  });
  expect(again.status).toBe(409);
  const tasks = (await (await asWorker('/portal/api/tasks')).json()) as { tasks: { humanLoopName: string }[] };
  expect(tasks.tasks.map((t) => t.humanLoopName)).not.toContain(name);
});

test('the portal needs a sign-in', async () => {
  expect((await api('/portal/api/tasks')).status).toBe(401);
  expect((await api('/portal', { redirect: 'manual' })).headers.get('location')).toBe('/portal/sign-in');
});

test('a forged sign-in, a tampered cookie and a cross-site answer are refused', async () => {
  const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const signIn = (headers: Record<string, string>) =>
    api('/portal/sign-in', {
      method: 'POST',
      body: 'name=Mallory',
      headers: { ...form, ...headers },
      redirect: 'manual',
    });
  expect((await signIn({ origin: 'https://evil.example.com' })).status).toBe(403);
  // The same port under its other loopback name is the portal too.
  expect((await signIn({ origin: server.url.replace('127.0.0.1', 'localhost') })).status).toBe(303);
  expect((await signIn({})).status).toBe(403);
  // Another name under Ana's signature.
  const tampered = `review-worker=${Buffer.from('Mallory').toString('base64url')}.${cookie.split('.')[1]}`;
  const asOther = await api('/portal/api/tasks', { headers: { cookie: tampered } });
  expect(asOther.status).toBe(401);
  const name = predictions.find((p) => p.humanReview.status === 'started')!.humanReview.humanLoopName!;
  const crossSite = await asWorker(`/portal/api/tasks/${name}/answers`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', origin: 'https://evil.example.com' },
    body: JSON.stringify({ answerContent: { sentiment: { label: '1' } } }),
  });
  expect(crossSite.status).toBe(403);
});

test('a retried predict request starts no second loop', async () => {
  const again = await api('/predict', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      requestId: 'reference-1',
      instances: REFERENCE_REVIEWS.map((text) => ({ features: [text] })),
    }),
  });
  const body = (await again.json()) as { predictions: Prediction[] };
  expect(body.predictions.map((p) => p.humanReview.humanLoopName)).toEqual(
    predictions.map((p) => p.humanReview.humanLoopName),
  );
  expect((await server.reviews.list({ maxResults: 100 })).loops).toHaveLength(
    predictions.filter((p) => p.humanReview.status === 'started').length,
  );
});

test('bad input gets the API error, as on AWS', async () => {
  const response = await api('/predict', { method: 'POST', body: '{"instances": []}' });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ field: 'instances' });
});

test('state survives a restart on the same data folder', async () => {
  const port = new URL(server.url).port;
  const dataDir = server.dataDir.root;
  await server.close();
  server = await startLocal({ port: Number(port), dataDir });
  // The client's pooled connection to the old server is gone; the first try may fail on it.
  const loops = await eventually(async () => (await (await api('/loops')).json()) as { loops: { status: string }[] });
  const started = predictions.filter((p) => p.humanReview.status === 'started').length;
  expect(loops.loops.map((l) => l.status).sort()).toEqual([
    'Completed',
    ...Array<string>(started - 1).fill('InProgress'),
  ]);
});
