/**
 * What the local server answers to requests it cannot take: a malformed URL or request target is a 400 and an
 * oversized body a 413, each with a message that says what is wrong (never a 500 or a reset connection); and a change
 * sent by another site's page is a 403 while tools that send no Origin (curl, the SDKs) and the server's own pages
 * go through.
 */
import * as http from 'node:http';
import type { LocalServer } from '../../local/server';
import { startLocal } from './start';

let server: LocalServer;
beforeAll(async () => {
  server = await startLocal();
});
afterAll(() => server.close());

/** One raw HTTP request, as a client that is not fetch may send it. */
function send(
  method: string,
  target: string,
  options: { body?: Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: target, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const message = (body: string) => (JSON.parse(body) as { message: string }).message;

test.each(['/loops/%E0%A4%A', '/portal/objects/%zz/key?expires=1&signature=x'])(
  '%s is a 400 naming the URL',
  async (target) => {
    const { status, body } = await send('GET', target);
    expect(status).toBe(400);
    expect(message(body)).toBe(`The URL ${JSON.stringify(target)} is malformed: URI malformed`);
  },
);

test('a request target that is not a path is a 400', async () => {
  const { status, body } = await send('GET', 'http://elsewhere.example/predict');
  expect(status).toBe(400);
  expect(message(body)).toMatch(/is not a path/);
});

test.each([
  ['/aws/sqs', 8 * 1024 * 1024],
  ['/aws/cloudformation', 64 * 1024],
])("a body over %s's limit is a 413 naming the limit, answered in full", async (route, limit) => {
  const { status, body } = await send('POST', route, {
    body: Buffer.alloc(limit + 1, 'a'),
    headers: { 'x-amz-target': 'AmazonSQS.SendMessage', 'Content-Type': 'application/x-amz-json-1.0' },
  });
  expect(status).toBe(413);
  expect(message(body)).toBe(`The request body is over this route's limit of ${limit} bytes`);
});

test('a body over the limit without a Content-Length (chunked) is a 413 too', async () => {
  const { hostname, port } = new URL(server.url);
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request({ host: hostname, port, method: 'POST', path: '/aws/cloudformation' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    for (let i = 0; i < 20; i++) req.write(Buffer.alloc(8 * 1024, 'a'));
    req.end();
  });
  expect(status).toBe(413);
});

test('a path with dot segments outside /aws is a 400, not resolved to another route', async () => {
  const { status, body } = await send('POST', '/aws/../predict', {
    body: Buffer.from('{"instances":[{"features":["x"]}]}'),
    headers: { Referer: 'http://127.0.0.1:9/attack.html' },
  });
  expect(status).toBe(400);
  expect(message(body)).toBe('The path "/aws/../predict" has "." or ".." segments');
  expect((await send('GET', '/portal/%2e%2e/loops')).status).toBe(400);
});

test("a browser's request to /aws/* is refused even without an Origin (a page's image or script load)", async () => {
  const { status } = await send('GET', '/aws/s3/local-review-output/x', {
    headers: { 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Site': 'cross-site' },
  });
  expect(status).toBe(403);
});

test.each([
  ['SQS, a body that is not an object', '/aws/sqs', 'AmazonSQS.SendMessage', 'null'],
  ['EventBridge, a body that is not an object', '/aws/events', 'AWSEvents.PutEvents', 'null'],
  ['EventBridge, an entry that is not an object', '/aws/events', 'AWSEvents.PutEvents', '{"Entries":[null]}'],
])('%s is a 400', async (_what, route, target, body) => {
  const answer = await send('POST', route, { body: Buffer.from(body), headers: { 'x-amz-target': target } });
  expect(answer.status).toBe(400);
  expect(message(answer.body)).toMatch(/must be a JSON object/);
});

test('a portal request over its limit is a 413 naming the limit', async () => {
  const { status, body } = await send('POST', '/portal/sign-in', {
    body: Buffer.alloc(2 * 1024 * 1024, 'a'),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
  });
  expect(status).toBe(413);
  expect(body).toMatch(/^A portal request is at most \d+ bytes$/);
});

test('a body that should be JSON and is not is a 400 saying so', async () => {
  const { status, body } = await send('POST', '/aws/sqs', {
    body: Buffer.from('{'),
    headers: { 'x-amz-target': 'AmazonSQS.SendMessage' },
  });
  expect(status).toBe(400);
  expect(message(body)).toMatch(/^The request body is not JSON/);
});

describe('POST /predict', () => {
  const predict = (headers: Record<string, string>) =>
    send('POST', '/predict', {
      body: Buffer.from(JSON.stringify({ instances: [{ features: ['I enjoy this product'] }] })),
      headers: { 'Content-Type': 'text/plain', ...headers },
    });

  test("from another site's page (by Origin or by Referer) is a 403 naming it", async () => {
    const byOrigin = await predict({ Origin: 'http://127.0.0.1:9' });
    expect(byOrigin.status).toBe(403);
    expect(message(byOrigin.body)).toMatch(/^Requests from http:\/\/127\.0\.0\.1:9 may not change anything here/);
    expect((await predict({ Referer: 'http://localhost:9/attack.html' })).status).toBe(403);
    expect((await predict({ Origin: 'null' })).status).toBe(403);
  });

  test("from a tool without an Origin, or from this server's own page, goes through", async () => {
    expect((await predict({})).status).toBe(200);
    expect((await predict({ Origin: server.url })).status).toBe(200);
    expect((await predict({ Referer: `${server.url}/portal` })).status).toBe(200);
  });
});
