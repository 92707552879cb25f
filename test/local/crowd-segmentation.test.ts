/**
 * crowd-semantic-segmentation and crowd-instance-segmentation (lambda/portal/assets/crowd-segmentation.js) in headless
 * Chromium at 375 px: a generated image shown scaled down, regions painted with the keyboard alone, the mouse and
 * touch, and the answer AWS documents: the labeled PNG at the image's natural size (decoded here, in the browser's own
 * PNG decoder) with each label's colour exactly inside the painted shapes and transparent elsewhere.
 */
import type { Page } from 'playwright-core';
import { chromiumOrSkip } from './chromium';
import { answerContent, newPage, openTask, press, useChromium } from './crowd-page';

const WIDTH = 400;
const HEIGHT = 300;
const PHONE = { width: 375, height: 900 };

useChromium();

/** A task frame at phone width with the element in a crowd-form, its image a generated PNG of WIDTH x HEIGHT. */
async function open(element: string, options: { hasTouch?: boolean } = {}): Promise<Page> {
  const page = await newPage({ viewport: PHONE, ...options });
  const image = await page.evaluate<string>(`(() => {
    const canvas = document.createElement('canvas');
    canvas.width = ${WIDTH};
    canvas.height = ${HEIGHT};
    const context = canvas.getContext('2d');
    const gradient = context.createLinearGradient(0, 0, ${WIDTH}, ${HEIGHT});
    gradient.addColorStop(0, '#88aa88');
    gradient.addColorStop(1, '#334455');
    context.fillStyle = gradient;
    context.fillRect(0, 0, ${WIDTH}, ${HEIGHT});
    return canvas.toDataURL('image/png');
  })()`);
  await openTask(page, `<crowd-form>${element.replace('IMAGE', image)}</crowd-form>`, {
    until: 'document.querySelector("[name=seg]").size !== undefined',
  });
  return page;
}

/** Where a natural-size image point is on the screen. */
async function screen(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return page.evaluate<{ x: number; y: number }>(`(() => {
    const rect = document.querySelector('.crowd-seg-stage canvas.mask').getBoundingClientRect();
    return { x: rect.left + ${x} * rect.width / ${WIDTH}, y: rect.top + ${y} * rect.height / ${HEIGHT} };
  })()`);
}

interface Decoded {
  width: number;
  height: number;
  /** How many pixels have each colour, as "r,g,b,a". */
  counts: Record<string, number>;
  /** The colour of each asked point, as "r,g,b,a". */
  at: string[];
}

/** The answer's PNG, decoded by the browser. */
async function decode(page: Page, png: string, points: [number, number][]): Promise<Decoded> {
  return page.evaluate<Decoded>(`(async () => {
    const image = new Image();
    image.src = 'data:image/png;base64,' + ${JSON.stringify(png)};
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const counts = {};
    for (let i = 0; i < data.length; i += 4) {
      const key = data[i] + ',' + data[i + 1] + ',' + data[i + 2] + ',' + data[i + 3];
      counts[key] = (counts[key] || 0) + 1;
    }
    const at = ${JSON.stringify(points)}.map(([x, y]) => {
      const i = (y * canvas.width + x) * 4;
      return data[i] + ',' + data[i + 1] + ',' + data[i + 2] + ',' + data[i + 3];
    });
    return { width: canvas.width, height: canvas.height, counts, at };
  })()`);
}

interface SegmentationAnswer {
  inputImageProperties: { height: number; width: number };
  labelMappings?: Record<string, { color: string }>;
  instances?: { color: string; label: string }[];
  labeledImage: { pngImageData: string };
  initialValueModified?: boolean;
}

async function answer(page: Page): Promise<Record<string, SegmentationAnswer>> {
  return (await answerContent(page)) as Record<string, SegmentationAnswer>;
}

const DOG = '255,127,14,255';
const BIRD = '44,160,44,255';
const NONE = '0,0,0,0';

