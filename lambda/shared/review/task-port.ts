/**
 * The review port over a task store and the task rules: A2I's runtime semantics for a backend that keeps its own
 * loops (local mode's A2I emulator today, the self-hosted backend next). Time-driven changes (expiry, the end of a
 * stop) are stored when a read meets them or when `sweep` runs; each loop that ends is handed to `onEnded` once, by
 * the writer that stored the end.
 */
import type { CallOptions, HumanLoop, ListPage, ListQuery, ReviewPort, StartRequest } from './port';
import { LIST_MAX_RESULTS, ReviewError } from './port';
import type { TaskStore } from './task-store';
import { changeLoop, CursorError } from './task-store';
import type { FlowSettings, LoopRecord } from './tasks';
import { checkDeletable, humanLoopView, isEnded, settle, startLoop, stopLoop } from './tasks';

export interface TaskBackendOptions {
  readonly store: TaskStore;
  readonly flow: FlowSettings;
  /** Called once for each loop that ends (Completed, Failed, Stopped), after it is stored. */
  readonly onEnded: (loop: LoopRecord) => Promise<void>;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** Reads and writes before a call that keeps losing races to other writers gives up. */
const START_ATTEMPTS = 3;
const DELETE_ATTEMPTS = 3;

export class TaskReviewPort implements ReviewPort {
  readonly flowDefinitionArn: string;
  private readonly now: () => Date;

  constructor(private readonly options: TaskBackendOptions) {
    this.flowDefinitionArn = options.flow.flowDefinitionArn;
    this.now = options.now ?? (() => new Date());
  }

  async start(request: StartRequest, options?: CallOptions): Promise<{ humanLoopArn: string }> {
    options?.signal?.throwIfAborted();
    const { store, flow } = this.options;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      const fresh = startLoop(undefined, request, flow, this.now()).loop;
      if (await store.putIfAbsent(fresh)) return { humanLoopArn: fresh.arn };
      // A loop of that name exists: the same one again, or a Conflict; unless it was deleted meanwhile.
      const existing = await store.get(request.name);
      if (existing !== undefined) return { humanLoopArn: startLoop(existing, request, flow, this.now()).loop.arn };
    }
    throw new ReviewError('InternalServer', `Human loop ${request.name} kept changing while it was being started`);
  }

  async describe(name: string, options?: CallOptions): Promise<HumanLoop> {
    options?.signal?.throwIfAborted();
    return humanLoopView(await this.settled(name));
  }

  async list(query: ListQuery, options?: CallOptions): Promise<ListPage> {
    options?.signal?.throwIfAborted();
    const limit = query.maxResults ?? LIST_MAX_RESULTS;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX_RESULTS)
      throw new ReviewError('Validation', `MaxResults must be from 1 to ${LIST_MAX_RESULTS}`);
    let page: Awaited<ReturnType<TaskStore['listByCreationTime']>>;
    try {
      page = await this.options.store.listByCreationTime({
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
    const loops = await Promise.all(page.loops.map((loop) => this.settleStored(loop)));
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
    const changed = await changeLoop(this.options.store, name, (loop) => stopLoop(loop, this.now()));
    if (changed === undefined) throw notFound(name);
    await this.announceEnd(changed.before, changed.after);
  }

  async delete(name: string, options?: CallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    for (let attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
      const loop = await this.settled(name);
      checkDeletable(loop, this.now());
      if (await this.options.store.delete(name, loop.version)) return;
    }
    throw new ReviewError('InternalServer', `Human loop ${name} kept changing while it was being deleted`);
  }

  /** Stores what time has done to the loops it changes (expiry, the end of a stop); returns how many ended. */
  async sweep(limit = LIST_MAX_RESULTS): Promise<number> {
    const due = await this.options.store.listOpenByDeadline(this.now(), limit);
    const settled = await Promise.all(due.map((loop) => this.settleStored(loop)));
    return settled.filter((loop, i) => isEnded(loop) && !isEnded(due[i])).length;
  }

  /** The stored loop with time's changes applied and stored. */
  private async settled(name: string): Promise<LoopRecord> {
    const changed = await changeLoop(this.options.store, name, (loop) => settle(loop, this.now()));
    if (changed === undefined) throw notFound(name);
    await this.announceEnd(changed.before, changed.after);
    return changed.after;
  }

  private async settleStored(loop: LoopRecord): Promise<LoopRecord> {
    if (settle(loop, this.now()) === loop) return loop;
    return this.settled(loop.name).catch(() => settle(loop, this.now()));
  }

  private async announceEnd(before: LoopRecord, after: LoopRecord): Promise<void> {
    if (!isEnded(before) && isEnded(after)) await this.options.onEnded(after);
  }
}

function notFound(name: string): ReviewError {
  return new ReviewError('ResourceNotFound', `Human loop ${name} does not exist`);
}
