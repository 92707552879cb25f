/** The worker portal's HTML pages. Every value that comes from a loop or a worker is escaped. */
import type { StoredLoop } from '../loop-store';
import type { Worker } from '../review-service';

export function html(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function page(title: string, worker: Worker | undefined, body: string, head = ''): string {
  const who = worker
    ? `<span class="who">Signed in as <strong>${html(worker.name)}</strong></span><form method="post" action="/portal/sign-out"><button>Sign out</button></form>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/portal/portal.css">${head}</head>
<body><header><strong>Labeling portal</strong> <a href="/portal">Tasks</a>${who}</header><main>${body}</main></body></html>`;
}

export function signInPage(error?: string): string {
  return page(
    'Sign in',
    undefined,
    `<h1>Sign in</h1><p>Local mode: choose a name. It identifies your answers (a stable worker id is derived from it); no password.</p>
${error ? `<p class="crowd-status error">${html(error)}</p>` : ''}
<form class="sign-in" method="post" action="/portal/sign-in"><label>Name <input name="name" required maxlength="64" autofocus></label><button>Sign in</button></form>`,
  );
}

export function taskListPage(
  worker: Worker,
  tasks: readonly StoredLoop[],
  preview: (loop: StoredLoop) => string,
): string {
  const rows = tasks
    .map(
      (loop) =>
        `<tr><td><a href="/portal/tasks/${encodeURIComponent(loop.name)}">${html(loop.name)}</a></td><td>${html(preview(loop))}</td><td>${html(loop.creationTime)}</td></tr>`,
    )
    .join('');
  const waiting = `<p class="waiting" data-waiting="${tasks.length}"><strong>${tasks.length}</strong> task${tasks.length === 1 ? '' : 's'} waiting for you.</p>`;
  return page(
    'Tasks',
    worker,
    `<h1>Tasks</h1>${waiting}${tasks.length ? `<p><a href="/portal/tasks/${encodeURIComponent(tasks[0].name)}">Start working</a></p><table><thead><tr><th>Task</th><th>Preview</th><th>Created</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>Nothing to review right now. Send predictions to <code>POST /predict</code>; low-confidence ones appear here.</p>'}`,
  );
}

/** The task template, rendered, inside the portal page; the crowd stand-ins load after it so they see its content. */
export function taskPage(worker: Worker, loop: StoredLoop, renderedTemplate: string, remaining: number): string {
  const withoutCrowdScript = renderedTemplate.replace(
    /<script[^>]*src=["']https:\/\/assets\.crowd\.aws\/[^"']*["'][^>]*>\s*<\/script>/gi,
    '',
  );
  const settings = `<script>window.crowdSubmitUrl=${JSON.stringify(`/portal/api/tasks/${encodeURIComponent(loop.name)}/answers`)};window.crowdNextUrl="/portal";</script>`;
  return page(
    `Task ${loop.name}`,
    worker,
    `<p>Task <code>${html(loop.name)}</code> · ${remaining} more waiting after this one</p>${withoutCrowdScript}${settings}<script src="/portal/crowd-html-elements.js"></script>`,
  );
}

export function messagePage(worker: Worker | undefined, title: string, message: string): string {
  return page(
    title,
    worker,
    `<h1>${html(title)}</h1><p>${html(message)}</p><p><a href="/portal">Back to the tasks</a></p>`,
  );
}
