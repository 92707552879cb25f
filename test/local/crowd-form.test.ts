/**
 * crowd-form in headless Chromium, as a worker uses it: native controls answered the AWS way, the
 * all-crowd-elements-ready event, the submit event that templates handle (onsubmit filling hidden inputs or calling
 * preventDefault), validation with its message and focus, and the ways a worker submits (the Submit button, Enter,
 * a template's own button). Each page is the task frame's document (the template, then the crowd scripts at the end
 * of the body), served from a stand-in origin; the answer is read where the task page reads it: on the port the
 * page hands the frame.
 */
import type { Page } from 'playwright-core';
import { chromiumAvailable, chromiumOrSkip } from './chromium';
import { formStatus, newPage, openTask, sent, sentSoFar, TASK_ORIGIN, useChromium } from './crowd-page';

useChromium();
let page: Page;
beforeEach(async () => {
  if (chromiumAvailable) page = await newPage();
});

const open = (template: string) => openTask(page, template);
const status = () => formStatus(page);
const focused = () => page.evaluate<string>('document.activeElement.outerHTML');

test('native controls answer the AWS way: radios and checkboxes keyed on value, text, hidden and select as strings', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <fieldset><legend>The summary is accurate</legend>
      <label><input type="radio" name="rating1" value="agree"> Agree</label>
      <label><input type="radio" name="rating1" value="disagree"> Disagree</label>
    </fieldset>
    <label><input type="checkbox" name="issues" value="typo"> Typo</label>
    <label><input type="checkbox" name="issues" value="tone" checked> Tone</label>
    <label><input type="checkbox" name="flag"> Flag</label>
    <label>Note <input type="text" name="note"></label>
    <label>Why <textarea name="why"></textarea></label>
    <input type="hidden" name="meta" value="m1">
    <label>Pick <select name="pick"><option value="">Choose</option><option value="a">A</option><option value="b">B</option></select></label>
    <label>Off <input type="text" name="off" value="x" disabled></label>
  </crowd-form>`);
  await page.getByLabel('Disagree').check();
  await page.getByLabel('Typo').check();
  await page.getByLabel('Note').fill('short');
  await page.getByLabel('Why').fill('line one\nline two');
  await page.getByLabel('Pick').selectOption('b');
  expect(await page.locator('crowd-button').count()).toBe(1);
  await page.getByRole('button', { name: 'Submit' }).click();

  expect(await sent(page)).toEqual([
    {
      rating1: { agree: false, disagree: true },
      issues: { typo: true, tone: true },
      flag: { on: false },
      note: 'short',
      why: 'line one\nline two',
      meta: 'm1',
      pick: 'b',
    },
  ]);
  expect(await status()).toBe('Submitting...');
});

test('all-crowd-elements-ready reaches a listener registered before the scripts, once, with every element built', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<script>
      window.log = [];
      window.definedEarly = Boolean(customElements.get('crowd-form'));
      document.addEventListener('all-crowd-elements-ready', () => {
        const classifier = document.querySelector('crowd-classifier');
        window.log.push({
          defined: ['crowd-form', 'crowd-classifier', 'crowd-checkbox', 'crowd-card', 'full-instructions'].every(
            (tag) => customElements.get(tag) !== undefined,
          ),
          choices: classifier.querySelectorAll('.crowd-categories input').length,
          card: Boolean(document.querySelector('crowd-card').shadowRoot),
          checkbox: document.querySelector('crowd-checkbox input') !== null,
        });
        classifier.categories = ['x', 'y', 'z'];
      });
    </script>
    <crowd-form>
      <crowd-classifier name="c" categories="['a', 'b']" header="Pick one">
        <full-instructions header="How">Read it.</full-instructions>
      </crowd-classifier>
      <crowd-checkbox name="x">X</crowd-checkbox>
      <crowd-card heading="A card">Text</crowd-card>
    </crowd-form>`);
  expect(await page.evaluate('window.definedEarly')).toBe(false);
  expect(await page.evaluate('window.log')).toEqual([{ defined: true, choices: 2, card: true, checkbox: true }]);
  // The listener's change took: categories set on ready are drawn.
  expect(await page.evaluate(`[...document.querySelectorAll('crowd-classifier input')].map((i) => i.value)`)).toEqual([
    'x',
    'y',
    'z',
  ]);
  // A listener added after the event does not hear it again, and finds the elements ready.
  await page.evaluate(`document.addEventListener('all-crowd-elements-ready', () => window.log.push('again'))`);
  await page.waitForTimeout(100);
  expect(await page.evaluate('window.log.length')).toBe(1);
  expect(await page.evaluate(`document.querySelector('crowd-classifier').inputs().length`)).toBe(3);
});

