/*
 * The portal's own crowd HTML elements, part 1 of the frame's scripts: what every element shares, crowd-form and
 * crowd-button. SageMaker serves its elements from assets.crowd.aws; the portal serves these instead, written for it
 * (plain custom elements: no framework, no build step, nothing to load from elsewhere), with the answerContent AWS's
 * give. The other scripts (crowd-regions.js, crowd-text.js, ...) register their elements through `window.crowdKit`.
 *
 * crowd-form merges, in document order, every named answering element and every named native control of the
 * template into one answerContent (a later scalar under the same name replaces an earlier one):
 *   <input type="radio" name="n" value="v">     {n: {v: true|false, ...}}  one key per radio of the name
 *   <input type="checkbox" name="n" value="v">  {n: {v: true|false, ...}}  value defaults to "on" (inferred)
 *   text, hidden, date, ..., <textarea>, <select> {n: "value"}  (<select multiple>: {n: ["value", ...]}, inferred)
 * Disabled native controls and buttons are left out. The answer goes to the task page around this sandboxed frame,
 * over the MessageChannel port the page gives this document when it loads ({type: 'crowd-answer', answerContent});
 * the page posts it under the worker's lease and answers back on the same port.
 *
 * Submitting (a crowd-button form-action="submit", Enter in a single-line field, a template's own submit button, or
 * `requestSubmit()`) first dispatches a cancelable `submit` event on crowd-form (`onsubmit` and submit listeners may
 * fill hidden inputs or call preventDefault), then validates (required crowd elements, the browser's own checks of
 * native controls, a classifier without a choice), then collects the answer. `submit()` skips the event, as a native
 * form's does. `all-crowd-elements-ready` is dispatched on document once, after every family script has run.
 */
