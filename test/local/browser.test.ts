/**
 * The worker portal in headless Chromium (Debian's chromium, driven by playwright-core): sign in, open a task, change
 * the label the model preselected, submit, and find the answer stored. Also checks that each crowd-element stand-in
 * gives the answerContent AWS gives.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CROWD_SCRIPTS } from '../../common/contract';
import type { LocalServer } from '../../local/server';
import { chromiumAvailable, chromiumOrSkip, launchChromium } from './chromium';
import { predictLoops, REFERENCE_REVIEWS, startLocal } from './start';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

let server: LocalServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!chromiumAvailable) return;
  server = await startLocal();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('a worker signs in, changes the preselected label and submits; the answer is stored', async () => {
  if (!chromiumOrSkip()) return;
  const loops = await predictLoops(server, 'browser-1', REFERENCE_REVIEWS);
  const name = loops[1]!;
  // Nothing on the way may show an error in the console (a missing favicon, a refused script, a script error).
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));

  await page.goto(`${server.url}/portal`);
  expect(page.url()).toBe(`${server.url}/portal/sign-in`);
  await page.fill('input[name=name]', 'Ana Reviewer');
  await page.click('form.sign-in button');
  await page.waitForURL(`${server.url}/portal`);
  expect(await page.getAttribute('.waiting', 'data-waiting')).toBe(String(loops.filter(Boolean).length));
  expect(await page.textContent('tbody tr td:last-child')).toMatch(/^just now \(\d+ \w{3} \d{4}, \d\d:\d\d UTC\)$/);

  await page.click(`a[href="/portal/tasks/${name}"]`);
  await page.click('form.claim button');
  await page.waitForURL(`${server.url}/portal/tasks/${name}`);
  const task = page.frameLocator('#task iframe');
  await task.locator('crowd-classifier .crowd-categories input').first().waitFor();
  expect(await task.locator('classification-target').textContent()).toContain('I am unhappy with this product');
  expect(await task.locator('.crowd-categories input[value="-1"]').isChecked()).toBe(true);
  // The template runs in an origin of its own: no way into the portal page, its cookies or its tokens.
  const isolation: unknown = await task
    .locator('body')
    .evaluate(
      '(() => { let parentPage; try { parentPage = parent.document.title; } catch { parentPage = "blocked"; } let cookies; try { cookies = document.cookie; } catch { cookies = "blocked"; } return { origin: window.origin, parentPage, cookies }; })()',
    );
  expect(isolation).toEqual({ origin: 'null', parentPage: 'blocked', cookies: 'blocked' });
  expect(await page.textContent('#time-left')).toMatch(/^(59|60):\d\d$/);
  await task.locator('input[value="0"]').check({ timeout: 3000 });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'portal-task.png'), fullPage: true });
  await task.locator('crowd-button button').click();
  // After the answer, the next task opens.
  await page.waitForURL((url) => url.pathname.startsWith('/portal/tasks/') && !url.pathname.endsWith(name));

  const loop = (await (await fetch(`${server.url}/loops/${name}`)).json()) as {
    status: string;
    humanAnswers: { answerContent: unknown }[];
  };
  expect(loop.status).toBe('Completed');
  expect(loop.humanAnswers[0].answerContent).toEqual({ sentiment: { label: '0' } });
  expect(consoleErrors).toEqual([]);
}, 60_000);

test('a task frame that navigates away can no longer answer: the page stops taking answers until reloaded', async () => {
  if (!chromiumOrSkip()) return;
  const [name] = (await predictLoops(server, 'browser-2', [REFERENCE_REVIEWS[2]])) as [string];
  await page.goto(`${server.url}/portal/tasks/${name}`);
  await page.click('form.claim button');
  const task = page.frameLocator('#task iframe');
  await task.locator('crowd-button button').waitFor();
  // What a link in the instructions does: the frame goes elsewhere, and that page tries to answer as the task.
  await task.locator('body').evaluate('(() => { location.href = "about:blank"; })()');
  await page.waitForSelector('#task-status.error');
  expect(await page.textContent('#task-status')).toContain('reload the page');
  await page
    .frameLocator('#task iframe')
    .locator('body')
    .evaluate(
      '(() => { parent.postMessage({ type: "crowd-answer", answerContent: { sentiment: { label: "1" } } }, "*"); })()',
    );
  await page.waitForLoadState('networkidle');
  expect((await server.loops.store.get(name))?.answers).toEqual([]);
}, 60_000);

test('the crowd-element stand-ins give the answerContent AWS gives', async () => {
  if (!chromiumOrSkip()) return;
  await page.goto('about:blank');
  await page.setContent(`<crowd-form>
      <crowd-classifier name="sentiment" categories="['-1', '0', '1']" initial-value="1" header="h"><classification-target>t</classification-target></crowd-classifier>
      <crowd-classifier-multi-select name="topics" categories='["price", "quality", "delivery"]'></crowd-classifier-multi-select>
      <crowd-text-area name="comment" label="Comment"></crowd-text-area>
      <crowd-input name="empty" label="Optional"></crowd-input>
      <crowd-input name="filled" label="Filled"></crowd-input>
      <crowd-checkbox name="spam">Spam</crowd-checkbox>
      <crowd-radio-group><crowd-radio-button name="useful">Useful</crowd-radio-button><crowd-radio-button name="useless">Useless</crowd-radio-button></crowd-radio-group>
      <input type="text" name="native" value="plain">
    </crowd-form>`);
  for (const script of CROWD_SCRIPTS)
    await page.addScriptTag({ path: path.join(__dirname, '..', '..', 'lambda', 'portal', 'assets', script) });
  await page.click('crowd-classifier-multi-select .crowd-category:has(input[value="quality"])');
  await page.click('crowd-classifier-multi-select .crowd-category:has(input[value="delivery"])');
  await page.fill('crowd-text-area textarea', 'Too expensive');
  await page.fill('crowd-input[name=filled] input', 'yes');
  await page.click('crowd-checkbox input');
  await page.click('crowd-radio-button[name=useless] input');

  // Evaluated in the page (a DOM), which this Node-side file has no types for.
  const answer: unknown = await page.evaluate('document.querySelector("crowd-form").answerContent()');

  expect(answer).toEqual({
    sentiment: { label: '1' },
    topics: { labels: ['quality', 'delivery'] },
    comment: 'Too expensive',
    filled: 'yes',
    spam: { on: true },
    useful: { on: false },
    useless: { on: true },
    native: 'plain',
  });
}, 60_000);

test('at phone width (375 px) the task list and the task page fit the screen', async () => {
  if (!chromiumOrSkip()) return;
  const phone = await (await browser.newContext({ viewport: { width: 375, height: 740 }, hasTouch: true })).newPage();
  const [name] = (await predictLoops(server, 'phone-1', ['It is okay'])).filter((n) => n !== undefined);
  await phone.goto(`${server.url}/portal/sign-in`);
  await phone.fill('input[name=name]', 'Phone Reviewer');
  await phone.click('form.sign-in button');
  await phone.waitForURL(`${server.url}/portal`);
  const overflow = () => phone.evaluate('document.scrollingElement.scrollWidth - window.innerWidth');
  expect(await overflow()).toBeLessThanOrEqual(0);
  await phone.goto(`${server.url}/portal/tasks/${name}`);
  await phone.click('form.claim button');
  await phone.frameLocator('#task iframe').locator('crowd-classifier .crowd-categories input').first().waitFor();
  expect(await overflow()).toBeLessThanOrEqual(0);
  const frameOverflow: unknown = await phone
    .frameLocator('#task iframe')
    .locator('body')
    .evaluate('document.scrollingElement.scrollWidth - window.innerWidth');
  expect(frameOverflow).toBeLessThanOrEqual(0);
  await phone.context().close();
}, 60_000);
