/*
 * Local stand-ins for the crowd-html-elements that SageMaker serves from assets.crowd.aws, so task templates render
 * and submit offline. Each element produces the same answerContent as on AWS:
 *   crowd-classifier              {name: {label}}
 *   crowd-classifier-multi-select {name: {labels: [...]}}
 *   crowd-text-area, crowd-input  {name: "text"}  (an empty crowd-input is left out)
 *   crowd-checkbox, crowd-radio-button {name: {value: true|false}}
 * crowd-form merges every named field (crowd elements and plain inputs) into one answerContent and hands it to the
 * task page around this sandboxed frame, over the MessageChannel port the page gives this document when it loads; the
 * page posts it under the worker's lease and answers back on the same port.
 */
(() => {
  'use strict';

  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    for (const child of children) node.append(child);
    return node;
  };

  /** SageMaker templates write categories as a JS array literal: "['-1', '0', '1']". */
  const parseList = (text) => {
    if (!text) return [];
    try {
      return JSON.parse(text);
    } catch {
      return JSON.parse(text.replace(/'/g, '"'));
    }
  };

  /** The task page's port, and what was said before it came. */
  let pagePort;
  const unsent = [];
  const toPage = (message) => (pagePort ? pagePort.postMessage(message) : unsent.push(message));

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  class Region extends HTMLElement {}
  customElements.define('classification-target', class extends Region {});
  customElements.define('short-instructions', class extends Region {});

  /** A region shown as a collapsible block, titled by one of its attributes. */
  const collapsible = (className, titleAttribute, fallbackTitle) =>
    class extends HTMLElement {
      connectedCallback() {
        if (this.dataset.ready) return;
        this.dataset.ready = '1';
        const details = el('details', { className }, [
          el('summary', { textContent: this.getAttribute(titleAttribute) || fallbackTitle }),
        ]);
        details.append(...this.childNodes);
        this.append(details);
      }
    };
  customElements.define('full-instructions', collapsible('crowd-full-instructions', 'header', 'Full instructions'));
  customElements.define('crowd-instructions', collapsible('crowd-instructions', 'link-text', 'Instructions'));

  /** Moves the instruction and target regions of a task element into a two-column layout. */
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

  class Classifier extends HTMLElement {
    connectedCallback() {
      if (this.dataset.ready) return;
      this.dataset.ready = '1';
      const group = nextId(this.getAttribute('name') || 'classifier');
      const initial = this.getAttribute('initial-value');
      const options = parseList(this.getAttribute('categories')).map((category) => {
        const input = el('input', { type: this.multi ? 'checkbox' : 'radio', name: group, value: String(category) });
        input.checked = !this.multi && initial !== null && String(category) === initial;
        return el('label', { className: 'crowd-category' }, [input, el('span', { textContent: String(category) })]);
      });
      layout(this, this.getAttribute('header'), el('fieldset', { className: 'crowd-categories' }, options));
    }

    inputs() {
      return [...this.querySelectorAll('.crowd-categories input')];
    }

    get value() {
      const chosen = this.inputs()
        .filter((input) => input.checked)
        .map((input) => input.value);
      return this.multi ? chosen : chosen[0];
    }

    answer() {
      const value = this.value;
      if (this.multi) return { labels: value };
      if (value === undefined)
        throw new Error(`Choose a category for "${this.getAttribute('header') || this.getAttribute('name')}"`);
      return { label: value };
    }
  }
  customElements.define('crowd-classifier', class extends Classifier {});
  customElements.define(
    'crowd-classifier-multi-select',
    class extends Classifier {
      get multi() {
        return true;
      }
    },
  );

  const field = (tag) =>
    class extends HTMLElement {
      connectedCallback() {
        if (this.dataset.ready) return;
        this.dataset.ready = '1';
        const id = nextId('field');
        const control = el(tag, { id, value: this.getAttribute('value') || '' });
        for (const attribute of ['placeholder', 'rows', 'type', 'max-length', 'required']) {
          if (this.hasAttribute(attribute))
            control.setAttribute(attribute.replace('max-length', 'maxlength'), this.getAttribute(attribute));
        }
        const label = this.getAttribute('label');
        this.replaceChildren(...(label ? [el('label', { htmlFor: id, textContent: label })] : []), control);
      }
      get value() {
        return this.querySelector('input, textarea')?.value ?? '';
      }
      answer() {
        if (this.hasAttribute('required') && this.value.trim() === '')
          throw new Error(`Fill in "${this.getAttribute('label') || this.getAttribute('name')}"`);
        return this.value;
      }
    };
  customElements.define('crowd-text-area', field('textarea'));
  customElements.define('crowd-input', field('input'));

  const toggle = (type) =>
    class extends HTMLElement {
      connectedCallback() {
        if (this.dataset.ready) return;
        this.dataset.ready = '1';
        const group = type === 'radio' ? this.closest('crowd-radio-group') : null;
        if (group && !group.dataset.group) group.dataset.group = nextId('radio-group');
        const input = el('input', { type, name: group ? group.dataset.group : nextId(type) });
        input.checked = this.hasAttribute('checked');
        this.replaceChildren(
          el('label', {}, [input, el('span', { textContent: this.textContent.trim() || this.getAttribute('name') })]),
        );
      }
      get checked() {
        return this.querySelector('input').checked;
      }
      answer() {
        return { value: this.checked };
      }
    };
  customElements.define('crowd-checkbox', toggle('checkbox'));
  customElements.define('crowd-radio-button', toggle('radio'));
  customElements.define('crowd-radio-group', class extends HTMLElement {});

  customElements.define(
    'crowd-button',
    class extends HTMLElement {
      connectedCallback() {
        if (this.dataset.ready) return;
        this.dataset.ready = '1';
        const button = el('button', { type: 'button', textContent: this.textContent.trim() || 'Submit' });
        if (this.getAttribute('form-action') === 'submit') {
          button.addEventListener('click', () => this.closest('crowd-form')?.submit());
        }
        this.replaceChildren(button);
      }
    },
  );

  const CROWD_FIELDS =
    'crowd-classifier, crowd-classifier-multi-select, crowd-text-area, crowd-input, crowd-checkbox, crowd-radio-button';

  customElements.define(
    'crowd-form',
    class extends HTMLElement {
      connectedCallback() {
        if (this.dataset.ready) return;
        this.dataset.ready = '1';
        this.status = el('p', { className: 'crowd-status', role: 'status' });
        if (!this.querySelector('crowd-button[form-action="submit"]')) {
          const button = el('crowd-button', { textContent: 'Submit' });
          button.setAttribute('form-action', 'submit');
          this.append(button);
        }
        this.append(this.status);
        this.addEventListener('submit', (event) => {
          event.preventDefault();
          this.submit();
        });
      }

      /** Every named field, as AWS merges them into answerContent. */
      answerContent() {
        const answer = {};
        for (const node of this.querySelectorAll(CROWD_FIELDS)) {
          const name = node.getAttribute('name');
          if (!name) continue;
          const value = node.answer();
          if (node.localName === 'crowd-input' && value === '') continue;
          answer[name] = value;
        }
        for (const input of this.querySelectorAll('input[name], textarea[name], select[name]')) {
          if (input.closest(CROWD_FIELDS)) continue;
          if (input.type === 'radio' && !input.checked) continue;
          answer[input.name] = input.type === 'checkbox' ? input.checked : input.value;
        }
        return answer;
      }

      submit() {
        let answerContent;
        try {
          answerContent = this.answerContent();
        } catch (error) {
          this.status.textContent = error.message;
          this.status.className = 'crowd-status error';
          return;
        }
        if (window.parent === window) {
          this.status.textContent = 'Open this task from the portal to submit it.';
          this.status.className = 'crowd-status error';
          return;
        }
        this.status.textContent = 'Submitting...';
        this.status.className = 'crowd-status';
        toPage({ type: 'crowd-answer', answerContent });
      }
    },
  );

  /** The task page's word on a submitted answer. */
  const fromPage = (data) => {
    if (!data || data.type !== 'crowd-answer-result') return;
    const form = document.querySelector('crowd-form');
    if (!form || !form.status) return;
    form.status.textContent = data.message;
    form.status.className = data.ok ? 'crowd-status' : 'crowd-status error';
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
})();
