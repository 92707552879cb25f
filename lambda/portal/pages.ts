/** The worker portal's HTML pages. Every value that comes from a loop or a worker is escaped. */
import { CROWD_SCRIPTS } from '../../common/contract';
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
<meta name="viewport" content="width=device-width, initial-scale=1">${csrf}<link rel="icon" href="data:,"><link rel="stylesheet" href="${html(base)}/portal.css"></head>
<body><header><strong>Labeling portal</strong> <a href="${html(base)}">Tasks</a>${who}</header><main>${body}</main></body></html>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A time as a person reads it: how long ago, then the day and time in UTC (the worker's zone is not known here); the
 * exact instant stays in the element's datetime.
 */
export function humanTime(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return html(iso);
  const seconds = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  const [amount, unit] =
    seconds < 60
      ? [0, '']
      : seconds < 3_600
        ? [Math.floor(seconds / 60), 'minute']
        : seconds < 86_400
          ? [Math.floor(seconds / 3_600), 'hour']
          : [Math.floor(seconds / 86_400), 'day'];
  const ago = unit === '' ? 'just now' : `${amount} ${unit}${amount === 1 ? '' : 's'} ago`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}, ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`;
  return `<time datetime="${html(at.toISOString())}">${ago}</time> <span class="when">(${day})</span>`;
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
  now = new Date(),
): string {
  const rows = tasks
    .map(
      (loop) =>
        `<tr><td><a href="${html(context.base)}/tasks/${encodeURIComponent(loop.name)}">${html(loop.name)}</a></td><td>${html(preview(loop))}</td><td>${humanTime(loop.createdAt, now)}</td></tr>`,
    )
    .join('');
  const waiting = `<p class="waiting" data-waiting="${tasks.length}"><strong>${tasks.length}</strong> task${tasks.length === 1 ? '' : 's'} waiting for you.</p>`;
  return portalPage(
    'Tasks',
    context,
    `<h1>Tasks</h1>${waiting}${tasks.length ? `${nextTaskForm(context, 'Start working')}<table><thead><tr><th>Task</th><th>Preview</th><th>Created</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>Nothing to review right now. Send predictions to <code>POST /predict</code>; low-confidence ones appear here.</p>'}`,
  );
}

/** The form that takes the worker's next task (the oldest they may take) and opens it. */
function nextTaskForm(context: PageContext, label: string, hidden = false): string {
  return `<form id="next-task" class="claim" method="post" action="${html(context.base)}/next"${hidden ? ' hidden' : ''}>${csrfField(context)}<button>${html(label)}</button></form>`;
}

/** `mm:ss`, or `h:mm:ss` from an hour up: the time left on a lease. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  const rest = `${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return hours > 0 ? `${hours}:${rest}` : rest;
}

/** What the task page knows of the lease the worker holds. */
export interface LeaseView {
  readonly token: string;
  readonly secondsLeft: number;
}

/**
 * The task the worker holds: the rendered template in a sandboxed frame (its scripts run in an origin of their own,
 * with no access to the portal, its cookies or this page), the time left on the lease, the queue, and the actions to
 * give the task back or decline it. The frame hands the answer to this page (portal-task.js), which posts it with the
 * lease token and the CSRF token and then takes the next task.
 */
export function taskPage(context: PageContext, loop: LoopRecord, lease: LeaseView, waiting: number): string {
  const task = `${context.base}/tasks/${encodeURIComponent(loop.name)}`;
  const answerUrl = `${context.base}/api/tasks/${encodeURIComponent(loop.name)}/answers`;
  const actions = `<div class="task-actions"><form method="post" action="${html(task)}/release">${csrfField(context)}<button class="secondary">Give back</button></form><form method="post" action="${html(task)}/decline">${csrfField(context)}<button class="secondary">Decline</button></form></div>`;
  const bar = `<div class="task-bar"><span>Task <code>${html(loop.name)}</code></span><span class="queue" data-waiting="${waiting}">${waiting} more waiting</span><span class="time-left">Time left <strong id="time-left" role="timer">${clock(lease.secondsLeft)}</strong></span></div>`;
  return portalPage(
    `Task ${loop.name}`,
    context,
    `${bar}<div id="task" data-answer-url="${html(answerUrl)}" data-lease-token="${html(lease.token)}" data-seconds-left="${Math.floor(lease.secondsLeft)}"><iframe title="Task" src="${html(task)}/frame" sandbox="allow-scripts allow-forms"></iframe></div><p id="task-status" class="crowd-status" role="status"></p>${actions}${nextTaskForm(context, 'Next task', true)}<script src="${html(context.base)}/portal-task.js"></script>`,
  );
}

/** Removes SageMaker's loader of the crowd elements: the portal serves its own (CROWD_SCRIPTS). */
function withoutCrowdLoader(rendered: string): string {
  return rendered.replace(/<script[^>]*src=["']https:\/\/assets\.crowd\.aws\/[^"']*["'][^>]*>\s*<\/script>/gi, '');
}

/** The rendered task template as the sandboxed frame's document, with the portal's crowd elements and styles. */
export function taskFrame(base: string, renderedTemplate: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="${html(base)}/portal.css"></head>
<body class="task-frame">${withoutCrowdLoader(renderedTemplate)}${CROWD_SCRIPTS.map((name) => `<script src="${html(base)}/${name}"></script>`).join('')}</body></html>`;
}

export function messagePage(context: PageContext | undefined, title: string, message: string): string {
  return portalPage(
    title,
    context,
    `<h1>${html(title)}</h1><p>${html(message)}</p><p><a href="${html(context?.base ?? DEFAULT_BASE)}">Back to the tasks</a></p>`,
  );
}
