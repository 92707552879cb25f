/*
 * The portal's crowd HTML elements for painting image segments (see crowd-core.js), with AWS's answerContent:
 *   crowd-semantic-segmentation  {name: {inputImageProperties: {height, width},
 *                                        labelMappings: {<label>: {color: '#rrggbb'}, ...},
 *                                        labeledImage: {pngImageData: '<base64 PNG>'}}}
 *   crowd-instance-segmentation  {name: {inputImageProperties: {height, width},
 *                                        instances: [{color: '#rrggbb', label}, ...],
 *                                        labeledImage: {pngImageData: '<base64 PNG>'}}}
 * plus initialValueModified (boolean) when the element was given an initial-value.
 *
 * The PNG has the image's natural size (inputImageProperties); a labeled pixel is its label's (semantic) or its
 * instance's (instance) colour, opaque, exactly; every other pixel is transparent black. pngImageData is the PNG's
 * base64, without a data: prefix. labelMappings lists every label offered (and any label an initial-value mapped);
 * instances lists, in the order they were made, the instances that have pixels. Colours are d3's category10 (what
 * AWS's docs show), label by label for semantic segmentation, instance by instance for instance segmentation.
 *
 * Tools on a canvas over the image, for mouse, pen and touch (pointer events) and the keyboard: a brush, a polygon
 * (filled when closed) and an eraser; keys B, P, E, [ and ] for the brush size, Z to undo, 1-9 for labels, N for a
 * new instance; arrows move a cursor, Space paints or adds a point, Enter closes a polygon, Escape cancels it.
 */