test('onsubmit runs before the answer is collected: the hidden input it fills is in the answer', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
      <input type="hidden" name="groups" id="groups">
      <crowd-input name="tag" label="Tag" value="blue"></crowd-input>
    </crowd-form>
    <script>
      window.calls = 0;
      document.querySelector('crowd-form').onsubmit = (event) => {
        window.calls += 1;
        window.cancelable = event.cancelable;
        document.getElementById('groups').value = JSON.stringify([[1, 2], [3]]);
      };
    </script>`);
  await page.getByRole('button', { name: 'Submit' }).click();
  expect(await sent(page)).toEqual([{ groups: '[[1,2],[3]]', tag: 'blue' }]);
  expect(await page.evaluate('[window.calls, window.cancelable]')).toEqual([1, true]);
});

test('a submit handler that calls preventDefault (or returns false) stops the answer; its alert shows', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<div id="errors"></div>
    <crowd-form>
      <crowd-input name="tag" label="Tag" value="blue"></crowd-input>
    </crowd-form>
    <script>
      document.querySelector('crowd-form').onsubmit = (event) => {
        event.preventDefault();
        document.getElementById('errors').innerHTML =
          '<crowd-alert type="error" dismissible>You must group every image.</crowd-alert>';
      };
    </script>`);
  await page.getByRole('button', { name: 'Submit' }).click();
  await expectAlert('You must group every image.');
  expect(await sentSoFar(page)).toEqual([]);
  expect(await status()).toBe('');

  // addEventListener('submit') with preventDefault, and onsubmit returning false, stop it too.
  await page.evaluate(`(() => {
    const form = document.querySelector('crowd-form');
    form.onsubmit = null;
    window.stopper = (event) => event.preventDefault();
    form.addEventListener('submit', window.stopper);
  })()`);
  await page.getByRole('button', { name: 'Submit' }).click();
  expect(await sentSoFar(page)).toEqual([]);
  await page.evaluate(`(() => {
    const form = document.querySelector('crowd-form');
    form.removeEventListener('submit', window.stopper);
    form.setAttribute('onsubmit', 'return false');
  })()`);
  await page.getByRole('button', { name: 'Submit' }).click();
  expect(await sentSoFar(page)).toEqual([]);

  // Without a handler in the way, the same button sends.
  await page.evaluate(`document.querySelector('crowd-form').removeAttribute('onsubmit')`);
  await page.getByRole('button', { name: 'Submit' }).click();
  expect(await sent(page)).toEqual([{ tag: 'blue' }]);
});

async function expectAlert(text: string): Promise<void> {
  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect(await page.textContent('crowd-alert')).toBe(text);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  expect(await page.locator('crowd-alert').isVisible()).toBe(false);
}

test('required fields stop the answer: the message shows in the status region and the field takes the focus', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-input name="tag" label="Tag" required></crowd-input>
    <label>Country <select name="country" required><option value="">Choose</option><option>PT</option></select></label>
    <label>Postcode <input name="postcode" pattern="[0-9]{4}" value="12"></label>
    <crowd-classifier name="sentiment" categories="['-1', '0', '1']" header="Sentiment"></crowd-classifier>
  </crowd-form>`);
  const submit = page.getByRole('button', { name: 'Submit' });
  const region = page.locator('crowd-form .crowd-status');
  expect(await region.getAttribute('role')).toBe('status');
  expect(await region.getAttribute('aria-live')).toBe('polite');

  await submit.click();
  expect(await status()).toBe('Fill in "Tag"');
  expect(await focused()).toContain('aria-invalid="true"');
  expect(await page.evaluate(`document.activeElement === document.querySelector('crowd-input input')`)).toBe(true);
  expect(await page.getByLabel('Tag').getAttribute('aria-describedby')).toContain(await region.getAttribute('id'));

  await page.keyboard.type('cat');
  await submit.click();
  expect(await status()).toMatch(/^Country: .+/);
  expect(await page.evaluate('document.activeElement.name')).toBe('country');

  await page.getByLabel('Country').selectOption('PT');
  await submit.click();
  expect(await status()).toMatch(/^Postcode: .+/);
  expect(await page.evaluate('document.activeElement.name')).toBe('postcode');

  await page.getByLabel('Postcode').fill('1000');
  await submit.click();
  expect(await status()).toBe('Choose a category for "Sentiment"');
  expect(await page.evaluate('document.activeElement.value')).toBe('-1');
  expect(await sentSoFar(page)).toEqual([]);

  await page.getByRole('radio', { name: '0' }).check();
  await submit.click();
  expect(await sent(page)).toEqual([{ tag: 'cat', country: 'PT', postcode: '1000', sentiment: { label: '0' } }]);
});

test('a field named __proto__ is answered like any other and changes no object of the page', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <label><input type="checkbox" name="__proto__" value="polluted" checked> Odd</label>
    <crowd-input name="__proto__x" value="y"></crowd-input>
  </crowd-form>`);
  await page.getByRole('button', { name: 'Submit' }).click();
  await sent(page);
  // Read as the task page reads it: the message's JSON, made in the page (a copy in Node would lose the key).
  expect(await page.evaluate(`JSON.stringify(window.sent.find((m) => m.type === 'crowd-answer').answerContent)`)).toBe(
    '{"__proto__":{"polluted":true},"__proto__x":"y"}',
  );
  expect(await page.evaluate('({}).polluted')).toBeUndefined();
});

