/**
 * crowd-entity-annotation (lambda/portal/assets/crowd-entity.js) in headless Chromium: spans selected with the mouse
 * and with the keyboard only, labels applied and removed, AWS's overlap rule, initial-value in JS-literal syntax, offsets
 * in code points when an emoji comes first, and the answer handed to the task page through the element's own
 * crowd-form (AWS's element is not wrapped in crowd-form), also from our template rendered with its sample input.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { renderTaskTemplate } from '../../common/task-template';
import { chromiumAvailable, chromiumOrSkip } from './chromium';
import { newPage, openTask, press, sent, useChromium } from './crowd-page';

const ROOT = path.join(__dirname, '..', '..');

const LABELS = `[{label: 'product', shortDisplayName: 'prod', fullDisplayName: 'Product'},
  {label: 'brand', shortDisplayName: 'brnd', longDisplayName: 'Brand'}, {label: 'defect'},]`;

useChromium();
let page: Page;
beforeEach(async () => {
  if (chromiumAvailable) page = await newPage({ viewport: { width: 375, height: 800 } });
});

const attr = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** The element in a task frame of its own (AWS's element is not wrapped in crowd-form). */
const load = (body: string) => openTask(page, body);

async function value(): Promise<unknown> {
  return page.evaluate('document.querySelector("crowd-entity-annotation").value');
}

async function status(): Promise<string> {
  return (await page.textContent('.crowd-entity-status')) ?? '';
}

/** Drags the mouse across the text from one UTF-16 index to another (both in the same line of text). */
async function drag(start: number, end: number): Promise<void> {
  const box = await page.evaluate<{ x0: number; x1: number; y: number }>(`(() => {
    const pieces = [...document.querySelectorAll('.crowd-entity-text [data-start]')];
    const at = (index, edge) => {
      const piece = pieces.filter((p) => Number(p.dataset.start) <= index).pop();
      const range = document.createRange();
      const offset = index - Number(piece.dataset.start);
      range.setStart(piece.firstChild, edge === 'end' ? offset - 1 : offset);
      range.setEnd(piece.firstChild, edge === 'end' ? offset : offset + 1);
      return range.getBoundingClientRect();
    };
    const first = at(${start}, 'start');
    const last = at(${end}, 'end');
    return { x0: first.left, x1: last.right, y: (first.top + first.bottom) / 2 };
  })()`);
  await page.mouse.move(box.x0 + 1, box.y);
  await page.mouse.down();
  await page.mouse.move((box.x0 + box.x1) / 2, box.y, { steps: 3 });
  await page.mouse.move(box.x1 - 1, box.y, { steps: 3 });
  await page.mouse.up();
  await page.waitForFunction(`!document.getSelection().toString()`);
}

async function marks(): Promise<{ text: string; label: string; short: string }[]> {
  return page.evaluate<
    { text: string; label: string; short: string }[]
  >(`[...document.querySelectorAll('.crowd-entity-text mark')]
    .map((node) => ({ text: node.textContent, label: node.dataset.label, short: node.dataset.short }))`);
}

const REVIEW = 'I bought the Acme Turbo blender and the lid cracked after two days.';

