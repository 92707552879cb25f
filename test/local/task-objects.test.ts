/**
 * `grant_read_access` in local mode refuses what the deployed portal refuses: an object outside local mode's own bucket
 * and the locations named in LOCAL_TASK_OBJECT_LOCATIONS (taskObjectLocations on AWS) is an error naming the setting,
 * not a URL.
 */
import type { LocalServer } from '../../local/server';
import { LOCAL } from '../../local/server';
import { startLocal } from './start';

let server: LocalServer;

beforeAll(async () => {
  server = await startLocal({
    taskTemplate: 'tabular-review',
    taskObjectLocations: [{ bucket: 'clarify-explanations', prefix: 'shap/' }],
  });
});

afterAll(() => server.close());

/** A signed-in worker's cookie, over plain HTTP as the portal's own forms send it. */
async function signIn(name: string): Promise<string> {
  const response = await fetch(`${server.url}/portal/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
    body: new URLSearchParams({ name }).toString(),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`sign-in answered ${response.status} without a cookie`);
  return cookie;
}

/** Takes the loop and returns its task frame, as the worker's browser would load it. */
async function frameOf(cookie: string, loop: string): Promise<{ status: number; body: string }> {
  const list = await (await fetch(`${server.url}/portal`, { headers: { Cookie: cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(list)?.[1] ?? '';
  const claim = await fetch(`${server.url}/portal/tasks/${loop}/claim`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf }).toString(),
  });
  expect(claim.status).toBe(303);
  const frame = await fetch(`${server.url}/portal/tasks/${loop}/frame`, { headers: { Cookie: cookie } });
  return { status: frame.status, body: await frame.text() };
}

function pairs(...uris: string[]) {
  return {
    Pairs: uris.map((uri, row) => ({
      row: String(row),
      prediction: 0,
      probability_score: 0.2,
      shap_image_s3_uri: uri,
    })),
  };
}

test("images in local mode's bucket and in a named location are shown; the granted URL serves the object", async () => {
  server.objects.put('clarify-explanations', 'shap/shap-0.svg', Buffer.from('<svg/>'), 'image/svg+xml');
  server.objects.put(LOCAL.bucket, 'explanations/shap-1.svg', Buffer.from('<svg/>'), 'image/svg+xml');
  await server.reviews.start({
    name: 'objects-shown',
    input: pairs('s3://clarify-explanations/shap/shap-0.svg', `s3://${LOCAL.bucket}/explanations/shap-1.svg`),
  });
  const frame = await frameOf(await signIn('Ana'), 'objects-shown');
  expect(frame.status).toBe(200);
  const sources = [...frame.body.matchAll(/<img[^>]+src="([^"]+)"/g)].map((match) => match[1].replace(/&amp;/g, '&'));
  expect(sources).toHaveLength(2);
  for (const source of sources) {
    const image = await fetch(new URL(source, server.url));
    expect(image.status).toBe(200);
    expect(await image.text()).toBe('<svg/>');
  }
});

test('an image outside them is refused by name, with the setting that allows it', async () => {
  server.objects.put('clarify-explanations', 'private/secret.svg', Buffer.from('<svg/>'), 'image/svg+xml');
  await server.reviews.start({ name: 'objects-refused', input: pairs('s3://clarify-explanations/private/secret.svg') });
  const frame = await frameOf(await signIn('Bo'), 'objects-refused');
  expect(frame.status).toBe(500);
  expect(frame.body).toContain(
    's3://clarify-explanations/private/secret.svg is outside the locations tasks may show objects from ' +
      `(s3://${LOCAL.bucket}/, s3://clarify-explanations/shap/); the pipeline&#39;s operator adds its bucket or prefix ` +
      'to LOCAL_TASK_OBJECT_LOCATIONS',
  );
  expect(frame.body).not.toContain('/portal/objects/');
});
