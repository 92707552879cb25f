/*
 * The portal's crowd HTML elements for text and choices (see crowd-core.js), with AWS's answerContent:
 *   crowd-classifier              {name: {label}}
 *   crowd-classifier-multi-select {name: {labels: [...]}}
 *   crowd-text-area, crowd-input  {name: "text"}  (an empty crowd-input is left out)
 *   crowd-checkbox, crowd-radio-button {name: {value: true|false}}
 */
(() => {
  'use strict';

  const { el, parseList, nextId, layout, CrowdElement, defineAnswering } = window.crowdKit;

  class Classifier extends CrowdElement {
    build() {
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
  defineAnswering('crowd-classifier', class extends Classifier {});
  defineAnswering(
    'crowd-classifier-multi-select',
    class extends Classifier {
      get multi() {
        return true;
      }
    },
  );

  const field = (tag) =>
    class extends CrowdElement {
      build() {
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

  const toggle = (type) =>
    class extends CrowdElement {
      build() {
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
  defineAnswering('crowd-checkbox', toggle('checkbox'));
  defineAnswering('crowd-radio-button', toggle('radio'));
  customElements.define('crowd-radio-group', class extends HTMLElement {});
})();
