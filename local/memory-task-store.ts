/** The task store in memory: the store of the rule, portal and conformance tests. */
import type { CreationTimeQuery, TaskStore } from '../lambda/shared/review/task-store';
import { CursorCodec, newCursorKey, pageByCreationTime, pendingByDue } from '../lambda/shared/review/task-store';
import type { LoopRecord } from '../lambda/shared/review/tasks';

export class MemoryTaskStore implements TaskStore {
  readonly loops = new Map<string, LoopRecord>();
  private readonly cursors = new CursorCodec(newCursorKey());

  get(name: string): Promise<LoopRecord | undefined> {
    return Promise.resolve(this.loops.get(name));
  }

  putIfAbsent(loop: LoopRecord): Promise<boolean> {
    if (this.loops.has(loop.name)) return Promise.resolve(false);
    this.loops.set(loop.name, loop);
    return Promise.resolve(true);
  }

  replace(loop: LoopRecord, expectedVersion: number): Promise<boolean> {
    if (this.loops.get(loop.name)?.version !== expectedVersion) return Promise.resolve(false);
    this.loops.set(loop.name, loop);
    return Promise.resolve(true);
  }

  delete(name: string, expectedVersion: number): Promise<boolean> {
    if (this.loops.get(name)?.version !== expectedVersion) return Promise.resolve(false);
    this.loops.delete(name);
    return Promise.resolve(true);
  }

  listPending(before: Date, limit: number): Promise<LoopRecord[]> {
    return Promise.resolve(pendingByDue(this.loops.values(), before, limit));
  }

  listByCreationTime(query: CreationTimeQuery) {
    return Promise.resolve(pageByCreationTime(this.loops.values(), query, this.cursors));
  }
}
