/**
 * The text, choice and layout crowd elements in headless Chromium, used as a worker uses them (clicks and keys
 * only), each checked against the exact answerContent AWS documents: classifiers (with the model's suggestion and
 * the 1-9 keys), crowd-input, crowd-text-area, crowd-checkbox, crowd-radio-button, crowd-toggle-button, crowd-slider,
 * and the layout elements, which answer nothing. Also: a phone-width task does not scroll sideways.
 */
import type { Page } from 'playwright-core';
import { chromiumAvailable, chromiumOrSkip } from './chromium';
import { answerContent, formStatus, newPage, openTask, sent, sentSoFar, useChromium } from './crowd-page';

useChromium();
let page: Page;
beforeEach(async () => {
  if (chromiumAvailable) page = await newPage();
});

const open = (template: string) => openTask(page, template);
const status = () => formStatus(page);
const submit = () => page.getByRole('button', { name: 'Submit' }).click();

const SENTIMENT = `<crowd-form>
  <crowd-classifier name="sentiment" categories="['-1', '0', '1']" initial-value="-1"
    header="What sentiment does this review convey?">
    <classification-target>I am unhappy with this product</classification-target>
    <short-instructions>Choose the main sentiment.</short-instructions>
  </crowd-classifier>
</crowd-form>`;

test("crowd-classifier: the model's suggestion is marked and preselected; a click changes the label", async () => {
  if (!chromiumOrSkip()) return;
  await open(SENTIMENT);
  await page.evaluate(
    `document.querySelector('crowd-classifier').addEventListener('change', (e) => (window.changed = e.target.value))`,
  );
  const suggested = page.getByRole('radio', { name: "-1 model's suggestion" });
  expect(await suggested.isChecked()).toBe(true);
  expect(await page.locator('.crowd-suggestion').count()).toBe(1);
  expect(await page.locator('.crowd-suggestion').isVisible()).toBe(true);
  expect(await page.getByRole('group', { name: 'What sentiment does this review convey?' }).count()).toBe(1);
  expect(await answerContent(page)).toEqual({ sentiment: { label: '-1' } });

  await page.locator('.crowd-category', { hasText: /^\s*2\s*0\s*$/ }).click();
  expect(await page.evaluate('window.changed')).toBe('0');
  expect(await suggested.isChecked()).toBe(false);
  await submit();
  expect(await sent(page)).toEqual([{ sentiment: { label: '0' } }]);
});

test('a classifier task done by keyboard alone: Tab, a number key, Enter', async () => {
  if (!chromiumOrSkip()) return;
  await open(SENTIMENT);
  expect(await page.locator('.crowd-key').allTextContents()).toEqual(['1', '2', '3']);
  expect(await page.locator('.crowd-key').first().isVisible()).toBe(true);
  expect(await page.getByRole('radio', { name: '1', exact: true }).getAttribute('aria-keyshortcuts')).toBe('3');

  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement.value')).toBe('-1');
  await page.keyboard.press('3');
  expect(await page.evaluate('document.activeElement.value')).toBe('1');
  await page.keyboard.press('2');
  expect(await page.evaluate('document.activeElement.value')).toBe('0');
  await page.keyboard.press('Enter');
  expect(await sent(page)).toEqual([{ sentiment: { label: '0' } }]);

  // With nothing focused, a number key chooses and Enter submits too.
  await page.evaluate('document.activeElement.blur()');
  await page.keyboard.press('1');
  await page.evaluate('document.activeElement.blur()');
  await page.keyboard.press('Enter');
  expect(await sent(page, 2)).toEqual([{ sentiment: { label: '0' } }, { sentiment: { label: '-1' } }]);
});

