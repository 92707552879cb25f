/**
 * The portal's image crowd elements (crowd-image.js) in headless Chromium: a worker draws with the mouse, a finger and
 * the keyboard on a 400x300 image shown smaller, and each element's answerContent is AWS's, in natural pixels.
 *
 * Rounding: AWS documents pixel coordinates and every example it gives is a whole number, without saying how a
 * fraction is rounded; the elements round each position to the nearest natural pixel (Math.round) when it is taken,
 * so a box's width is its rounded right edge minus its rounded left edge. With the image 300 CSS px wide, one CSS
 * pixel is 4/3 natural pixels: a press 10 px in is at 13.33 -> 13, 11 px in at 14.67 -> 15.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { renderTaskTemplate } from '../../common/task-template';
import { chromiumOrSkip } from './chromium';
import { answerContent, newPage, openTask, press, useChromium } from './crowd-page';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

/** A 400x300 image (natural size), as a data: URL the task frame's policy allows. */
const IMAGE = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="#cde"/>' +
    '<rect x="40" y="20" width="80" height="60" fill="#e96"/><circle cx="250" cy="170" r="60" fill="#6a6"/></svg>',
).toString('base64')}`;
const IMAGE_PROPERTIES = { height: 300, width: 400 };

useChromium();

/**
 * A task frame with the template body and every image element's image loaded. Unless `wide`, the body is 300 px
 * wide, so the 400 px image shows at 3/4 of its size. portal.css only when `portalStyle`.
 */
async function open(
  body: string,
  options: { context?: BrowserContextOptions; portalStyle?: boolean; wide?: boolean } = {},
): Promise<Page> {
  const page = await newPage(options.context ?? { viewport: { width: 800, height: 1000 } });
  await openTask(page, body, {
    head: `<style>body { margin: 0; ${options.wide ? '' : 'width: 300px;'} font: 16px/20px sans-serif; }</style>`,
    portalStyle: options.portalStyle ?? false,
    until: '[...document.querySelectorAll(".crowd-image-stage")].every((stage) => stage.hasAttribute("data-loaded"))',
  });
  return page;
}

/** A path's vertices as AWS answers them, [{x, y}, ...], from [x, y] pairs. */
const vertices = (...points: [number, number][]) => points.map(([x, y]) => ({ x, y }));

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where the drawing surface of `element` is on the page, in CSS pixels. */
async function surfaceOf(page: Page, element: string): Promise<Box> {
  const box = await page.locator(`${element} .crowd-image-stage svg`).boundingBox();
  if (!box) throw new Error(`no surface in ${element}`);
  return box;
}

async function answerError(page: Page): Promise<string> {
  return page.evaluate(
    '(() => { try { document.querySelector("crowd-form").answerContent(); return "no error"; } catch (error) { return error.message; } })()',
  );
}

/** A mouse drag from (x1, y1) to (x2, y2), in CSS pixels from the surface's top-left corner. */
async function drag(page: Page, surface: Box, x1: number, y1: number, x2: number, y2: number): Promise<void> {
  await page.mouse.move(surface.x + x1, surface.y + y1);
  await page.mouse.down();
  await page.mouse.move(surface.x + x2, surface.y + y2, { steps: 5 });
  await page.mouse.up();
}

async function click(page: Page, surface: Box, x: number, y: number): Promise<void> {
  await page.mouse.click(surface.x + x, surface.y + y);
}

async function listed(page: Page, element: string): Promise<string[]> {
  return page.locator(`${element} .crowd-image-shapes li button:first-child`).allTextContents();
}

const BOX_TEMPLATE = (attributes = '') => `<crowd-form>
  <crowd-bounding-box name="products" src="${IMAGE}" header="Draw a box around each product" labels="['Product', 'Price tag']" ${attributes}>
    <full-instructions header="Product boxes"><p>Box every product.</p></full-instructions>
    <short-instructions><p>Draw tight boxes.</p></short-instructions>
  </crowd-bounding-box>
