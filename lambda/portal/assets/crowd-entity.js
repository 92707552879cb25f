/*
 * The portal's crowd HTML element for labeling spans of text (see crowd-core.js), with AWS's answerContent:
 *   crowd-entity-annotation  {name: {entities: [{label, startOffset, endOffset}, ...]}}
 *
 * Offsets count Unicode code points of the `text` attribute as the browser parsed it (so an emoji outside the Basic
 * Multilingual Plane counts 1, not the 2 UTF-16 units a JS string has), zero-based, endOffset exclusive. The
 * entities are sorted by startOffset. `initial-value` takes the same objects, in the same offsets.
 *
 * Like AWS's, the element is self-contained: templates do not wrap it in crowd-form. It keeps a crowd-form of its own
 * in its shadow root (`el.shadowRoot.querySelector('crowd-form').form` is a native <form> where templates move extra
 * questions, as AWS's docs show), and its Submit button hands the answer to the task page through that crowd-form,
 * over the same port and message ({type: 'crowd-answer', answerContent}) as any other template. Spans are selected
 * with the mouse, by touch, or from the keyboard (Shift+arrows in the focused text), labeled with a label's button or
 * its number key 1-9, and removed with Delete or their Remove button. Labels never overlap; adjacent spans are fine.
 */
(() => {
  'use strict';

  const { el, addStyle, CATEGORY10, nextId, layoutKeeping, CrowdElement, defineAnswering } = window.crowdKit;

  /** Label colours: the first nine of the kit's category10, in label order, repeating from the tenth label on. */
  const PALETTE = CATEGORY10;
  const colorOf = (index) => PALETTE[index % PALETTE.length];

  /** `labels`: objects {label, shortDisplayName?, fullDisplayName?} (AWS samples also write longDisplayName). */
  const toLabels = (list) =>
    (Array.isArray(list) ? list : [])
      .map((item) => (typeof item === 'string' ? { label: item } : item))
      .filter((item) => item && typeof item.label === 'string' && item.label !== '')
      .map((item, index) => ({
        label: item.label,
        short: String(item.shortDisplayName ?? item.label),
        full: String(item.fullDisplayName ?? item.longDisplayName ?? item.label),
        color: colorOf(index),
      }));

  const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
  const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

  /** The text's positions: UTF-16 index <-> code point offset, and where characters and words start. */
  const measure = (text) => {
    const unitToPoint = new Int32Array(text.length + 1);
    const pointToUnit = [];
    let point = 0;
    for (let unit = 0; unit < text.length; unit++) {
      unitToPoint[unit] = point;
      pointToUnit.push(unit);
      if (isHigh(text.charCodeAt(unit)) && isLow(text.charCodeAt(unit + 1))) unitToPoint[++unit] = point;
      point++;
    }
    unitToPoint[text.length] = point;
    pointToUnit.push(text.length);
    // Arrow keys move by what a reader sees as one character (an emoji with its modifiers, a letter with accents).
    const characters = [0];
    const wordStarts = [];
    const wordEnds = [];
    if (typeof Intl.Segmenter === 'function') {
      for (const part of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text))
        if (part.index > 0) characters.push(part.index);
      for (const part of new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)) {
        if (!part.isWordLike) continue;
        wordStarts.push(part.index);
        wordEnds.push(part.index + part.segment.length);
      }
    } else {
      for (let unit = 1; unit < text.length; unit++) if (!isLow(text.charCodeAt(unit))) characters.push(unit);
      for (const match of text.matchAll(/[\p{L}\p{N}_'-]+/gu)) {
        wordStarts.push(match.index);
        wordEnds.push(match.index + match[0].length);
      }
    }
    if (text.length > 0) characters.push(text.length);
    return { unitToPoint, pointToUnit, characters, wordStarts, wordEnds };
  };

  const STYLE = `
crowd-entity-annotation { display: block; }
.crowd-entity-labels { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.5rem 0; }
.crowd-entity-labels button { margin: 0; background: #fff; color: #16191f; border: 2px solid var(--color);
  border-radius: 4px; padding: 0.3rem 0.7rem; font-size: 0.95rem; display: inline-flex; gap: 0.4rem;
  align-items: center; min-height: 2.2rem; }
.crowd-entity-labels button[aria-pressed='true'] { background: var(--color); color: #fff; }
.crowd-entity-labels kbd { font: inherit; font-size: 0.8em; border: 1px solid currentColor; border-radius: 3px;
  padding: 0 0.3em; }
.crowd-entity-text { white-space: pre-wrap; overflow-wrap: anywhere; line-height: 2.4; font-size: 1.1rem;
  padding: 0.6rem 0.8rem; border: 1px solid #aab7b8; border-radius: 6px; background: #fff; cursor: text; }
.crowd-entity-text:focus { outline: 3px solid #0073bb; outline-offset: 2px; }
.crowd-entity-text .sel { background: #b5d7ff; }
.crowd-entity-text mark { background: color-mix(in srgb, var(--color) 22%, #fff); color: inherit;
  border-bottom: 3px solid var(--color); border-radius: 3px; padding: 0.1em 0; position: relative; }
.crowd-entity-text mark.focused { outline: 2px dashed var(--color); outline-offset: 1px; }
.crowd-entity-text mark::after { content: attr(data-short); font-size: 0.7rem; font-weight: 600; color: #fff;
  background: var(--color); border-radius: 3px; padding: 0 0.3em; margin-left: 0.2em; vertical-align: super;
  line-height: 1; }
.crowd-entity-text .remove { all: unset; cursor: pointer; font-size: 0.8rem; line-height: 1; vertical-align: super;
  color: var(--color); padding: 0 0.15em; }
.crowd-entity-text .remove::before { content: '\\00d7'; }
.crowd-entity-text .caret { display: inline-block; width: 0; height: 1.2em; margin-right: -2px;
  border-left: 2px solid #16191f; vertical-align: text-bottom; }
.crowd-entity-text:not(:focus) .caret { display: none; }
.crowd-entity-help { font-size: 0.85rem; color: #545b64; margin: 0.3rem 0; }
.crowd-entity-status { min-height: 1.3em; margin: 0.3rem 0; }
.crowd-entity-status.error { color: #d13212; }
.crowd-entity-list { padding-left: 1.4rem; }
.crowd-entity-list li { margin: 0.3rem 0; overflow-wrap: anywhere; }
.crowd-entity-list .swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px;
  background: var(--color); margin-right: 0.3em; }
.crowd-entity-list button { margin: 0 0 0 0.5rem; padding: 0.1rem 0.6rem; font-size: 0.85rem; background: #fff;
  color: #16191f; border: 1px solid #aab7b8; }
crowd-entity-annotation::part(submit) { background: #ec7211; color: #fff; border: none; border-radius: 4px;
  padding: 0.5rem 1.2rem; font-size: 1rem; cursor: pointer; margin-top: 1rem; }
crowd-entity-annotation::part(status) { margin: 0.5rem 0; }
`;

  /** What the element's own crowd-form collects for it: the element's answer under its name. */
  defineAnswering(
    'crowd-entity-annotation-answer',
    class extends CrowdElement {
      collectInto(answerContent) {
        this.owner?.collectInto(answerContent);
      }
    },
  );

  class EntityAnnotation extends CrowdElement {
    build() {
      addStyle('crowd-entity-style', STYLE);
      this.text = this.getAttribute('text') ?? '';
      this.at = measure(this.text);
      // Labels a script set before the element was built: an own property then, or kept by the setter.
      const own = Object.getOwnPropertyDescriptor(this, 'labels');
      if (own) delete this.labels;
      this.labelList = toLabels(own ? own.value : (this.earlyLabels ?? this.attributeValue('labels')));
      this.entities = this.initialEntities();
      this.anchor = 0;
      this.focusAt = 0;
      this.armed = null;

      const id = nextId('crowd-entity');
      this.labelBar = el('div', { className: 'crowd-entity-labels', role: 'toolbar' });
      this.labelBar.setAttribute('aria-label', 'Labels');
      this.textBox = el('div', { className: 'crowd-entity-text', tabIndex: 0, id: `${id}-text` });
      this.textBox.setAttribute('role', 'application');
      this.textBox.setAttribute('aria-roledescription', 'text to annotate');
      this.textBox.setAttribute('aria-label', 'Text to annotate');
      this.textBox.setAttribute('aria-describedby', `${id}-help`);
      const help = el('p', {
        className: 'crowd-entity-help',
        id: `${id}-help`,
        textContent:
          'Select text with the mouse, or focus the text and use Shift+arrow keys (Ctrl+Shift+arrows by word). ' +
          'Then click a label or press its number. Click a labeled span, or move into it, to change its label or ' +
          'remove it (Delete). Labels cannot overlap.',
      });
      this.status = el('p', { className: 'crowd-entity-status', role: 'status' });
      this.list = el('ol', { className: 'crowd-entity-list' });
      this.list.setAttribute('aria-label', 'Labeled spans');
      const listHeading = el('h3', { textContent: 'Labeled spans' });
      const control = el('div', { className: 'crowd-entity' }, [
        this.labelBar,
        help,
        this.textBox,
        this.status,
        listHeading,
        this.list,
      ]);
      layoutKeeping(this, control);
      this.wire();
      this.renderLabels();
      this.render();
      if (!this.parentElement?.closest('crowd-form')) this.addOwnForm();
    }

    /**
     * AWS's element submits by itself: a crowd-form in its shadow root, whose native `form` takes the extra questions
     * templates move there, collects this element's answer (through crowd-entity-annotation-answer) with them.
     */
    addOwnForm() {
      const root = this.attachShadow({ mode: 'open' });
      const form = el('crowd-form');
      const nativeForm = el('form', { className: 'crowd-entity-form' });
      nativeForm.addEventListener('submit', (event) => event.preventDefault());
      const answer = el('crowd-entity-annotation-answer', { hidden: true, owner: this });
      answer.setAttribute('name', this.getAttribute('name') || 'crowd-entity-annotation');
      form.append(nativeForm, answer);
      if (!('form' in form)) Object.defineProperty(form, 'form', { value: nativeForm });
      root.append(el('slot'), form);
      form.querySelector('crowd-button button')?.setAttribute('part', 'submit');
      form.querySelector('.crowd-status')?.setAttribute('part', 'status');
      this.ownForm = form;
    }

    /** Submits the way the element's Submit button does (nothing to do inside a template's own crowd-form). */
    submit() {
      const form = this.ownForm;
      if (form) (form.requestSubmit ?? form.submit).call(form);
    }

    /** Back to the entities the element started with (crowd-form's reset). */
    reset() {
      this.entities = this.initialEntities();
      this.select(0);
      this.say('');
    }

    /** What to focus when the answer is refused. */
    focusTarget() {
      return this.textBox;
    }

    initialEntities() {
      const list = this.attributeValue('initial-value');
      const kept = [];
      const points = this.at.pointToUnit.length - 1;
      for (const item of Array.isArray(list) ? list : []) {
        const { label, startOffset, endOffset } = item ?? {};
        const valid =
          typeof label === 'string' &&
          Number.isInteger(startOffset) &&
          Number.isInteger(endOffset) &&
          startOffset >= 0 &&
          startOffset < endOffset &&
          endOffset <= points;
        const entity = valid
          ? { label, start: this.at.pointToUnit[startOffset], end: this.at.pointToUnit[endOffset] }
          : undefined;
        if (!entity || kept.some((other) => other.start < entity.end && other.end > entity.start)) {
          console.warn('crowd-entity-annotation: initial-value entity left out (invalid or overlapping)', item);
          continue;
        }
        kept.push(entity);
      }
      return kept.sort((a, b) => a.start - b.start);
    }

    get labels() {
      if (!this.labelList) return this.earlyLabels ?? [];
      return this.labelList.map(({ label, short, full }) => ({
        label,
        shortDisplayName: short,
        fullDisplayName: full,
      }));
    }

    set labels(list) {
      if (!this.labelBar) {
        this.earlyLabels = list;
        return;
      }
      this.labelList = toLabels(list);
      if (this.armed && !this.labelList.some((item) => item.label === this.armed)) this.armed = null;
      this.renderLabels();
      this.render();
    }

    labelInfo(label) {
      return (
        this.labelList.find((item) => item.label === label) ?? { label, short: label, full: label, color: '#7f7f7f' }
      );
    }

    // --- the answer ---

    get value() {
      return {
        entities: this.entities.map(({ label, start, end }) => ({
          label,
          startOffset: this.at.unitToPoint[start],
          endOffset: this.at.unitToPoint[end],
        })),
      };
    }

    get _submittableValue() {
      return this.value;
    }

    answer() {
      return this.value;
    }

    collectInto(answerContent) {
      answerContent[this.getAttribute('name') || 'crowd-entity-annotation'] = this.answer();
    }

    // --- selection ---

    get selection() {
      return { start: Math.min(this.anchor, this.focusAt), end: Math.max(this.anchor, this.focusAt) };
    }

    select(anchor, focus = anchor) {
      this.anchor = anchor;
      this.focusAt = focus;
      this.render();
    }

    /**
     * The entity the selection or caret is on: a selection inside it, the caret in it, or (for Delete and Backspace,
     * `orJustAfter`) the caret right after it.
     */
    entityAtSelection(orJustAfter = false) {
      const { start, end } = this.selection;
      if (start !== end) return this.entities.find((entity) => entity.start <= start && end <= entity.end);
      return (
        this.entities.find((entity) => entity.start <= start && start < entity.end) ??
        (orJustAfter ? this.entities.find((entity) => entity.end === start) : undefined)
      );
    }

    /** A DOM position inside the text box as a UTF-16 index into the text. */
    indexOf(node, offset) {
      if (node.nodeType === Node.TEXT_NODE && node.parentElement?.dataset.start !== undefined)
        return Number(node.parentElement.dataset.start) + offset;
      const pieces = [...this.textBox.querySelectorAll('[data-start]')];
      const point = document.createRange();
      point.setStart(node, offset);
      for (const piece of pieces) {
        if (point.comparePoint(piece, 0) >= 0) return Number(piece.dataset.start);
      }
      return this.text.length;
    }

    /** Takes the browser's selection (mouse, touch) into the element's, when it lies in the text. */
    adoptBrowserSelection(clear) {
      const selection = document.getSelection();
      if (!selection || selection.rangeCount === 0) return false;
      const range = selection.getRangeAt(0);
      if (!this.textBox.contains(range.startContainer) || !this.textBox.contains(range.endContainer)) return false;
      let start = this.indexOf(range.startContainer, range.startOffset);
      let end = this.indexOf(range.endContainer, range.endOffset);
      if (start > end) [start, end] = [end, start];
      if (start > 0 && isLow(this.text.charCodeAt(start)) && isHigh(this.text.charCodeAt(start - 1))) start--;
      if (end < this.text.length && isLow(this.text.charCodeAt(end)) && isHigh(this.text.charCodeAt(end - 1))) end++;
      const backwards = selection.anchorNode === range.endContainer && selection.anchorOffset === range.endOffset;
      this.anchor = backwards ? end : start;
      this.focusAt = backwards ? start : end;
      if (clear) {
        selection.removeAllRanges();
        this.render();
      }
      return true;
    }

    // --- labeling ---

    /** Trims the span to what is not white space; a span of only white space is empty. */
    trimmed({ start, end }) {
      while (start < end && /\s/.test(this.text[start])) start++;
      while (end > start && /\s/.test(this.text[end - 1])) end--;
      return { start, end };
    }

    say(message, error = false) {
      this.status.textContent = message;
      this.status.className = error ? 'crowd-entity-status error' : 'crowd-entity-status';
    }

    quote(entity) {
      return `“${this.text.slice(entity.start, entity.end)}”`;
    }

    applyLabel(label) {
      const info = this.labelInfo(label);
      const onEntity = this.entityAtSelection();
      const { start, end } = this.trimmed(this.selection);
      if (
        onEntity &&
        (this.selection.start === this.selection.end || (start >= onEntity.start && end <= onEntity.end))
      ) {
        onEntity.label = label;
        this.select(onEntity.end);
        this.say(`${this.quote(onEntity)} is now ${info.full}.`);
        this.changed();
        return true;
      }
      if (start === end) {
        this.say('Select some text first, then choose a label.', true);
        return false;
      }
      if (this.entities.some((entity) => entity.start < end && entity.end > start)) {
        this.say('Labels cannot overlap: select a whole labeled span to relabel it, or text outside the spans.', true);
        return false;
      }
      const entity = { label, start, end };
      this.entities.push(entity);
      this.entities.sort((a, b) => a.start - b.start);
      this.select(end);
      this.say(`Labeled ${this.quote(entity)} as ${info.full}.`);
      this.changed();
      return true;
    }

    remove(entity) {
      this.entities = this.entities.filter((other) => other !== entity);
      this.select(entity.start);
      this.say(`Removed the ${this.labelInfo(entity.label).full} label from ${this.quote(entity)}.`);
      this.changed();
    }

    changed() {
      this.dispatchEvent(new Event('change', { bubbles: true }));
    }

    // --- input ---

    wire() {
      this.labelBar.addEventListener('mousedown', (event) => event.preventDefault());
      this.labelBar.addEventListener('click', (event) => {
        const button = event.target.closest('button[data-label]');
        if (button) this.chooseLabel(button.dataset.label);
      });
      this.textBox.addEventListener('mousedown', (event) => {
        if (event.target.closest('.remove')) event.preventDefault();
      });
      this.textBox.addEventListener('click', (event) => {
        const remove = event.target.closest('.remove');
        if (!remove) return;
        const entity = this.entities[Number(remove.dataset.index)];
        if (entity) this.remove(entity);
        this.textBox.focus();
      });
      let pressed = false;
      this.textBox.addEventListener('pointerdown', (event) => {
        pressed = event.pointerType !== 'touch' && !event.target.closest('.remove');
      });
      // A mouse selection (even one let go outside the text) becomes the element's own; a touch selection keeps its
      // handles until a label is chosen (selectionchange below follows it).
      // By mouseup the browser has placed its selection (at mousedown and while dragging).
      document.addEventListener('mouseup', () => {
        if (!pressed) return;
        pressed = false;
        if (!this.adoptBrowserSelection(true)) return;
        const { start, end } = this.trimmed(this.selection);
        if (this.armed && start < end) this.applyLabel(this.armed);
        else this.describeSelection();
      });
      document.addEventListener('selectionchange', () => {
        const selection = document.getSelection();
        if (selection && !selection.isCollapsed) this.adoptBrowserSelection(false);
      });
      this.textBox.addEventListener('keydown', (event) => this.key(event));
      this.list.addEventListener('click', (event) => {
        const button = event.target.closest('button[data-index]');
        const entity = button && this.entities[Number(button.dataset.index)];
        if (entity) this.remove(entity);
      });
    }

    chooseLabel(label) {
      const { start, end } = this.trimmed(this.selection);
      if (start < end || this.entityAtSelection()) {
        this.applyLabel(label);
        return;
      }
      this.armed = this.armed === label ? null : label;
      this.renderLabels();
      this.say(
        this.armed
          ? `${this.labelInfo(label).full} chosen: text you highlight now gets it. Choose it again to stop.`
          : 'No label chosen.',
      );
    }

    describeSelection() {
      const { start, end } = this.selection;
      const entity = this.entityAtSelection();
      if (start !== end) this.say(`Selected “${this.text.slice(start, end)}”. Press 1 to 9 or click a label.`);
      else if (entity) this.say(`On ${this.quote(entity)}, ${this.labelInfo(entity.label).full}.`);
      else this.say('');
    }

    /** The next (or previous) character or word boundary from a position. */
    step(from, forward, byWord) {
      if (byWord) {
        const { wordStarts, wordEnds } = this.at;
        if (forward) return wordEnds.find((end) => end > from) ?? this.text.length;
        return [...wordStarts].reverse().find((start) => start < from) ?? 0;
      }
      const { characters } = this.at;
      if (forward) return characters.find((index) => index > from) ?? this.text.length;
      return [...characters].reverse().find((index) => index < from) ?? 0;
    }

    key(event) {
      const { key, shiftKey } = event;
      const byWord = event.ctrlKey || event.altKey || event.metaKey;
      let to;
      if (key === 'ArrowRight' || key === 'ArrowLeft') {
        const forward = key === 'ArrowRight';
        const { start, end } = this.selection;
        if (!shiftKey && !byWord && start !== end) to = forward ? end : start;
        else to = this.step(this.focusAt, forward, byWord);
      } else if (key === 'Home') to = 0;
      else if (key === 'End') to = this.text.length;
      if (to !== undefined) {
        event.preventDefault();
        this.select(shiftKey ? this.anchor : to, to);
        this.describeSelection();
        return;
      }
      if (/^[1-9]$/.test(key) && !byWord) {
        event.preventDefault();
        const label = this.labelList[Number(key) - 1];
        if (label) this.applyLabel(label.label);
        else this.say(`There is no label ${key}.`, true);
      } else if (key === 'Delete' || key === 'Backspace') {
        event.preventDefault();
        const entity = this.entityAtSelection(true);
        if (entity) this.remove(entity);
        else this.say('Move into a labeled span to remove it.', true);
      } else if (key === 'Enter') {
        // Enter labels with the chosen label; it never submits from the text.
        event.preventDefault();
        if (this.armed) this.applyLabel(this.armed);
      } else if (key === 'Escape') {
        this.armed = null;
        this.renderLabels();
        this.select(this.focusAt);
        this.say('');
      } else if ((key === 'a' || key === 'A') && byWord) {
        event.preventDefault();
        this.select(0, this.text.length);
      }
    }

    // --- rendering ---

    renderLabels() {
      this.labelBar.replaceChildren(
        ...this.labelList.map((item, index) => {
          const button = el('button', { type: 'button', title: item.full }, [
            ...(index < 9 ? [el('kbd', { textContent: String(index + 1) })] : []),
            el('span', { textContent: item.full }),
          ]);
          button.dataset.label = item.label;
          button.style.setProperty('--color', item.color);
          button.setAttribute('aria-pressed', String(this.armed === item.label));
          if (index < 9) button.setAttribute('aria-keyshortcuts', String(index + 1));
          return button;
        }),
      );
    }

    /** The text as pieces (each one text node in a span that knows its start), grouped into marks for the spans. */
    render() {
      const { start: selStart, end: selEnd } = this.selection;
      const focused = this.entityAtSelection(true);
      const cuts = new Set([0, this.text.length, selStart, selEnd, this.focusAt]);
      for (const entity of this.entities) cuts.add(entity.start).add(entity.end);
      const sorted = [...cuts].sort((a, b) => a - b);
      const nodes = [];
      let mark = null;
      let markEntity = null;
      const caret = () => {
        const node = el('span', { className: 'caret' });
        node.setAttribute('aria-hidden', 'true');
        return node;
      };
      for (let k = 0; k < sorted.length; k++) {
        const from = sorted[k];
        const to = sorted[k + 1];
        const entity =
          to === undefined ? undefined : this.entities.find((item) => item.start <= from && to <= item.end);
        if (markEntity && entity !== markEntity) {
          this.closeMark(mark, markEntity);
          mark = null;
          markEntity = null;
        }
        if (entity && !mark) {
          const info = this.labelInfo(entity.label);
          mark = el('mark', { className: entity === focused ? 'focused' : '' });
          mark.dataset.short = info.short;
          mark.dataset.label = entity.label;
          mark.title = info.full;
          mark.style.setProperty('--color', info.color);
          markEntity = entity;
          nodes.push(mark);
        }
        const into = mark ?? { append: (node) => nodes.push(node) };
        if (from === this.focusAt) into.append(caret());
        if (to === undefined || to === from) continue;
        const piece = el('span', { textContent: this.text.slice(from, to) });
        piece.dataset.start = String(from);
        if (from >= selStart && to <= selEnd && selStart < selEnd) piece.className = 'sel';
        into.append(piece);
      }
      if (mark) this.closeMark(mark, markEntity);
      this.textBox.replaceChildren(...nodes);
      this.renderList();
    }

    closeMark(mark, entity) {
      const info = this.labelInfo(entity.label);
      const remove = el('button', { type: 'button', className: 'remove', tabIndex: -1 });
      remove.dataset.index = String(this.entities.indexOf(entity));
      remove.setAttribute('aria-label', `Remove ${info.full} from ${this.quote(entity)}`);
      remove.title = 'Remove';
      mark.append(remove);
    }

    renderList() {
      if (this.entities.length === 0) {
        this.list.replaceChildren(el('li', { className: 'empty', textContent: 'Nothing labeled yet.' }));
        return;
      }
      this.list.replaceChildren(
        ...this.entities.map((entity, index) => {
          const info = this.labelInfo(entity.label);
          const swatch = el('span', { className: 'swatch' });
          swatch.style.setProperty('--color', info.color);
          const button = el('button', { type: 'button', textContent: 'Remove' });
          button.dataset.index = String(index);
          button.setAttribute('aria-label', `Remove ${info.full} from ${this.quote(entity)}`);
          const item = el('li', {}, [
            swatch,
            el('strong', { textContent: info.full }),
            ` ${this.quote(entity)}`,
            button,
          ]);
          item.dataset.label = entity.label;
          return item;
        }),
      );
    }
  }

  defineAnswering('crowd-entity-annotation', EntityAnnotation);
})();