test('semantic: a rectangle by keyboard alone, a brush stroke and an eraser stroke by mouse, undo; the exact answer', async () => {
  if (!chromiumOrSkip()) return;
  const page = await open(`<crowd-semantic-segmentation name="seg" src="IMAGE" header="Segment the animals"
      labels="['Cat', 'Dog', 'Bird']"><short-instructions>Paint each animal.</short-instructions>
    </crowd-semantic-segmentation>`);
  // Shown scaled down to the phone's width; nothing wider than the screen.
  const shown = await page.evaluate<number>(
    'document.querySelector(".crowd-seg-stage img").getBoundingClientRect().width',
  );
  expect(shown).toBeLessThan(WIDTH * 0.9);
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
  // Keys are shown on screen, on the buttons and in the help.
  expect(await page.locator('.crowd-seg-tools kbd').allTextContents()).toEqual(['B', 'P', 'E', '[', ']', 'Z', 'Enter']);
  expect(await page.locator('.crowd-seg-labels button').allTextContents()).toEqual(['1Cat', '2Dog', '3Bird']);
  expect(await page.getAttribute('.crowd-seg-stage', 'role')).toBe('application');
  expect(await page.textContent('.crowd-seg-help')).toContain('Space paints');

  // Keyboard only: 2 (Dog), P (polygon); the cursor starts mid-image (200, 150) and an arrow moves it 4 px (1% of the
  // longer side), Shift+arrow 40 px. Points at (100, 70), (300, 70), (300, 230), (100, 230), then Enter.
  await page.focus('.crowd-seg-stage');
  await page.keyboard.press('2');
  await page.keyboard.press('p');
  expect(await page.getAttribute('.crowd-seg-tools button[data-tool=polygon]', 'aria-pressed')).toBe('true');
  await press(page, 'Shift+ArrowLeft', 2);
  await press(page, 'ArrowLeft', 5);
  await press(page, 'Shift+ArrowUp', 2);
  // (200 - 80 - 20, 150 - 80) = (100, 70)
  await page.keyboard.press(' ');
  await press(page, 'Shift+ArrowRight', 5);
  await page.keyboard.press(' ');
  await press(page, 'Shift+ArrowDown', 4);
  await page.keyboard.press(' ');
  await press(page, 'Shift+ArrowLeft', 5);
  await page.keyboard.press(' ');
  expect(await page.textContent('.crowd-seg-status')).toContain('4 points');
  await page.keyboard.press('Enter');
  expect(await page.textContent('.crowd-seg-status')).toContain('Filled a polygon with Dog');
  // The textual list of what is annotated: 200 x 160 pixels of 400 x 300.
  expect(await page.textContent('.crowd-seg-list')).toContain('Dog: 27% of the image (32000 pixels)');

  let result = (await answer(page)).seg;
  expect(Object.keys(result)).toEqual(['inputImageProperties', 'labelMappings', 'labeledImage']);
  expect(result.inputImageProperties).toEqual({ height: HEIGHT, width: WIDTH });
  expect(result.labelMappings).toEqual({
    Cat: { color: '#1f77b4' },
    Dog: { color: '#ff7f0e' },
    Bird: { color: '#2ca02c' },
  });
  expect(result.labeledImage.pngImageData).toMatch(/^iVBORw0KGgo[A-Za-z0-9+/]+=*$/);
  let png = await decode(page, result.labeledImage.pngImageData, [
    [100, 70],
    [299, 229],
    [99, 70],
    [100, 69],
    [300, 229],
    [299, 230],
  ]);
  expect(png.width).toBe(WIDTH);
  expect(png.height).toBe(HEIGHT);
  // Exactly the rectangle [100, 300) x [70, 230) is Dog; everything else is transparent.
  expect(png.counts).toEqual({ [DOG]: 32000, [NONE]: WIDTH * HEIGHT - 32000 });
  expect(png.at).toEqual([DOG, DOG, NONE, NONE, NONE, NONE]);

  // Mouse: 3 (Bird) by its button, B (brush), a stroke along y = 20 from x = 40 to 360.
  await page.click('.crowd-seg-labels button[data-label=Bird]');
  await page.click('.crowd-seg-tools button[data-tool=brush]');
  let from = await screen(page, 40, 20);
  let to = await screen(page, 360, 20);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
  // Then the eraser across the rectangle at y = 150.
  await page.keyboard.press('e');
  from = await screen(page, 60, 150);
  to = await screen(page, 340, 150);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
  result = (await answer(page)).seg;
  png = await decode(page, result.labeledImage.pngImageData, [
    [200, 20],
    [40, 20],
    [200, 45],
    [200, 150],
    [200, 100],
  ]);
  expect(png.at).toEqual([BIRD, BIRD, NONE, NONE, DOG]);
  expect(Object.keys(png.counts).sort()).toEqual([NONE, BIRD, DOG].sort());
  expect(await page.textContent('.crowd-seg-list')).toMatch(/Dog: .*Bird: /);

  // Z undoes the eraser stroke: the rectangle is whole again.
  await page.keyboard.press('z');
  result = (await answer(page)).seg;
  png = await decode(page, result.labeledImage.pngImageData, [[200, 150]]);
  expect(png.at).toEqual([DOG]);
  expect(png.counts[DOG]).toBe(32000);
}, 40_000);