test('number keys typed into a field stay in the field; two classifiers get no shortcuts', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-classifier name="sentiment" categories="['-1', '0', '1']" header="Sentiment" initial-value="0"></crowd-classifier>
    <crowd-input name="count" label="How many" type="number"></crowd-input>
    <crowd-text-area name="note" label="Note"></crowd-text-area>
  </crowd-form>`);
  await page.getByLabel('How many').click();
  await page.keyboard.type('13');
  await page.getByLabel('Note').click();
  await page.keyboard.type('1 and 3');
  await page.keyboard.press('Enter');
  expect(await answerContent(page)).toEqual({ sentiment: { label: '0' }, count: '13', note: '1 and 3\n' });
  expect(await sentSoFar(page)).toEqual([]);

  await openTaskAgain(`<crowd-form>
    <crowd-classifier name="a" categories="['x', 'y']" header="A"></crowd-classifier>
    <crowd-classifier name="b" categories="['x', 'y']" header="B"></crowd-classifier>
  </crowd-form>`);
  expect(await page.locator('.crowd-key').first().isVisible()).toBe(false);
  await page.keyboard.press('1');
  await expect(answerContent(page)).rejects.toThrow('Choose a category for "A"');
});

/** A second task in the same test, on a page of its own. */
async function openTaskAgain(template: string): Promise<void> {
  page = await newPage();
  await open(template);
}

test('crowd-classifier-multi-select: clicks and keys toggle; the exclusion category rules out the others', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-classifier-multi-select name="topics" categories="['price', 'quality', 'delivery']" header="Topics"
      exclusion-category="{ text: 'None of the above' }">
      <classification-target>Late and overpriced.</classification-target>
    </crowd-classifier-multi-select>
  </crowd-form>`);
  await submit();
  expect(await status()).toBe('Choose at least one category for "Topics"');
  expect(await page.evaluate('document.activeElement.value')).toBe('price');

  await page.keyboard.press('1');
  await page.keyboard.press('3');
  await page.getByRole('checkbox', { name: 'quality' }).click();
  await page.keyboard.press('2');
  expect(await answerContent(page)).toEqual({ topics: { labels: ['price', 'delivery'] } });

  await page.keyboard.press('4');
  expect(await answerContent(page)).toEqual({ topics: { labels: ['None of the above'] } });
  await page.getByRole('checkbox', { name: 'quality' }).click();
  await page.keyboard.press('Enter');
  expect(await sent(page)).toEqual([{ topics: { labels: ['quality'] } }]);
});

test('crowd-checkbox: keyed on its value ("on" by default), same names merge, checked and disabled honoured', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <div><crowd-checkbox name="image_attributes" value="blurry">Blurry</crowd-checkbox></div>
    <div><crowd-checkbox name="image_attributes" value="dim">Too Dim</crowd-checkbox></div>
    <div><crowd-checkbox name="image_attributes" value="exposed" checked>Too Bright</crowd-checkbox></div>
    <crowd-checkbox name="spam">Spam</crowd-checkbox>
    <crowd-checkbox name="locked" value="yes" checked disabled>Locked</crowd-checkbox>
  </crowd-form>`);
  await page.evaluate(
    `document.querySelector('crowd-checkbox[value=blurry]').onclick = function () { window.during = this.checked; }`,
  );
  await page.getByRole('checkbox', { name: 'Blurry' }).click();
  expect(await page.evaluate('window.during')).toBe(false);
  expect(await page.evaluate(`document.querySelector('crowd-checkbox[value=blurry]').checked`)).toBe(true);
  await page.getByRole('checkbox', { name: 'Too Dim' }).focus();
  await page.keyboard.press('Space');
  await page.getByRole('checkbox', { name: 'Too Bright' }).click();
  expect(await page.getByRole('checkbox', { name: 'Locked' }).isDisabled()).toBe(true);
  await submit();
  expect(await sent(page)).toEqual([
    {
      image_attributes: { blurry: true, dim: true, exposed: false },
      spam: { on: false },
      locked: { yes: true },
    },
  ]);
});

test('crowd-radio-button: in a group one is checked (arrow keys move it); same names outside a group merge', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-radio-group>
      <crowd-radio-button name="tech" value="tech">Technology</crowd-radio-button>
      <crowd-radio-button name="politics" value="politics" checked>Politics</crowd-radio-button>
    </crowd-radio-group>
    <crowd-radio-button name="size" value="small">Small</crowd-radio-button>
    <crowd-radio-button name="size" value="large">Large</crowd-radio-button>
    <crowd-radio-button name="btn1" value="yes">Yes</crowd-radio-button>
  </crowd-form>`);
  expect(await page.getByRole('radiogroup').count()).toBe(1);
  await page.getByRole('radio', { name: 'Politics' }).focus();
  await page.keyboard.press('ArrowUp');
  expect(await page.getByRole('radio', { name: 'Technology' }).isChecked()).toBe(true);
  await page.getByRole('radio', { name: 'Large' }).click();
  await page.getByRole('radio', { name: 'Small' }).click();
  await submit();
  expect(await sent(page)).toEqual([
    {
      tech: { tech: true },
      politics: { politics: false },
      size: { small: true, large: false },
      btn1: { yes: false },
    },
  ]);
});