test('spans labeled with the mouse and with the keyboard alone, then removed: the answer AWS gives', async () => {
  if (!chromiumOrSkip()) return;
  await load(`<crowd-entity-annotation name="review" header="Label the review" labels="${attr(LABELS)}"
      text="${attr(REVIEW)}">
      <short-instructions>Label products, brands and defects.</short-instructions>
    </crowd-entity-annotation>`);
  // The labels show with their number keys; the text is focusable and described for screen readers.
  expect(await page.locator('.crowd-entity-labels button').allTextContents()).toEqual([
    '1Product',
    '2Brand',
    '3defect',
  ]);
  expect(await page.getAttribute('.crowd-entity-text', 'role')).toBe('application');
  expect(await page.getAttribute('.crowd-entity-text', 'tabindex')).toBe('0');
  expect(await page.textContent('.crowd-entity-list')).toContain('Nothing labeled yet.');

  // Mouse: highlight "Acme", then click Brand.
  await drag(13, 17);
  expect(await status()).toContain('Selected “Acme”');
  await page.click('.crowd-entity-labels button[data-label=brand]');
  expect(await marks()).toEqual([{ text: 'Acme', label: 'brand', short: 'brnd' }]);

  // Keyboard only, from the caret after "Acme": past the space, Shift+Ctrl+Right twice, then 1 (Product).
  await page.focus('.crowd-entity-text');
  await page.keyboard.press('ArrowRight');
  await press(page, 'Shift+Control+ArrowRight', 2);
  expect(await status()).toContain('Selected “Turbo blender”');
  await page.keyboard.press('1');
  // Ctrl+Right four times to the end of "cracked", Shift+Ctrl+Left back over it, 3 (defect).
  await press(page, 'Control+ArrowRight', 4);
  await page.keyboard.press('Shift+Control+ArrowLeft');
  await page.keyboard.press('3');
  expect(await value()).toEqual({
    entities: [
      { label: 'brand', startOffset: 13, endOffset: 17 },
      { label: 'product', startOffset: 18, endOffset: 31 },
      { label: 'defect', startOffset: 44, endOffset: 51 },
    ],
  });

  // A label chosen first applies to what the mouse highlights next.
  await page.click('.crowd-entity-labels button[data-label=product]');
  expect(await page.getAttribute('.crowd-entity-labels button[data-label=product]', 'aria-pressed')).toBe('true');
  await drag(40, 43);
  expect((await marks()).map((mark) => mark.text)).toEqual(['Acme', 'Turbo blender', 'lid', 'cracked']);
  await page.click('.crowd-entity-labels button[data-label=product]');
  expect(await page.getAttribute('.crowd-entity-labels button[data-label=product]', 'aria-pressed')).toBe('false');

  // Removing: click into "lid" and press Delete; the list's Remove button for "Turbo blender".
  await page.click('.crowd-entity-text mark[data-label=product] >> text=lid');
  expect(await status()).toBe('On “lid”, Product.');
  await page.keyboard.press('Delete');
  expect(await status()).toContain('Removed the Product label from “lid”');
  await page.click('.crowd-entity-list button[aria-label="Remove Product from “Turbo blender”"]');
  // The × on a span removes it too: "cracked".
  await page.click('.crowd-entity-text mark[data-label=defect] .remove');

  expect(await page.locator('.crowd-entity-list li').allTextContents()).toEqual(['Brand “Acme”Remove']);
  expect(await value()).toEqual({ entities: [{ label: 'brand', startOffset: 13, endOffset: 17 }] });
  // What crowd-form would collect, under the element's name.
  expect(
    await page.evaluate(
      'document.querySelector("crowd-entity-annotation").shadowRoot.querySelector("crowd-form").answerContent()',
    ),
  ).toEqual({
    review: { entities: [{ label: 'brand', startOffset: 13, endOffset: 17 }] },
  });
  // Usable at 375 px: nothing wider than the screen.
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
}, 30_000);

test('offsets count code points after an emoji; initial-value in JS-literal syntax round-trips; labels never overlap', async () => {
  if (!chromiumOrSkip()) return;
  const text = '😀 Great AcmeTurbo mixer, the lid broke.';
  // Code points: 😀 0, Great 2-7, Acme 8-12, Turbo 12-17 (touching Acme), mixer 18-23. UTF-16 adds 1 to each.
  const initial = `[{label: 'brand', startOffset: 8, endOffset: 12}, {label: "product", startOffset: 12, endOffset: 17,},
    {label: 'brand', startOffset: 10, endOffset: 14}, {label: 'defect', startOffset: 30, endOffset: 99}]`;
  await load(`<crowd-entity-annotation name="e" labels="${attr(LABELS)}" text="${attr(text)}"
      initial-value="${attr(initial)}"></crowd-entity-annotation>`);
  // The overlapping and out-of-range entities are left out; the adjacent ones both show.
  expect(await marks()).toEqual([
    { text: 'Acme', label: 'brand', short: 'brnd' },
    { text: 'Turbo', label: 'product', short: 'prod' },
  ]);
  expect(await value()).toEqual({
    entities: [
      { label: 'brand', startOffset: 8, endOffset: 12 },
      { label: 'product', startOffset: 12, endOffset: 17 },
    ],
  });

  // Selecting both labeled spans at once and labeling: refused, nothing changes.
  await page.focus('.crowd-entity-text');
  await page.keyboard.press('Home');
  await press(page, 'Control+ArrowRight', 2);
  await page.keyboard.press('Shift+Control+ArrowLeft');
  await page.keyboard.press('2');
  expect(await status()).toContain('Labels cannot overlap');
  // Part of a labeled span and text beside it: refused too.
  await page.keyboard.press('Home');
  await page.keyboard.press('Control+ArrowRight');
  await press(page, 'Shift+ArrowRight', 3);
  expect(await status()).toContain('Selected “ Ac”');
  await page.keyboard.press('1');
  expect(await status()).toContain('Labels cannot overlap');
  expect(await value()).toEqual({
    entities: [
      { label: 'brand', startOffset: 8, endOffset: 12 },
      { label: 'product', startOffset: 12, endOffset: 17 },
    ],
  });
  // The caret inside "Acme" (Right ends the selection there) and 1: the whole span becomes a product (a span is
  // relabeled whole, never split).
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('1');
  expect(await status()).toContain('“Acme” is now Product');
  // "mixer", right after the adjacent spans, by keyboard: arrows step over the emoji as one character.
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  expect(await status()).toContain('Selected “ ”');
  await press(page, 'Control+ArrowRight', 3);
  await page.keyboard.press('Shift+Control+ArrowLeft');
  expect(await status()).toContain('Selected “mixer”');
  await page.keyboard.press('3');
  expect(await value()).toEqual({
    entities: [
      { label: 'product', startOffset: 8, endOffset: 12 },
      { label: 'product', startOffset: 12, endOffset: 17 },
      { label: 'defect', startOffset: 18, endOffset: 23 },
    ],
  });
  // The same offsets, read back, mark the same words: Array.from counts code points as the answer does.
  const answer = (await value()) as { entities: { startOffset: number; endOffset: number }[] };
  expect(answer.entities.map((e) => Array.from(text).slice(e.startOffset, e.endOffset).join(''))).toEqual([
    'Acme',
    'Turbo',
    'mixer',
  ]);
}, 30_000);

