/**
 * A worker's side of a task-based backend, for the worker portal: the tasks waiting for them, taking one, answering
 * it, giving it back or declining it. The loop's last answer is stored first; its output.json and completion follow
 * (task-loops.ts), so an answer that was accepted is never lost and output.json always holds the stored answers.
 */
import { randomUUID } from 'node:crypto';
import { ReviewError } from './port';
import type { TaskLoops } from './task-loops';
import type { Claim, LoopRecord, Worker } from './tasks';
import { answerTask, claimTask, declineTask, isOpenFor, releaseTask, settle } from './tasks';

/** Loops read at most to find a worker's tasks. */
const OPEN_LOOPS_READ = 1_000;
/** Later than any loop is due: every pending loop. */
const END_OF_TIME = new Date(8.64e15);

export class WorkerTasks {
  constructor(private readonly loops: TaskLoops) {}

  /** The backend's clock, by which leases end. */
  now(): Date {
    return this.loops.now();
  }

  /** The loops this worker can take a task of, oldest first. */
  async openTasks(worker: Worker): Promise<LoopRecord[]> {
    const now = this.loops.now();
    const pending = await this.loops.store.listPending(END_OF_TIME, OPEN_LOOPS_READ);
    return pending
      .map((loop) => settle(loop, now))
      .filter((loop) => isOpenFor(loop, worker))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  /** The loop as this worker may see it: only while they hold a task of it. */
  async held(name: string, worker: Worker): Promise<LoopRecord | undefined> {
    const loop = await this.loops.store.get(name);
    if (loop === undefined) return undefined;
    const current = settle(loop, this.loops.now());
    return current.status === 'InProgress' && current.claims.some((claim) => claim.workerId === worker.id)
      ? current
      : undefined;
  }

  /** Takes a task of the loop for the worker (again, while their lease lives: the same lease); their lease. */
  async claim(name: string, worker: Worker): Promise<Claim> {
    const token = randomUUID();
    const loop = await this.change(name, (current) => claimTask(current, worker, this.loops.now(), token));
    const lease = loop.claims.find((claim) => claim.workerId === worker.id);
    if (lease === undefined) throw new ReviewError('Conflict', `The lease on ${name} ended as it was taken`);
    return lease;
  }

  async release(name: string, worker: Worker): Promise<void> {
    await this.change(name, (loop) => releaseTask(loop, worker));
  }

  async decline(name: string, worker: Worker): Promise<void> {
    await this.change(name, (loop) => declineTask(loop, worker));
  }

  /** Records the worker's answer under their live lease; the loop's last answer completes it. */
  async answer(
    name: string,
    worker: Worker,
    leaseToken: string,
    answerContent: Readonly<Record<string, unknown>>,
  ): Promise<LoopRecord> {
    return this.change(name, (loop) => answerTask(loop, worker, leaseToken, answerContent, this.loops.now()));
  }

  private async change(name: string, rule: (loop: LoopRecord) => LoopRecord): Promise<LoopRecord> {
    const loop = await this.loops.change(name, rule);
    if (loop === undefined) throw new ReviewError('ResourceNotFound', `Human loop ${name} does not exist`);
    return loop;
  }
}
