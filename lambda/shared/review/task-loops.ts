/**
 * Loops of a task-based backend as they live in a store: every change applies a rule at the version it read, then
 * takes the steps that follow without a worker (tasks.ts): an answered loop's output.json is written and the loop
 * stored Completed; an ended loop is announced and stored as announced. A step that fails is due again, and `sweep`
 * (run every minute, or every second in local mode) takes every due step, time's changes included, so nothing
 * depends on a request that happens to come. Every step gives the same result when repeated, and an end may be
 * announced more than once (as EventBridge delivers at least once), never not at all.
 */
import type { TaskStore } from './task-store';
import { changeLoop } from './task-store';
import type { LoopRecord } from './tasks';
import { completeLoop, isAnswered, isEnded, markAnnounced, outputDocument, outputLocation, settle } from './tasks';

export interface LoopEffects {
  /** Writes an answered loop's output.json; writing the same document again is harmless. */
  readonly writeOutput: (location: { bucket: string; key: string }, document: string) => Promise<void>;
  /** Sends the loop's status-change event. */
  readonly announceEnd: (loop: LoopRecord) => Promise<void>;
  /** The `issuer` of the workers' identities, for output.json's workerMetadata. */
  readonly identityIssuer: string;
  /** A step that failed and is due again. @default ignored */
  readonly onStepFailed?: (loop: LoopRecord, step: 'complete' | 'announce', error: unknown) => void;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** Loops read per sweep. */
const SWEEP_LIMIT = 100;

export class TaskLoops {
  readonly now: () => Date;

  constructor(
    readonly store: TaskStore,
    private readonly effects: LoopEffects,
  ) {
    this.now = effects.now ?? (() => new Date());
  }

  /**
   * Applies `rule` to the stored loop, with time's changes first, stores it, and takes the steps that follow; the loop
   * after them, or `undefined` when there is no loop of that name. The rule's ReviewError is thrown as it is.
   */
  async change(name: string, rule: (loop: LoopRecord) => LoopRecord = (loop) => loop): Promise<LoopRecord | undefined> {
    const changed = await changeLoop(this.store, name, (loop) => rule(settle(loop, this.now())));
    return changed === undefined ? undefined : this.carryOn(changed.after);
  }

  /** Whether the loop has a step to take now. */
  isDue(loop: LoopRecord): boolean {
    return settle(loop, this.now()) !== loop || isAnswered(loop) || (isEnded(loop) && loop.endAnnounced !== true);
  }

  /** Takes every step due now: how many loops it looked at, and how many of them still have a step due (it failed). */
  async sweep(limit = SWEEP_LIMIT): Promise<{ readonly looked: number; readonly stillDue: number }> {
    const due = await this.store.listPending(this.now(), limit);
    const after = await Promise.all(due.map((loop) => this.change(loop.name).catch(() => undefined)));
    return { looked: due.length, stillDue: after.filter((loop) => loop === undefined || this.isDue(loop)).length };
  }

  /** The steps without a worker that the stored loop has due; never throws (a failed step is due again). */
  private async carryOn(stored: LoopRecord): Promise<LoopRecord> {
    let loop = stored;
    if (isAnswered(loop)) {
      try {
        const document = JSON.stringify(outputDocument(loop, { issuer: this.effects.identityIssuer }));
        await this.effects.writeOutput(outputLocation(loop), document);
        loop = (await changeLoop(this.store, loop.name, (current) => completeLoop(current, this.now())))?.after ?? loop;
      } catch (error) {
        this.effects.onStepFailed?.(loop, 'complete', error);
        return loop;
      }
    }
    if (isEnded(loop) && loop.endAnnounced !== true) {
      try {
        await this.effects.announceEnd(loop);
        loop = (await changeLoop(this.store, loop.name, markAnnounced))?.after ?? loop;
      } catch (error) {
        this.effects.onStepFailed?.(loop, 'announce', error);
      }
    }
    return loop;
  }
}