test('crowd-toggle-button: a switch answering {name: {value: on}}', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-toggle-button name="theToggler">Night mode</crowd-toggle-button>
    <crowd-toggle-button name="agree" value="yes" required invalid>I agree</crowd-toggle-button>
  </crowd-form>`);
  await submit();
  expect(await status()).toBe('Check "I agree"');
  expect(await page.evaluate('document.activeElement.closest("crowd-toggle-button").getAttribute("name")')).toBe(
    'agree',
  );
  await page.keyboard.press('Space');
  await page.getByRole('switch', { name: 'Night mode' }).click();
  await submit();
  expect(await sent(page)).toEqual([{ theToggler: { on: true }, agree: { yes: true } }]);
});

test('crowd-input and crowd-text-area: labelled controls, their attributes, empty inputs left out', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-input name="tag1" label="First tag" max-length="5"></crowd-input>
    <crowd-input name="code" label="Code" allowed-pattern="[0-9]" auto-validate min-length="3"
      error-message="Three digits or more"></crowd-input>
    <crowd-input name="when" label="When" type="date"></crowd-input>
    <crowd-input name="optional" placeholder="Optional note"></crowd-input>
    <crowd-text-area name="translation1" label="Translation" value="Ola" rows="2" max-rows="4" char-counter
      max-length="40"></crowd-text-area>
  </crowd-form>`);
  expect(await page.getByLabel('Optional note').count()).toBe(1);
  await page.getByLabel('First tag').pressSequentially('bluegreen');
  await page.getByLabel('Code').pressSequentially('1a2');
  expect(await page.textContent('crowd-input[name=code] .crowd-field-error')).toBe('Three digits or more');
  await page.getByLabel('Code').pressSequentially('b3');
  expect(await page.textContent('crowd-input[name=code] .crowd-field-error')).toBe('');
  await page.getByLabel('When').fill('2024-02-29');

  const area = page.getByLabel('Translation');
  expect(await page.textContent('.crowd-counter')).toBe('3/40');
  expect(await area.getAttribute('rows')).toBe('2');
  await area.press('End');
  await area.pressSequentially(' mundo');
  for (const line of ['a', 'b', 'c', 'd']) {
    await area.press('Enter');
    await area.pressSequentially(line);
  }
  expect(await area.getAttribute('rows')).toBe('4');
  expect(await page.textContent('.crowd-counter')).toBe('17/40');
  await submit();
  expect(await sent(page)).toEqual([
    { tag1: 'blueg', code: '123', when: '2024-02-29', translation1: 'Ola mundo\na\nb\nc\nd' },
  ]);
});

