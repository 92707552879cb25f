/**
 * The review port over the task rules and a task store: A2I's runtime semantics for a backend that keeps its own
 * loops (the self-hosted backend, on AWS and in local mode). Reads store what time has changed and take
 * the steps that are due (task-loops.ts), so a describe never shows a loop that should have expired.
 */
import type { CallOptions, HumanLoop, ListPage, ListQuery, ReviewPort, StartRequest } from './port';
import { LIST_MAX_RESULTS, ReviewError } from './port';
import type { TaskLoops } from './task-loops';
import type { TaskStore } from './task-store';
import { CursorError } from './task-store';
import type { FlowSettings, LoopRecord } from './tasks';
import { checkDeletable, checkLoopName, humanLoopView, isEnded, settle, startLoop, stopLoop } from './tasks';

/** Reads and writes before a call that keeps losing races to other writers gives up. */
const START_ATTEMPTS = 3;
const DELETE_ATTEMPTS = 3;

export class TaskReviewPort implements ReviewPort {
  readonly flowDefinitionArn: string;

  constructor(
    private readonly loops: TaskLoops,
    private readonly flow: FlowSettings,
  ) {
    this.flowDefinitionArn = flow.flowDefinitionArn;
  }

  async start(request: StartRequest, options?: CallOptions): Promise<{ humanLoopArn: string }> {
    options?.signal?.throwIfAborted();
    const { store, now } = this.loops;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      const fresh = startLoop(undefined, request, this.flow, now()).loop;
      if (await store.putIfAbsent(fresh)) return { humanLoopArn: fresh.arn };
      // A loop of that name exists: the same one again, or a Conflict; unless it was deleted meanwhile.
      const existing = await store.get(request.name);
      if (existing !== undefined) return { humanLoopArn: startLoop(existing, request, this.flow, now()).loop.arn };
    }
    throw new ReviewError('InternalServer', `Human loop ${request.name} kept changing while it was being started`);
  }

  async describe(name: string, options?: CallOptions): Promise<HumanLoop> {
    options?.signal?.throwIfAborted();
    checkLoopName(name);
    return humanLoopView(await this.current(name));
  }

  async list(query: ListQuery, options?: CallOptions): Promise<ListPage> {
    options?.signal?.throwIfAborted();
    const limit = query.maxResults ?? LIST_MAX_RESULTS;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX_RESULTS)
      throw new ReviewError('Validation', `MaxResults must be from 1 to ${LIST_MAX_RESULTS}`);
    let page: Awaited<ReturnType<TaskStore['listByCreationTime']>>;
    try {
      page = await this.loops.store.listByCreationTime({
        flowDefinitionArn: this.flowDefinitionArn,
        after: query.createdAfter,
        before: query.createdBefore,
        ascending: query.sortOrder === 'Ascending',
        limit,
        cursor: query.nextToken,
      });
    } catch (error) {
      throw error instanceof CursorError ? new ReviewError('Validation', error.message, { cause: error }) : error;
    }
    const loops = await Promise.all(page.loops.map((loop) => this.withDueSteps(loop)));
    return {
      loops: loops.map(({ name, status, createdAt, flowDefinitionArn, failureReason }) => ({
        name,
        status,
        createdAt: new Date(createdAt),
        flowDefinitionArn,
        failureReason,
      })),
      nextToken: page.cursor,
    };
  }

  async stop(name: string, options?: CallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    checkLoopName(name);
    if ((await this.loops.change(name, (loop) => stopLoop(loop, this.loops.now()))) === undefined) throw notFound(name);
  }

  async delete(name: string, options?: CallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    checkLoopName(name);
    for (let attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
      const loop = await this.current(name);
      checkDeletable(loop, this.loops.now());
      // Its end must be out first: a deleted loop is never announced.
      if (isEnded(loop) && loop.endAnnounced !== true)
        throw new ReviewError('InternalServer', `The end of human loop ${name} is not announced yet; try again`);
      if (await this.loops.store.delete(name, loop.version)) return;
    }
    throw new ReviewError('InternalServer', `Human loop ${name} kept changing while it was being deleted`);
  }

  /** The stored loop with time's changes and the due steps applied. */
  private async current(name: string): Promise<LoopRecord> {
    const loop = await this.loops.change(name);
    if (loop === undefined) throw notFound(name);
    return loop;
  }

  private async withDueSteps(loop: LoopRecord): Promise<LoopRecord> {
    if (!this.loops.isDue(loop)) return loop;
    return (await this.loops.change(loop.name).catch(() => undefined)) ?? settle(loop, this.loops.now());
  }
}

function notFound(name: string): ReviewError {
  return new ReviewError('ResourceNotFound', `Human loop ${name} does not exist`);
}
