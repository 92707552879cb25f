/*
 * The portal's crowd HTML elements that lay a task out (see crowd-core.js). None of them answers: crowd-form gives
 * them no part of answerContent, and the fields a template puts inside them (a card, a tab, a modal) stay in the
 * page's light DOM, where crowd-form collects them.
 *   crowd-alert       type="info|success|warning|error" (info by default), dismissible
 *   crowd-card        heading, image
 *   crowd-badge       for (the id of the element it marks), icon, label
 *   crowd-toast       duration (ms, 0 = stays), text, opened; only one is open at a time
 *   crowd-modal       link-text, link-type="link|button"; its content opens in a dialog
 *   crowd-tabs        holds crowd-tab header="...", one shown at a time (arrow keys move between tabs)
 *   crowd-fab         disabled, icon, label (one character), title
 *   crowd-icon-button disabled, icon
 *   crowd-tooltip     for (the id of the element it explains); AWS documents no such element: this one is ours
 * Icons: a URL is shown as an image; the iron-icons names templates use most are drawn as characters.
 */
(() => {
  'use strict';

  const { el, nextId, CrowdElement, hoistChildren } = window.crowdKit;

  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`
    :host { display: block; }
    :host(crowd-badge), :host(crowd-fab), :host(crowd-icon-button) { display: inline-block; }
    :host(crowd-toast) { position: fixed; left: 1rem; right: 1rem; bottom: 1rem; z-index: 10; max-width: 30rem;
      margin: 0 auto; }
    :host([hidden]), [hidden] { display: none !important; }
    button { font: inherit; cursor: pointer; }
    button:focus-visible { outline: 3px solid #0073bb; outline-offset: 2px; }
    button:disabled { cursor: not-allowed; opacity: 0.5; }
    .alert { display: flex; gap: 0.6rem; align-items: flex-start; border: 1px solid; border-left-width: 6px;
      border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0.5rem 0; overflow-wrap: anywhere; }
    .alert .body { flex: 1; min-width: 0; }
    .info { background: #f1faff; border-color: #0073bb; }
    .success { background: #f2f8f0; border-color: #1d8102; }
    .warning { background: #fffce6; border-color: #b7740f; }
    .error { background: #fff0f0; border-color: #d13212; }
    .dismiss { background: none; border: none; padding: 0 0.3rem; font-size: 1.1rem; color: inherit; }
    .card { border: 1px solid #d5dbdb; border-radius: 8px; background: #fff; overflow: hidden; margin: 0.5rem 0;
      box-shadow: 0 1px 2px #0001; }
    .card img { display: block; width: 100%; height: auto; }
    .card .content { padding: 0.8rem 1rem; overflow-wrap: anywhere; }
    .card h3 { margin: 0 0 0.5rem; font-size: 1.1rem; }
    .badge { display: inline-flex; align-items: center; justify-content: center; min-width: 1.4em; height: 1.4em;
      padding: 0 0.35em; border-radius: 0.7em; background: #0073bb; color: #fff; font-size: 0.8rem; font-weight: 600;
      box-sizing: border-box; }
    .badge img { width: 1em; height: 1em; }
    .toast { background: #232f3e; color: #fff; border-radius: 6px; padding: 0.7rem 1rem; box-shadow: 0 2px 8px #0004;
      overflow-wrap: anywhere; }
    .trigger.link { background: none; border: none; padding: 0; color: #0073bb; text-decoration: underline; }
    .trigger.button { background: #fff; border: 1px solid #545b64; border-radius: 4px; padding: 0.4rem 1rem; }
    dialog { max-width: min(40rem, calc(100vw - 2rem)); width: 100%; box-sizing: border-box; border: none;
      border-radius: 8px; padding: 1rem 1.2rem; box-shadow: 0 4px 20px #0005; }
    dialog::backdrop { background: #0006; }
    dialog .content { overflow-wrap: anywhere; }
    dialog .close { margin-top: 1rem; background: #fff; border: 1px solid #545b64; border-radius: 4px;
      padding: 0.4rem 1rem; }
    .fab, .icon-button { display: inline-flex; align-items: center; justify-content: center; border: none;
      color: #fff; background: #ec7211; }
    .fab { width: 3.5rem; height: 3.5rem; border-radius: 50%; font-size: 1.4rem; box-shadow: 0 2px 6px #0004; }
    .icon-button { width: 2.75rem; height: 2.75rem; border-radius: 50%; background: none; color: #16191f;
      font-size: 1.3rem; }
    .icon-button:hover { background: #0001; }
    .fab img, .icon-button img { width: 1.5rem; height: 1.5rem; }
    .label { max-width: 1.5em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  `);

  /** The iron-icons names templates use most, drawn as characters (the portal loads no icon font). */
  const GLYPHS = {
    add: '+',
    'arrow-back': '←',
    'arrow-forward': '→',
    check: '✓',
    'check-circle': '✓',
    clear: '✕',
    close: '✕',
    delete: '🗑',
    done: '✓',
    edit: '✎',
    error: '!',
    favorite: '♥',
    flag: '⚑',
    help: '?',
    'help-outline': '?',
    info: 'i',
    'info-outline': 'i',
    menu: '☰',
    redo: '↷',
    refresh: '↻',
    remove: '−',
    'report-problem': '⚠',
    search: '⌕',
    send: '➤',
    star: '★',
    'thumb-down': '👎',
    'thumb-up': '👍',
    undo: '↶',
    warning: '⚠',
    'zoom-in': '+',
    'zoom-out': '−',
  };

  /** An icon by iron-icons name or URL, for decoration (the control around it carries the words). */
  const icon = (name) => {
    if (/[/.]/.test(name)) return el('img', { src: name, alt: '' });
    const glyph = el('span', { textContent: GLYPHS[name.replace(/^icons:/, '')] ?? '●' });
    glyph.setAttribute('aria-hidden', 'true');
    return glyph;
  };

  /** What an icon's name says to a screen reader: "report-problem" reads "report problem". */
  const iconWords = (name) =>
    name
      ? name
          .replace(/^icons:/, '')
          .split('/')
          .pop()
          .replace(/[-_.]/g, ' ')
      : '';

  /** A shadow root with the layout styles; the host's light children show through the slot. */
  const shadow = (host, ...children) => {
    const root = host.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sheet];
    root.append(...children);
    return root;
  };

  customElements.define(
    'crowd-alert',
    class extends CrowdElement {
      build() {
        const type = ['success', 'info', 'warning', 'error'].includes(this.getAttribute('type'))
          ? this.getAttribute('type')
          : 'info';
        const box = el('div', { className: `alert ${type}` }, [
          icon({ success: 'check', info: 'info', warning: 'warning', error: 'report-problem' }[type]),
          el('div', { className: 'body' }, [el('slot')]),
        ]);
        box.setAttribute('role', type === 'error' || type === 'warning' ? 'alert' : 'status');
        if (this.hasAttribute('dismissible')) {
          const dismiss = el('button', { type: 'button', className: 'dismiss', textContent: '✕' });
          dismiss.setAttribute('aria-label', 'Dismiss');
          dismiss.addEventListener('click', () => {
            this.hidden = true;
            this.dispatchEvent(new CustomEvent('dismiss', { bubbles: true }));
          });
          box.append(dismiss);
        }
        shadow(this, box);
      }
    },
  );

  customElements.define(
    'crowd-card',
    class extends CrowdElement {
      static get observedAttributes() {
        return ['heading', 'image'];
      }

      build() {
        this.image = el('img', { alt: '' });
        this.heading = el('h3');
        shadow(
          this,
          el('div', { className: 'card' }, [
            this.image,
            el('div', { className: 'content' }, [this.heading, el('slot')]),
          ]),
        );
        this.draw();
      }

      attributeChangedCallback() {
        if (this.heading) this.draw();
      }

      draw() {
        this.heading.textContent = this.getAttribute('heading') ?? '';
        this.heading.hidden = !this.hasAttribute('heading');
        this.image.hidden = !this.getAttribute('image');
        if (this.getAttribute('image')) this.image.src = this.getAttribute('image');
      }
    },
  );

  customElements.define(
    'crowd-badge',
    class extends CrowdElement {
      build() {
        hoistChildren(this);
        const name = this.getAttribute('icon');
        const badge = el('span', { className: 'badge' }, [
          name ? icon(name) : el('span', { textContent: this.getAttribute('label') ?? '' }),
        ]);
        if (name) {
          badge.setAttribute('role', 'img');
          badge.setAttribute('aria-label', this.getAttribute('label') || iconWords(name));
        }
        shadow(this, badge);
        this.place = () => this.position();
        window.addEventListener('resize', this.place);
        queueMicrotask(this.place);
        const target = this.target();
        if (target) new ResizeObserver(this.place).observe(target);
      }

      target() {
        const id = this.getAttribute('for');
        return id ? document.getElementById(id) : null;
      }

      /** On the top-right corner of its target, inside it (so it never widens the page). */
      position() {
        const target = this.target();
        if (!target) return;
        this.style.position = 'absolute';
        this.style.zIndex = '1';
        const parent = this.offsetParent ?? document.body;
        const box = target.getBoundingClientRect();
        const origin = parent.getBoundingClientRect();
        const left = box.right - origin.left + parent.scrollLeft - this.offsetWidth - 4;
        this.style.left = `${Math.max(0, left)}px`;
        this.style.top = `${box.top - origin.top + parent.scrollTop - this.offsetHeight / 2}px`;
      }
    },
  );

  customElements.define(
    'crowd-toast',
    class extends CrowdElement {
      static get observedAttributes() {
        return ['opened', 'text'];
      }

      build() {
        this.words = el('span');
        const box = el('div', { className: 'toast' }, [this.words, el('slot')]);
        box.setAttribute('role', 'status');
        box.setAttribute('aria-live', 'polite');
        shadow(this, box);
        this.draw();
      }

      attributeChangedCallback(name) {
        if (!this.words) return;
        this.draw();
        if (name === 'opened' && this.opened) this.shown();
      }

      draw() {
        this.words.textContent = this.getAttribute('text') ?? '';
        this.hidden = !this.opened;
      }

      /** Only one toast is open; this one closes after `duration` ms (3000 by default, 0: stays open). */
      shown() {
        for (const other of document.querySelectorAll('crowd-toast[opened]')) if (other !== this) other.close();
        clearTimeout(this.timer);
        const duration = Number(this.getAttribute('duration') ?? 3000);
        if (duration > 0) this.timer = setTimeout(() => this.close(), duration);
      }

      connectedCallback() {
        super.connectedCallback();
        if (this.opened) this.shown();
      }

      get opened() {
        return this.hasAttribute('opened');
      }

      set opened(on) {
        this.toggleAttribute('opened', Boolean(on));
      }

      open() {
        this.opened = true;
      }

      show(text) {
        if (typeof text === 'string') this.setAttribute('text', text);
        this.open();
      }

      close() {
        this.opened = false;
      }

      toggle() {
        this.opened = !this.opened;
      }
    },
  );

  customElements.define(
    'crowd-modal',
    class extends CrowdElement {
      build() {
        const text = this.getAttribute('link-text') || 'Click to open modal';
        const type = this.getAttribute('link-type') === 'button' ? 'button' : 'link';
        const trigger = el('button', { type: 'button', className: `trigger ${type}`, textContent: text });
        trigger.setAttribute('aria-haspopup', 'dialog');
        const close = el('button', { type: 'button', className: 'close', textContent: 'Close' });
        this.dialog = el('dialog', {}, [el('div', { className: 'content' }, [el('slot')]), close]);
        this.dialog.setAttribute('aria-label', text);
        trigger.addEventListener('click', () => this.open());
        close.addEventListener('click', () => this.close());
        this.dialog.addEventListener('click', (event) => {
          if (event.target === this.dialog) this.close();
        });
        shadow(this, trigger, this.dialog);
      }

      open() {
        if (!this.dialog.open) this.dialog.showModal();
      }

      close() {
        this.dialog.close();
      }
    },
  );

  customElements.define(
    'crowd-tabs',
    class extends CrowdElement {
      build() {
        this.tabs = [...this.querySelectorAll(':scope > crowd-tab')];
        this.list = el('div', { className: 'crowd-tablist' });
        this.list.setAttribute('role', 'tablist');
        this.buttons = this.tabs.map((tab, index) => {
          if (!tab.id) tab.id = nextId('crowd-tab');
          const button = el('button', {
            type: 'button',
            id: nextId('crowd-tab-button'),
            textContent: tab.getAttribute('header') || `Tab ${index + 1}`,
          });
          button.setAttribute('role', 'tab');
          button.setAttribute('aria-controls', tab.id);
          tab.setAttribute('role', 'tabpanel');
          tab.setAttribute('aria-labelledby', button.id);
          tab.tabIndex = 0;
          button.addEventListener('click', () => this.select(index));
          return button;
        });
        this.list.append(...this.buttons);
        this.list.addEventListener('keydown', (event) => this.key(event));
        this.prepend(this.list);
        this.select(0, false);
      }

      /** Shows tab `index`; the fields of the others stay in the form. */
      select(index, focus = true) {
        this.tabs.forEach((tab, i) => {
          tab.hidden = i !== index;
          this.buttons[i].setAttribute('aria-selected', String(i === index));
          this.buttons[i].tabIndex = i === index ? 0 : -1;
        });
        if (focus) this.buttons[index]?.focus();
      }

      /** Arrow keys, Home and End move between tabs (the ARIA tabs pattern). */
      key(event) {
        const current = this.buttons.indexOf(event.target);
        if (current < 0) return;
        const last = this.buttons.length - 1;
        const next = {
          ArrowRight: current === last ? 0 : current + 1,
          ArrowLeft: current === 0 ? last : current - 1,
          Home: 0,
          End: last,
        }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        this.select(next);
      }
    },
  );
  customElements.define('crowd-tab', class extends HTMLElement {});

  /** A round button (crowd-fab) or an icon button; the page listens to its clicks. */
  const iconButton = (className) =>
    class extends CrowdElement {
      build() {
        hoistChildren(this);
        const name = this.getAttribute('icon');
        const label = className === 'fab' ? this.getAttribute('label') : null;
        this.button = el('button', { type: 'button', className }, [
          name ? icon(name) : el('span', { className: 'label', textContent: label ?? '' }),
        ]);
        this.button.setAttribute('aria-label', this.getAttribute('title') || label || iconWords(name) || 'Button');
        this.button.disabled = this.hasAttribute('disabled');
        shadow(this, this.button);
      }

      get disabled() {
        return this.hasAttribute('disabled');
      }

      set disabled(on) {
        this.toggleAttribute('disabled', Boolean(on));
        if (this.button) this.button.disabled = Boolean(on);
      }

      focus(options) {
        this.button?.focus(options);
      }
    };
  customElements.define('crowd-fab', iconButton('fab'));
  customElements.define('crowd-icon-button', iconButton('icon-button'));

  /** Our own: AWS documents no crowd-tooltip. Its text shows while its target is hovered or focused. */
  customElements.define(
    'crowd-tooltip',
    class extends CrowdElement {
      build() {
        if (!this.id) this.id = nextId('crowd-tooltip');
        this.setAttribute('role', 'tooltip');
        this.hidden = true;
        const target = document.getElementById(this.getAttribute('for') ?? '');
        if (!target) return;
        const described = target.getAttribute('aria-describedby');
        target.setAttribute('aria-describedby', described ? `${described} ${this.id}` : this.id);
        const show = () => {
          this.hidden = false;
          const box = target.getBoundingClientRect();
          const parent = this.offsetParent ?? document.body;
          const origin = parent.getBoundingClientRect();
          this.style.top = `${box.bottom - origin.top + parent.scrollTop + 4}px`;
          this.style.left = `${Math.max(0, box.left - origin.left + parent.scrollLeft)}px`;
        };
        const hide = () => (this.hidden = true);
        target.addEventListener('mouseenter', show);
        target.addEventListener('focusin', show);
        target.addEventListener('mouseleave', hide);
        target.addEventListener('focusout', hide);
        document.addEventListener('keydown', (event) => event.key === 'Escape' && hide());
      }
    },
  );
})();
