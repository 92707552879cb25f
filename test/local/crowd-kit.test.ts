/**
 * The kit crowd-core.js gives the element families (window.crowdKit), in headless Chromium: parseLiteral, the one
 * reader of the JS-literal attributes SageMaker templates write (labels, categories, initial-value, overlay, ...),
 * syntax case by syntax case, with the SyntaxError a malformed attribute gets; and parseList, built on it.
 */
import type { Page } from 'playwright-core';
import { chromiumAvailable, chromiumOrSkip } from './chromium';
import { newPage, openTask, useChromium } from './crowd-page';

useChromium();
let page: Page;
beforeAll(async () => {
  if (!chromiumAvailable) return;
  page = await newPage();
  await openTask(page, '');
});

/** What `crowdKit[reader](text)` returns, as {value}, or what it throws, as {error: "Name: message"}. */
function read(text: string | null, reader = 'parseLiteral'): Promise<unknown> {
  return page.evaluate(`(() => {
    try {
      return { value: window.crowdKit.${reader}(${JSON.stringify(text)}) };
    } catch (error) {
      return { error: error.name + ': ' + error.message };
    }
  })()`);
}

test.each<[string, string, unknown]>([
  [
    'strict JSON',
    '{"a": [1, 2.5, -3e2], "b": null, "c": true, "d": "\\u0041"}',
    { a: [1, 2.5, -300], b: null, c: true, d: 'A' },
  ],
  [
    'single quotes, with a double quote and an escaped single one inside',
    String.raw`['say "hi"', 'it\'s']`,
    ['say "hi"', "it's"],
  ],
  [
    'unquoted keys (identifiers, digits, hyphens)',
    `{ text: 'None of the above', $id: 1, _n: 2, 'quoted key': 3, data-x: 4, 7: 5 }`,
    { text: 'None of the above', $id: 1, _n: 2, 'quoted key': 3, 'data-x': 4, 7: 5 },
  ],
  ['trailing commas', `[1, 2, { a: 1, },]`, [1, 2, { a: 1 }]],
  [
    '// and /* */ comments',
    `{ // a note\n a: 1, /* b: 2, */\n c: [3 /* three */], d: true// last\n}`,
    { a: 1, c: [3], d: true },
  ],
  ['escapes', String.raw`'\n\t\x41\u0042\u{1F600}\\ \' \q'`, "\n\tAB😀\\ ' q"],
  ['a line continuation', "'one \\\ntwo'", 'one two'],
  [
    'numbers as JS writes them',
    '[0x1F, 0o17, 0b11, .5, 1., +1, -2.5e-1, Infinity, -Infinity]',
    [31, 15, 3, 0.5, 1, 1, -0.25, Infinity, -Infinity],
  ],
  ['constants', '[true, false, null, undefined, NaN]', [true, false, null, undefined, NaN]],
  [
    "an unquoted URL (AWS's semantic-segmentation initial-value, rendered)",
    `{ "src" : https://bucket.s3.amazonaws.com/a/b.png?X-Amz-Credential=AK%2F2024&X-Amz-Signature=ab12, "labelMappings": { "Dog": { "color": "#2ca02c" } } }`,
    {
      src: 'https://bucket.s3.amazonaws.com/a/b.png?X-Amz-Credential=AK%2F2024&X-Amz-Signature=ab12',
      labelMappings: { Dog: { color: '#2ca02c' } },
    },
  ],
  ['bare words, in a list too', '[Cat, 12px]', ['Cat', '12px']],
])('parseLiteral reads %s', async (_case, text, value) => {
  if (!chromiumOrSkip()) return;
  expect(await read(text)).toEqual({ value });
});

test('parseLiteral: a missing or blank attribute has no value', async () => {
  if (!chromiumOrSkip()) return;
  for (const text of [null, '', ' \n ']) expect(await read(text)).toEqual({ value: undefined });
});

test('parseLiteral: a key "__proto__" is an own key, as in JSON.parse; no prototype is touched', async () => {
  if (!chromiumOrSkip()) return;
  expect(
    await page.evaluate(`(() => {
      const value = window.crowdKit.parseLiteral("{ __proto__: { polluted: true }, 'a': 1 }");
      return [Object.keys(value), Object.getPrototypeOf(value) === Object.prototype, ({}).polluted];
    })()`),
  ).toEqual([['__proto__', 'a'], true, undefined]);
});

test.each<[string, string]>([
  ['[1, 2 3]', 'Expected "," or "]" at position 6 in "[1, 2 3]"'],
  ['{a 1}', 'Expected ":" after the key "a" at position 3 in "{a 1}"'],
  ['{, a: 1}', 'Expected a key at position 1 in "{, a: 1}"'],
  ['{a: }', 'Expected a value at position 4 in "{a: }"'],
  ["['a", 'Unterminated string at position 1 in "[\'a"'],
  ['[1, 2', 'Unexpected end: "]" missing at position 5 in "[1, 2"'],
  ['{ a: 1 /* open', 'Unterminated comment at position 7 in "{ a: 1 /* open"'],
  ["'a' 'b'", "Unexpected text after the value at position 4 in \"'a' 'b'\""],
  [String.raw`'\u12'`, String.raw`Bad escape "\\u12'" at position 1 in "'\\u12'"`],
  [`[${'10, '.repeat(20)}10 11]`, 'Expected "," or "]" at position 84 in "…0, 10, 10, 10, 10, 10, 10, 10 11]"'],
])('parseLiteral throws a SyntaxError on %s', async (text, message) => {
  if (!chromiumOrSkip()) return;
  expect(await read(text)).toEqual({ error: `SyntaxError: ${message}` });
});

test('parseList: a list literal, and [] for a missing or blank attribute', async () => {
  if (!chromiumOrSkip()) return;
  expect(await read("['-1', '0', '1']", 'parseList')).toEqual({ value: ['-1', '0', '1'] });
  for (const text of [null, '', '  ']) expect(await read(text, 'parseList')).toEqual({ value: [] });
});
