/** The worker portal's HTML pages. Every value that comes from a loop or a worker is escaped. */
import type { LoopRecord } from '../shared/review/tasks';
import type { WorkerIdentity } from './http';

export function html(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** What every page of a signed-in worker carries: their name, the sign-out action, and their CSRF token. */
export interface PageContext {
  readonly worker: WorkerIdentity;
  readonly csrfToken: string;
  readonly signOutUrl: string;
  /** The portal's path as the browser sees it: `/portal`, or `/<stage>/portal` behind API Gateway. */
  readonly base: string;
}

export const DEFAULT_BASE = '/portal';

/** The portal's page frame; `context` is absent before sign-in. */
export function portalPage(
  title: string,
  context: PageContext | undefined,
  body: string,
  base = context?.base ?? DEFAULT_BASE,
): string {
  const who = context
    ? `<span class="who">Signed in as <strong>${html(context.worker.name)}</strong></span><form method="post" action="${html(context.signOutUrl)}">${csrfField(context)}<button>Sign out</button></form>`
    : '';
  const csrf = context ? `<meta name="csrf-token" content="${html(context.csrfToken)}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">${csrf}<link rel="stylesheet" href="${html(base)}/portal.css"></head>
<body><header><strong>Labeling portal</strong> <a href="${html(base)}">Tasks</a>${who}</header><main>${body}</main></body></html>`;
}

/** JSON inside a <script> element: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function csrfField(context: PageContext): string {
  return `<input type="hidden" name="csrf" value="${html(context.csrfToken)}">`;
}

/** A button that takes the loop's task for the worker (a POST: nothing is taken by following a link). */
function claimForm(context: PageContext, loop: LoopRecord, label: string): string {
  return `<form class="claim" method="post" action="${html(context.base)}/tasks/${encodeURIComponent(loop.name)}/claim">${csrfField(context)}<button>${html(label)}</button></form>`;
}

/** A task the worker may take: what it is about, and the button to take it. */
export function offerPage(context: PageContext, loop: LoopRecord, preview: string): string {
  return portalPage(
    `Task ${loop.name}`,
    context,
    `<h1>Task <code>${html(loop.name)}</code></h1><p>${html(preview)}</p><p>Taking it gives you ${Math.round(loop.taskTimeLimitSeconds / 60)} minutes to answer; others cannot take your place meanwhile.</p>${claimForm(context, loop, 'Take this task')}`,
  );
}

export function taskListPage(
  context: PageContext,
  tasks: readonly LoopRecord[],
  preview: (loop: LoopRecord) => string,
): string {
  const rows = tasks
    .map(
      (loop) =>
        `<tr><td><a href="${html(context.base)}/tasks/${encodeURIComponent(loop.name)}">${html(loop.name)}</a></td><td>${html(preview(loop))}</td><td>${html(loop.createdAt)}</td></tr>`,
    )
    .join('');
  const waiting = `<p class="waiting" data-waiting="${tasks.length}"><strong>${tasks.length}</strong> task${tasks.length === 1 ? '' : 's'} waiting for you.</p>`;
  return portalPage(
    'Tasks',
    context,
    `<h1>Tasks</h1>${waiting}${tasks.length ? `${claimForm(context, tasks[0], 'Start working')}<table><thead><tr><th>Task</th><th>Preview</th><th>Created</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>Nothing to review right now. Send predictions to <code>POST /predict</code>; low-confidence ones appear here.</p>'}`,
  );
}

/**
 * The task template, rendered, inside the portal page, with the task's time limit and the actions to give the task
 * back or decline it; the crowd stand-ins load after the template so they see its content.
 */
export function taskPage(context: PageContext, loop: LoopRecord, renderedTemplate: string, remaining: number): string {
  const withoutCrowdScript = renderedTemplate.replace(
    /<script[^>]*src=["']https:\/\/assets\.crowd\.aws\/[^"']*["'][^>]*>\s*<\/script>/gi,
    '',
  );
  const task = `${context.base}/tasks/${encodeURIComponent(loop.name)}`;
  const claim = loop.claims.find((c) => c.workerId === context.worker.id);
  const settings = `<script>window.crowdSubmitUrl=${scriptJson(`${context.base}/api/tasks/${encodeURIComponent(loop.name)}/answers`)};window.crowdNextUrl=${scriptJson(context.base)};</script>`;
  const actions = `<div class="task-actions"><form method="post" action="${html(task)}/release">${csrfField(context)}<button>Give back</button></form><form method="post" action="${html(task)}/decline">${csrfField(context)}<button>Decline</button></form></div>`;
  return portalPage(
    `Task ${loop.name}`,
    context,
    `<p>Task <code>${html(loop.name)}</code> · ${remaining} more waiting after this one${claim ? ` · yours until ${html(claim.expiresAt)}` : ''}</p>${withoutCrowdScript}${actions}${settings}<script src="${html(context.base)}/crowd-html-elements.js"></script>`,
  );
}

export function messagePage(context: PageContext | undefined, title: string, message: string): string {
  return portalPage(
    title,
    context,
    `<h1>${html(title)}</h1><p>${html(message)}</p><p><a href="${html(context?.base ?? DEFAULT_BASE)}">Back to the tasks</a></p>`,
  );
}
