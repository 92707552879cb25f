/*
 * The task page's side of a task: the template runs in a sandboxed frame (an origin of its own) and hands its answer
 * here; this page, which holds the CSRF token and the lease token, posts the answer, tells the frame how it went, and
 * takes the next task. It also counts down the time left on the lease and sizes the frame to its content.
 *
 * The frame and the page talk over a MessageChannel whose port the page hands to the frame's first document only:
 * if the frame navigates away (a link in the instructions), the new document has no port, and the page stops taking
 * answers until it is reloaded.
 */
(() => {
  'use strict';

  const task = document.getElementById('task');
  if (!task) return;
  const frame = task.querySelector('iframe');
  const status = document.getElementById('task-status');
  const timeLeft = document.getElementById('time-left');
  const csrf = document.querySelector('meta[name="csrf-token"]');
  const deadline = Date.now() + Number(task.dataset.secondsLeft) * 1000;
  let sending = false;
  let expired = false;
  let port;
  let loads = 0;

  const show = (text, error = false) => {
    status.textContent = text;
    status.className = error ? 'crowd-status error' : 'crowd-status';
  };
  const tellFrame = (message) => port && port.postMessage(message);

  const clock = (seconds) => {
    const pad = (n) => String(n).padStart(2, '0');
    const hours = Math.floor(seconds / 3600);
    const rest = `${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
    return hours > 0 ? `${hours}:${rest}` : rest;
  };
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    timeLeft.textContent = clock(seconds);
    if (seconds > 0) {
      setTimeout(tick, (deadline - Date.now()) % 1000 || 1000);
      return;
    }
    expired = true;
    task.classList.add('expired');
    show('Your time on this task is up: it went back to the queue. Take it again or go on to the next task.', true);
  };
  tick();

  const submit = async (answerContent) => {
    if (sending) return;
    if (expired) {
      tellFrame({ type: 'crowd-answer-result', ok: false, message: 'Your time on this task is up.' });
      return;
    }
    sending = true;
    show('Submitting...');
    try {
      const response = await fetch(task.dataset.answerUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf ? csrf.content : '' },
        body: JSON.stringify({ answerContent, leaseToken: task.dataset.leaseToken }),
      });
      const result = await response.json().catch(() => ({}));
      if (!response.ok) {
        const message = result.message || `Not saved (${response.status})`;
        show(message, true);
        tellFrame({ type: 'crowd-answer-result', ok: false, message });
        sending = false;
        return;
      }
      show('Submitted. Thank you! Opening the next task...');
      tellFrame({ type: 'crowd-answer-result', ok: true, message: 'Submitted. Thank you!' });
      document.dispatchEvent(new CustomEvent('task-submitted', { detail: result }));
      document.getElementById('next-task').submit();
    } catch {
      const message = 'Not saved: the portal could not be reached. Try again.';
      show(message, true);
      tellFrame({ type: 'crowd-answer-result', ok: false, message });
      sending = false;
    }
  };

  const fromFrame = (data) => {
    if (data === null || typeof data !== 'object') return;
    if (data.type === 'crowd-answer') {
      const answer = data.answerContent;
      if (answer !== null && typeof answer === 'object' && !Array.isArray(answer)) void submit(answer);
    } else if (data.type === 'crowd-frame-height' && Number.isFinite(data.height)) {
      frame.style.height = `${Math.min(Math.max(data.height, 200), 20000)}px`;
    }
  };

  frame.addEventListener('load', () => {
    loads += 1;
    if (port) port.close();
    port = undefined;
    if (loads > 1) {
      show('The task left this page (a link in it?): reload the page to answer.', true);
      return;
    }
    const channel = new MessageChannel();
    port = channel.port1;
    port.onmessage = (event) => fromFrame(event.data);
    // The frame's origin is opaque ("null"), so the message cannot name one; it carries only the port.
    frame.contentWindow.postMessage({ type: 'crowd-port' }, '*', [channel.port2]);
  });
})();