test('crowd-slider: arrow keys and the number field set it; it answers a number; pin shows the value', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <p>How fluent is the translation?</p>
    <crowd-slider name="meaning" min="1" max="5" required pin/>
    <p id="after">Then set the opacity.</p>
    <crowd-slider name="opacity" value="50" step="10" editable></crowd-slider>
    <crowd-slider name="locked" value="3" disabled></crowd-slider>
  </crowd-form>`);
  // The self-closed slider does not swallow the template's next elements.
  expect(await page.evaluate(`document.getElementById('after').parentElement.localName`)).toBe('crowd-form');
  await submit();
  expect(await status()).toBe('Set "meaning"');
  expect(await page.evaluate('document.activeElement.type')).toBe('range');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  expect(await page.textContent('crowd-slider[name=meaning] output')).toBe('3');
  await page.getByRole('slider', { name: 'opacity' }).focus();
  await page.keyboard.press('ArrowLeft');
  expect(await page.getByLabel('opacity (number)').inputValue()).toBe('40');
  await page.getByLabel('opacity (number)').fill('70');
  await page.getByLabel('opacity (number)').press('Tab');
  expect(await page.evaluate(`document.querySelector('crowd-slider[name=opacity]').value`)).toBe(70);
  expect(await page.getByRole('slider', { name: 'locked' }).isDisabled()).toBe(true);
  await submit();
  expect(await sent(page)).toEqual([{ meaning: 3, opacity: 70, locked: 3 }]);
});

test('layout elements answer nothing and work by keyboard: tabs, modal, alert, card, badge, toast, fab', async () => {
  if (!chromiumOrSkip()) return;
  await open(`<crowd-form>
    <crowd-alert type="warning">Check the spelling.</crowd-alert>
    <crowd-alert type="success" dismissible>Saved.</crowd-alert>
    <crowd-card heading="Review" image="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="card">
      <crowd-input name="inCard" label="In card" value="c"></crowd-input>
    </crowd-card>
    <crowd-badge for="card" label="New"/>
    <crowd-tabs>
      <crowd-tab header="First"><crowd-input name="first" label="First" value="1"></crowd-input></crowd-tab>
      <crowd-tab header="Second"><input type="checkbox" name="checkbox" value="foo" aria-label="Foo"></crowd-tab>
    </crowd-tabs>
    <crowd-modal link-text="See an example" link-type="button"><p>An example.</p></crowd-modal>
    <crowd-toast duration="0" text="Hello"></crowd-toast>
    <crowd-fab id="flag" icon="report-problem" title="Issue"/>
    <crowd-icon-button icon="search" id="find"/>
  </crowd-form>`);
  expect(await page.getByRole('alert').count()).toBe(1);
  expect(await page.locator('crowd-alert[type=warning]').textContent()).toBe('Check the spelling.');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  expect(await page.locator('crowd-alert[type=success]').isVisible()).toBe(false);
  expect(await page.getByRole('heading', { name: 'Review' }).isVisible()).toBe(true);
  expect(await page.locator('crowd-badge').textContent()).toBe('');
  expect(await page.evaluate(`document.querySelector('crowd-badge').shadowRoot.textContent`)).toBe('New');

  // Tabs: arrow keys; the fields of the hidden tab still answer.
  await page.getByRole('tab', { name: 'First' }).focus();
  await page.keyboard.press('ArrowRight');
  expect(await page.getByRole('tab', { name: 'Second' }).getAttribute('aria-selected')).toBe('true');
  expect(await page.getByRole('tabpanel', { name: 'Second' }).isVisible()).toBe(true);
  expect(await page.locator('crowd-input[name=first] input').isVisible()).toBe(false);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  expect(await page.getByLabel('Foo').isChecked()).toBe(true);

  // The modal opens and closes from the keyboard.
  await page.getByRole('button', { name: 'See an example' }).focus();
  await page.keyboard.press('Enter');
  expect(await page.getByRole('dialog', { name: 'See an example' }).isVisible()).toBe(true);
  await page.keyboard.press('Escape');
  expect(await page.getByRole('dialog').count()).toBe(0);

  // The toast opens and closes; the fab and the icon button are buttons whose clicks reach the page.
  expect(await page.locator('crowd-toast').isVisible()).toBe(false);
  await page.evaluate(`document.querySelector('crowd-toast').open()`);
  expect(await page.getByRole('status').filter({ hasText: 'Hello' }).isVisible()).toBe(true);
  await page.evaluate(`document.querySelector('crowd-toast').close()`);
  expect(await page.locator('crowd-toast').isVisible()).toBe(false);
  await page.evaluate(`document.getElementById('flag').addEventListener('click', () => (window.flagged = true))`);
  await page.getByRole('button', { name: 'Issue' }).focus();
  await page.keyboard.press('Enter');
  expect(await page.evaluate('window.flagged')).toBe(true);
  expect(await page.getByRole('button', { name: 'search' }).count()).toBe(1);
  expect(await sentSoFar(page)).toEqual([]);

  await submit();
  expect(await sent(page)).toEqual([{ inCard: 'c', first: '1', checkbox: { foo: true } }]);
});

test('a task at phone width (375 px) does not scroll sideways', async () => {
  if (!chromiumOrSkip()) return;
  await page.setViewportSize({ width: 375, height: 700 });
  const long = 'Averyveryverylongwordwithoutanyspacesthatwouldotherwiseoverflowthephonescreen';
  await open(`<crowd-form>
    <crowd-alert type="info" dismissible>${long}</crowd-alert>
    <crowd-classifier name="sentiment" categories="['-1 negative', '0 neutral', '1 positive', '${long}']"
      initial-value="0 neutral" header="${long}">
      <classification-target>${long} ${long}</classification-target>
      <full-instructions header="Instructions">${long}</full-instructions>
      <short-instructions>${long}</short-instructions>
    </crowd-classifier>
    <crowd-input name="tag" label="${long}"></crowd-input>
    <crowd-text-area name="note" label="Note" char-counter></crowd-text-area>
    <crowd-checkbox name="c">${long}</crowd-checkbox>
    <crowd-radio-group><crowd-radio-button name="r">${long}</crowd-radio-button></crowd-radio-group>
    <crowd-toggle-button name="t">${long}</crowd-toggle-button>
    <crowd-slider name="s" min="1" max="5" pin editable>
      <crowd-slider-label position="1">1</crowd-slider-label><crowd-slider-label position="5">5</crowd-slider-label>
    </crowd-slider>
    <crowd-card heading="${long}" id="card">${long}</crowd-card>
    <crowd-badge for="card" label="New"></crowd-badge>
    <crowd-tabs><crowd-tab header="One tab">${long}</crowd-tab><crowd-tab header="Another tab">b</crowd-tab>
      <crowd-tab header="A third tab">c</crowd-tab><crowd-tab header="A fourth tab">d</crowd-tab></crowd-tabs>
    <crowd-modal link-text="Example">${long}</crowd-modal>
    <crowd-toast opened duration="0" text="${long}"></crowd-toast>
  </crowd-form>`);
  await page.waitForTimeout(100);
  expect(await page.evaluate('document.scrollingElement.scrollWidth')).toBeLessThanOrEqual(375);
  await page.getByRole('button', { name: 'Example' }).click();
  expect(await page.evaluate('document.scrollingElement.scrollWidth')).toBeLessThanOrEqual(375);
  const box = await page.getByRole('dialog').boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(375);
});
