/*
 * The task page's side of a task: the template runs in a sandboxed frame (an origin of its own) and hands its answer
 * here with postMessage; this page, which holds the CSRF token and the lease token, posts the answer, tells the frame
 * how it went, and takes the next task. It also counts down the time left on the lease and sizes the frame to its
 * content. A message is taken only from this page's own frame.
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

  const show = (text, error = false) => {
    status.textContent = text;
    status.className = error ? 'crowd-status error' : 'crowd-status';
  };
  // The frame's origin is opaque ("null"), so a message to it cannot name one; what it gets is only a status line.
  const tellFrame = (message) => frame.contentWindow && frame.contentWindow.postMessage(message, '*');

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

  window.addEventListener('message', (event) => {
    if (event.source !== frame.contentWindow || event.data === null || typeof event.data !== 'object') return;
    if (event.data.type === 'crowd-answer') {
      const answer = event.data.answerContent;
      if (answer !== null && typeof answer === 'object' && !Array.isArray(answer)) void submit(answer);
    } else if (event.data.type === 'crowd-frame-height' && Number.isFinite(event.data.height)) {
      frame.style.height = `${Math.min(Math.max(event.data.height, 200), 20000)}px`;
    }
  });
})();
