/*
 * The portal's own crowd HTML elements, part 1 of the frame's scripts: what every element shares, crowd-form and
 * crowd-button. SageMaker serves its elements from assets.crowd.aws; the portal serves these instead, written for it
 * (plain custom elements: no framework, no build step, nothing to load from elsewhere), with the answerContent AWS's
 * give. The other scripts (crowd-regions.js, crowd-text.js, ...) register their elements through `window.crowdKit`.
 *
 * crowd-form merges every named answering element and every plain named input into one answerContent and hands it to
 * the task page around this sandboxed frame, over the MessageChannel port the page gives this document when it
 * loads; the page posts it under the worker's lease and answers back on the same port.
 */
(() => {
  'use strict';

  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    Object.assign(node, props);
    for (const child of children) node.append(child);
    return node;
  };

  /** SageMaker templates write lists as a JS array literal: "['-1', '0', '1']". */
  const parseList = (text) => {
    if (!text) return [];
    try {
      return JSON.parse(text);
    } catch {
      return JSON.parse(text.replace(/'/g, '"'));
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

  /** The elements that answer: crowd-form asks each named one for its part of answerContent. */
  const answering = new Set();

  /**
   * Defines an element that answers. Its class gives `answer()` (its value under its name, or throws a message for
   * the worker when it is not filled in as required), or `collectInto(answerContent)` when it merges with others.
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

    collectInto(answerContent) {
      answerContent[this.getAttribute('name')] = this.answer();
    }
  }

  customElements.define(
    'crowd-button',
    class extends CrowdElement {
      build() {
        const button = el('button', { type: 'button', textContent: this.textContent.trim() || 'Submit' });
        if (this.getAttribute('form-action') === 'submit') {
          button.addEventListener('click', () => this.closest('crowd-form')?.submit());
        }
        this.replaceChildren(button);
      }
    },
  );

  customElements.define(
    'crowd-form',
    class extends CrowdElement {
      build() {
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
        const selector = [...answering].join(', ');
        const answer = {};
        for (const node of this.querySelectorAll(selector)) {
          if (node.getAttribute('name')) node.collectInto(answer);
        }
        for (const input of this.querySelectorAll('input[name], textarea[name], select[name]')) {
          if (input.closest(selector)) continue;
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

  window.crowdKit = Object.freeze({ el, parseList, nextId, layout, CrowdElement, defineAnswering });
})();