test('its own Submit hands {type: crowd-answer, answerContent} to the task page, with questions moved into its form', async () => {
  if (!chromiumOrSkip()) return;
  await load(`<crowd-entity-annotation name="crowd-entity-annotation" labels="${attr(LABELS)}"
      text="Acme makes it.">
      <div id="additionalQuestions"><label>Overall <input name="overall" value="positive"></label></div>
    </crowd-entity-annotation>
    <script>
      // AWS's documented way to add questions: move them into the element's internal form once the elements are ready.
      document.addEventListener('all-crowd-elements-ready', () => {
        document.querySelector('crowd-entity-annotation').shadowRoot.querySelector('crowd-form').form.appendChild(additionalQuestions);
      });
    </script>`);
  await page.waitForFunction(
    'document.querySelector("crowd-entity-annotation").shadowRoot.querySelector("[name=overall]")',
  );
  await page.focus('.crowd-entity-text');
  await page.press('.crowd-entity-text', 'Shift+Control+ArrowRight');
  await page.press('.crowd-entity-text', '2');
  expect(await page.evaluate('document.querySelectorAll("crowd-form").length')).toBe(0);
  await page.click('crowd-entity-annotation crowd-button button');
  expect(await sent(page)).toEqual([
    {
      'crowd-entity-annotation': { entities: [{ label: 'brand', startOffset: 0, endOffset: 4 }] },
      overall: 'positive',
    },
  ]);
}, 30_000);

test('our template renders its sample input: the model labels show, a worker adds one, the answer posts', async () => {
  if (!chromiumOrSkip()) return;
  const template = fs.readFileSync(path.join(ROOT, 'templates', 'entity-annotation.liquid.html'), 'utf8');
  const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'entity-annotation.sample.json'), 'utf8')) as {
    taskObject: string;
    initialValue: { label: string; startOffset: number; endOffset: number }[];
  };
  const rendered = (await renderTaskTemplate(template, sample)).replace(
    /<script src="https:\/\/assets\.crowd\.aws[^>]*><\/script>/,
    '',
  );
  await load(rendered);
  const shown = await page.locator('.crowd-entity-text mark').allTextContents();
  expect(shown).toEqual(['Vitamix', '5200 blender', 'lid cracked']);
  expect(await value()).toEqual({ entities: sample.initialValue });
  // The model missed "Acme" (after the emoji): End, Ctrl+Left four times, Shift+Ctrl+Right, 2 (brand).
  await page.focus('.crowd-entity-text');
  await page.press('.crowd-entity-text', 'End');
  for (let i = 0; i < 4; i++) await page.press('.crowd-entity-text', 'Control+ArrowLeft');
  await page.press('.crowd-entity-text', 'Shift+Control+ArrowRight');
  await page.press('.crowd-entity-text', '2');
  await page.click('crowd-entity-annotation crowd-button button');
  const acme = Array.from(sample.taskObject).join('').indexOf('Acme');
  const acmeOffset = Array.from(sample.taskObject.slice(0, acme)).length;
  expect(acmeOffset).toBe(72);
  expect(await sent(page)).toEqual([
    {
      namedEntities: {
        entities: [...sample.initialValue, { label: 'brand', startOffset: 72, endOffset: 76 }],
      },
    },
  ]);
}, 30_000);
