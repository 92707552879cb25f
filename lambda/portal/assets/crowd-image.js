/*
 * The portal's crowd HTML elements for images (see crowd-core.js), with the answerContent AWS documents:
 *   crowd-image-classifier              {name: {label, workerComment?}}
 *   crowd-image-classifier-multi-select {name: {labels: [...], workerComment?}}
 *   crowd-bounding-box {name: {boundingBoxes: [{height, label, left, top, width}], inputImageProperties: {height, width},
 *                              initialValueModified?}}
 *   crowd-keypoint     {name: {inputImageProperties, keypoints: [{label, x, y}]}}
 *   crowd-polygon      {name: {inputImageProperties, polygons: [{label, vertices: [{x, y}, ...]}]}}
 *   crowd-line         {name: {inputImageProperties, lines: [{label, vertices: [{x, y}, {x, y}]}], initialValueModified?}}
 *   crowd-polyline     {name: {inputImageProperties, polylines: [{label, vertices: [{x, y}, ...]}], initialValueModified?}}
 *
 * Coordinates are the image's natural pixels, (0, 0) its top-left corner, whole numbers as in every AWS example: a
 * pointer or keyboard position is rounded to the nearest natural pixel (Math.round) when it is taken, so a box's width
 * is its rounded right edge minus its rounded left edge; numbers from initial-value are kept and rounded when answered.
 * The image is scaled to fit its column (a phone too); the SVG drawn over it has the natural size as its viewBox.
 * initialValueModified is there only when initial-value was given (AWS documents it for bounding-box, line and
 * polyline): whether the answered shapes differ from the initial ones. Shapes whose label is not in `labels` are not
 * loaded from initial-value (AWS documents that for keypoint).
 *
 * Mouse and touch (pointer events), and the keyboard on the focusable drawing surface (listed under the image): 1-9
 * and 0 pick a label, arrows move a crosshair or the selected shape, Space/Enter draw, Tab goes through the shapes,
 * V picks a corner or vertex to move, Delete removes, Escape cancels. The shapes are listed, with their labels, for
 * screen readers and as buttons to select and delete them. Templates read `value` (and `_submittableValue`) and set
 * `labels` (and the classifiers' `categories`) at any time, before or after the elements are defined.
 */
