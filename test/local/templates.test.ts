/**
 * The task templates of ours in templates/, each rendered with its sample input as the portal renders it and run in
 * headless Chromium with the portal's crowd elements: every template has a sample, renders, shows no console error,
 * and a worker's answer comes out in the shape AWS gives (native radios keyed by value, multi-select labels, ...).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { renderTaskTemplate } from '../../common/task-template';
import { chromiumOrSkip } from './chromium';
import { newPage, openTask, sent, useChromium } from './crowd-page';

const TEMPLATES = path.join(__dirname, '..', '..', 'templates');
/** What grant_read_access gives here: a small image, so nothing goes to the network. */
const IMAGE = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="#ccc"/></svg>',
).toString('base64')}`;

const templates = fs
  .readdirSync(TEMPLATES)
  .filter((file) => file.endsWith('.liquid.html'))
  .map((file) => file.replace('.liquid.html', ''));

useChromium();

/** The template rendered with its sample as the task frame (crowd-page.ts): the page and its console errors. */
async function open(name: string): Promise<{ page: Page; errors: string[] }> {
  const source = fs.readFileSync(path.join(TEMPLATES, `${name}.liquid.html`), 'utf8');
  const sample: unknown = JSON.parse(fs.readFileSync(path.join(TEMPLATES, `${name}.sample.json`), 'utf8'));
  const rendered = await renderTaskTemplate(source, sample, { grantReadAccess: () => IMAGE });
  const page = await newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await openTask(page, rendered.replace(/<script[^>]*assets\.crowd\.aws[^>]*><\/script>/, ''));
  return { page, errors };
}

test('every template has a sample input, and there is one of each family', () => {
  for (const name of templates) expect(fs.existsSync(path.join(TEMPLATES, `${name}.sample.json`))).toBe(true);
  expect(templates.sort()).toEqual(
    expect.arrayContaining(['bounding-box', 'entity-annotation', 'sentiment', 'tabular-review', 'topics']),
  );
});

test.each(templates)(
  '%s renders with its sample and runs without a console error',
  async (name) => {
    if (!chromiumOrSkip()) return;
    const { page, errors } = await open(name);
    expect(await page.locator('crowd-form, crowd-entity-annotation').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  },
  30_000,
);

test('sentiment: the model label preselected and marked, another chosen by key', async () => {
  if (!chromiumOrSkip()) return;
  const { page } = await open('sentiment');
  expect(await page.locator('.crowd-category:has(input[value="-1"])').textContent()).toMatch(/model's suggestion/);
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  expect(await sent(page)).toEqual([{ sentiment: { label: '0' } }]);
}, 30_000);

test('topics: several topics chosen by key, answered as labels', async () => {
  if (!chromiumOrSkip()) return;
  const { page } = await open('topics');
  await page.keyboard.press('3');
  await page.keyboard.press('4');
  await page.keyboard.press('Enter');
  expect(await sent(page)).toEqual([{ topics: { labels: ['delivery', 'support'] } }]);
}, 30_000);

test('tabular review: each record agreed or not, corrected and explained, as the notebook reads it', async () => {
  if (!chromiumOrSkip()) return;
  const { page } = await open('tabular-review');
  expect(await page.locator('section.record img').count()).toBe(2);
  await page.check('input[name=rating1][value=agree]');
  await page.check('input[name=rating2][value=disagree]');
  await page.selectOption('select[name=correction2]', '1');
  await page.fill('crowd-text-area[name=reason2] textarea', 'Capital gains this high mean income over 50K');
  await page.click('crowd-button button');
  const [answer] = await sent(page);
  expect(answer).toEqual({
    rating1: { agree: true, disagree: false },
    correction1: '',
    reason1: '',
    rating2: { agree: false, disagree: true },
    correction2: '1',
    reason2: 'Capital gains this high mean income over 50K',
  });
}, 30_000);