(() => {
  'use strict';

  const { el, addStyle, CATEGORY10, nextId, layoutKeeping, CrowdElement, defineAnswering } = window.crowdKit;

  /** The kit's category10 (the colours AWS's docs show), then its lighter category20 partners. */
  const PALETTE = [
    ...CATEGORY10,
    '#aec7e8',
    '#ffbb78',
    '#98df8a',
    '#ff9896',
    '#c5b0d5',
    '#c49c94',
    '#f7b6d2',
    '#c7c7c7',
    '#dbdb8d',
    '#9edae5',
  ];
  const hex = (n) => n.toString(16).padStart(2, '0');
  /** The palette's colour at an index; past its end, colours spread around the hue circle. */
  const paletteColor = (index) => {
    if (index < PALETTE.length) return PALETTE[index];
    const hue = ((index * 137.508) % 360) / 60;
    const x = 1 - Math.abs((hue % 2) - 1);
    const [r, g, b] = [
      [1, x, 0],
      [x, 1, 0],
      [0, 1, x],
      [0, x, 1],
      [x, 0, 1],
      [1, 0, x],
    ][Math.floor(hue) % 6];
    const level = (v) => hex(Math.round(40 + v * 180));
    return `#${level(r)}${level(g)}${level(b)}`;
  };
  const rgbOf = (color) => {
    const value = /^#?([0-9a-f]{6})$/i.exec(String(color).trim());
    if (!value) return undefined;
    const n = parseInt(value[1], 16);
    return [n >> 16, (n >> 8) & 255, n & 255];
  };
  const normalColor = (color) => {
    const rgb = rgbOf(color);
    return rgb ? `#${rgb.map(hex).join('')}` : undefined;
  };

  const STYLE = `
crowd-semantic-segmentation, crowd-instance-segmentation { display: block; }
.crowd-seg-bar { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; margin: 0.4rem 0; }
.crowd-seg-bar button { margin: 0; background: #fff; color: #16191f; border: 2px solid #aab7b8; border-radius: 4px;
  padding: 0.3rem 0.6rem; font-size: 0.95rem; min-height: 2.4rem; display: inline-flex; gap: 0.35rem;
  align-items: center; }
.crowd-seg-bar button[aria-pressed='true'] { border-color: #0073bb; background: #e6f2ff; }
.crowd-seg-bar kbd { font: inherit; font-size: 0.8em; border: 1px solid currentColor; border-radius: 3px;
  padding: 0 0.3em; }
.crowd-seg-labels .group { display: flex; flex-wrap: wrap; gap: 0.3rem; align-items: center; }
.crowd-seg-swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; background: var(--color);
  border: 1px solid #0004; }
.crowd-seg-stage { position: relative; width: fit-content; max-width: 100%; margin: 0.4rem 0; touch-action: none;
  user-select: none; -webkit-user-select: none; cursor: crosshair; outline-offset: 3px; }
.crowd-seg-stage:focus { outline: 3px solid #0073bb; }
.crowd-seg-stage img { display: block; max-width: 100%; height: auto; -webkit-user-drag: none; }
.crowd-seg-stage canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.crowd-seg-stage canvas.mask { opacity: 0.55; image-rendering: pixelated; }
.crowd-seg-help { font-size: 0.85rem; color: #545b64; margin: 0.3rem 0; }
.crowd-seg-status { min-height: 1.3em; margin: 0.3rem 0; }
.crowd-seg-status.error { color: #d13212; }
.crowd-seg-list { padding-left: 1.2rem; }
.crowd-seg-list li { margin: 0.25rem 0; }
`;

  const button = (text, key, title) => {
    const node = el('button', { type: 'button', title }, [
      ...(key ? [el('kbd', { textContent: key })] : []),
      el('span', { textContent: text }),
    ]);
    if (key) node.setAttribute('aria-keyshortcuts', key === 'Z' ? 'Z Control+Z' : key);
    return node;
  };

  const percent = (count, total) => {
    const value = (100 * count) / total;
    return `${value >= 10 || value === 0 ? value.toFixed(0) : value.toFixed(1)}% of the image`;
  };

  /**
   * What both elements share: the image, the label map (one byte a pixel: 0 nothing, k the k-th class), the tools and
   * the answer's PNG. A class is a label (semantic) or an instance of one (instance segmentation).
   */
  class Segmentation extends CrowdElement {
    build() {
      addStyle('crowd-segmentation-style', STYLE);
      this.classes = [];
      this.tool = 'brush';
      this.brush = 16;
      this.points = [];
      this.undoStack = [];
      this.cursor = null;
      this.penDown = false;
      this.modified = false;
      this.version = 0;
      this.initial = this.attributeValue('initial-value');
      this.offered = this.toLabelList(this.takeEarlyLabels() ?? this.attributeValue('labels'));
      this.setUpClasses();

      const id = nextId('crowd-seg');
      this.tools = el('div', { className: 'crowd-seg-bar crowd-seg-tools', role: 'toolbar' });
      this.tools.setAttribute('aria-label', 'Tools');
      this.toolButtons = {
        brush: button('Brush', 'B', 'Paint with the brush'),
        polygon: button('Polygon', 'P', 'Click points around a shape; click the first point or press Enter to fill it'),
        eraser: button('Eraser', 'E', 'Erase labels'),
      };
      for (const [tool, node] of Object.entries(this.toolButtons)) node.dataset.tool = tool;
      const smaller = button('Smaller', '[', 'Smaller brush');
      smaller.dataset.action = 'smaller';
      const larger = button('Larger', ']', 'Larger brush');
      larger.dataset.action = 'larger';
      const undo = button('Undo', 'Z', 'Undo the last change');
      undo.dataset.action = 'undo';
      this.finish = button('Close shape', 'Enter', 'Fill the polygon drawn so far');
      this.finish.dataset.action = 'close';
      this.finish.hidden = true;
      this.sizeText = el('span', { className: 'crowd-seg-size' });
      this.tools.append(...Object.values(this.toolButtons), smaller, this.sizeText, larger, undo, this.finish);

      this.labelBar = el('div', { className: 'crowd-seg-bar crowd-seg-labels', role: 'toolbar' });
      this.labelBar.setAttribute('aria-label', 'Labels');

      this.image = el('img', { alt: this.getAttribute('header') || 'Image to segment', draggable: false });
      this.maskCanvas = el('canvas', { className: 'mask' });
      this.uiCanvas = el('canvas', { className: 'ui' });
      for (const canvas of [this.maskCanvas, this.uiCanvas]) canvas.setAttribute('aria-hidden', 'true');
      this.stage = el('div', { className: 'crowd-seg-stage', tabIndex: 0 }, [
        this.image,
        this.maskCanvas,
        this.uiCanvas,
      ]);
      this.stage.setAttribute('role', 'application');
      this.stage.setAttribute(
        'aria-label',
        `Image to segment${this.getAttribute('header') ? `: ${this.getAttribute('header')}` : ''}`,
      );
      this.stage.setAttribute('aria-describedby', `${id}-help`);
      const help = el('p', {
        className: 'crowd-seg-help',
        id: `${id}-help`,
        textContent:
          'Keys: B brush, P polygon, E eraser, [ and ] brush size, Z undo, 1-9 label' +
          (this.instanceMode ? ', N new instance of the label' : '') +
          '. On the image: arrow keys move the cursor (Shift: faster, Alt: by one pixel), Space paints (brush and ' +
          'eraser: Space again lifts the pen) or adds a polygon point, Enter fills the polygon, Backspace removes ' +
          'its last point, Escape cancels it.',
      });
      this.status = el('p', { className: 'crowd-seg-status', role: 'status' });
      this.list = el('ul', { className: 'crowd-seg-list' });
      this.list.setAttribute('aria-label', 'Annotated');
      const control = el('div', { className: 'crowd-seg' }, [
        this.tools,
        this.labelBar,
        this.stage,
        help,
        this.status,
        el('h3', { textContent: 'Annotated' }),
        this.list,
      ]);
      layoutKeeping(this, control);
      this.wire(control);
      this.renderTools();
      this.renderLabels();
      this.renderList();
      this.load();
    }

    toLabelList(list) {
      const labels = (Array.isArray(list) ? list : []).map((item) =>
        item && typeof item === 'object' ? String(item.label ?? '') : String(item),
      );
      return [...new Set(labels.filter((label) => label !== ''))];
    }

    unusedColor(preferred) {
      const used = new Set(this.classes.map((item) => item.color));
      if (preferred !== undefined && !used.has(paletteColor(preferred))) return paletteColor(preferred);
      for (let index = 0; ; index++) if (!used.has(paletteColor(index))) return paletteColor(index);
    }

    /** Labels a script set before the element was built (an own property then, or kept by the setter). */
    takeEarlyLabels() {
      const own = Object.getOwnPropertyDescriptor(this, 'labels');
      if (own) delete this.labels;
      return own ? own.value : this.earlyLabels;
    }

    get labels() {
      return [...(this.offered ?? this.earlyLabels ?? [])];
    }

    set labels(list) {
      if (!this.labelBar) {
        this.earlyLabels = list;
        return;
      }
      this.offered = this.toLabelList(list);
      this.labelsChanged();
      this.renderLabels();
      this.renderList();
    }

    // --- the image ---

    load() {
      const src = this.getAttribute('src');
      if (!src) {
        this.say('This task has no image (src).', true);
        return;
      }
      this.image.addEventListener('error', () => this.say('The image could not be loaded.', true), { once: true });
      this.image.addEventListener('load', () => this.imageLoaded(), { once: true });
      this.image.src = src;
    }

    imageLoaded() {
      const width = this.image.naturalWidth;
      const height = this.image.naturalHeight;
      this.size = { width, height };
      this.mask = new Uint8Array(width * height);
      this.pixels = new ImageData(width, height);
      for (const canvas of [this.maskCanvas, this.uiCanvas]) {
        canvas.width = width;
        canvas.height = height;
      }
      this.maskContext = this.maskCanvas.getContext('2d');
      this.uiContext = this.uiCanvas.getContext('2d');
      this.cursor = { x: width / 2, y: height / 2 };
      this.say('');
      this.loadInitialImage();
      this.dispatchEvent(new Event('crowd-image-loaded'));
    }

    /** The overlay of an earlier job (initial-value.src): its pixels in a class's colour become that class's. */
    loadInitialImage() {
      const src = this.initial && typeof this.initial === 'object' ? this.initial.src : undefined;
      if (typeof src !== 'string' || src === '') return;
      const overlay = new Image();
      overlay.crossOrigin = 'anonymous';
      overlay.onerror = () => this.say('The earlier labels (initial-value) could not be loaded.', true);
      overlay.onload = () => {
        const { width, height } = this.size;
        const canvas = el('canvas', { width, height });
        const context = canvas.getContext('2d', { willReadFrequently: true });
        context.imageSmoothingEnabled = false;
        context.drawImage(overlay, 0, 0, width, height);
        let data;
        try {
          data = context.getImageData(0, 0, width, height).data;
        } catch {
          this.say('The earlier labels (initial-value) could not be read: their server does not allow it.', true);
          return;
        }
        const byColor = new Map(this.classes.map((item, index) => [item.color, index + 1]));
        for (let p = 0; p < width * height; p++) {
          if (data[p * 4 + 3] < 128) continue;
          const color = `#${hex(data[p * 4])}${hex(data[p * 4 + 1])}${hex(data[p * 4 + 2])}`;
          const value = byColor.get(color);
          if (value !== undefined) this.setPixel(p, value);
        }
        this.flush(0, 0, width, height);
        this.version += 1;
        this.renderList();
        this.dispatchEvent(new Event('crowd-initial-value-loaded'));
      };
      overlay.src = src;
    }

    say(message, error = false) {
      this.status.textContent = message;
      this.status.className = error ? 'crowd-seg-status error' : 'crowd-seg-status';
    }

    // --- the label map ---

    setPixel(p, value) {
      this.mask[p] = value;
      const o = p * 4;
      if (value === 0) {
        this.pixels.data[o] = this.pixels.data[o + 1] = this.pixels.data[o + 2] = this.pixels.data[o + 3] = 0;
        return;
      }
      const [r, g, b] = this.classes[value - 1].rgb;
      this.pixels.data[o] = r;
      this.pixels.data[o + 1] = g;
      this.pixels.data[o + 2] = b;
      this.pixels.data[o + 3] = 255;
    }

    /** Shows a changed rectangle of the label map. */
    flush(x, y, w, h) {
      const x0 = Math.max(0, Math.floor(x));
      const y0 = Math.max(0, Math.floor(y));
      const x1 = Math.min(this.size.width, Math.ceil(x + w));
      const y1 = Math.min(this.size.height, Math.ceil(y + h));
      if (x1 > x0 && y1 > y0) this.maskContext.putImageData(this.pixels, 0, 0, x0, y0, x1 - x0, y1 - y0);
    }

    /** Before a change: remember the label map, to keep the changed part of it for Undo. */
    beginChange() {
      this.before = this.mask.slice();
      this.changedBox = null;
    }

    touched(x0, y0, x1, y1) {
      const box = this.changedBox;
      this.changedBox = box
        ? [Math.min(box[0], x0), Math.min(box[1], y0), Math.max(box[2], x1), Math.max(box[3], y1)]
        : [x0, y0, x1, y1];
    }

    endChange(what) {
      const box = this.changedBox;
      const before = this.before;
      this.before = null;
      if (!box || !before) return;
      const [x0, y0, x1, y1] = box;
      const { width } = this.size;
      const saved = new Uint8Array((x1 - x0) * (y1 - y0));
      let changed = false;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          saved[(y - y0) * (x1 - x0) + x - x0] = before[y * width + x];
          if (before[y * width + x] !== this.mask[y * width + x]) changed = true;
        }
      }
      if (!changed) return;
      this.version += 1;
      this.undoStack.push({ box, saved });
      if (this.undoStack.length > 50) this.undoStack.shift();
      this.modified = true;
      this.renderList();
      this.say(what);
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }

    undo() {
      const step = this.undoStack.pop();
      if (!step) {
        this.say('Nothing to undo.');
        return;
      }
      const [x0, y0, x1, y1] = step.box;
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) this.setPixel(y * this.size.width + x, step.saved[(y - y0) * (x1 - x0) + x - x0]);
      this.flush(x0, y0, x1 - x0, y1 - y0);
      this.version += 1;
      this.modified = true;
      this.renderList();
      this.say('Undone.');
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }

    /** Natural-size pixels a screen pixel of the displayed image covers. */
    get scale() {
      const rect = this.maskCanvas.getBoundingClientRect();
      return rect.width > 0 ? this.size.width / rect.width : 1;
    }

    /** Paints (or erases) a disc: the pixels whose centres lie within the brush. */
    stamp(cx, cy, value) {
      const r = Math.max(0.5, (this.brush / 2) * this.scale);
      const { width, height } = this.size;
      const y0 = Math.max(0, Math.floor(cy - r));
      const y1 = Math.min(height, Math.ceil(cy + r));
      const x0 = Math.max(0, Math.floor(cx - r));
      const x1 = Math.min(width, Math.ceil(cx + r));
      for (let y = y0; y < y1; y++) {
        const dy = y + 0.5 - cy;
        for (let x = x0; x < x1; x++) {
          const dx = x + 0.5 - cx;
          if (dx * dx + dy * dy <= r * r) this.setPixel(y * width + x, value);
        }
      }
      if (x1 > x0 && y1 > y0) {
        this.touched(x0, y0, x1, y1);
        this.flush(x0, y0, x1 - x0, y1 - y0);
      }
    }

    strokeTo(from, to, value) {
      const r = Math.max(0.5, (this.brush / 2) * this.scale);
      const steps = Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / (r / 2)));
      for (let k = 1; k <= steps; k++)
        this.stamp(from.x + ((to.x - from.x) * k) / steps, from.y + ((to.y - from.y) * k) / steps, value);
    }

    /** Fills a polygon: the pixels whose centres lie inside it (even-odd). */
    fillPolygon(points, value) {
      const { width, height } = this.size;
      const ys = points.map((p) => p.y);
      const y0 = Math.max(0, Math.floor(Math.min(...ys)));
      const y1 = Math.min(height, Math.ceil(Math.max(...ys)));
      let xMin = width;
      let xMax = 0;
      for (let y = y0; y < y1; y++) {
        const yc = y + 0.5;
        const crossings = [];
        for (let k = 0; k < points.length; k++) {
          const a = points[k];
          const b = points[(k + 1) % points.length];
          if ((a.y <= yc && yc < b.y) || (b.y <= yc && yc < a.y))
            crossings.push(a.x + ((yc - a.y) * (b.x - a.x)) / (b.y - a.y));
        }
        crossings.sort((a, b) => a - b);
        for (let k = 0; k + 1 < crossings.length; k += 2) {
          const from = Math.max(0, Math.ceil(crossings[k] - 0.5));
          const to = Math.min(width, Math.ceil(crossings[k + 1] - 0.5));
          for (let x = from; x < to; x++) this.setPixel(y * width + x, value);
          if (to > from) {
            xMin = Math.min(xMin, from);
            xMax = Math.max(xMax, to);
          }
        }
      }
      if (xMax > xMin) {
        this.touched(xMin, y0, xMax, y1);
        this.flush(xMin, y0, xMax - xMin, y1 - y0);
      }
    }

    counts() {
      const counts = new Array(this.classes.length + 1).fill(0);
      if (this.mask) for (const value of this.mask) counts[value]++;
      return counts;
    }

    // --- tools ---

    /** The class a stroke paints with (0 erases); undefined when there is no label to paint. */
    paintValue() {
      if (this.tool === 'eraser') return 0;
      return this.currentValue();
    }

    setTool(tool) {
      this.tool = tool;
      this.points = [];
      this.penDown = false;
      this.renderTools();
      this.drawUi();
      this.say(`${tool[0].toUpperCase()}${tool.slice(1)} tool.`);
    }

    setBrush(size) {
      this.brush = Math.min(200, Math.max(2, size));
      this.renderTools();
      this.drawUi();
    }

    addPoint(point) {
      const near = (a, b) => Math.hypot(a.x - b.x, a.y - b.y) <= 8 * this.scale;
      // Clicking the first point again, or the last one twice (a double click or tap), closes the shape.
      if (this.points.length >= 3 && (near(point, this.points[0]) || near(point, this.points.at(-1)))) {
        this.closePolygon();
        return;
      }
      if (this.points.length > 0 && near(point, this.points.at(-1))) return;
      this.points.push(point);
      this.finish.hidden = this.points.length < 3;
      this.say(`Polygon: ${this.points.length} point${this.points.length === 1 ? '' : 's'}.`);
      this.drawUi();
    }

    closePolygon() {
      if (this.points.length < 3) {
        this.say('A polygon needs at least 3 points.', true);
        return;
      }
      const value = this.currentValue();
      if (value === undefined) return;
      this.beginChange();
      this.fillPolygon(this.points, value);
      this.points = [];
      this.finish.hidden = true;
      this.drawUi();
      this.endChange(`Filled a polygon with ${this.classes[value - 1].name}.`);
    }

    cancelPolygon() {
      this.points = [];
      this.finish.hidden = true;
      this.penDown = false;
      this.drawUi();
    }

    /** Cursor and polygon in progress, drawn over the image. */
    drawUi() {
      const context = this.uiContext;
      if (!context) return;
      const { width, height } = this.size;
      const unit = this.scale;
      context.clearRect(0, 0, width, height);
      context.lineWidth = 2 * unit;
      if (this.points.length > 0) {
        context.strokeStyle = '#fff';
        context.fillStyle = '#000';
        context.setLineDash([6 * unit, 4 * unit]);
        context.beginPath();
        this.points.forEach((p, k) => (k === 0 ? context.moveTo(p.x, p.y) : context.lineTo(p.x, p.y)));
        if (this.cursor) context.lineTo(this.cursor.x, this.cursor.y);
        context.stroke();
        context.setLineDash([]);
        for (const p of this.points) {
          context.beginPath();
          context.arc(p.x, p.y, 4 * unit, 0, 2 * Math.PI);
          context.fill();
          context.stroke();
        }
      }
      if (this.cursor && this.showCursor) {
        const { x, y } = this.cursor;
        context.strokeStyle = '#000';
        context.beginPath();
        if (this.tool === 'polygon') {
          context.moveTo(x - 8 * unit, y);
          context.lineTo(x + 8 * unit, y);
          context.moveTo(x, y - 8 * unit);
          context.lineTo(x, y + 8 * unit);
        } else context.arc(x, y, (this.brush / 2) * unit, 0, 2 * Math.PI);
        context.stroke();
        context.strokeStyle = '#fff';
        context.lineWidth = unit;
        context.stroke();
      }
    }

    toImage(event) {
      const rect = this.maskCanvas.getBoundingClientRect();
      return {
        x: ((event.clientX - rect.left) * this.size.width) / rect.width,
        y: ((event.clientY - rect.top) * this.size.height) / rect.height,
      };
    }

    wire(control) {
      this.tools.addEventListener('click', (event) => {
        const target = event.target.closest('button');
        if (!target) return;
        if (target.dataset.tool) this.setTool(target.dataset.tool);
        else if (target.dataset.action === 'smaller') this.setBrush(this.brush - 4);
        else if (target.dataset.action === 'larger') this.setBrush(this.brush + 4);
        else if (target.dataset.action === 'undo') this.undo();
        else if (target.dataset.action === 'close') this.closePolygon();
      });
      this.labelBar.addEventListener('click', (event) => {
        const target = event.target.closest('button');
        if (target) this.labelButton(target);
      });
      const stage = this.stage;
      let stroke = null;
      stage.addEventListener('pointerdown', (event) => {
        if (!this.size || (event.pointerType === 'mouse' && event.button !== 0)) return;
        event.preventDefault();
        stage.focus({ preventScroll: true });
        this.cursor = this.toImage(event);
        this.showCursor = event.pointerType === 'mouse';
        if (this.tool === 'polygon') {
          this.addPoint(this.cursor);
          return;
        }
        const value = this.paintValue();
        if (value === undefined) return;
        stage.setPointerCapture(event.pointerId);
        this.beginChange();
        stroke = { id: event.pointerId, value, last: this.cursor };
        this.stamp(this.cursor.x, this.cursor.y, value);
      });
      stage.addEventListener('pointermove', (event) => {
        if (!this.size) return;
        this.cursor = this.toImage(event);
        if (stroke && stroke.id === event.pointerId) {
          this.strokeTo(stroke.last, this.cursor, stroke.value);
          stroke.last = this.cursor;
        }
        this.showCursor = event.pointerType === 'mouse';
        this.drawUi();
      });
      const end = (event) => {
        if (!stroke || stroke.id !== event.pointerId) return;
        const { value } = stroke;
        stroke = null;
        this.endChange(value === 0 ? 'Erased.' : `Painted ${this.classes[value - 1].name}.`);
      };
      stage.addEventListener('pointerup', end);
      stage.addEventListener('pointercancel', end);
      stage.addEventListener('pointerleave', (event) => {
        if (event.pointerType === 'mouse' && !stroke) {
          this.showCursor = false;
          this.drawUi();
        }
      });
      stage.addEventListener('focus', () => {
        this.showCursor = true;
        this.drawUi();
      });
      stage.addEventListener('blur', () => {
        this.showCursor = false;
        if (this.penDown) this.liftPen();
        this.drawUi();
      });
      stage.addEventListener('keydown', (event) => this.stageKey(event));
      control.addEventListener('keydown', (event) => this.toolKey(event));
    }

    /** Keys for tools and labels, anywhere in the element but a text field. */
    toolKey(event) {
      if (event.defaultPrevented || event.target.closest('input, textarea, select, [contenteditable]')) return;
      const { key } = event;
      const command = event.ctrlKey || event.metaKey;
      if (command && (key === 'z' || key === 'Z')) this.undo();
      else if (command || event.altKey) return;
      else if (key === 'b' || key === 'B') this.setTool('brush');
      else if (key === 'p' || key === 'P') this.setTool('polygon');
      else if (key === 'e' || key === 'E') this.setTool('eraser');
      else if (key === '[') this.setBrush(this.brush - 4);
      else if (key === ']') this.setBrush(this.brush + 4);
      else if (key === 'z' || key === 'Z') this.undo();
      else if (/^[1-9]$/.test(key)) this.chooseLabel(Number(key) - 1);
      else if ((key === 'n' || key === 'N') && this.instanceMode) this.newInstance();
      else return;
      event.preventDefault();
    }

    stageKey(event) {
      if (!this.size) return;
      const { key } = event;
      const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (moves[key]) {
        event.preventDefault();
        const step = event.altKey ? 1 : Math.max(1, Math.round(Math.max(this.size.width, this.size.height) / 100));
        const factor = event.shiftKey ? 10 : 1;
        const from = this.cursor;
        const to = {
          x: Math.min(this.size.width, Math.max(0, from.x + moves[key][0] * step * factor)),
          y: Math.min(this.size.height, Math.max(0, from.y + moves[key][1] * step * factor)),
        };
        this.cursor = to;
        if (this.penDown) this.strokeTo(from, to, this.penDown.value);
        this.showCursor = true;
        this.drawUi();
        return;
      }
      if (key === ' ' || key === 'Spacebar') {
        event.preventDefault();
        if (this.tool === 'polygon') this.addPoint({ ...this.cursor });
        else if (this.penDown) this.liftPen();
        else {
          const value = this.paintValue();
          if (value === undefined) return;
          this.beginChange();
          this.penDown = { value };
          this.stamp(this.cursor.x, this.cursor.y, value);
          this.say(`Pen down (${value === 0 ? 'erasing' : this.classes[value - 1].name}): arrows paint, Space lifts.`);
        }
      } else if (key === 'Enter') {
        event.preventDefault();
        if (this.tool === 'polygon') this.closePolygon();
        else if (this.penDown) this.liftPen();
      } else if (key === 'Escape') {
        if (this.penDown) this.liftPen();
        else if (this.points.length > 0) {
          this.cancelPolygon();
          this.say('Polygon cancelled.');
        }
      } else if (key === 'Backspace' && this.points.length > 0) {
        event.preventDefault();
        this.points.pop();
        this.finish.hidden = this.points.length < 3;
        this.drawUi();
      }
    }

    liftPen() {
      const { value } = this.penDown;
      this.penDown = false;
      this.endChange(value === 0 ? 'Erased.' : `Painted ${this.classes[value - 1].name}.`);
    }

    renderTools() {
      for (const [tool, node] of Object.entries(this.toolButtons))
        node.setAttribute('aria-pressed', String(this.tool === tool));
      this.sizeText.textContent = `Brush ${this.brush} px`;
    }

    /** What is labeled, as text: each label (or instance) with the share of the image it covers. */
    renderList() {
      const counts = this.counts();
      const total = this.size ? this.size.width * this.size.height : 1;
      const items = this.classes
        .map((item, index) => ({ item, count: counts[index + 1] }))
        .filter(({ count }) => count > 0)
        .map(({ item, count }) => {
          const swatch = el('span', { className: 'crowd-seg-swatch' });
          swatch.style.setProperty('--color', item.color);
          const li = el('li', {}, [swatch, ` ${item.name}: ${percent(count, total)} (${count} pixels)`]);
          li.dataset.label = item.label;
          return li;
        });
      this.list.replaceChildren(...(items.length ? items : [el('li', { textContent: 'Nothing labeled yet.' })]));
    }

    // --- the answer ---

    /** The label map as a PNG (base64), encoded once per version of the map. */
    pngBase64() {
      if (this.png && this.png.version === this.version) return this.png.data;
      const { width, height } = this.size;
      const canvas = el('canvas', { width, height });
      canvas.getContext('2d').putImageData(this.pixels, 0, 0);
      const data = canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
      this.png = { version: this.version, data };
      return data;
    }

    /** Back to the image as it came, with the initial-value's labels (crowd-form's reset). */
    reset() {
      if (!this.size) return;
      this.cancelPolygon();
      this.mask.fill(0);
      this.pixels.data.fill(0);
      this.flush(0, 0, this.size.width, this.size.height);
      this.undoStack = [];
      this.modified = false;
      this.version += 1;
      this.loadInitialImage();
      this.renderList();
    }

    /** What to focus when the answer is refused. */
    focusTarget() {
      return this.stage;
    }

    answer() {
      if (!this.size)
        throw new Error(
          `The image for "${this.getAttribute('header') || this.getAttribute('name')}" has not loaded: it cannot be labeled yet.`,
        );
      const result = {
        inputImageProperties: { height: this.size.height, width: this.size.width },
        ...this.classAnswer(this.counts()),
        labeledImage: { pngImageData: this.pngBase64() },
      };
      if (this.initial && typeof this.initial === 'object') result.initialValueModified = this.modified;
      return result;
    }

    get value() {
      return this.size ? this.answer() : undefined;
    }

    get _submittableValue() {
      return this.value;
    }
  }

  /** One class a label, coloured by the label's place in `labels` (or by initial-value's labelMappings). */
  class SemanticSegmentation extends Segmentation {
    setUpClasses() {
      const mappings = this.initial && typeof this.initial === 'object' ? this.initial.labelMappings : undefined;
      for (const [label, mapping] of Object.entries(mappings && typeof mappings === 'object' ? mappings : {})) {
        const color = normalColor(mapping?.color);
        if (color && !this.classes.some((item) => item.color === color))
          this.addClass({ label, name: label, color, mapped: true });
      }
      this.labelsChanged();
      this.current = this.classes.findIndex((item) => item.label === this.offered[0]) + 1;
    }

    addClass(item) {
      this.classes.push({ ...item, rgb: rgbOf(item.color) });
      return this.classes.length;
    }

    labelsChanged() {
      this.offered.forEach((label, index) => {
        if (!this.classes.some((item) => item.label === label))
          this.addClass({ label, name: label, color: this.unusedColor(index) });
      });
      if (this.current && !this.offered.includes(this.classes[this.current - 1].label))
        this.current = this.classes.findIndex((item) => item.label === this.offered[0]) + 1;
    }

    currentValue() {
      if (this.current > 0 && this.current <= 255) return this.current;
      this.say('There is no label to paint with.', true);
      return undefined;
    }

    chooseLabel(index) {
      const label = this.offered[index];
      if (label === undefined) return;
      this.current = this.classes.findIndex((item) => item.label === label) + 1;
      this.renderLabels();
      this.say(`Label ${label}.`);
    }

    labelButton(target) {
      this.chooseLabel(Number(target.dataset.index));
    }

    renderLabels() {
      this.labelBar.replaceChildren(
        ...this.offered.map((label, index) => {
          const value = this.classes.findIndex((item) => item.label === label) + 1;
          const swatch = el('span', { className: 'crowd-seg-swatch' });
          swatch.style.setProperty('--color', this.classes[value - 1].color);
          const node = el('button', { type: 'button' }, [
            ...(index < 9 ? [el('kbd', { textContent: String(index + 1) })] : []),
            swatch,
            el('span', { textContent: label }),
          ]);
          node.dataset.index = String(index);
          node.dataset.label = label;
          node.setAttribute('aria-pressed', String(value === this.current));
          if (index < 9) node.setAttribute('aria-keyshortcuts', String(index + 1));
          return node;
        }),
      );
    }

    classAnswer(counts) {
      const labelMappings = {};
      this.classes.forEach((item, index) => {
        if (this.offered.includes(item.label) || item.mapped || counts[index + 1] > 0)
          labelMappings[item.label] = { color: item.color };
      });
      return { labelMappings };
    }
  }

  /** One class an instance: a label and a colour of its own; painting with no instance chosen starts a new one. */
  class InstanceSegmentation extends Segmentation {
    get instanceMode() {
      return true;
    }

    setUpClasses() {
      const instances = this.initial && typeof this.initial === 'object' ? this.initial.instances : undefined;
      for (const instance of Array.isArray(instances) ? instances : []) {
        const color = normalColor(instance?.color);
        if (color && typeof instance.label === 'string' && !this.classes.some((item) => item.color === color))
          this.addInstance(instance.label, color);
      }
      this.currentLabel = this.offered[0];
      this.current = 0;
    }

    addInstance(label, color = this.unusedColor()) {
      const number = this.classes.filter((item) => item.label === label).length + 1;
      this.classes.push({ label, name: `${label} #${number}`, color, rgb: rgbOf(color) });
      return this.classes.length;
    }

    labelsChanged() {
      if (!this.offered.includes(this.currentLabel)) {
        this.currentLabel = this.offered[0];
        this.current = 0;
      }
    }

    currentValue() {
      if (this.current > 0) return this.current;
      if (this.currentLabel === undefined) {
        this.say('There is no label to paint with.', true);
        return undefined;
      }
      if (this.classes.length >= 255) {
        this.say('No more instances can be added.', true);
        return undefined;
      }
      this.current = this.addInstance(this.currentLabel);
      this.renderLabels();
      return this.current;
    }

    chooseLabel(index) {
      const label = this.offered[index];
      if (label === undefined) return;
      this.currentLabel = label;
      this.current = this.classes.findLastIndex((item) => item.label === label) + 1;
      this.renderLabels();
      this.say(this.current ? `${this.classes[this.current - 1].name}.` : `${label}: paint its first instance.`);
    }

    newInstance() {
      if (this.currentLabel === undefined) return;
      this.current = 0;
      this.renderLabels();
      this.say(`New ${this.currentLabel} instance: paint it.`);
    }

    labelButton(target) {
      if (target.dataset.instance) {
        this.current = Number(target.dataset.instance);
        this.currentLabel = this.classes[this.current - 1].label;
        this.renderLabels();
        this.say(`${this.classes[this.current - 1].name}.`);
      } else if (target.dataset.add !== undefined) {
        this.currentLabel = this.offered[Number(target.dataset.add)];
        this.newInstance();
      } else this.chooseLabel(Number(target.dataset.index));
    }

    renderLabels() {
      this.labelBar.replaceChildren(
        ...this.offered.map((label, index) => {
          const choose = el('button', { type: 'button' }, [
            ...(index < 9 ? [el('kbd', { textContent: String(index + 1) })] : []),
            el('span', { textContent: label }),
          ]);
          choose.dataset.index = String(index);
          choose.dataset.label = label;
          choose.setAttribute('aria-pressed', String(label === this.currentLabel));
          if (index < 9) choose.setAttribute('aria-keyshortcuts', String(index + 1));
          const instances = this.classes
            .map((item, k) => ({ item, value: k + 1 }))
            .filter(({ item }) => item.label === label)
            .map(({ item, value }) => {
              const swatch = el('span', { className: 'crowd-seg-swatch' });
              swatch.style.setProperty('--color', item.color);
              const node = el('button', { type: 'button' }, [swatch, el('span', { textContent: item.name })]);
              node.dataset.instance = String(value);
              node.setAttribute('aria-pressed', String(value === this.current));
              return node;
            });
          const add = el('button', { type: 'button', title: `Paint a new ${label}` }, [
            ...(label === this.currentLabel ? [el('kbd', { textContent: 'N' })] : []),
            el('span', { textContent: `New ${label}` }),
          ]);
          add.dataset.add = String(index);
          add.setAttribute('aria-pressed', String(label === this.currentLabel && this.current === 0));
          const group = el('div', { className: 'group', role: 'group' }, [choose, ...instances, add]);
          group.setAttribute('aria-label', label);
          return group;
        }),
      );
    }

    classAnswer(counts) {
      return {
        instances: this.classes
          .filter((_, index) => counts[index + 1] > 0)
          .map(({ color, label }) => ({ color, label })),
      };
    }
  }

  defineAnswering('crowd-semantic-segmentation', SemanticSegmentation);
  defineAnswering('crowd-instance-segmentation', InstanceSegmentation);
})();