test('a crowd-button link runs no script (an href may come from the input)', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-input name="a" value="x"></crowd-input>
    <crowd-button href="javascript:window.ran = true">Go</crowd-button>
  </crowd-form>`);
  await page.getByRole('button', { name: 'Go' }).click();
  expect(await page.evaluate('window.ran')).toBeUndefined();
});

test("a field's own description stays when the form's message joins it", async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <p id="hint">Three letters, like CAT</p>
    <label>Code <input name="code" required aria-describedby="hint"></label>
  </crowd-form>`);
  await page.getByRole('button', { name: 'Submit' }).click();
  const region = await page.locator('crowd-form .crowd-status').getAttribute('id');
  expect(await page.getByLabel('Code').getAttribute('aria-describedby')).toBe(`hint ${region}`);
});

test('Enter in a single-line field submits; in a text area it starts a new line', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-text-area name="comment" label="Comment"></crowd-text-area>
    <crowd-input name="tag" label="Tag"></crowd-input>
    <crowd-button form-action="submit" variant="primary">Send it</crowd-button>
  </crowd-form>`);
  expect(await page.locator('crowd-button').count()).toBe(1);
  await page.getByLabel('Comment').fill('first');
  await page.getByLabel('Comment').press('Enter');
  await page.keyboard.type('second');
  expect(await sentSoFar(page)).toEqual([]);
  await page.getByLabel('Tag').fill('red');
  await page.getByLabel('Tag').press('Enter');
  expect(await sent(page)).toEqual([{ comment: 'first\nsecond', tag: 'red' }]);
});

test("a template's own submit button and a nested native form submit crowd-form, without leaving the page", async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <button type="button" id="helper">Add annotation</button>
    <form action="/elsewhere"><label>Inner <input name="inner"></label><button>Inner go</button></form>
    <button id="own">Done</button>
  </crowd-form>`);
  await page.click('#helper');
  expect(await sentSoFar(page)).toEqual([]);
  await page.getByLabel('Inner').fill('in');
  await page.getByRole('button', { name: 'Inner go' }).click();
  expect(await sent(page)).toEqual([{ inner: 'in' }]);
  await page.getByRole('button', { name: 'Done' }).click();
  expect(await sent(page, 2)).toEqual([{ inner: 'in' }, { inner: 'in' }]);
  expect(page.url()).toBe(`${TASK_ORIGIN}/task`);
});

test('submit() sends without the submit event (as a native form), with inputs appended at run time', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form><crowd-input name="tag" label="Tag" value="a"></crowd-input></crowd-form>
    <script>
      window.calls = 0;
      document.querySelector('crowd-form').addEventListener('submit', () => (window.calls += 1));
    </script>`);
  await page.evaluate(`(() => {
    const form = document.querySelector('crowd-form');
    const extra = document.createElement('input');
    extra.type = 'hidden';
    extra.name = 'extra';
    extra.value = 'e';
    form.appendChild(extra);
    form.submit();
  })()`);
  expect(await sent(page)).toEqual([{ tag: 'a', extra: 'e' }]);
  expect(await page.evaluate('window.calls')).toBe(0);
  await page.evaluate(`document.querySelector('crowd-form').requestSubmit()`);
  expect(await sent(page, 2)).toEqual([
    { tag: 'a', extra: 'e' },
    { tag: 'a', extra: 'e' },
  ]);
  expect(await page.evaluate('window.calls')).toBe(1);
});

test("fields inside regions are the template's; later scalars of a name replace earlier ones", async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-classifier name="kind" categories="['a', 'b']" header="Kind" initial-value="a">
      <short-instructions>Date <input type="date" name="seen" value="2024-05-01" aria-label="Seen on"></short-instructions>
    </crowd-classifier>
    <select name="_" aria-label="Sink"><option>first</option></select>
    <input type="hidden" name="_" value="_">
  </crowd-form>`);
  await page.getByRole('button', { name: 'Submit' }).click();
  expect(await sent(page)).toEqual([{ kind: { label: 'a' }, seen: '2024-05-01', _: '_' }]);
});

test('outside the portal (no task page to hand the answer to) the form says so', async () => {
  if (!chromiumOrSkip()) return;
  const template = `<crowd-form><crowd-input name="t" label="T" value="x"></crowd-input></crowd-form>`;
  await openTask(page, template, { port: false });
  await page.getByRole('button', { name: 'Submit' }).click();
  expect(await status()).toBe('Open this task from the portal to submit it.');
});