(() => {
  'use strict';

  const { el, addStyle, adopt, parseLiteral, CATEGORY10, nextId, layout, CrowdElement, defineAnswering } =
    window.crowdKit;

  const SVG_NS = 'http://www.w3.org/2000/svg';
  /** CSS pixels a pointer moves before a press becomes a drag, and how near a click closes a polygon. */
  const DRAG_THRESHOLD = 4;
  const CLOSE_DISTANCE = 12;

  const STYLE = `
.crowd-image .crowd-main { min-width: 0; }
.crowd-image-stage { position: relative; display: inline-block; max-width: 100%; line-height: 0; vertical-align: top;
  user-select: none; -webkit-user-select: none; }
.crowd-image-stage img { display: block; max-width: 100%; height: auto; }
.crowd-image-stage svg { position: absolute; left: 0; top: 0; width: 100%; height: 100%; overflow: visible; }
.crowd-image-stage:not([data-loaded]) svg { visibility: hidden; }
.crowd-image-surface { touch-action: pinch-zoom; cursor: crosshair; }
.crowd-image-surface:focus { outline: none; }
.crowd-image-stage:has(.crowd-image-surface:focus-visible) { outline: 3px solid #0073bb; outline-offset: 2px; }
.crowd-image-overlay { pointer-events: none; }
.crowd-image-surface .crowd-label-text { pointer-events: none; paint-order: stroke; stroke: #fff; font-family: system-ui, sans-serif; }
.crowd-image-surface [data-shape] { cursor: pointer; }
.crowd-image-surface [data-handle] { cursor: move; }
.crowd-image-tools { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; margin: 0.6rem 0; }
.crowd-image-tools .crowd-image-caption { font-weight: 600; margin-right: 0.2rem; }
.crowd-image button { margin: 0; background: #fff; color: #16191f; border: 1px solid #aab7b8; border-radius: 4px;
  padding: 0.35rem 0.7rem; font-size: 0.95rem; line-height: 1.2; min-height: 2.25rem; cursor: pointer; }
.crowd-image button[aria-pressed="true"] { background: #e6f2ff; border-color: #0073bb; box-shadow: inset 0 0 0 1px #0073bb; }
.crowd-image button:disabled { opacity: 0.5; cursor: default; }
.crowd-image button kbd { font: inherit; font-weight: 600; margin-right: 0.35rem; }
.crowd-image-swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.35rem;
  vertical-align: -0.05em; }
.crowd-image-shapes { margin: 0.4rem 0; padding-left: 1.6rem; }
.crowd-image-shapes li { margin: 0.25rem 0; }
.crowd-image-shapes li button:first-child { border-color: transparent; text-align: left; }
.crowd-image-shapes li > * + * { margin-left: 0.4rem; }
.crowd-image-shapes select { font-size: 0.95rem; min-height: 2.25rem; }
.crowd-image-keys { font-size: 0.85rem; color: #545b64; line-height: 1.5; }
.crowd-image-keys kbd { border: 1px solid #aab7b8; border-radius: 3px; padding: 0 0.25rem; background: #fafafa; }
.crowd-image-status { min-height: 1.2em; font-size: 0.9rem; }
.crowd-image-note { color: #545b64; }
.crowd-image-categories { margin-top: 0.8rem; }
.crowd-worker-comment { margin-top: 0.8rem; }
.crowd-worker-comment label { display: block; margin: 0.4rem 0 0.2rem; font-weight: 600; }
.crowd-worker-comment textarea { width: 100%; box-sizing: border-box; }
`;
  addStyle('crowd-image-style', STYLE);

  const svg = (tag, attributes = {}) => {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    return node;
  };

  /** A shape's label, drawn above its top-left corner (below it at the image's top); k: natural pixels per CSS px. */
  const labelText = (label, x, y, color, k) => {
    const text = svg('text', {
      x: x + 3 * k,
      y: y < 16 * k ? y + 15 * k : y - 4 * k,
      fill: color,
      'font-size': 13 * k,
      'stroke-width': 3 * k,
      class: 'crowd-label-text',
    });
    text.textContent = label;
    return text;
  };

  const strings = (value) => (Array.isArray(value) ? value.map(String) : []);
  const toList = (value) => (typeof value === 'string' ? strings(parseLiteral(value)) : strings(value));
  const finite = (...numbers) => numbers.every((n) => Number.isFinite(n));

  /**
   * Moves the element's regions into the two-column layout (crowdKit.layout); anything else it holds (worker-comment,
   * or what a self-closing custom tag swallowed) goes under its control instead of being dropped.
   */
  const arrange = (host, className, header, control) => {
    const regions = new Set(['SHORT-INSTRUCTIONS', 'FULL-INSTRUCTIONS', 'CLASSIFICATION-TARGET']);
    const rest = [...host.childNodes].filter(
      (node) =>
        (node.nodeType === Node.ELEMENT_NODE && !regions.has(node.tagName)) ||
        (node.nodeType === Node.TEXT_NODE && node.textContent.trim() !== ''),
    );
    layout(host, header, el('div', { className: 'crowd-image-body' }, [control, ...rest]));
    host.classList.add('crowd-image', className);
  };

  /** What every image element shares: the image, scaled to fit, and an SVG over it in natural pixels. */
  class ImageElement extends CrowdElement {
    static get observedAttributes() {
      return ['src'];
    }

    attributeChangedCallback(name, _old, value) {
      if (name === 'src' && this.image) this.loadImage(value);
    }

    setUpImage(alt, surfaceAttributes) {
      this.natural = { width: 0, height: 0 };
      this.image = el('img', { alt, draggable: false });
      this.surface = svg('svg', { preserveAspectRatio: 'none', viewBox: '0 0 1 1', ...surfaceAttributes });
      this.stage = el('div', { className: 'crowd-image-stage' }, [this.image, this.surface]);
      this.note = el('p', { className: 'crowd-image-note', textContent: 'Loading the image...' });
      this.image.addEventListener('load', () => {
        this.natural = { width: this.image.naturalWidth, height: this.image.naturalHeight };
        this.surface.setAttribute('viewBox', `0 0 ${this.natural.width} ${this.natural.height}`);
        this.stage.dataset.loaded = '';
        this.note.hidden = true;
        this.render();
      });
      this.image.addEventListener('error', () => {
        this.note.textContent = 'The image could not be loaded.';
        this.note.hidden = false;
      });
      new ResizeObserver(() => this.render()).observe(this.stage);
      this.loadImage(this.getAttribute('src'));
    }

    loadImage(src) {
      this.natural = { width: 0, height: 0 };
      this.cursor = null;
      delete this.stage.dataset.loaded;
      this.note.textContent = 'Loading the image...';
      this.note.hidden = false;
      this.image.src = src || '';
    }

    get loaded() {
      return this.natural.width > 0 && this.natural.height > 0;
    }

    /** Natural pixels per CSS pixel, as the image is shown now. */
    scale() {
      const shown = this.surface.getBoundingClientRect().width;
      return shown > 0 && this.loaded ? this.natural.width / shown : 1;
    }

    inputImageProperties() {
      return { height: this.natural.height, width: this.natural.width };
    }

    /**
     * Its answer, then the named text-like native fields in its instruction regions (GT's ocr sample puts a date
     * input in crowd-polygon's short-instructions): crowd-core as committed leaves out every control inside an
     * answering element, these too. A crowd-form that collects region fields itself sets the same values again after
     * this (document order); checkboxes and radios are left to it.
     */
    collectInto(answerContent) {
      super.collectInto(answerContent);
      for (const input of this.querySelectorAll(
        ':is(short-instructions, full-instructions) :is(input, textarea, select)[name]',
      )) {
        if (input.parentElement.closest('[data-ready]:not(full-instructions, crowd-instructions)') !== this) continue;
        if (input.disabled || /^(radio|checkbox|button|submit|reset|image|select-multiple)$/.test(input.type)) continue;
        answerContent[input.name] = input.value;
      }
    }

    render() {}
  }

  // ---------------------------------------------------------------------------------------------------------------
  // crowd-image-classifier, crowd-image-classifier-multi-select

  class ImageClassifier extends ImageElement {
    static get observedAttributes() {
      return ['src', 'categories'];
    }

    attributeChangedCallback(name, old, value) {
      if (name === 'categories' && this.fieldset) this.categories = value;
      else super.attributeChangedCallback(name, old, value);
    }

    build() {
      const header = this.getAttribute('header');
      this.setUpImage(header || 'Image to classify', { class: 'crowd-image-overlay', 'aria-hidden': 'true' });
      this.group = nextId(this.getAttribute('name') || 'image-category');
      this.overlay = this.attributeValue('overlay');
      const exclusion = this.multi ? this.attributeValue('exclusion-category') : undefined;
      this.exclusion = exclusion && exclusion.text != null ? String(exclusion.text) : undefined;
      this.fieldset = el('fieldset', { className: 'crowd-categories crowd-image-categories' });
      this.fieldset.setAttribute('aria-label', header ? `Categories: ${header}` : 'Categories');
      const initial = this.getAttribute('initial-value');
      this.setCategories(toList(this.getAttribute('categories')), initial === null ? [] : this.initialChoice(initial));
      this.comment = this.buildComment();
      arrange(this, 'crowd-image-classifier', header, el('div', {}, [this.stage, this.note, this.fieldset]));
      adopt(this, 'categories');
    }

    /** initial-value: a category, or a multi-select's list literal of them (plain text there: one category). */
    initialChoice(text) {
      if (!this.multi) return [text];
      try {
        const value = parseLiteral(text);
        // The kit reads a bare word as a string: the category's own text.
        return typeof value === 'string' ? [text] : strings(value);
      } catch {
        return [text];
      }
    }

    setCategories(categories, chosen = this.chosen()) {
      this.categoryList = categories;
      const option = (category, exclusion = false) => {
        const input = el('input', { type: this.multi ? 'checkbox' : 'radio', name: this.group, value: category });
        input.checked = chosen.includes(category);
        if (exclusion) input.dataset.exclusion = '';
        return el('label', { className: 'crowd-category' }, [input, el('span', { textContent: category })]);
      };
      const options = categories.map((category) => option(category));
      if (this.exclusion !== undefined) options.push(option(this.exclusion, true));
      this.fieldset.replaceChildren(...options);
      // The exclusion category ("None of the above") and the others exclude each other.
      this.fieldset.onchange = (event) => {
        if (!this.multi || !event.target.checked) return;
        const exclusive = event.target.hasAttribute('data-exclusion');
        for (const input of this.inputs()) {
          if (input !== event.target && input.hasAttribute('data-exclusion') !== exclusive) input.checked = false;
        }
      };
    }

    get categories() {
      return [...this.categoryList];
    }

    set categories(value) {
      this.setCategories(toList(value));
    }

    inputs() {
      return [...this.fieldset.querySelectorAll('input')];
    }

    chosen() {
      return this.inputs()
        .filter((input) => input.checked)
        .map((input) => input.value);
    }

    get value() {
      const chosen = this.chosen();
      return this.multi ? chosen : chosen[0];
    }

    /** The worker-comment region: a comment the worker may add, answered as workerComment when not blank. */
    buildComment() {
      const region = this.querySelector(':scope > worker-comment');
      if (!region) return undefined;
      const id = nextId('worker-comment');
      const textarea = el('textarea', { id, rows: 3, placeholder: region.getAttribute('placeholder') || '' });
      const instructions = el('div', { className: 'crowd-worker-comment-instructions' }, [...region.childNodes]);
      region.replaceChildren(
        el('details', { className: 'crowd-worker-comment' }, [
          el('summary', { textContent: region.getAttribute('link-text') || 'Add a comment' }),
          el('label', { htmlFor: id, textContent: region.getAttribute('header') || 'Add a comment' }),
          instructions,
          textarea,
        ]),
      );
      return textarea;
    }

    answer() {
      const chosen = this.chosen();
      const what = this.getAttribute('header') || this.getAttribute('name');
      if (chosen.length === 0) {
        throw new Error(this.multi ? `Choose at least one category for "${what}"` : `Choose a category for "${what}"`);
      }
      const answer = this.multi ? { labels: chosen } : { label: chosen[0] };
      const comment = this.comment?.value.trim();
      if (comment) answer.workerComment = this.comment.value;
      return answer;
    }

    /** The overlay of a verification task: a previous job's boxes, or its segmentation mask, over the image. */
    render() {
      if (!this.loaded || !this.overlay || typeof this.overlay !== 'object') return;
      const k = this.scale();
      const { width, height } = this.natural;
      const nodes = [];
      const mask = this.overlay.semanticSegmentation;
      if (mask && mask.src) {
        nodes.push(
          svg('image', { href: mask.src, x: 0, y: 0, width, height, opacity: 0.5, preserveAspectRatio: 'none' }),
        );
      }
      const boxes = this.overlay.boundingBox;
      if (boxes && Array.isArray(boxes.value)) {
        const labels = strings(boxes.labels);
        for (const box of boxes.value) {
          const left = Number(box.left);
          const top = Number(box.top);
          if (!finite(left, top, Number(box.width), Number(box.height))) continue;
          const index = labels.indexOf(String(box.label));
          const color = CATEGORY10[(index < 0 ? 7 : index) % CATEGORY10.length];
          const rect = { x: left, y: top, width: box.width, height: box.height, fill: 'none', stroke: color };
          nodes.push(
            svg('rect', { ...rect, 'stroke-width': 2 * k }),
            labelText(String(box.label ?? ''), left, top, color, k),
          );
        }
      }
      this.surface.replaceChildren(...nodes);
    }
  }

  defineAnswering('crowd-image-classifier', class extends ImageClassifier {});
  defineAnswering(
    'crowd-image-classifier-multi-select',
    class extends ImageClassifier {
      get multi() {
        return true;
      }
    },
  );

  // ---------------------------------------------------------------------------------------------------------------
  // Shapes: a box {label, left, top, width, height}, a point {label, x, y}, or a path {label, vertices: [{x, y}]}.

  const round = Math.round;
  const clamp = (n, low, high) => Math.min(Math.max(n, low), high);
  const boxFromCorners = (a, b) => ({
    left: Math.min(a.x, b.x),
    top: Math.min(a.y, b.y),
    width: Math.abs(a.x - b.x),
    height: Math.abs(a.y - b.y),
  });

  /** The points a shape is moved by: a box's corners (top-left, top-right, bottom-right, bottom-left), a path's vertices. */
  const pointsOf = (shape) => {
    if ('vertices' in shape) return shape.vertices;
    if ('x' in shape) return [{ x: shape.x, y: shape.y }];
    const right = shape.left + shape.width;
    const bottom = shape.top + shape.height;
    return [
      { x: shape.left, y: shape.top },
      { x: right, y: shape.top },
      { x: right, y: bottom },
      { x: shape.left, y: bottom },
    ];
  };

  const copyShape = (shape) => ({
    ...shape,
    ...('vertices' in shape ? { vertices: shape.vertices.map((v) => ({ ...v })) } : {}),
  });

  /** The shape moved by (dx, dy), kept inside the image. */
  const translated = (shape, dx, dy, size) => {
    const points = pointsOf(shape);
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    dx = clamp(dx, -Math.min(...xs), size.width - Math.max(...xs));
    dy = clamp(dy, -Math.min(...ys), size.height - Math.max(...ys));
    if ('vertices' in shape) return { ...shape, vertices: shape.vertices.map((v) => ({ x: v.x + dx, y: v.y + dy })) };
    if ('x' in shape) return { ...shape, x: shape.x + dx, y: shape.y + dy };
    return { ...shape, left: shape.left + dx, top: shape.top + dy };
  };

  /** The shape with its point `index` at p; a box keeps the opposite corner. Also says which point p now is. */
  const withPoint = (shape, index, p) => {
    if ('vertices' in shape) {
      const vertices = shape.vertices.map((v, i) => (i === index ? { ...p } : { ...v }));
      return { shape: { ...shape, vertices }, index };
    }
    if ('x' in shape) return { shape: { ...shape, x: p.x, y: p.y }, index: 0 };
    const opposite = pointsOf(shape)[(index + 2) % 4];
    const box = { ...shape, ...boxFromCorners(opposite, p) };
    const right = p.x > opposite.x || (p.x === opposite.x && (index === 1 || index === 2));
    const below = p.y > opposite.y || (p.y === opposite.y && (index === 2 || index === 3));
    return { shape: box, index: below ? (right ? 2 : 3) : right ? 1 : 0 };
  };

  // ---------------------------------------------------------------------------------------------------------------
  // The drawing elements

  /**
   * A drawing element. Subclasses give `kind` (box, point, polygon, line, polyline), the answer's `listKey`, `noun`,
   * and whether AWS documents initialValueModified for it (`tracksModified`).
   */
  class Annotator extends ImageElement {
    static get observedAttributes() {
      return ['src', 'labels'];
    }

    attributeChangedCallback(name, old, value) {
      if (name === 'labels' && this.shapes) this.labels = value;
      else super.attributeChangedCallback(name, old, value);
    }

    build() {
      const header = this.getAttribute('header');
      this.shapes = [];
      this.selected = -1;
      this.handle = -1;
      this.draft = null;
      this.current = 0;
      this.cursor = null;
      this.hover = null;
      this.keyboard = false;
      this.gesture = null;
      const keysId = nextId('crowd-image-keys');
      this.setUpImage(header || 'Image to annotate', {
        class: 'crowd-image-surface',
        tabindex: '0',
        role: 'application',
        'aria-roledescription': `${this.noun} drawing area`,
        'aria-label': `${header ? `${header}. ` : ''}Drawing area: ${this.plural} on the image`,
        'aria-describedby': keysId,
      });
      this.labelButtons = el('div', { className: 'crowd-image-tools crowd-image-labels', role: 'group' });
      this.labelButtons.setAttribute('aria-label', 'Label');
      this.actions = el('div', { className: 'crowd-image-tools crowd-image-actions' });
      this.list = el('ol', { className: 'crowd-image-shapes' });
      this.list.setAttribute('aria-label', `${this.plural[0].toUpperCase()}${this.plural.slice(1)} drawn`);
      this.status = el('p', { className: 'crowd-image-status', role: 'status' });
      this.status.setAttribute('aria-live', 'polite');
      const keys = el('div', { className: 'crowd-image-keys', id: keysId }, this.help());
      this.labelList = [];
      this.colors = [];
      try {
        this.labelList = toList(this.getAttribute('labels'));
        this.colors = strings(parseLiteral(this.getAttribute('label-colors')));
      } catch (error) {
        this.say(`labels: ${error.message}`);
      }
      this.loadInitial();
      this.buildActions();
      this.renderLabels();
      this.renderList();
      arrange(
        this,
        `crowd-image-${this.kind}`,
        header,
        el('div', {}, [this.stage, this.note, this.labelButtons, this.actions, this.status, this.list, keys]),
      );
      this.listen();
      adopt(this, 'labels', 'value');
    }

    // --- the model ---------------------------------------------------------------------------------------------

    /** Shapes from initial-value or a `value` a template sets: the documented form, or this element's own answer. */
    shapesFrom(value, onlyKnownLabels) {
      const list = Array.isArray(value) ? value : value && typeof value === 'object' ? value[this.listKey] : undefined;
      if (!Array.isArray(list)) return [];
      const shapes = [];
      for (const item of list) {
        if (!item || typeof item !== 'object') continue;
        const label = String(item.label ?? '');
        if (onlyKnownLabels && !this.labelList.includes(label)) continue;
        const shape = this.normalise(item, label);
        if (shape) shapes.push(shape);
      }
      return shapes;
    }

    normalise(item, label) {
      const vertices = (Array.isArray(item.vertices) ? item.vertices : []).map((v) => ({
        x: Number(v?.x),
        y: Number(v?.y),
      }));
      if (vertices.length < this.minVertices || !vertices.every((v) => finite(v.x, v.y))) return undefined;
      return { label, vertices: this.kind === 'line' ? vertices.slice(0, 2) : vertices };
    }

    loadInitial() {
      let initial;
      try {
        initial = parseLiteral(this.getAttribute('initial-value'));
      } catch (error) {
        this.say(`initial-value: ${error.message}`);
      }
      this.shapes = this.shapesFrom(initial, true);
      this.initialAnswer = initial === undefined ? undefined : JSON.stringify(this.answered());
    }

    /** A shape as AWS answers it: whole natural pixels, keys in the order of AWS's examples. */
    answerShape(shape) {
      if ('vertices' in shape) {
        return { label: shape.label, vertices: shape.vertices.map((v) => ({ x: round(v.x), y: round(v.y) })) };
      }
      if ('x' in shape) return { label: shape.label, x: round(shape.x), y: round(shape.y) };
      return {
        height: round(shape.height),
        label: shape.label,
        left: round(shape.left),
        top: round(shape.top),
        width: round(shape.width),
      };
    }

    answered() {
      return this.shapes.map((shape) => this.answerShape(shape));
    }

    /**
     * This element's answer, as templates read it (`value`, `_submittableValue`): a new object each time, its keys in
     * alphabetical order as in every AWS example.
     */
    get value() {
      const shapes = this.answered();
      const value = { [this.listKey]: shapes, inputImageProperties: this.inputImageProperties() };
      if (this.tracksModified && this.initialAnswer !== undefined) {
        value.initialValueModified = JSON.stringify(shapes) !== this.initialAnswer;
      }
      return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
    }

    set value(value) {
      this.shapes = this.shapesFrom(typeof value === 'string' ? parseLiteral(value) : value, false);
      this.draft = null;
      this.select(-1);
    }

    get _submittableValue() {
      return this.value;
    }

    /** What crowd-form focuses when this answer is not ready (a shape half drawn): the drawing surface. */
    focusTarget() {
      return this.surface;
    }

    answer() {
      const what = this.getAttribute('header') || this.getAttribute('name');
      if (!this.loaded) throw new Error(`The image for "${what}" has not loaded`);
      if (this.draft) {
        throw new Error(`Finish the ${this.noun} you are drawing in "${what}", or cancel it with Escape`);
      }
      return this.value;
    }

    get labels() {
      return [...this.labelList];
    }

    set labels(value) {
      this.labelList = toList(value);
      this.current = clamp(this.current, 0, Math.max(0, this.labelList.length - 1));
      this.renderLabels();
      this.renderList();
      this.render();
    }

    colorOf(label) {
      const index = this.labelList.indexOf(label);
      if (index < 0) return '#7f7f7f';
      return this.colors[index] || CATEGORY10[index % CATEGORY10.length];
    }

    currentLabel() {
      return this.labelList[this.current];
    }

    // --- changes -----------------------------------------------------------------------------------------------

    say(text) {
      this.status.textContent = text;
    }

    describe(shape, index) {
      const a = this.answerShape(shape);
      const name = `${this.noun[0].toUpperCase()}${this.noun.slice(1)} ${index + 1}, ${a.label || 'no label'}`;
      if ('vertices' in a) return `${name}: ${a.vertices.map((v) => `(${v.x}, ${v.y})`).join(', ')}`;
      if ('x' in a) return `${name}: x ${a.x}, y ${a.y}`;
      return `${name}: left ${a.left}, top ${a.top}, width ${a.width}, height ${a.height}`;
    }

    changed() {
      this.renderList();
      this.render();
      this.renderActions();
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }

    add(shape) {
      this.shapes.push(shape);
      this.selected = this.shapes.length - 1;
      this.handle = -1;
      this.changed();
      this.say(`Added ${this.describe(shape, this.selected)}`);
    }

    replace(index, shape) {
      this.shapes[index] = shape;
      this.changed();
    }

    remove(index) {
      if (index < 0 || index >= this.shapes.length) return;
      const text = this.describe(this.shapes[index], index);
      this.shapes.splice(index, 1);
      this.selected = -1;
      this.handle = -1;
      this.changed();
      this.say(`Deleted ${text}`);
    }

    select(index, announce = false) {
      this.selected = index;
      this.handle = -1;
      this.renderList();
      this.render();
      this.renderActions();
      if (announce && index >= 0) this.say(`Selected ${this.describe(this.shapes[index], index)}`);
    }

    /**
     * The label of the next shape (a label button, or a number key), and of the one being drawn. A number key also
     * relabels the selected shape; the buttons do not, so that choosing the next label never changes a drawn shape.
     */
    pickLabel(index, relabelSelected) {
      if (index < 0 || index >= this.labelList.length) return;
      this.current = index;
      this.labelButtons.querySelectorAll('button').forEach((button, i) => {
        button.setAttribute('aria-pressed', String(i === index));
      });
      const label = this.labelList[index];
      if (this.draft) this.draft.label = label;
      if (relabelSelected && !this.draft && this.selected >= 0) this.relabel(this.selected, label);
      else this.say(`Label: ${label}`);
      this.render();
    }

    relabel(index, label) {
      this.replace(index, { ...this.shapes[index], label });
      this.say(`Relabelled: ${this.describe(this.shapes[index], index)}`);
    }

    /** Whether a new shape may be started; says why not. */
    canDraw() {
      if (!this.loaded) return false;
      if (this.currentLabel() !== undefined) return true;
      this.say('There is no label to draw with yet.');
      return false;
    }

    // --- drawing paths (polygon, line, polyline; boxes and points override) -------------------------------------

    addVertex(p) {
      if (!this.draft) {
        if (!this.canDraw()) return;
        this.draft = { label: this.currentLabel(), vertices: [] };
        this.select(-1);
      }
      const vertices = this.draft.vertices;
      const first = vertices[0];
      if (this.kind === 'polygon' && vertices.length >= 3 && this.near(first, p)) {
        this.finish();
        return;
      }
      const last = vertices.at(-1);
      if (last && last.x === p.x && last.y === p.y) return;
      vertices.push({ ...p });
      if (this.kind === 'line' && vertices.length === 2) {
        this.finish();
        return;
      }
      this.say(`Vertex ${vertices.length} at (${p.x}, ${p.y})`);
      this.render();
      this.renderActions();
    }

    finish() {
      if (!this.draft || this.draft.vertices.length < this.minVertices) {
        this.say(`A ${this.noun} needs at least ${this.minVertices} points.`);
        return;
      }
      const shape = this.draft;
      this.draft = null;
      this.add(shape);
    }

    cancelDraft() {
      this.draft = null;
      this.render();
      this.renderActions();
      this.say('Drawing cancelled');
    }

    near(a, b) {
      return Math.hypot(a.x - b.x, a.y - b.y) / this.scale() <= CLOSE_DISTANCE;
    }

    // --- pointer -----------------------------------------------------------------------------------------------

    toNatural(event) {
      const rect = this.surface.getBoundingClientRect();
      const { width, height } = this.natural;
      return {
        x: clamp(round(((event.clientX - rect.left) * width) / rect.width), 0, width),
        y: clamp(round(((event.clientY - rect.top) * height) / rect.height), 0, height),
      };
    }

    listen() {
      const surface = this.surface;
      surface.addEventListener('pointerdown', (event) => this.pointerDown(event));
      surface.addEventListener('pointermove', (event) => this.pointerMove(event));
      surface.addEventListener('pointerup', (event) => this.pointerUp(event));
      surface.addEventListener('pointercancel', (event) => this.pointerCancel(event));
      surface.addEventListener('lostpointercapture', (event) => this.pointerCancel(event));
      surface.addEventListener('pointerleave', () => {
        this.hover = null;
        if (this.draft) this.render();
      });
      surface.addEventListener('keydown', (event) => this.keyDown(event));
      surface.addEventListener('focus', () => this.render());
      surface.addEventListener('blur', () => this.render());
    }

    pointerDown(event) {
      if (!this.loaded || (event.pointerType === 'mouse' && event.button !== 0) || this.gesture) return;
      // A mouse press focuses the surface itself (no focus ring); a finger or pen does not, so focus it for the keys.
      if (event.pointerType !== 'mouse') this.surface.focus({ preventScroll: true, focusVisible: false });
      this.keyboard = false;
      const target = event.target.closest ? event.target.closest('[data-shape]') : null;
      const shape = target ? Number(target.getAttribute('data-shape')) : -1;
      const handle = target && target.hasAttribute('data-handle') ? Number(target.getAttribute('data-handle')) : -1;
      this.surface.setPointerCapture(event.pointerId);
      const start = this.toNatural(event);
      this.gesture = { id: event.pointerId, start, x: event.clientX, y: event.clientY, moved: false, shape, handle };
      if (shape >= 0) this.gesture.original = copyShape(this.shapes[shape]);
      this.pressed(this.gesture);
    }

    pointerMove(event) {
      const g = this.gesture;
      if (!g || event.pointerId !== g.id) {
        if (this.draft && this.loaded) {
          this.hover = this.toNatural(event);
          this.render();
        }
        return;
      }
      if (!g.moved && Math.hypot(event.clientX - g.x, event.clientY - g.y) < DRAG_THRESHOLD) return;
      g.moved = true;
      this.dragged(g, this.toNatural(event));
    }

    pointerUp(event) {
      const g = this.gesture;
      if (!g || event.pointerId !== g.id) return;
      this.gesture = null;
      const p = this.toNatural(event);
      if (g.moved) this.dropped(g, p);
      else this.clicked(g, p);
    }

    /** A gesture the browser took away (a scroll, a lost capture): what it moved goes back. */
    pointerCancel(event) {
      const g = this.gesture;
      if (!g || event.pointerId !== g.id) return;
      this.gesture = null;
      this.cancelled(g);
      this.render();
    }

    cancelled(g) {
      if (g.moving) this.replace(g.shape, g.original);
    }

    /** A press: on a shape, select it, so that a drag moves it (boxes: only when already selected). */
    pressed(g) {
      if (this.draft || g.shape < 0) return;
      if (g.shape !== this.selected) this.select(g.shape, true);
    }

    dragged(g, p) {
      if (this.draft) {
        this.hover = p;
        this.render();
      } else if (g.shape >= 0 && g.handle >= 0) {
        const moved = withPoint(g.original, g.handle, p);
        this.handle = moved.index;
        this.shapes[g.shape] = moved.shape;
        g.moving = true;
        this.render();
      } else if (g.shape >= 0) {
        this.shapes[g.shape] = translated(g.original, p.x - g.start.x, p.y - g.start.y, this.natural);
        g.moving = true;
        this.render();
      }
    }

    dropped(g, p) {
      if (this.draft) this.addVertex(p);
      else if (g.moving) {
        this.changed();
        this.say(`Moved: ${this.describe(this.shapes[g.shape], g.shape)}`);
      }
    }

    clicked(g, p) {
      if (this.draft || g.shape < 0) this.addVertex(p);
    }

    // --- keyboard ----------------------------------------------------------------------------------------------

    bigStep() {
      return Math.max(10, round(Math.max(this.natural.width, this.natural.height) / 40));
    }

    keyDown(event) {
      if (!this.loaded || event.altKey || event.ctrlKey || event.metaKey) return;
      const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      const key = event.key;
      let handled = true;
      if (key in arrows) {
        const step = event.shiftKey ? this.bigStep() : 1;
        this.arrow(arrows[key][0] * step, arrows[key][1] * step);
      } else if (key === ' ' || key === 'Enter') this.act(key);
      else if (key === 'Escape') handled = this.escape();
      else if (key === 'Delete' || key === 'Backspace') handled = this.deleteKey();
      else if (key === 'Tab') handled = this.tab(event.shiftKey ? -1 : 1);
      else if (key === 'v' || key === 'V') handled = this.nextHandle();
      else if (/^[0-9]$/.test(key)) this.pickLabel(key === '0' ? 9 : Number(key) - 1, true);
      else handled = false;
      if (handled) event.preventDefault();
    }

    ensureCursor() {
      // The crosshair starts at the centre of the image.
      if (!this.cursor) this.cursor = { x: round(this.natural.width / 2), y: round(this.natural.height / 2) };
      this.keyboard = true;
      return this.cursor;
    }

    arrow(dx, dy) {
      const cursor = this.ensureCursor();
      if (this.selected >= 0 && !this.draft) {
        const shape = this.shapes[this.selected];
        if (this.handle >= 0) {
          const p = pointsOf(shape)[this.handle];
          const target = {
            x: clamp(p.x + dx, 0, this.natural.width),
            y: clamp(p.y + dy, 0, this.natural.height),
          };
          const moved = withPoint(shape, this.handle, target);
          this.handle = moved.index;
          this.replace(this.selected, moved.shape);
        } else this.replace(this.selected, translated(shape, dx, dy, this.natural));
        this.say(this.describe(this.shapes[this.selected], this.selected));
        return;
      }
      cursor.x = clamp(cursor.x + dx, 0, this.natural.width);
      cursor.y = clamp(cursor.y + dy, 0, this.natural.height);
      this.render();
      this.say(`Crosshair at (${cursor.x}, ${cursor.y})`);
    }

    /** Space or Enter: draw at the crosshair. Paths: Space adds a vertex, Enter finishes (as the AWS docs say). */
    act(key) {
      const cursor = this.ensureCursor();
      if (key === 'Enter' && this.draft && this.draft.vertices.length >= this.minVertices) this.finish();
      else {
        if (this.selected >= 0 && !this.draft) this.select(-1);
        this.addVertex({ ...cursor });
      }
    }

    escape() {
      if (this.draft) this.cancelDraft();
      else if (this.handle >= 0) {
        this.handle = -1;
        this.render();
      } else if (this.selected >= 0) {
        this.select(-1);
        this.say('Nothing selected');
      } else return false;
      return true;
    }

    deleteKey() {
      if (this.draft && this.draft.vertices) {
        this.draft.vertices.pop();
        if (this.draft.vertices.length === 0) this.draft = null;
        this.render();
        this.renderActions();
        this.say('Removed the last point');
      } else if (this.draft) this.cancelDraft();
      else if (this.selected >= 0) this.remove(this.selected);
      else return false;
      return true;
    }

    /**
     * Tab selects the next shape (with none selected: the first, Shift+Tab the last, the newest); past the last one
     * (Shift+Tab: the first) it leaves the drawing area as Tab does, so the keyboard is never trapped.
     */
    tab(direction) {
      if (this.draft) return false;
      const next = this.selected < 0 && direction < 0 ? this.shapes.length - 1 : this.selected + direction;
      if (next < 0 || next >= this.shapes.length) {
        if (this.selected >= 0) this.select(-1);
        return false;
      }
      this.keyboard = true;
      this.select(next, true);
      return true;
    }

    nextHandle() {
      if (this.selected < 0 || this.draft) return false;
      const count = pointsOf(this.shapes[this.selected]).length;
      if (count < 2) return false;
      this.handle = (this.handle + 1) % count;
      this.keyboard = true;
      this.render();
      const p = pointsOf(this.shapes[this.selected])[this.handle];
      this.say(`${this.kind === 'box' ? 'Corner' : 'Vertex'} ${this.handle + 1} at (${round(p.x)}, ${round(p.y)})`);
      return true;
    }

    // --- what is on screen -------------------------------------------------------------------------------------

    help() {
      const kbd = (text) => el('kbd', { textContent: text });
      const line = (parts) =>
        el(
          'p',
          {},
          parts.map((part) => (Array.isArray(part) ? kbd(part[0]) : part)),
        );
      return [
        line([this.pointerHelp]),
        line([
          'Keys: ',
          ['1'],
          '-',
          ['9'],
          ' choose a label (and relabel the selected one); arrows move the crosshair or the selected ',
          this.noun,
          ' (',
          ['Shift'],
          ' for bigger steps); ',
          ...this.keyHelp,
          ['Tab'],
          ' selects the next ',
          this.noun,
          '; ',
          ['V'],
          ' picks a corner or vertex of it for the arrows; ',
          ['Delete'],
          ' removes it; ',
          ['Esc'],
          ' cancels.',
        ]),
      ];
    }

    renderLabels() {
      if (this.labelList.length === 0) {
        this.labelButtons.replaceChildren(el('span', { className: 'crowd-image-note', textContent: 'No labels yet.' }));
        return;
      }
      this.labelButtons.replaceChildren(
        el('span', { className: 'crowd-image-caption', textContent: 'Label:' }),
        ...this.labelList.map((label, index) => {
          const button = el('button', { type: 'button' }, [
            ...(index < 10 ? [el('kbd', { textContent: String((index + 1) % 10) })] : []),
            el('span', { className: 'crowd-image-swatch' }),
            label,
          ]);
          button.querySelector('.crowd-image-swatch').style.background = this.colorOf(label);
          button.setAttribute('aria-pressed', String(index === this.current));
          button.addEventListener('click', () => this.pickLabel(index, false));
          return button;
        }),
      );
    }

    buildActions() {
      this.finishButton = el('button', { type: 'button', textContent: `Finish the ${this.noun}` });
      this.finishButton.addEventListener('click', () => this.finish());
      this.cancelButton = el('button', { type: 'button', textContent: 'Cancel drawing' });
      this.cancelButton.addEventListener('click', () => this.cancelDraft());
      this.deleteButton = el('button', { type: 'button', textContent: `Delete the selected ${this.noun}` });
      this.deleteButton.addEventListener('click', () => {
        this.remove(this.selected);
        this.surface.focus({ preventScroll: true }); // this button is disabled now: the focus goes back to the image
      });
      const paths = this.kind === 'polygon' || this.kind === 'polyline';
      this.actions.replaceChildren(
        ...(paths ? [this.finishButton] : []),
        ...(this.kind === 'box' || this.kind === 'point' ? [] : [this.cancelButton]),
        this.deleteButton,
      );
      this.renderActions();
    }

    renderActions() {
      if (!this.finishButton) return;
      const drafting = Boolean(this.draft && this.draft.vertices);
      this.finishButton.disabled = !drafting || this.draft.vertices.length < this.minVertices;
      this.cancelButton.disabled = !drafting;
      this.deleteButton.disabled = this.selected < 0;
    }

    /** The list of shapes; the control that had focus keeps it (its place in the list, after a deletion). */
    renderList() {
      const active = this.list.contains(document.activeElement) ? document.activeElement : null;
      const item = active && active.closest('li');
      const focus = item && [[...this.list.children].indexOf(item), [...item.children].indexOf(active)];
      this.list.replaceChildren(
        ...this.shapes.map((shape, index) => {
          const pick = el('button', { type: 'button', textContent: this.describe(shape, index) });
          pick.setAttribute('aria-pressed', String(index === this.selected));
          pick.addEventListener('click', () => this.select(index === this.selected ? -1 : index, true));
          const labels = this.labelList.includes(shape.label) ? this.labelList : [...this.labelList, shape.label];
          const relabel = el(
            'select',
            {},
            labels.map((label) => el('option', { value: label, textContent: label, selected: label === shape.label })),
          );
          relabel.setAttribute('aria-label', `Label of ${this.noun} ${index + 1}`);
          relabel.addEventListener('change', () => this.relabel(index, relabel.value));
          const drop = el('button', { type: 'button', textContent: 'Delete' });
          drop.setAttribute('aria-label', `Delete ${this.noun} ${index + 1}`);
          drop.addEventListener('click', () => this.remove(index));
          return el('li', {}, [pick, relabel, drop]);
        }),
      );
      this.list.hidden = this.shapes.length === 0;
      if (focus) {
        const next = this.list.children[Math.min(focus[0], this.list.children.length - 1)];
        (next ? next.children[focus[1]] : this.surface).focus({ preventScroll: true });
      }
    }

    render() {
      if (!this.shapes || !this.loaded) return;
      const k = this.scale();
      const nodes = [];
      this.shapes.forEach((shape, index) => nodes.push(...this.drawShape(shape, index, k)));
      if (this.selected >= 0 && this.shapes[this.selected]) {
        pointsOf(this.shapes[this.selected]).forEach((p, index) => {
          const size = (index === this.handle ? 14 : 10) * k;
          const handle = svg(this.kind === 'box' ? 'rect' : 'circle', {
            fill: index === this.handle ? '#0073bb' : '#fff',
            stroke: '#0073bb',
            'stroke-width': 2 * k,
            'data-shape': this.selected,
            'data-handle': index,
            ...(this.kind === 'box'
              ? { x: p.x - size / 2, y: p.y - size / 2, width: size, height: size }
              : { cx: p.x, cy: p.y, r: size / 2 }),
          });
          // Around each handle, a target big enough for a finger.
          const target = { cx: p.x, cy: p.y, r: 14 * k, fill: 'transparent' };
          const hit = svg('circle', { ...target, 'data-shape': this.selected, 'data-handle': index });
          if (this.kind !== 'point') nodes.push(handle, hit);
        });
      }
      nodes.push(...this.drawDraft(k));
      const focused = document.activeElement === this.surface;
      if (this.keyboard && focused && this.cursor) {
        const { x, y } = this.cursor;
        const r = 10 * k;
        const cross = svg('path', {
          d: `M${x - r} ${y}H${x + r}M${x} ${y - r}V${y + r}`,
          stroke: '#fff',
          'stroke-width': 4 * k,
        });
        const inner = svg('path', { d: cross.getAttribute('d'), stroke: '#d13212', 'stroke-width': 2 * k });
        nodes.push(svg('g', { class: 'crowd-image-cursor', 'pointer-events': 'none' }));
        nodes.at(-1).append(cross, inner);
      }
      const layer = svg('g', { 'aria-hidden': 'true' });
      layer.append(...nodes);
      this.surface.replaceChildren(layer);
    }

    drawShape(shape, index, k) {
      const color = this.colorOf(shape.label);
      const selected = index === this.selected;
      const width = (selected ? 3 : 2) * k;
      const points = shape.vertices.map((v) => `${v.x},${v.y}`).join(' ');
      const closed = this.kind === 'polygon';
      const tag = closed ? 'polygon' : 'polyline';
      const nodes = [
        svg(tag, {
          points,
          fill: closed ? color : 'none',
          'fill-opacity': 0.15,
          stroke: color,
          'stroke-width': width,
          'stroke-linejoin': 'round',
          'pointer-events': selected && closed ? 'fill' : 'none',
          'data-shape': index,
        }),
        // A wide invisible outline, so that a path is easy to pick with a finger (borders select, as AWS says).
        svg(tag, {
          points,
          fill: 'none',
          stroke: 'transparent',
          'stroke-width': 16 * k,
          'pointer-events': 'stroke',
          'data-shape': index,
        }),
      ];
      const top = shape.vertices.reduce((a, b) => (b.y < a.y ? b : a), shape.vertices[0]);
      nodes.push(labelText(shape.label, top.x, top.y, color, k));
      return nodes;
    }

    drawDraft(k) {
      if (!this.draft || !this.draft.vertices) return [];
      const color = this.colorOf(this.draft.label);
      const next = this.keyboard && this.cursor ? this.cursor : this.hover;
      const points = [...this.draft.vertices, ...(next ? [next] : [])].map((v) => `${v.x},${v.y}`).join(' ');
      const nodes = [
        svg('polyline', {
          points,
          fill: 'none',
          stroke: color,
          'stroke-width': 2 * k,
          'stroke-dasharray': `${6 * k} ${4 * k}`,
          'pointer-events': 'none',
        }),
      ];
      this.draft.vertices.forEach((v, index) => {
        const closing = this.kind === 'polygon' && index === 0 && this.draft.vertices.length >= 3;
        nodes.push(
          svg('circle', {
            cx: v.x,
            cy: v.y,
            r: (closing ? 8 : 5) * k,
            fill: index === 0 ? color : '#fff',
            stroke: color,
            'stroke-width': 2 * k,
            'pointer-events': 'none',
          }),
        );
      });
      return nodes;
    }
  }

  /** crowd-bounding-box: drag to draw; click a box to select it; drag the selected box or its corners. */
  class BoundingBox extends Annotator {
    normalise(item, label) {
      const box = {
        label,
        left: Number(item.left),
        top: Number(item.top),
        width: Number(item.width),
        height: Number(item.height),
      };
      return finite(box.left, box.top, box.width, box.height) ? box : undefined;
    }

    /** A box on the image from a corner to the opposite one, when it has an area. */
    boxBetween(a, b) {
      const box = boxFromCorners(a, b);
      return box.width >= 1 && box.height >= 1 ? { label: this.currentLabel(), ...box } : undefined;
    }

    /**
     * Only the selected box moves on a press; a drag that starts elsewhere (inside another box too) draws. A press
     * drops a box begun with the keyboard.
     */
    pressed() {
      if (this.draft && !this.drawing) this.draft = null;
    }

    dragged(g, p) {
      if (g.shape >= 0 && g.shape === this.selected) {
        super.dragged(g, p);
        return;
      }
      if (!this.drawing) {
        if (!this.canDraw()) return;
        this.drawing = true;
      }
      this.draft = { label: this.currentLabel(), ...boxFromCorners(g.start, p) };
      this.render();
    }

    dropped(g, p) {
      if (!this.drawing) {
        super.dropped(g, p);
        return;
      }
      this.drawing = false;
      this.draft = null;
      const box = this.boxBetween(g.start, p);
      if (box) this.add(box);
      else this.render();
    }

    clicked(g) {
      if (g.shape >= 0) this.select(g.shape, true);
      else if (this.selected >= 0) this.select(-1);
    }

    cancelled(g) {
      if (this.drawing) this.draft = null;
      this.drawing = false;
      super.cancelled(g);
    }

    /** Keyboard: Space at one corner, then at the opposite one. */
    act() {
      const cursor = this.ensureCursor();
      if (this.selected >= 0 && !this.draft) this.select(-1);
      if (!this.draft) {
        if (!this.canDraw()) return;
        this.draft = { label: this.currentLabel(), anchor: { ...cursor }, ...boxFromCorners(cursor, cursor) };
        this.render();
        this.say(`First corner at (${cursor.x}, ${cursor.y}); move to the opposite corner and press Space`);
        return;
      }
      const box = this.boxBetween(this.draft.anchor, cursor);
      if (!box) {
        this.say('Move the crosshair away from the first corner first.');
        return;
      }
      this.draft = null;
      this.add(box);
    }

    arrow(dx, dy) {
      super.arrow(dx, dy);
      if (this.draft && this.draft.anchor) {
        Object.assign(this.draft, boxFromCorners(this.draft.anchor, this.cursor));
        this.render();
      }
    }

    cancelDraft() {
      this.drawing = false;
      super.cancelDraft();
    }

    deleteKey() {
      if (this.draft) this.cancelDraft();
      else if (this.selected >= 0) this.remove(this.selected);
      else return false;
      return true;
    }

    drawShape(shape, index, k) {
      const color = this.colorOf(shape.label);
      const selected = index === this.selected;
      return [
        svg('rect', {
          x: shape.left,
          y: shape.top,
          width: shape.width,
          height: shape.height,
          fill: color,
          'fill-opacity': selected ? 0.2 : 0.08,
          stroke: color,
          'stroke-width': (selected ? 3 : 2) * k,
          'data-shape': index,
        }),
        labelText(shape.label, shape.left, shape.top, color, k),
      ];
    }

    drawDraft(k) {
      if (!this.draft) return [];
      const color = this.colorOf(this.draft.label);
      return [
        svg('rect', {
          x: this.draft.left,
          y: this.draft.top,
          width: this.draft.width,
          height: this.draft.height,
          fill: 'none',
          stroke: color,
          'stroke-width': 2 * k,
          'stroke-dasharray': `${6 * k} ${4 * k}`,
          'pointer-events': 'none',
        }),
      ];
    }
  }
  Object.assign(BoundingBox.prototype, {
    kind: 'box',
    noun: 'box',
    plural: 'boxes',
    listKey: 'boundingBoxes',
    tracksModified: true,
    keyHelp: [['Space'], ' at one corner then at the opposite one draws a box; '],
    pointerHelp:
      'Drag on the image to draw a box with the chosen label. Click or tap a box to select it; drag the selected box ' +
      'to move it, or its corners to resize it.',
  });
  defineAnswering('crowd-bounding-box', BoundingBox);

  /** crowd-keypoint: click to place a point; drag a point to move it. */
  class Keypoint extends Annotator {
    normalise(item, label) {
      const point = { label, x: Number(item.x), y: Number(item.y) };
      return finite(point.x, point.y) ? point : undefined;
    }

    addVertex(p) {
      if (this.canDraw()) this.add({ label: this.currentLabel(), x: p.x, y: p.y });
    }

    drawShape(shape, index, k) {
      const color = this.colorOf(shape.label);
      const selected = index === this.selected;
      const nodes = [];
      if (selected) {
        const ring = { cx: shape.x, cy: shape.y, r: 10 * k, fill: 'none', stroke: '#0073bb', 'stroke-width': 3 * k };
        nodes.push(svg('circle', ring));
      }
      nodes.push(
        svg('circle', {
          cx: shape.x,
          cy: shape.y,
          r: 5 * k,
          fill: color,
          stroke: '#fff',
          'stroke-width': 1.5 * k,
        }),
        svg('circle', { cx: shape.x, cy: shape.y, r: 14 * k, fill: 'transparent', 'data-shape': index }),
        labelText(shape.label, shape.x + 6 * k, shape.y, color, k),
      );
      return nodes;
    }
  }
  Object.assign(Keypoint.prototype, {
    kind: 'point',
    noun: 'point',
    plural: 'points',
    listKey: 'keypoints',
    tracksModified: false,
    minVertices: 1,
    keyHelp: [['Space'], ' places a point at the crosshair; '],
    pointerHelp: 'Click or tap the image to place a point with the chosen label. Drag a point to move it.',
  });
  defineAnswering('crowd-keypoint', Keypoint);

  const pathHelp = (noun, finish) =>
    `Click or tap to place the ${noun}'s points; ${finish} Click a ${noun}'s outline to select it; drag the ` +
    `selected ${noun} to move it, or its points to reshape it.`;

  class Polygon extends Annotator {}
  Object.assign(Polygon.prototype, {
    kind: 'polygon',
    noun: 'polygon',
    plural: 'polygons',
    listKey: 'polygons',
    tracksModified: false,
    minVertices: 3,
    keyHelp: [
      ['Space'],
      ' adds a point at the crosshair, ',
      ['Enter'],
      ' closes the polygon, ',
      ['Backspace'],
      ' removes the last point; ',
    ],
    pointerHelp: pathHelp('polygon', 'click the first point again (or press Enter, or Finish) to close it.'),
  });
  defineAnswering('crowd-polygon', Polygon);

  class Line extends Annotator {}
  Object.assign(Line.prototype, {
    kind: 'line',
    noun: 'line',
    plural: 'lines',
    listKey: 'lines',
    tracksModified: true,
    minVertices: 2,
    keyHelp: [['Space'], ' sets the start, then the end of a line; '],
    pointerHelp: pathHelp('line', 'the second point ends it.'),
  });
  defineAnswering('crowd-line', Line);

  class Polyline extends Annotator {}
  Object.assign(Polyline.prototype, {
    kind: 'polyline',
    noun: 'polyline',
    plural: 'polylines',
    listKey: 'polylines',
    tracksModified: true,
    minVertices: 2,
    keyHelp: [['Space'], ' adds a point at the crosshair, ', ['Enter'], ' finishes the polyline; '],
    pointerHelp: pathHelp('polyline', 'press Enter (or Finish) after the last one.'),
  });
  defineAnswering('crowd-polyline', Polyline);
})();
