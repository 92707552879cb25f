/**
 * Another site on this machine (a page on another loopback port: the same site as the portal for SameSite cookies)
 * tries every state-changing request on a signed-in worker's browser, in headless Chromium: starting loops through
 * /predict, signing the worker in under another name, taking and answering a task, taking the next one, signing out,
 * stopping a loop through the A2I API. Each is refused, and nothing changed.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import type { LocalServer } from '../../local/server';
import { chromiumAvailable, chromiumOrSkip, launchChromium } from './chromium';
import { predictLoops, REFERENCE_REVIEWS, startLocal } from './start';

let server: LocalServer;
let browser: Browser;
let attacker: http.Server;
let attackerUrl: string;
let loops: string[];

/** The attacker's page: every request as a page can send it without reading the answer (no-cors fetch, forms). */
function attackPage(target: string, loop: string): string {
  const form = (action: string, fields: Record<string, string>) =>
    `<iframe name="f-${action.replace(/\W/g, '')}"></iframe><form method="post" enctype="text/plain" target="f-${action.replace(/\W/g, '')}" action="${target}${action}">${Object.entries(
      fields,
    )
      .map(([k, v]) => `<input name="${k}" value="${v}">`)
      .join('')}</form>`;
  const forms = [
    form('/portal/sign-in', { name: 'Mallory' }),
    form(`/portal/tasks/${loop}/claim`, { csrf: 'guess' }),
    form('/portal/next', { csrf: 'guess' }),
    form('/portal/sign-out', { csrf: 'guess' }),
    form('/predict', { '{"requestId":"attack-form","instances":[{"features":["x"]}],"x":"': '"}' }),
  ];
  return `<!doctype html><html><body>${forms.join('')}<script>
const post = (path, body, type) => fetch(${JSON.stringify(target)} + path, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': type }, body }).catch(() => undefined);
const submitted = [...document.forms].map((form) => new Promise((resolve) => {
  document.querySelector('iframe[name="' + form.target + '"]').addEventListener('load', resolve, { once: true });
  form.submit();
}));
Promise.all([
  post('/predict', JSON.stringify({ requestId: 'attack-fetch', instances: [{ features: ['x'] }] }), 'text/plain'),
  post('/portal/api/tasks/${loop}/answers', JSON.stringify({ answerContent: { sentiment: { label: '1' } } }), 'text/plain'),
  post('/aws/a2i/human-loops/stop', JSON.stringify({ HumanLoopName: '${loop}' }), 'text/plain'),
  ...submitted,
]).then(() => { document.title = 'done'; });
</script></body></html>`;
}

beforeAll(async () => {
  if (!chromiumAvailable) return;
  server = await startLocal();
  loops = (await predictLoops(server, 'before-attack', REFERENCE_REVIEWS)).filter((n) => n !== undefined);
  attacker = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(attackPage(server.url, loops[0]));
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  attacker?.close();
});

test("a page on another loopback port changes nothing through the signed-in worker's browser", async () => {
  if (!chromiumOrSkip()) return;
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/portal/sign-in`);
  await page.fill('input[name=name]', 'Ana');
  await page.click('form.sign-in button');
  await page.waitForURL(`${server.url}/portal`);

  await page.goto(attackerUrl);
  await page.waitForFunction('document.title === "done"', undefined, { timeout: 20_000 });

  // No loop started, none taken, answered or stopped.
  const after = (await server.reviews.list({ maxResults: 100 })).loops;
  expect(after.map((loop) => loop.name).sort()).toEqual([...loops].sort());
  expect(after.every((loop) => loop.status === 'InProgress')).toBe(true);
  for (const name of loops) {
    const stored = await server.loops.store.get(name);
    expect(stored?.claims).toEqual([]);
    expect(stored?.answers).toEqual([]);
  }
  // Still signed in, as Ana.
  await page.goto(`${server.url}/portal`);
  expect(page.url()).toBe(`${server.url}/portal`);
  expect(await page.textContent('body')).toContain('Ana');
  expect(await page.textContent('body')).not.toContain('Mallory');
}, 60_000);
