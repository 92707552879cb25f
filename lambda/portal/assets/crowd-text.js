/*
 * The portal's crowd HTML elements for text and choices (see crowd-core.js), with AWS's answerContent:
 *   crowd-classifier              {name: {label: "category"}}        a choice is required
 *   crowd-classifier-multi-select {name: {labels: ["category", ...]}} at least one (exclusion-category: its text)
 *   crowd-input                   {name: "text"}                      left out when empty
 *   crowd-text-area               {name: "text"}
 *   crowd-checkbox, crowd-radio-button, crowd-toggle-button
 *                                 {name: {<value>: true|false}}       value defaults to "on"; the same name merges
 *   crowd-slider                  {name: number}                      AWS does not document it (inferred)
 * crowd-radio-group holds radio buttons of which one is checked. With one classifier on the page, keys 1-9 choose
 * its Nth category (toggle it in a multi-select); the category of `initial-value` is marked as the model's suggestion.
 */
(() => {
  'use strict';

  const {
    el,
    adopt,
    parseList,
    parseLiteral,
    nextId,
    layout,
    CrowdElement,
    defineAnswering,
    hoistChildren,
    mergeKeyed,
  } = window.crowdKit;

  /** A label only screen readers read, for a control whose template gives it no text. */
  const hiddenLabel = (id, text) => el('label', { htmlFor: id, className: 'crowd-sr-only', textContent: text });

  /** Whether a keystroke there is typing (digits and Enter belong to the field). */
  const typing = (node) =>
    node instanceof Element &&
    (node.closest('textarea, select, [contenteditable]:not([contenteditable=false])') !== null ||
      (node.localName === 'input' &&
        !['radio', 'checkbox', 'range', 'button', 'submit', 'reset', 'image', 'color', 'file'].includes(node.type)));

  const CLASSIFIERS = 'crowd-classifier, crowd-classifier-multi-select';

  /** Shows the 1-9 keys on the page's classifier when it is the only one. */
  const refreshShortcuts = () => {
    const classifiers = document.querySelectorAll(CLASSIFIERS);
    for (const classifier of classifiers) classifier.classList.toggle('crowd-shortcuts', classifiers.length === 1);
  };

  class Classifier extends CrowdElement {
    build() {
      this.group = nextId(this.getAttribute('name') || 'classifier');
      this.fieldset = el('fieldset', { className: 'crowd-categories' });
      const header = this.getAttribute('header');
      if (header) this.fieldset.setAttribute('aria-label', header);
      if (this.categoryList === undefined) this.categoryList = parseList(this.getAttribute('categories'));
      adopt(this, 'categories');
      this.renderOptions();
      layout(this, header, this.fieldset);
      queueMicrotask(refreshShortcuts);
    }

    get categories() {
      return this.categoryList ?? parseList(this.getAttribute('categories'));
    }

    /** Templates set the categories from script (AWS samples do); the choices are drawn again. */
    set categories(list) {
      this.categoryList = [...list];
      if (this.fieldset) this.renderOptions();
    }

    /** The categories of initial-value: the model's suggestion, preselected. */
    suggested() {
      const initial = this.getAttribute('initial-value');
      if (initial === null || initial.trim() === '') return [];
      if (this.multi && initial.trim().startsWith('[')) return parseList(initial).map(String);
      return [initial];
    }

    exclusion() {
      const text = this.multi ? this.getAttribute('exclusion-category') : null;
      if (!text) return undefined;
      const parsed = parseLiteral(text);
      return parsed && typeof parsed === 'object' ? parsed.text : String(parsed);
    }

    renderOptions() {
      const suggested = this.suggested();
      const option = (text, index, className) => {
        const id = nextId('category');
        const input = el('input', { type: this.multi ? 'checkbox' : 'radio', name: this.group, value: text, id });
        const parts = [input];
        if (index < 9) {
          input.setAttribute('aria-keyshortcuts', String(index + 1));
          const key = el('kbd', { className: 'crowd-key', textContent: String(index + 1) });
          key.setAttribute('aria-hidden', 'true');
          parts.push(key);
        }
        parts.push(el('span', { className: 'crowd-category-text', textContent: text }));
        if (suggested.includes(text)) {
          input.checked = true;
          parts.push(el('span', { className: 'crowd-suggestion', textContent: "model's suggestion" }));
        }
        return el('label', { className, htmlFor: id }, parts);
      };
      const options = this.categories.map((category, index) => option(String(category), index, 'crowd-category'));
      const exclusion = this.exclusion();
      if (exclusion !== undefined) {
        const node = option(exclusion, options.length, 'crowd-category crowd-exclusion');
        node.querySelector('input').dataset.exclusion = '1';
        options.push(node);
      }
      this.fieldset.replaceChildren(...options);
      this.fieldset.onchange = (event) => this.exclusive(event.target);
    }

    /** In a multi-select, the exclusion category and the others rule each other out. */
    exclusive(changed) {
      if (!this.multi || !changed.checked) return;
      for (const input of this.inputs()) {
        if (input !== changed && Boolean(input.dataset.exclusion) !== Boolean(changed.dataset.exclusion))
          input.checked = false;
      }
    }

    inputs() {
      return [...this.querySelectorAll('.crowd-categories input')];
    }

    /** Chooses (or, in a multi-select, toggles) a category as a worker's click would. */
    choose(input) {
      input.checked = this.multi ? !input.checked : true;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }

    focusTarget() {
      const inputs = this.inputs();
      return inputs.find((input) => input.checked) ?? inputs[0];
    }

    reset() {
      this.renderOptions();
    }

    get value() {
      const chosen = this.inputs()
        .filter((input) => input.checked)
        .map((input) => input.value);
      return this.multi ? chosen : chosen[0];
    }

    answer() {
      const value = this.value;
      const title = this.getAttribute('header') || this.getAttribute('name');
      if (this.multi) {
        if (value.length === 0) throw new Error(`Choose at least one category for "${title}"`);
        return { labels: value };
      }
      if (value === undefined) throw new Error(`Choose a category for "${title}"`);
      return { label: value };
    }
  }
  defineAnswering('crowd-classifier', class extends Classifier {});
  defineAnswering(
    'crowd-classifier-multi-select',
    class extends Classifier {
      get multi() {
        return true;
      }
    },
  );

  /** Keys 1-9 choose a category of the page's only classifier, unless the worker is typing. */
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || !/^[1-9]$/.test(event.key)) return;
    if (typing(event.composedPath()[0])) return;
    const classifiers = document.querySelectorAll(CLASSIFIERS);
    if (classifiers.length !== 1 || !classifiers[0].inputs) return;
    const input = classifiers[0].inputs()[Number(event.key) - 1];
    if (!input || input.disabled) return;
    event.preventDefault();
    classifiers[0].choose(input);
    input.focus();
  });

  const field = (tag) =>
    class extends CrowdElement {
      build() {
        hoistChildren(this);
        const id = nextId('field');
        const control = el(tag, { id });
        this.control = control;
        control.value = this.getAttribute('value') ?? '';
        const copied = { placeholder: 'placeholder', 'max-length': 'maxlength', 'min-length': 'minlength' };
        if (tag === 'input') copied.type = 'type';
        else copied.rows = 'rows';
        for (const [attribute, native] of Object.entries(copied)) {
          if (this.hasAttribute(attribute)) control.setAttribute(native, this.getAttribute(attribute));
        }
        control.required = this.hasAttribute('required');
        control.disabled = this.hasAttribute('disabled');
        control.autofocus = this.hasAttribute('auto-focus');
        const text = this.getAttribute('label');
        const label = text
          ? el('label', { htmlFor: id, textContent: text })
          : hiddenLabel(id, this.getAttribute('placeholder') || this.getAttribute('name') || 'Text');
        this.error = el('span', { className: 'crowd-field-error', id: nextId('error') });
        const described = [this.error.id];
        const parts = [label, control];
        if (this.hasAttribute('char-counter')) {
          this.counter = el('span', { className: 'crowd-counter', id: nextId('counter') });
          described.push(this.counter.id);
          parts.push(this.counter);
        }
        control.setAttribute('aria-describedby', described.join(' '));
        parts.push(this.error);
        this.replaceChildren(...parts);
        this.classList.add('crowd-field');

        const allowed = this.getAttribute('allowed-pattern');
        if (allowed) {
          const character = new RegExp(allowed);
          control.addEventListener('beforeinput', (event) => {
            if (event.data && [...event.data].some((c) => !character.test(c))) event.preventDefault();
          });
        }
        control.addEventListener('input', () => {
          this.refresh();
          if (this.hasAttribute('auto-validate')) this.check();
          else this.showError('');
        });
        this.refresh();
        adopt(this, 'value', 'disabled');
        if (control.autofocus) queueMicrotask(() => control.focus());
      }

      /** The counter and, for a text area, its height: `rows` lines, growing to `max-rows`, then scrolling. */
      refresh() {
        const { control } = this;
        if (this.counter) {
          const max = control.getAttribute('maxlength');
          this.counter.textContent = max ? `${control.value.length}/${max}` : String(control.value.length);
        }
        if (tag === 'textarea') {
          const rows = Number(this.getAttribute('rows')) || 2;
          const maxRows = Number(this.getAttribute('max-rows')) || Infinity;
          const lines = control.value.split('\n').length;
          control.rows = Math.max(rows, Math.min(lines, maxRows));
        }
      }

      showError(message) {
        if (!this.error) return;
        this.error.textContent = message;
        if (message) this.control.setAttribute('aria-invalid', 'true');
        else this.control.removeAttribute('aria-invalid');
      }

      /** The worker's message when the field is not filled in as it must be ('' when it is). */
      check() {
        const { control } = this;
        if (!control) return '';
        control.required = this.hasAttribute('required');
        const title = this.getAttribute('label') || this.getAttribute('name');
        let message = '';
        if (control.required && control.value.trim() === '') message = `Fill in "${title}"`;
        else if (!control.checkValidity()) message = `${title}: ${control.validationMessage}`;
        if (message && this.hasAttribute('error-message')) message = this.getAttribute('error-message');
        this.showError(message);
        return message;
      }

      focusTarget() {
        return this.control;
      }

      reset() {
        this.value = this.getAttribute('value') ?? '';
        this.showError('');
      }

      get value() {
        return this.control ? this.control.value : (this.getAttribute('value') ?? '');
      }

      set value(text) {
        if (!this.control) return;
        this.control.value = text ?? '';
        this.refresh();
      }

      get disabled() {
        return this.hasAttribute('disabled');
      }

      set disabled(on) {
        this.toggleAttribute('disabled', Boolean(on));
        if (this.control) this.control.disabled = Boolean(on);
      }

      answer() {
        const message = this.check();
        if (message) throw new Error(message);
        return this.value;
      }
    };
  defineAnswering('crowd-text-area', field('textarea'));
  defineAnswering(
    'crowd-input',
    class extends field('input') {
      collectInto(answerContent) {
        const value = this.answer();
        if (value !== '') answerContent[this.getAttribute('name')] = value;
      }
    },
  );

  /**
   * A box, a radio button or a switch answering {name: {value: checked}}. A crowd-checkbox's `checked` changes after
   * the click's handlers ran (AWS samples read the old state in onclick).
   */
  const choice = (kind) =>
    class extends CrowdElement {
      build() {
        const id = nextId(kind);
        const input = el('input', { type: kind === 'radio' ? 'radio' : 'checkbox', id });
        this.input = input;
        if (kind === 'switch') input.setAttribute('role', 'switch');
        if (kind === 'radio') {
          const group = this.closest('crowd-radio-group');
          if (group && !group.dataset.group) group.dataset.group = nextId('radio-group');
          input.name = group ? group.dataset.group : `crowd-radio:${this.getAttribute('name')}`;
        }
        input.checked = this.hasAttribute('checked');
        input.disabled = this.hasAttribute('disabled');
        this.state = input.checked;
        input.addEventListener('change', () => (this.state = input.checked));
        const text = el('span', { className: 'crowd-choice-text' }, [...this.childNodes]);
        if (!text.textContent.trim()) text.textContent = this.getAttribute('name') || this.value;
        this.replaceChildren(el('label', { htmlFor: id, className: `crowd-choice crowd-${kind}` }, [input, text]));
        adopt(this, 'checked', 'disabled', 'name', 'value');
      }

      get checked() {
        if (!this.input) return this.hasAttribute('checked');
        return kind === 'checkbox' ? this.state : this.input.checked;
      }

      set checked(on) {
        if (!this.input) return void this.toggleAttribute('checked', Boolean(on));
        this.input.checked = Boolean(on);
        this.state = this.input.checked;
      }

      get disabled() {
        return this.hasAttribute('disabled');
      }

      set disabled(on) {
        this.toggleAttribute('disabled', Boolean(on));
        if (this.input) this.input.disabled = Boolean(on);
      }

      get name() {
        return this.getAttribute('name') ?? '';
      }

      set name(name) {
        this.setAttribute('name', name);
      }

      /** The key of this box's state in the answer ("on" when the template gives none). */
      get value() {
        return this.getAttribute('value') ?? 'on';
      }

      set value(value) {
        this.setAttribute('value', value);
      }

      focusTarget() {
        return this.input;
      }

      reset() {
        this.checked = this.hasAttribute('checked');
      }

      collectInto(answerContent) {
        if (this.hasAttribute('required') && !this.checked) {
          const text = this.querySelector('.crowd-choice-text')?.textContent.trim() || this.name;
          throw new Error(`Check "${text}"`);
        }
        mergeKeyed(answerContent, this.name, this.value, this.checked);
      }
    };
  defineAnswering('crowd-checkbox', choice('checkbox'));
  defineAnswering('crowd-radio-button', choice('radio'));
  defineAnswering('crowd-toggle-button', choice('switch'));
  customElements.define(
    'crowd-radio-group',
    class extends HTMLElement {
      connectedCallback() {
        this.setAttribute('role', 'radiogroup');
      }
    },
  );

  /** A slider (min, max, step, value; pin shows the value, editable adds a number field). Answers a number. */
  defineAnswering(
    'crowd-slider',
    class extends CrowdElement {
      build() {
        hoistChildren(this, (node) => node.localName === 'crowd-slider-label');
        const number = (name, fallback) => {
          const value = Number(this.getAttribute(name));
          return this.hasAttribute(name) && Number.isFinite(value) ? value : fallback;
        };
        const min = number('min', 0);
        const max = number('max', 100);
        const step = number('step', 1);
        const id = nextId('slider');
        const range = el('input', { type: 'range', id, min, max, step });
        range.value = String(number('value', min));
        range.disabled = this.hasAttribute('disabled');
        this.range = range;
        this.moved = false;
        const title = this.getAttribute('label') || this.getAttribute('name') || 'Value';
        const parts = [hiddenLabel(id, title), range];
        const sync = [];
        if (this.hasAttribute('pin')) {
          const pin = el('output', { className: 'crowd-pin', htmlFor: id });
          sync.push(() => (pin.value = range.value));
          parts.push(pin);
        }
        if (this.hasAttribute('editable')) {
          const editId = nextId('slider-value');
          const edit = el('input', { type: 'number', id: editId, min, max, step, className: 'crowd-slider-edit' });
          edit.disabled = range.disabled;
          edit.addEventListener('change', () => {
            range.value = edit.value;
            this.moved = true;
            this.update();
            range.dispatchEvent(new Event('change', { bubbles: true }));
          });
          sync.push(() => (edit.value = range.value));
          parts.push(hiddenLabel(editId, `${title} (number)`), edit);
        }
        const ticks = [...this.querySelectorAll(':scope > crowd-slider-label')];
        if (ticks.length) {
          const row = el('div', { className: 'crowd-slider-labels' }, ticks);
          row.setAttribute('aria-hidden', 'true');
          for (const tick of ticks) {
            const at = Number(tick.getAttribute('position'));
            if (Number.isFinite(at) && max > min) tick.style.left = `${((at - min) / (max - min)) * 100}%`;
          }
          parts.push(row);
        }
        this.replaceChildren(el('div', { className: 'crowd-slider' }, parts));
        this.update = () => sync.forEach((step) => step());
        range.addEventListener('input', () => {
          this.moved = true;
          this.update();
        });
        this.update();
        adopt(this, 'value', 'disabled');
      }

      get value() {
        return this.range ? Number(this.range.value) : Number(this.getAttribute('value'));
      }

      set value(value) {
        if (!this.range) return;
        this.range.value = String(value);
        this.update();
      }

      get disabled() {
        return this.hasAttribute('disabled');
      }

      set disabled(on) {
        this.toggleAttribute('disabled', Boolean(on));
        for (const input of this.querySelectorAll('input')) input.disabled = Boolean(on);
      }

      focusTarget() {
        return this.range;
      }

      reset() {
        this.value = this.getAttribute('value') ?? this.range.min;
        this.moved = false;
      }

      /** A required slider without a preset value must be set by the worker (inferred: AWS does not say). */
      answer() {
        if (this.hasAttribute('required') && !this.hasAttribute('value') && !this.moved)
          throw new Error(`Set "${this.getAttribute('label') || this.getAttribute('name')}"`);
        return this.value;
      }
    },
  );
  customElements.define('crowd-slider-label', class extends HTMLElement {});
})();
