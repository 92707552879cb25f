/**
 * What the crowd element tests share: Chromium (chromium.ts), with pages that close after their test, and a task
 * frame made of a template. The frame's document is served from a stand-in origin as lambda/portal/pages.ts lays it
 * out (the template, then the crowd scripts at the end of the body: all of CROWD_SCRIPTS, in order), and handed a
 * port as the task page hands it one; the answers the frame posts on that port are read back where the task page
 * reads them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { CROWD_SCRIPTS } from '../../common/contract';
import { chromiumAvailable, launchChromium } from './chromium';

export const ASSETS = path.join(__dirname, '..', '..', 'lambda', 'portal', 'assets');
export const TASK_ORIGIN = 'http://task-frame.test';

let browser: Browser | undefined;
/** Pages opened by the running test (closed after it), and those opened before the tests (closed after them all). */
const testPages: Page[] = [];
const filePages: Page[] = [];
let pages = filePages;

/** Launches Chromium before the file's tests (when it is installed; tests call chromiumOrSkip) and closes it after. */
export function useChromium(): void {
  beforeAll(async () => {
    if (chromiumAvailable) browser = await launchChromium();
  }, 60_000);
  beforeEach(() => {
    pages = testPages;
  });
  afterEach(async () => {
    pages = filePages;
    for (const page of testPages.splice(0)) await page.context().close();
  });
  afterAll(async () => {
    await browser?.close();
  });
}

/** A page in a browser context of its own; opened in a test (or beforeEach), it is closed after that test. */
export async function newPage(
  options: BrowserContextOptions = { viewport: { width: 1024, height: 800 } },
): Promise<Page> {
  if (!browser) throw new Error('no Chromium: call useChromium(), and chromiumOrSkip() in the test');
  const page = await (await browser.newContext(options)).newPage();
  pages.push(page);
  return page;
}

export interface TaskOptions {
  /** Markup added to the head, before portal.css (a style of the test's own). */
  head?: string;
  /** portal.css and the body class `task-frame`, as in the portal's task frame (default true). */
  portalStyle?: boolean;
  /** The scripts to load, in order (default: all of CROWD_SCRIPTS). */
  scripts?: readonly string[];
  /** Whether the frame gets the task page's port (default true); without it, it is a page opened outside the portal. */
  port?: boolean;
  /** A page expression to wait for (an image loaded) before checking that no script threw. */
  until?: string;
}

/**
 * Opens `template` as the task frame's document on `page`, and (unless `port` is false) hands it a MessageChannel
 * port whose messages land in the page's `window.sent`.
 */
export async function openTask(page: Page, template: string, options: TaskOptions = {}): Promise<void> {
  const { head = '', portalStyle = true, scripts = CROWD_SCRIPTS, port = true } = options;
  const frame = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${head}${portalStyle ? '<link rel="stylesheet" href="/portal.css">' : ''}</head>
<body${portalStyle ? ' class="task-frame"' : ''}>${template}${scripts.map((name) => `<script src="/${name}"></script>`).join('')}</body></html>`;
  await page.route(`${TASK_ORIGIN}/**`, async (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    if (name === 'task') return route.fulfill({ contentType: 'text/html', body: frame });
    const file = path.join(ASSETS, path.basename(name));
    if (!fs.existsSync(file)) return route.fulfill({ status: 404 });
    return route.fulfill({ path: file });
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${TASK_ORIGIN}/task`);
  await page.waitForFunction('window.crowdKit !== undefined');
  await page.evaluate('window.crowdKit.ready');
  if (options.until) await page.waitForFunction(options.until);
  expect(errors).toEqual([]);
  if (!port) return;
  await page.evaluate(`new Promise((resolve) => {
    window.sent = [];
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => window.sent.push(event.data);
    window.addEventListener('message', () => resolve(), { once: true });
    window.postMessage({ type: 'crowd-port' }, '*', [channel.port2]);
  })`);
}

const ANSWERS = `window.sent.filter((m) => m.type === 'crowd-answer').map((m) => m.answerContent)`;

/** The answerContent of each {type: 'crowd-answer'} the frame sent to the task page, once `count` arrived. */
export async function sent(page: Page, count = 1): Promise<unknown[]> {
  await page.waitForFunction(`window.sent.filter((m) => m.type === 'crowd-answer').length >= ${count}`);
  return page.evaluate(ANSWERS);
}

/** The answers sent so far, after giving a (wrongly) sent one the time to arrive. */
export async function sentSoFar(page: Page): Promise<unknown[]> {
  await page.waitForTimeout(300);
  return page.evaluate(ANSWERS);
}

/** What the page's (first) crowd-form would answer now; rejects with the message of a field not filled in. */
export function answerContent(page: Page): Promise<unknown> {
  // Evaluated in the page (a DOM), which this Node-side file has no types for.
  return page.evaluate('document.querySelector("crowd-form").answerContent()');
}

/** The status line of the page's crowd-form: its validation message, or what the task page said. */
export function formStatus(page: Page): Promise<string | null> {
  return page.textContent('crowd-form .crowd-status');
}

export async function press(page: Page, key: string, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}
