/*
 * The portal's crowd HTML elements, the regions a template lays out: classification-target, short-instructions,
 * full-instructions and crowd-instructions (see crowd-core.js).
 */
(() => {
  'use strict';

  const { el } = window.crowdKit;

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
})();