test('instance: instances by touch and keyboard, each its own colour; labels settable as in AWS samples', async () => {
  if (!chromiumOrSkip()) return;
  // A template script that sets labels before the portal's scripts have run (they load last in the task frame).
  const page = await open(
    `<crowd-instance-segmentation name="seg" src="IMAGE" labels="['Truck']"></crowd-instance-segmentation>
    <script>document.querySelector('crowd-instance-segmentation').labels = ['Car'];</script>`,
    { hasTouch: true },
  );
  expect(await page.locator('.crowd-seg-labels button[data-label]').allTextContents()).toEqual(['1Car']);
  // AWS's custom-labels samples reset the labels, then set them.
  await page.evaluate(`(() => {
    const element = document.querySelector('crowd-instance-segmentation');
    element.labels = [];
    element.labels = ['Car', 'Person'];
  })()`);
  expect(
    await page.evaluate<string[]>(
      `[...document.querySelectorAll('.crowd-seg-labels .group')].map((g) => g.getAttribute('aria-label'))`,
    ),
  ).toEqual(['Car', 'Person']);
  // Touch: Polygon, then taps at (20, 20), (120, 20), (120, 80), (20, 80) and on the first point again.
  await page.tap('.crowd-seg-tools button[data-tool=polygon]');
  for (const [x, y] of [
    [20, 20],
    [120, 20],
    [120, 80],
    [20, 80],
    [20, 20],
  ] as const) {
    const point = await screen(page, x, y);
    await page.touchscreen.tap(point.x, point.y);
  }
  expect(await page.textContent('.crowd-seg-status')).toContain('Car #1');
  // A second car: N, then by keyboard from the last tap (20, 20) to (180, 140) (Shift+arrow: 40 px), and a square
  // (180, 140) - (220, 180).
  await page.focus('.crowd-seg-stage');
  await page.keyboard.press('n');
  for (const key of [
    ...Array<string>(4).fill('Shift+ArrowRight'),
    ...Array<string>(3).fill('Shift+ArrowDown'),
    ' ',
    'Shift+ArrowRight',
    ' ',
    'Shift+ArrowDown',
    ' ',
    'Shift+ArrowLeft',
    ' ',
    'Enter',
  ])
    await page.keyboard.press(key);
  expect(await page.textContent('.crowd-seg-status')).toContain('Car #2');
  // A person: 2, brush, one tap.
  await page.keyboard.press('2');
  await page.keyboard.press('b');
  const person = await screen(page, 300, 250);
  await page.touchscreen.tap(person.x, person.y);

  const result = (await answer(page)).seg;
  expect(Object.keys(result)).toEqual(['inputImageProperties', 'instances', 'labeledImage']);
  expect(result.inputImageProperties).toEqual({ height: HEIGHT, width: WIDTH });
  expect(result.instances).toEqual([
    { color: '#1f77b4', label: 'Car' },
    { color: '#ff7f0e', label: 'Car' },
    { color: '#2ca02c', label: 'Person' },
  ]);
  const png = await decode(page, result.labeledImage.pngImageData, [
    [70, 50],
    [200, 160],
    [300, 250],
    [10, 10],
    [150, 100],
  ]);
  expect(png.at).toEqual(['31,119,180,255', DOG, BIRD, NONE, NONE]);
  expect(Object.keys(png.counts).length).toBe(4);
  expect((await page.locator('.crowd-seg-list li').allTextContents()).map((text) => text.split(':')[0].trim())).toEqual(
    ['Car #1', 'Car #2', 'Person #1'],
  );
}, 40_000);

test('initial-value: an earlier job overlay comes back as the same labels; initialValueModified tells whether it changed', async () => {
  if (!chromiumOrSkip()) return;
  const page = await newPage({ viewport: PHONE });
  // The earlier job: a white background (GT's BACKGROUND) with a Dog rectangle in the mapped colour.
  const overlay = await page.evaluate<string>(`(() => {
    const canvas = document.createElement('canvas');
    canvas.width = ${WIDTH};
    canvas.height = ${HEIGHT};
    const context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, ${WIDTH}, ${HEIGHT});
    context.fillStyle = '#2ca02c';
    context.fillRect(50, 40, 100, 60);
    return canvas.toDataURL('image/png');
  })()`);
  const initial = `{ "labelMappings": { "Dog": { "color": "#2ca02c" }, }, src: '${overlay}' }`;
  const element = await open(`<crowd-semantic-segmentation name="seg" src="IMAGE" labels="['Cat', 'Dog']"
      initial-value="${initial.replace(/"/g, '&quot;')}"></crowd-semantic-segmentation>`);
  await element.waitForFunction('document.querySelector(".crowd-seg-list li[data-label=Dog]")', undefined, {
    timeout: 5000,
  });
  let result = (await answer(element)).seg;
  expect(result.initialValueModified).toBe(false);
  // The mapped colour stays Dog's; Cat takes the first colour not taken.
  expect(result.labelMappings).toEqual({ Dog: { color: '#2ca02c' }, Cat: { color: '#1f77b4' } });
  let png = await decode(element, result.labeledImage.pngImageData, [
    [50, 40],
    [149, 99],
    [150, 99],
  ]);
  expect(png.counts).toEqual({ [BIRD]: 6000, [NONE]: WIDTH * HEIGHT - 6000 });
  expect(png.at).toEqual([BIRD, BIRD, NONE]);
  // One keyboard stamp of Cat changes it.
  await element.focus('.crowd-seg-stage');
  await element.keyboard.press('1');
  await element.keyboard.press(' ');
  await element.keyboard.press(' ');
  result = (await answer(element)).seg;
  expect(result.initialValueModified).toBe(true);
  png = await decode(element, result.labeledImage.pngImageData, [[200, 150]]);
  expect(png.at).toEqual(['31,119,180,255']);
}, 40_000);