(() => {
  'use strict';

  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    for (const child of children) node.append(child);
    return node;
  };

  /**
   * Reads an attribute written as a JS literal, as SageMaker templates write them ("['a', 'b']",
   * "{ text: 'None' }"), or as strict JSON: single or double quotes with JS escapes (\n, \x41, \u0041, \u{1F600}, a
   * backslash before a line break), unquoted keys, trailing commas, line and block comments, numbers as JS writes
   * them (0x1f, .5, +1, Infinity), true, false, null, undefined and NaN. A bare word where a value belongs is read as
   * a string, up to white space, a comma or a closing bracket: AWS's semantic-segmentation example writes
   * `"src": {{ ... | grant_read_access }}`, which renders as an unquoted URL. A missing or blank attribute (null, '')
   * has no value: undefined. Anything else throws a SyntaxError saying what was expected, and where.
   */
  const parseLiteral = (text) => {
    if (text === null || text === undefined || text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON: read as a JS literal below.
    }
    let i = 0;
    const fail = (what, at = i) => {
      const from = Math.max(0, at - 30);
      const near = `${from > 0 ? '…' : ''}${text.slice(from, at + 30)}${at + 30 < text.length ? '…' : ''}`;
      throw new SyntaxError(`${what} at position ${at} in ${JSON.stringify(near)}`);
    };
    /** The match of a sticky pattern at i, moving past it; undefined when it does not match there. */
    const take = (pattern) => {
      pattern.lastIndex = i;
      const match = pattern.exec(text);
      if (match) i += match[0].length;
      return match?.[0];
    };
    const skip = () => {
      for (;;) {
        if (/\s/.test(text[i] ?? '')) i++;
        else if (text.startsWith('//', i)) i = text.includes('\n', i) ? text.indexOf('\n', i) : text.length;
        else if (text.startsWith('/*', i)) {
          const end = text.indexOf('*/', i + 2);
          if (end === -1) fail('Unterminated comment');
          i = end + 2;
        } else return;
      }
    };
    const ESCAPES = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', 0: '\0' };
    /** The code of an escape's hex digits: `length` of them, or 1 to 6 in braces (\u{...}). */
    const code = (length) => {
      const start = i - 2;
      const digits = length ? take(new RegExp(`[0-9a-fA-F]{${length}}`, 'y')) : take(/\{[0-9a-fA-F]{1,6}\}/y);
      const value = digits === undefined ? NaN : parseInt(length ? digits : digits.slice(1, -1), 16);
      if (!(value <= 0x10ffff)) fail(`Bad escape ${JSON.stringify(text.slice(start, start + 6))}`, start);
      return value;
    };
    const string = () => {
      const start = i;
      const quote = text[i++];
      let out = '';
      for (;;) {
        if (i >= text.length) fail('Unterminated string', start);
        const c = text[i++];
        if (c === quote) return out;
        if (c !== '\\') out += c;
        else {
          const escaped = text[i++];
          if (escaped === 'x') out += String.fromCharCode(code(2));
          else if (escaped === 'u') out += String.fromCodePoint(code(text[i] === '{' ? 0 : 4));
          else if (escaped === '\r' && text[i] === '\n')
            i++; // a line continuation, as the next two
          else if (escaped !== '\n' && escaped !== '\r' && escaped !== '\u2028' && escaped !== '\u2029')
            out += ESCAPES[escaped] ?? escaped ?? '';
        }
      }
    };
    const KEY = /[\p{L}\p{N}_$-]+/uy;
    const NUMBER = /[+-]?(?:0[xX][\da-fA-F]+|0[oO][0-7]+|0[bB][01]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity)/y;
    const CONSTANT = /true|false|null|undefined|NaN/y;
    const CONSTANTS = { true: true, false: false, null: null, undefined, NaN };
    /** Where a number or a constant may end: else it is the start of a bare word ("https://...", "12abc"). */
    const BOUNDARY = /(?=[\s,\]}]|\/[/*]|$)/y;
    const BARE = /[^\s,\]}]+/y;
    const scalar = () => {
      const start = i;
      const token = take(NUMBER) ?? take(CONSTANT);
      if (token !== undefined && take(BOUNDARY) !== undefined) {
        if (Object.hasOwn(CONSTANTS, token)) return CONSTANTS[token];
        const size = Number(token.replace(/^[+-]/, ''));
        return token.startsWith('-') ? -size : size;
      }
      i = start;
      const word = take(BARE);
      if (word === undefined) fail('Expected a value');
      return word;
    };
    /** The items of an array or the entries of an object, after its opening bracket, to its closing one. */
    const items = (close, item) => {
      i++;
      for (;;) {
        skip();
        if (i >= text.length) fail(`Unexpected end: "${close}" missing`);
        if (text[i] === close) {
          i++;
          return;
        }
        item();
        skip();
        if (text[i] === ',') i++;
        else if (i >= text.length) fail(`Unexpected end: "${close}" missing`);
        else if (text[i] !== close) fail(`Expected "," or "${close}"`);
      }
    };
    const value = () => {
      skip();
      const c = text[i];
      if (c === '"' || c === "'") return string();
      if (c === '[') {
        const array = [];
        items(']', () => array.push(value()));
        return array;
      }
      if (c !== '{') return scalar();
      const object = {};
      items('}', () => {
        const key = text[i] === '"' || text[i] === "'" ? string() : take(KEY);
        if (key === undefined) fail('Expected a key');
        skip();
        if (text[i] !== ':') fail(`Expected ":" after the key ${JSON.stringify(key)}`);
        i++;
        // Not object[key] =: a key "__proto__" is a key like any other, as in JSON.parse.
        Object.defineProperty(object, key, { value: value(), enumerable: true, writable: true, configurable: true });
      });
      return object;
    };
    const result = value();
    skip();
    if (i < text.length) fail('Unexpected text after the value');
    return result;
  };

  /** SageMaker templates write lists as a JS array literal: "['-1', '0', '1']". No attribute, or a blank one: []. */
  const parseList = (text) => parseLiteral(text) ?? [];

  /** d3's category10: the colours AWS's docs and outputs show for labels, in label order. */
  const CATEGORY10 = Object.freeze([
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
    '#17becf',
  ]);

  /** A family's style sheet, added to the document once (under `id`). */
  const addStyle = (id, css) => {
    if (document.getElementById(id)) return;
    (document.head ?? document.documentElement).append(el('style', { id, textContent: css }));
  };

  /** Properties a template set on an element before its class was defined: handed to the class's setters. */
  const adopt = (host, ...names) => {
    for (const name of names) {
      if (!Object.hasOwn(host, name)) continue;
      const value = host[name];
      delete host[name];
      host[name] = value;
    }
  };

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  /** The task page's port, and what was said before it came. */
  let pagePort;
  const unsent = [];
  const toPage = (message) => (pagePort ? pagePort.postMessage(message) : unsent.push(message));

  /** Moves the instruction and target regions of a task element into a two-column layout around its control. */
  const layout = (host, header, control) => {
    const target = host.querySelector(':scope > classification-target');
    const short = host.querySelector(':scope > short-instructions');
    const full = host.querySelector(':scope > full-instructions');
    const side = el('aside', { className: 'crowd-side' }, [short, full].filter(Boolean));
    const main = el('section', { className: 'crowd-main' }, [
      header ? el('h2', { textContent: header }) : '',
      target ?? '',
      control,
    ]);
    host.replaceChildren(el('div', { className: 'crowd-layout' }, [main, side]));
  };

  /**
   * The two-column layout (as `layout`) for an element that keeps what else a template puts in it (extra questions):
   * its short and full instructions go to the side column (none: one column), the rest under its header and control.
   */
  const layoutKeeping = (host, control) => {
    const regions = [...host.children].filter((child) =>
      ['SHORT-INSTRUCTIONS', 'FULL-INSTRUCTIONS'].includes(child.tagName),
    );
    const rest = [...host.childNodes].filter((node) => !regions.includes(node));
    const header = host.getAttribute('header');
    const main = el('section', { className: 'crowd-main' }, [
      header ? el('h2', { textContent: header }) : '',
      control,
      ...rest,
    ]);
    const columns = el('div', { className: 'crowd-layout' }, [main]);
    if (regions.length > 0) columns.append(el('aside', { className: 'crowd-side' }, regions));
    else columns.style.gridTemplateColumns = 'minmax(0, 1fr)';
    host.replaceChildren(columns);
  };

  /**
   * Moves what the HTML parser put inside a childless element back after it: templates write `<crowd-slider .../>`
   * and `<crowd-fab .../>`, and the parser ignores the `/`, so the template's next elements become its children.
   * `keep(node)` names the children that are the element's own.
   */
  const hoistChildren = (host, keep = () => false) => {
    const strays = [...host.childNodes].filter((node) => !keep(node));
    if (strays.some((node) => node.nodeType === Node.ELEMENT_NODE || node.textContent.trim())) host.after(...strays);
    else for (const node of strays) node.remove();
  };

  /** Adds `key: on` to the object answered under `name` (checkboxes and radio buttons of one name share it). */
  const mergeKeyed = (answerContent, name, key, on) => {
    const current = answerContent[name];
    const into =
      current !== null && typeof current === 'object' && !Array.isArray(current)
        ? current
        : (answerContent[name] = Object.create(null));
    into[key] = on;
  };

  /** The regions a template fills inside an answering element: what is in them belongs to the template's form. */
  const REGIONS = [
    'short-instructions',
    'full-instructions',
    'classification-target',
    'worker-comment',
    'side-content',
    'crowd-instructions',
    'short-summary',
    'detailed-instructions',
    'positive-example',
    'negative-example',
  ].join(', ');

  /** The elements that answer: crowd-form asks each named one for its part of answerContent. */
  const answering = new Set();
  const answeringSelector = () => [...answering].join(', ') || 'crowd-no-element';

  /**
   * Defines an element that answers. Its class gives `answer()` (its value under its name, or throws a message for
   * the worker when it is not filled in as required), or `collectInto(answerContent)` when it merges with others.
   * It may give `focusTarget()`, the control to focus when its answer is missing (default: its first control).
   */
  const defineAnswering = (tag, elementClass) => {
    answering.add(tag);
    customElements.define(tag, elementClass);
  };

  /** Builds an element's inside once, when it first connects. */
  class CrowdElement extends HTMLElement {
    connectedCallback() {
      if (this.dataset.ready) return;
      this.dataset.ready = '1';
      this.build();
    }

    build() {}

    /** An attribute written as a JS literal (see parseLiteral); undefined, with a console error, when it is not one. */
    attributeValue(name) {
      try {
        return parseLiteral(this.getAttribute(name));
      } catch (error) {
        console.error(`${this.localName}: ${name} is not a JSON or JS literal: ${error.message}`);
        return undefined;
      }
    }

    collectInto(answerContent) {
      answerContent[this.getAttribute('name')] = this.answer();
    }
  }

  /** Whether `node` (a control or an answering element) is one of `form`'s fields, not another element's insides. */
  const fieldOf = (node, form) => {
    const owner = node.parentElement?.closest(`${answeringSelector()}, ${REGIONS}, crowd-form`);
    if (!owner || answering.has(owner.localName)) return false;
    return node.closest('crowd-form') === form;
  };

  const FOCUSABLE =
    'input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select:not([disabled]), button';

  /** What a worker reads as a native control's name: its label's words, else its aria-label, else its name. */
  const nameOf = (control) => {
    const label = control.labels?.[0]?.cloneNode(true);
    for (const inner of label?.querySelectorAll('input, select, textarea, button') ?? []) inner.remove();
    return label?.textContent.trim().replace(/\s+/g, ' ') || control.getAttribute('aria-label') || control.name;
  };

  /** The form a keystroke or click belongs to: the crowd-form around it, or the page's only one. */
  const formAround = (node) => {
    const form = node instanceof Element ? node.closest('crowd-form') : null;
    if (form || (node !== document.body && node !== document.documentElement && node !== document)) return form;
    const forms = document.querySelectorAll('crowd-form');
    return forms.length === 1 ? forms[0] : null;
  };

  /** The form that last sent an answer: the task page's reply is shown there. */
  let answeredForm;

  customElements.define(
    'crowd-button',
    class extends CrowdElement {
      build() {
        const button = el('button', { type: 'button', textContent: this.textContent.trim() || 'Submit' });
        const variant = this.getAttribute('variant');
        if (variant) button.classList.add(`crowd-variant-${variant}`);
        button.disabled = this.disabled;
        button.addEventListener('click', () => {
          const action = this.getAttribute('form-action');
          if (action === 'submit') this.closest('crowd-form')?.requestSubmit();
          else if (action === 'reset') this.closest('crowd-form')?.reset();
          else if (this.hasAttribute('href')) {
            // A link goes to a web page, never runs script (an href may come from the task's input).
            const target = URL.parse(this.getAttribute('href'), document.baseURI);
            if (target?.protocol === 'https:' || target?.protocol === 'http:')
              window.open(target.href, this.getAttribute('target') || '_self');
          }
        });
        this.replaceChildren(button);
      }

      get disabled() {
        return this.hasAttribute('disabled');
      }

      set disabled(on) {
        this.toggleAttribute('disabled', Boolean(on));
        const button = this.querySelector(':scope > button');
        if (button) button.disabled = Boolean(on);
      }
    },
  );

  customElements.define(
    'crowd-form',
    class extends CrowdElement {
      build() {
        this.status = el('p', { className: 'crowd-status', id: nextId('crowd-status'), role: 'status' });
        this.status.setAttribute('aria-live', 'polite');
        if (!this.querySelector('crowd-button[form-action="submit"]')) {
          const button = el('crowd-button', { textContent: 'Submit' });
          button.setAttribute('form-action', 'submit');
          this.append(button);
        }
        this.append(this.status);
        this.sends = 0;
        this.marked = new Set();
        const clearMarks = () => {
          for (const node of this.marked) node.removeAttribute('aria-invalid');
          this.marked.clear();
        };
        this.addEventListener('input', clearMarks);
        this.addEventListener('change', clearMarks);
      }

      /** This form's fields in document order: its answering elements and its template's native controls. */
      fields() {
        const selector = `${answeringSelector()}, input[name], textarea[name], select[name]`;
        return [...this.querySelectorAll(selector)].filter((node) => node.getAttribute('name') && fieldOf(node, this));
      }

      /** Every named field, as AWS merges them into answerContent. Throws the message of a field not filled in. */
      answerContent() {
        // No prototype: a field named `__proto__` (a name may come from the task's input) is a field like any other.
        const answer = Object.create(null);
        for (const node of this.fields()) {
          if (answering.has(node.localName)) {
            node.collectInto(answer);
            continue;
          }
          if (node.disabled || ['button', 'submit', 'reset', 'image'].includes(node.type)) continue;
          if (node.type === 'radio' || node.type === 'checkbox')
            mergeKeyed(answer, node.name, node.value, node.checked);
          else if (node.type === 'select-multiple')
            answer[node.name] = [...node.selectedOptions].map((option) => option.value);
          else answer[node.name] = node.value;
        }
        return answer;
      }

      /** The first field that is not filled in as it must be, with the worker's message, or undefined. */
      firstInvalid() {
        for (const node of this.fields()) {
          if (answering.has(node.localName)) {
            try {
              node.collectInto({});
            } catch (error) {
              return { node, message: error.message };
            }
          } else if (!node.disabled && !node.checkValidity()) {
            return { node, message: `${nameOf(node)}: ${node.validationMessage}` };
          }
        }
        return undefined;
      }

      show(text, error = false) {
        this.status.textContent = text;
        this.status.className = error ? 'crowd-status error' : 'crowd-status';
      }

      /** Submits as a worker does: the cancelable `submit` event, then validation and the answer. */
      requestSubmit() {
        if (this.dispatching) return;
        const sends = this.sends;
        this.dispatching = true;
        let go;
        try {
          go = this.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
        } finally {
          this.dispatching = false;
        }
        // A handler that called submit() itself has sent the answer already.
        if (go && this.sends === sends) this.submit();
      }

      /** Validates, collects and sends the answer, without the `submit` event (as a native form's submit()). */
      submit() {
        const invalid = this.firstInvalid();
        if (invalid) {
          this.show(invalid.message, true);
          const { node } = invalid;
          const control = answering.has(node.localName)
            ? (node.focusTarget?.() ?? node.querySelector(FOCUSABLE))
            : node;
          if (control) {
            control.setAttribute('aria-invalid', 'true');
            // The message joins what already describes the control (an element's key help), never replaces it.
            const described = (control.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
            if (!described.includes(this.status.id))
              control.setAttribute('aria-describedby', [...described, this.status.id].join(' '));
            this.marked.add(control);
            control.focus();
          }
          return;
        }
        let answerContent;
        try {
          answerContent = this.answerContent();
        } catch (error) {
          this.show(error.message, true);
          return;
        }
        if (!pagePort && window.parent === window) {
          this.show('Open this task from the portal to submit it.', true);
          return;
        }
        this.sends += 1;
        answeredForm = this;
        this.show('Submitting...');
        toPage({ type: 'crowd-answer', answerContent });
      }

      /** Puts every field back as the template gave it. */
      reset() {
        for (const node of this.fields()) {
          if (answering.has(node.localName)) node.reset?.();
          else if (node.type === 'radio' || node.type === 'checkbox') node.checked = node.defaultChecked;
          else if (node.localName === 'select')
            for (const option of node.options) option.selected = option.defaultSelected;
          else node.value = node.defaultValue;
        }
        this.show('');
      }
    },
  );

  /** Controls where Enter does its own thing: typing a line, opening a list, pressing a button or following a link. */
  const KEEPS_ENTER =
    'textarea, select, button, a[href], summary, [contenteditable]:not([contenteditable=false]), ' +
    'input[type=button], input[type=submit], input[type=reset], input[type=image], input[type=file], input[type=color]';

  /** Enter in a single-line field (or on a choice) submits its form, as in a native form. */
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.defaultPrevented || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const target = event.composedPath()[0];
    if (target instanceof Element && target.closest(KEEPS_ENTER)) return;
    const form = formAround(target);
    if (!form || !form.requestSubmit) return;
    event.preventDefault();
    form.requestSubmit();
  });

  /** A template's own submit button (a plain <button> defaults to it) submits its crowd-form, as AWS's does. */
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented) return;
    const target = event.composedPath()[0];
    const button = target instanceof Element ? target.closest('button, input[type=submit], input[type=image]') : null;
    if (!button || button.type !== 'submit' || button.form || button.disabled) return;
    const form = button.closest('crowd-form');
    if (form && form.requestSubmit && fieldOf(button, form)) form.requestSubmit();
  });

  /** A native <form> nested in crowd-form submits crowd-form instead of navigating the frame away. */
  document.addEventListener(
    'submit',
    (event) => {
      const inner = event.target;
      if (!(inner instanceof HTMLFormElement)) return;
      const form = inner.closest('crowd-form');
      if (!form || !form.requestSubmit) return;
      // After the inner form's own handlers, which may cancel it.
      inner.addEventListener(
        'submit',
        (late) => {
          if (late !== event) return;
          const go = !event.defaultPrevented;
          event.preventDefault();
          event.stopPropagation();
          if (go) form.requestSubmit();
        },
        { once: true },
      );
    },
    true,
  );

  /** The task page's word on a submitted answer. */
  const fromPage = (data) => {
    if (!data || data.type !== 'crowd-answer-result') return;
    const form = answeredForm ?? document.querySelector('crowd-form');
    if (!form || !form.status) return;
    form.show(data.message, !data.ok);
    if (data.ok) form.dispatchEvent(new CustomEvent('crowd-submitted', { bubbles: true }));
  };

  /** The port comes once, from the portal's task page (the only page that may frame this one: frame-ancestors). */
  window.addEventListener('message', (event) => {
    if (pagePort || event.source !== window.parent || !event.data || event.data.type !== 'crowd-port') return;
    if (!event.ports || !event.ports[0]) return;
    pagePort = event.ports[0];
    pagePort.onmessage = (message) => fromPage(message.data);
    for (const message of unsent.splice(0)) pagePort.postMessage(message);
  });

  /** The frame's height, so the task page shows the whole task without a second scroll bar. */
  if (window.parent !== window) {
    const report = () =>
      toPage({ type: 'crowd-frame-height', height: Math.ceil(document.body.getBoundingClientRect().height) });
    new ResizeObserver(report).observe(document.body);
  }

  /**
   * `all-crowd-elements-ready`, once: the family scripts load at the end of the frame's body, after this one, so
   * DOMContentLoaded comes after all of them have defined (and so upgraded) their elements; the event follows it by
   * a task, after every DOMContentLoaded listener. `crowdKit.ready` settles at the same moment.
   */
  let settle;
  const ready = new Promise((resolve) => (settle = resolve));
  const announce = () =>
    setTimeout(() => {
      document.dispatchEvent(new Event('all-crowd-elements-ready', { bubbles: true }));
      settle();
    });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', announce, { once: true });
  else announce();

  window.crowdKit = Object.freeze({
    el,
    addStyle,
    adopt,
    parseLiteral,
    parseList,
    CATEGORY10,
    nextId,
    layout,
    layoutKeeping,
    CrowdElement,
    defineAnswering,
    hoistChildren,
    mergeKeyed,
    REGIONS,
    ready,
  });
})();
