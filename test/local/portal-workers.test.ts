/**
 * Several workers in the portal at once, in headless Chromium, on local mode's self-hosted backend with TaskCount 3
 * and a clock the test moves: the next task opens after a submit; a task given back stays in the worker's queue and
 * a declined one leaves it; three workers' answers complete one loop; an answer after the lease lapsed is refused on
 * the page, and the task can be taken again.
 */
import type { Browser, Page } from 'playwright-core';
import type { LocalServer } from '../../local/server';
import { chromiumAvailable, chromiumOrSkip, launchChromium } from './chromium';
import { eventually, predictLoops, REFERENCE_REVIEWS, startLocal } from './start';

/** Local mode's task time limit (A2I's default). */
const TIME_LIMIT_SECONDS = 3_600;

let server: LocalServer;
let browser: Browser;
let skewMs = 0;
let loops: string[];

beforeAll(async () => {
  if (!chromiumAvailable) return;
  server = await startLocal({ taskCount: 3, now: () => new Date(Date.now() + skewMs) });
  browser = await launchChromium();
  loops = (await predictLoops(server, 'workers', REFERENCE_REVIEWS)).filter((name) => name !== undefined);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(name: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(`${server.url}/portal/sign-in`);
  await page.fill('input[name=name]', name);
  await page.click('form.sign-in button');
  await page.waitForURL(`${server.url}/portal`);
  return page;
}

/** The loop whose task page is open. */
function taskOn(page: Page): string {
  const match = /\/portal\/tasks\/([^/]+)$/.exec(new URL(page.url()).pathname);
  if (!match) throw new Error(`Not on a task page: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/** "Start working": takes the oldest task the worker may take and opens it. */
async function startWorking(page: Page): Promise<string> {
  await page.goto(`${server.url}/portal`);
  await page.click('#next-task button');
  await page.waitForURL(/\/portal\/tasks\//);
  return taskOn(page);
}

/** Chooses a label in the task frame and submits it. */
async function submit(page: Page, label: string): Promise<void> {
  const task = page.frameLocator('#task iframe');
  await task.locator(`.crowd-category:has(input[value="${label}"])`).click();
  await task.locator('crowd-button button').click();
}

/** Loop names in the worker's queue. */
async function queueOf(page: Page): Promise<string[]> {
  await page.goto(`${server.url}/portal`);
  const links = await page.locator('tbody a').allTextContents();
  return links.map((text) => text.trim());
}

test('TaskCount 3: next task after a submit, give back, decline, three answers, and a lapsed lease', async () => {
  if (!chromiumOrSkip()) return;
  // Every reference review is under the 0.90 threshold ("I enjoy this product" at 0.89955).
  expect(loops).toHaveLength(REFERENCE_REVIEWS.length);
  const ana = await signIn('Ana');

  // The next task opens after a submit.
  const first = await startWorking(ana);
  await submit(ana, '0');
  await ana.waitForURL((url) => url.pathname.startsWith('/portal/tasks/') && !url.pathname.endsWith(first));
  const second = taskOn(ana);
  expect(await server.workerTasks.held(first, { id: '' })).toBeUndefined();

  // Given back: still in Ana's queue. Declined: gone from it, still in others'.
  await ana.click('button:has-text("Give back")');
  await ana.waitForURL(`${server.url}/portal`);
  expect(await queueOf(ana)).toContain(second);
  await ana.goto(`${server.url}/portal/tasks/${second}`);
  await ana.click('form.claim button');
  await ana.click('button:has-text("Decline")');
  await ana.waitForURL(`${server.url}/portal`);
  expect(await queueOf(ana)).not.toContain(second);
  expect(await queueOf(ana)).not.toContain(first);

  // Bo and Cy answer the first task too: with the third answer it is Completed, with three workers' answers.
  const bo = await signIn('Bo');
  const cy = await signIn('Cy');
  expect(await queueOf(bo)).toEqual(expect.arrayContaining(loops));
  for (const [page, label] of [
    [bo, '1'],
    [cy, '-1'],
  ] as const) {
    expect(await startWorking(page)).toBe(first);
    await submit(page, label);
    await page.waitForURL((url) => !url.pathname.endsWith(first));
  }
  const completed = await eventually(async () => {
    const loop = (await (await fetch(`${server.url}/loops/${first}`)).json()) as {
      status: string;
      humanAnswers: { answerContent: { sentiment: { label: string } } }[];
    };
    if (loop.status !== 'Completed') throw new Error(loop.status);
    return loop;
  });
  expect(completed.humanAnswers.map((a) => a.answerContent.sentiment.label)).toEqual(['0', '1', '-1']);
  const stored = await server.loops.store.get(first);
  expect(new Set(stored?.answers.map((a) => a.workerId)).size).toBe(3);

  // Bo now holds the next task. His lease lapses: his answer is refused on the page, and he can take it again.
  const held = taskOn(bo);
  expect(held).not.toBe(first);
  skewMs += (TIME_LIMIT_SECONDS + 1) * 1000;
  await submit(bo, '1');
  await bo.waitForSelector('#task-status.error');
  expect(await bo.textContent('#task-status')).toMatch(/holds no task|time limit/);
  expect((await server.reviews.describe(held)).status).toBe('InProgress');
  await bo.reload();
  await bo.click('form.claim button');
  await bo.waitForSelector('#task iframe');
  await submit(bo, '1');
  await bo.waitForURL((url) => !url.pathname.endsWith(held));
  const answers = (await server.loops.store.get(held))?.answers ?? [];
  expect(answers).toHaveLength(1);
}, 90_000);