</crowd-form>`;

test('crowd-bounding-box: a worker draws, selects, moves, resizes, relabels and deletes boxes with the mouse', async () => {
  if (!chromiumOrSkip()) return;
  const page = await open(BOX_TEMPLATE());
  const surface = await surfaceOf(page, 'crowd-bounding-box');
  expect(surface.width).toBe(300);
  expect(surface.height).toBe(225);
  // The image shows scaled, the regions and header are laid out, the surface is named and described.
  expect(await page.locator('crowd-bounding-box h2').textContent()).toBe('Draw a box around each product');
  expect(await page.locator('crowd-bounding-box .crowd-side short-instructions').textContent()).toContain('tight');
  const name = await page.locator('crowd-bounding-box svg').getAttribute('aria-label');
  expect(name).toBe('Draw a box around each product. Drawing area: boxes on the image');
  expect(await page.locator('crowd-bounding-box svg').getAttribute('role')).toBe('application');

  await drag(page, surface, 30, 15, 90, 60); // Product: (40, 20) to (120, 80)
  await page.click('crowd-bounding-box .crowd-image-labels button:has-text("Price tag")');
  await drag(page, surface, 150, 100, 211, 151); // Price tag: (200, 133.3) to (281.3, 201.3)
  await drag(page, surface, 10, 150, 40, 200); // a third box, then deleted with the Delete key
  await press(page, 'Delete');
  await drag(page, surface, 250, 10, 252, 11); // too small a drag to be a box: nothing drawn
  expect(await listed(page, 'crowd-bounding-box')).toEqual([
    'Box 1, Product: left 40, top 20, width 80, height 60',
    'Box 2, Price tag: left 200, top 133, width 81, height 68',
  ]);

  await click(page, surface, 60, 40); // selects box 1
  await drag(page, surface, 60, 40, 75, 52); // moves it by (20, 16)
  await drag(page, surface, 105, 72, 120, 81); // its bottom-right corner, (140, 96), to (160, 108)
  await click(page, surface, 180, 130); // selects box 2
  await press(page, '1'); // relabels it
  await click(page, surface, 290, 10); // on the image: nothing selected
  expect(await page.locator('crowd-bounding-box .crowd-image-shapes [aria-pressed="true"]').count()).toBe(0);
  // Relabelled from the list of boxes; the list's control keeps the focus.
  const relabel = 'crowd-bounding-box .crowd-image-shapes li:nth-child(1) select';
  await page.focus(relabel);
  await page.selectOption(relabel, 'Price tag');
  expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Label of box 1');

  const answer = (await answerContent(page)) as { products: Record<string, unknown> };
  expect(answer).toEqual({
    products: {
      boundingBoxes: [
        { height: 72, label: 'Price tag', left: 60, top: 36, width: 100 },
        { height: 68, label: 'Product', left: 200, top: 133, width: 81 },
      ],
      inputImageProperties: IMAGE_PROPERTIES,
    },
  });
  // No initial-value, so no initialValueModified (AWS adds it to adjustment tasks only).
  expect('initialValueModified' in answer.products).toBe(false);
}, 30_000);

test('crowd-bounding-box by keyboard only: label keys, a crosshair, Space at two corners, Tab, V and Delete', async () => {
  if (!chromiumOrSkip()) return;
  const page = await open(BOX_TEMPLATE());
  // The keys are on screen, and they describe the surface for screen readers.
  const describedBy = await page.locator('crowd-bounding-box svg').getAttribute('aria-describedby');
  expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain('Space at one corner');

  await press(page, 'Tab'); // the first focusable thing in the template is the drawing surface
  expect(await page.evaluate('document.activeElement.localName')).toBe('svg');
  await press(page, '2'); // Price tag
  // The crosshair starts at the centre, (200, 150); Shift moves 10 natural pixels (max(10, 400 / 40)).
  await press(page, 'Shift+ArrowLeft', 5);
  await press(page, 'Shift+ArrowUp', 3);
  await press(page, 'ArrowLeft', 3);
  await press(page, 'Space'); // first corner (147, 120)
  await press(page, 'Shift+ArrowRight', 6);
  await press(page, 'Shift+ArrowDown', 4);
  await press(page, 'ArrowDown');
  await press(page, 'Space'); // opposite corner (207, 161)
  await press(page, 'Escape'); // deselects the new box
  await press(page, 'ArrowRight', 3);
  await press(page, 'ArrowDown', 2);
  await press(page, 'Space'); // (210, 163)
  await press(page, 'ArrowLeft', 4);
  await press(page, 'ArrowUp', 2);
  await press(page, 'Space'); // a second box, to (206, 161)
  await press(page, 'Escape');
  expect(await listed(page, 'crowd-bounding-box')).toEqual([
    'Box 1, Price tag: left 147, top 120, width 60, height 41',
    'Box 2, Price tag: left 206, top 161, width 4, height 2',
  ]);
  expect(await page.locator('crowd-bounding-box [role="status"]').textContent()).toBe('Nothing selected');

  await press(page, 'Tab'); // selects box 1
  await press(page, 'ArrowRight', 2); // nudges it to left 149
  await press(page, 'v', 2); // its top-right corner
  await press(page, 'Shift+ArrowUp'); // top 110, height 51
  await press(page, 'Escape'); // back to the whole box
  await press(page, 'Tab'); // box 2
  await press(page, 'Delete');
  await press(page, 'Tab'); // box 1 again
  await press(page, '1'); // relabelled Product
  expect(await answerContent(page)).toEqual({
    products: {
      boundingBoxes: [{ height: 51, label: 'Product', left: 149, top: 110, width: 60 }],
      inputImageProperties: IMAGE_PROPERTIES,
    },
  });
  // Tab past the last box leaves the surface: no keyboard trap.
  await press(page, 'Tab');
  expect(await page.evaluate('document.activeElement.closest(".crowd-image-labels") !== null')).toBe(true);
}, 30_000);

test('crowd-bounding-box: initial-value (Liquid-built JS literal) round-trips; value, _submittableValue and labels as templates use them', async () => {
  if (!chromiumOrSkip()) return;
  // As the AWS docs build it from a prior job's manifest: bare keys, to_json labels, trailing commas.
  const initial = `[
      { label: &quot;Product&quot;, left: 12, top: 34, width: 56, height: 78, },
      { label: &quot;Shelf&quot;, left: 1, top: 2, width: 3, height: 4, },
      { label: &quot;Price tag&quot;, left: 300.4, top: 200.6, width: 50, height: 20, },
    ]`;
  const page = await open(BOX_TEMPLATE(`initial-value="${initial}"`));
  // The box labelled with a label that is not in labels is not loaded; 300.4 and 200.6 answer as 300 and 201.
  const unchanged = {
    boundingBoxes: [
      { height: 78, label: 'Product', left: 12, top: 34, width: 56 },
      { height: 20, label: 'Price tag', left: 300, top: 201, width: 50 },
    ],
    inputImageProperties: IMAGE_PROPERTIES,
    initialValueModified: false,
  };
  expect(await answerContent(page)).toEqual({ products: unchanged });
  // What templates read in onsubmit (GT bounding-box-hierarchical): a copy they may change freely.
  expect(
    await page.evaluate(`(() => {
      const annotator = document.querySelector('crowd-bounding-box');
      const boxes = (annotator._submittableValue || annotator.value).boundingBoxes;
      boxes.forEach((box) => { box.id = 'x'; box.label = 'changed'; });
      return [annotator.value, annotator._submittableValue];
    })()`),
  ).toEqual([unchanged, unchanged]);

  // The custom-labels samples: labels reset to [] and then added to.
  expect(
    await page.evaluate(`(() => {
      const annotator = document.querySelector('crowd-bounding-box');
      annotator.labels = [];
      annotator.labels = annotator.labels.concat(['Shelf']);
      annotator.labels = annotator.labels.concat(['Product']);
      return annotator.labels;
    })()`),
  ).toEqual(['Shelf', 'Product']);
  expect(await page.locator('crowd-bounding-box .crowd-image-labels button').allTextContents()).toEqual([
    '1Shelf',
    '2Product',
  ]);

  // Moving a box and moving it back: the answer is the initial one again.
  await page.locator('crowd-bounding-box svg').focus();
  await press(page, 'Tab');
  await press(page, 'ArrowDown');
  expect(await answerContent(page)).toEqual({
    products: {
      ...unchanged,
      boundingBoxes: [{ ...unchanged.boundingBoxes[0], top: 35 }, unchanged.boundingBoxes[1]],
      initialValueModified: true,
    },
  });
  await press(page, 'ArrowUp');
  expect(await answerContent(page)).toEqual({ products: unchanged });
  // A new box drawn with the first label, now Shelf.
  const surface = await surfaceOf(page, 'crowd-bounding-box');
  await drag(page, surface, 150, 30, 180, 60);
  expect(await answerContent(page)).toEqual({
    products: {
      ...unchanged,
      boundingBoxes: [...unchanged.boundingBoxes, { height: 40, label: 'Shelf', left: 200, top: 40, width: 40 }],
      initialValueModified: true,
    },
  });
}, 30_000);

test('crowd-bounding-box at phone width (375 px, touch): the image fits, the answer stays in natural pixels', async () => {
  if (!chromiumOrSkip()) return;
  // As in the task frame: portal.css, and the frame's body class.
  const page = await open(BOX_TEMPLATE(), {
    context: { viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 },
    portalStyle: true,
    wide: true,
  });
  const surface = await surfaceOf(page, 'crowd-bounding-box');
  // portal.css pads the frame's body by 1rem each side: 343 px of the 375 for the image, nothing wider than the page.
  expect(surface.width).toBe(343);
  expect(surface.height).toBeCloseTo(257.25, 1);
  expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);

  // A finger drags from (50, 30) to (250, 150) CSS px: x 400/343 and y 300/257.25 natural pixels each.
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x?: number, y?: number) =>
    cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: x === undefined || y === undefined ? [] : [{ x: surface.x + x, y: surface.y + y }],
    });
  await touch('touchStart', 50, 30);
  for (let step = 1; step <= 5; step++) await touch('touchMove', 50 + step * 40, 30 + step * 24);
  await touch('touchEnd');
  await page.touchscreen.tap(surface.x + 300, surface.y + 200); // on the image: deselects
  await page.touchscreen.tap(surface.x + 100, surface.y + 100); // on the box: selects it
  expect(await page.locator('crowd-bounding-box .crowd-image-shapes [aria-pressed="true"]').count()).toBe(1);
  expect(await answerContent(page)).toEqual({
    products: {
      // 50 -> 58.3, 250 -> 291.5, 30 -> 34.99, 150 -> 174.9
      boundingBoxes: [{ height: 140, label: 'Product', left: 58, top: 35, width: 234 }],
      inputImageProperties: IMAGE_PROPERTIES,
    },
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'crowd-bounding-box-phone.png') });
}, 30_000);

test('crowd-keypoint: place, move and delete labelled points; initial points with unknown labels are not loaded', async () => {
  if (!chromiumOrSkip()) return;
  const page = await open(`<crowd-form>
    <crowd-keypoint name="face" src="${IMAGE}" header="Mark the features" labels="['Nose', 'Left eye']"
      initial-value="[{'label': 'Nose', 'x': 200, 'y': 160}, {'label': 'Tail', 'x': 1, 'y': 1}]">
      <short-instructions>Mark each feature once.</short-instructions>
    </crowd-keypoint>
    <script>document.querySelector('crowd-keypoint').labels = ['Nose', 'Left eye', 'Right eye'];</script>
  </crowd-form>`);
  // labels set by the template's script before the element was defined still count.
  expect(await page.evaluate('document.querySelector("crowd-keypoint").labels')).toEqual([
    'Nose',
    'Left eye',
    'Right eye',
  ]);
  expect(await listed(page, 'crowd-keypoint')).toEqual(['Point 1, Nose: x 200, y 160']); // no Tail
  const surface = await surfaceOf(page, 'crowd-keypoint');
  await page.click('crowd-keypoint .crowd-image-labels button:has-text("Left eye")');
  await click(page, surface, 60, 45); // (80, 60)
  await page.click('crowd-keypoint .crowd-image-labels button:has-text("Right eye")');
  await click(page, surface, 241, 46); // (321.3, 61.3) -> (321, 61)
  await drag(page, surface, 241, 46, 251, 55); // moved by (335 - 321, 73 - 61)
  await drag(page, surface, 150, 120, 150, 135); // the nose, (200, 160), to (200, 180)
  await click(page, surface, 20, 200); // a third point...
  await page.click('crowd-keypoint .crowd-image-shapes li:nth-child(4) button:has-text("Delete")'); // ...deleted
  expect(await listed(page, 'crowd-keypoint')).toEqual([
    'Point 1, Nose: x 200, y 180',
    'Point 2, Left eye: x 80, y 60',
    'Point 3, Right eye: x 335, y 73',
  ]);
  // As the AWS docs' validation example reads it.
  expect(
    await page.evaluate(
      '(document.querySelector("crowd-keypoint").value.keypoints || document.querySelector("crowd-keypoint")._submittableValue.keypoints).map((p) => p.label)',
    ),
  ).toEqual(['Nose', 'Left eye', 'Right eye']);
  expect(await answerContent(page)).toEqual({
    face: {
      inputImageProperties: IMAGE_PROPERTIES,
      keypoints: [
        { label: 'Nose', x: 200, y: 180 },
        { label: 'Left eye', x: 80, y: 60 },
        { label: 'Right eye', x: 335, y: 73 },
      ],
    },
  });
}, 30_000);

test('crowd-polygon: vertices by mouse, closed on the first one, reshaped; one more by keyboard; initial polygons kept', async () => {
  if (!chromiumOrSkip()) return;
  // The docs' form: single-quoted attribute, JSON inside.
  const page = await open(`<crowd-form>
    <crowd-polygon name="annotatedResult" src="${IMAGE}" header="Outline the animals" labels="['dog', 'cat']"
      initial-value='[{"label": "dog", "vertices": [{"x": 10, "y": 10}, {"x": 50, "y": 10}, {"x": 30, "y": 40}]}]'>
      <full-instructions header="Polygon instructions">Tight polygons.</full-instructions>
      <short-instructions>Outline each animal. Taken on <input type="date" name="photoDate" value="2024-05-01"></short-instructions>
    </crowd-polygon>
  </crowd-form>`);
  const surface = await surfaceOf(page, 'crowd-polygon');
  await page.click('crowd-polygon .crowd-image-labels button:has-text("cat")');
  await click(page, surface, 150, 30);
  await click(page, surface, 225, 30);
  await click(page, surface, 225, 105);
  await click(page, surface, 150, 105);
  expect(await answerError(page)).toBe(
    'Finish the polygon you are drawing in "Outline the animals", or cancel it with Escape',
  );
  await click(page, surface, 152, 32); // near the first vertex: closes the polygon
  await click(page, surface, 290, 200); // on the image, starts a polygon...
  await press(page, 'Escape'); // ...cancelled
  await click(page, surface, 187, 30); // on the cat polygon's top edge: selects it
  await drag(page, surface, 225, 105, 240, 120); // its third vertex to (320, 160)

  await press(page, 'Escape', 2); // the vertex, then the polygon, no longer selected
  await press(page, '1'); // dog
  await press(page, 'Space'); // the crosshair starts at the centre, (200, 150)
  await press(page, 'Shift+ArrowRight', 5);
  await press(page, 'Space'); // (250, 150)
  await press(page, 'Shift+ArrowDown', 5);
  await press(page, 'Space'); // (250, 200)
  await press(page, 'ArrowLeft', 7);
  await press(page, 'Space'); // (243, 200), then removed
  await press(page, 'Backspace');
  await press(page, 'Enter'); // closes the polygon
  expect(await answerContent(page)).toEqual({
    // A field in the element's instructions is answered too (GT's ocr sample has one in crowd-polygon's).
    photoDate: '2024-05-01',
    annotatedResult: {
      inputImageProperties: IMAGE_PROPERTIES,
      polygons: [
        { label: 'dog', vertices: vertices([10, 10], [50, 10], [30, 40]) },
        { label: 'cat', vertices: vertices([200, 40], [300, 40], [320, 160], [200, 140]) },
        { label: 'dog', vertices: vertices([200, 150], [250, 150], [250, 200]) },
      ],
    },
  });
}, 30_000);

test('crowd-line: initial-value with // comments round-trips; a line is two clicks; initialValueModified', async () => {
  if (!chromiumOrSkip()) return;
  // The docs' initial-value: an object with a lines key, bare keys, single quotes and // comments.
  const initial = `{
    lines: [
    {
        label: 'sideline', // label of this line annotation
        vertices:[         // an array of vertices which decide the position of the line
        { x: 84, y: 110 },
        { x: 60, y: 100 }
        ]
    },
   ]
}`;
  const page = await open(`<crowd-form>
    <crowd-line name="crowdLine" src="${IMAGE}" header="Draw the lines" labels="['sideline', 'yardline']"
      label-colors="['#d62728', '#0000FF']" initial-value="${initial}">
      <short-instructions>Each line from end to end.</short-instructions>
      <full-instructions>Place the two ends on the line's ends.</full-instructions>
    </crowd-line>
  </crowd-form>`);
  const sideline = { label: 'sideline', vertices: vertices([84, 110], [60, 100]) };
  expect(await answerContent(page)).toEqual({
    crowdLine: { inputImageProperties: IMAGE_PROPERTIES, lines: [sideline], initialValueModified: false },
  });
  // label-colors colour the labels.
  expect(
    await page.evaluate(
      '[...document.querySelectorAll("crowd-line .crowd-image-swatch")].map((swatch) => swatch.style.backgroundColor)',
    ),
  ).toEqual(['rgb(214, 39, 40)', 'rgb(0, 0, 255)']);
  const surface = await surfaceOf(page, 'crowd-line');
  await page.click('crowd-line .crowd-image-labels button:has-text("yardline")');
  await click(page, surface, 30, 30);
  await click(page, surface, 120, 91); // (160, 121.3)
  expect(await answerContent(page)).toEqual({
    crowdLine: {
      inputImageProperties: IMAGE_PROPERTIES,
      lines: [sideline, { label: 'yardline', vertices: vertices([40, 40], [160, 121]) }],
      initialValueModified: true,
    },
  });
}, 30_000);

test('crowd-polyline: points by mouse, finished with Enter or the Finish button; an unfinished one blocks the answer', async () => {
  if (!chromiumOrSkip()) return;
  const page = await open(`<crowd-form>
    <crowd-polyline name="crowdPolyline" src="${IMAGE}" header="Trace the edges" labels="['sideline', 'yardline', 'car']"
      initial-value="{ polylines: [ { label: 'car', vertices: [ { x: 1, y: 2 }, { x: 3, y: 4 } ] } ] }">
      <short-instructions>Press Enter after the last point.</short-instructions>
      <full-instructions>Trace tightly.</full-instructions>
    </crowd-polyline>
  </crowd-form>`);
  const surface = await surfaceOf(page, 'crowd-polyline');
  await click(page, surface, 30, 30);
  await click(page, surface, 60, 90);
  await click(page, surface, 120, 60);
  await press(page, 'Enter'); // sideline: (40, 40), (80, 120), (160, 80)
  await page.click('crowd-polyline .crowd-image-labels button:has-text("yardline")');
  await click(page, surface, 150, 150);
  expect(await answerError(page)).toBe(
    'Finish the polyline you are drawing in "Trace the edges", or cancel it with Escape',
  );
  expect(await page.locator('crowd-polyline button:has-text("Finish the polyline")').isDisabled()).toBe(true);
  await click(page, surface, 200, 151);
  await page.click('crowd-polyline button:has-text("Finish the polyline")'); // (200, 200), (266.7, 201.3)
  expect(await answerContent(page)).toEqual({
    crowdPolyline: {
      inputImageProperties: IMAGE_PROPERTIES,
      polylines: [
        { label: 'car', vertices: vertices([1, 2], [3, 4]) },
        { label: 'sideline', vertices: vertices([40, 40], [80, 120], [160, 80]) },
        { label: 'yardline', vertices: vertices([200, 200], [267, 201]) },
      ],
      initialValueModified: true,
    },
  });
}, 30_000);

test('crowd-image-classifier and its multi-select: a category, a worker comment, the exclusion category', async () => {
  if (!chromiumOrSkip()) return;
  const page = await open(`<crowd-form>
    <crowd-image-classifier name="pet" src="${IMAGE}" header="Which animal is this?" categories="['Cat', 'Dog', 'Bird']"
      overlay="{ boundingBox: { labels: ['bird'], value: [{ height: 60, label: 'bird', left: 40, top: 20, width: 80 }] } }">
      <short-instructions>Choose one.</short-instructions>
      <full-instructions header="Classification Instructions">Use the closest animal.</full-instructions>
      <worker-comment header="Why?" link-text="Explain your choice" placeholder="Say why">Tell us what you saw.</worker-comment>
    </crowd-image-classifier>
    <crowd-image-classifier-multi-select name="animals" src="${IMAGE}" header="Which animals are there?"
      categories="['Cat', 'Dog', 'Horse']" exclusion-category="{ text: 'None of the above' }">
      <short-instructions>Choose all that apply.</short-instructions>
    </crowd-image-classifier-multi-select>
  </crowd-form>`);
  expect((await surfaceOf(page, 'crowd-image-classifier')).width).toBe(300);
  expect(await page.getAttribute('crowd-image-classifier img', 'alt')).toBe('Which animal is this?');
  expect(await page.locator('crowd-image-classifier svg rect').count()).toBe(1); // the overlay's box
  expect(await answerError(page)).toBe('Choose a category for "Which animal is this?"');

  await page.click('crowd-image-classifier .crowd-category:has-text("Dog")');
  await page.click('crowd-image-classifier summary:has-text("Explain your choice")');
  expect(await page.getAttribute('crowd-image-classifier textarea', 'placeholder')).toBe('Say why');
  await page.fill('crowd-image-classifier textarea', 'Looks like a puppy');
  expect(await answerError(page)).toBe('Choose at least one category for "Which animals are there?"');

  const multi = 'crowd-image-classifier-multi-select';
  await page.click(`${multi} .crowd-category:has-text("Cat")`);
  await page.click(`${multi} .crowd-category:has-text("Horse")`);
  expect(await answerContent(page)).toEqual({
    pet: { label: 'Dog', workerComment: 'Looks like a puppy' },
    animals: { labels: ['Cat', 'Horse'] },
  });
  await page.click(`${multi} .crowd-category:has-text("None of the above")`); // clears the others
  expect(await answerContent(page)).toEqual({
    pet: { label: 'Dog', workerComment: 'Looks like a puppy' },
    animals: { labels: ['None of the above'] },
  });
  await page.click(`${multi} .crowd-category:has-text("Dog")`); // clears None of the above
  await page.fill('crowd-image-classifier textarea', '  ');
  expect(await answerContent(page)).toEqual({ pet: { label: 'Dog' }, animals: { labels: ['Dog'] } });
  // categories can be set, as on crowd-classifier.
  await page.evaluate('document.querySelector("crowd-image-classifier").categories = ["Fox", "Dog"]');
  expect(await page.locator('crowd-image-classifier .crowd-category').allTextContents()).toEqual(['Fox', 'Dog']);
  expect(await answerContent(page)).toEqual({ pet: { label: 'Dog' }, animals: { labels: ['Dog'] } });
}, 30_000);

test('templates/bounding-box.liquid.html: rendered with its sample input, it answers as its header comment says', async () => {
  if (!chromiumOrSkip()) return;
  const templates = path.join(__dirname, '..', '..', 'templates');
  const input: unknown = JSON.parse(fs.readFileSync(path.join(templates, 'bounding-box.sample.json'), 'utf8'));
  const granted: string[] = [];
  const rendered = await renderTaskTemplate(
    fs.readFileSync(path.join(templates, 'bounding-box.liquid.html'), 'utf8'),
    input,
    {
      grantReadAccess: (bucket, key) => {
        granted.push(`${bucket}/${key}`);
        return IMAGE;
      },
    },
  );
  expect(granted).toEqual(['example-shelf-photos/aisle-7/shelf-3.jpg']);
  // The portal serves its own elements in place of AWS's loader (as lambda/portal/pages.ts does).
  const page = await open(rendered.replace(/<script[^>]*assets\.crowd\.aws[^>]*><\/script>/, ''));
  expect(await page.locator('crowd-bounding-box .crowd-image-labels button').allTextContents()).toEqual([
    '1Product',
    '2Price tag',
  ]);
  expect(await answerContent(page)).toEqual({
    products: { boundingBoxes: [], inputImageProperties: IMAGE_PROPERTIES },
  });
  const surface = await surfaceOf(page, 'crowd-bounding-box');
  await drag(page, surface, 30, 15, 90, 60);
  expect(await answerContent(page)).toEqual({
    products: {
      boundingBoxes: [{ height: 60, label: 'Product', left: 40, top: 20, width: 80 }],
      inputImageProperties: IMAGE_PROPERTIES,
    },
  });
}, 30_000);
