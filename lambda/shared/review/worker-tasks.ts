/**
 * A worker's side of a task-based backend, for the worker portal: the tasks waiting for them, taking one, answering
 * it, giving it back or declining it. The loop's last answer writes its output.json before the completed loop is
 * stored, so the review-ended event never points at a missing file.
 */
import { ReviewError } from './port';
import type { TaskStore } from './task-store';
import { changeLoop } from './task-store';
import type { FlowSettings, LoopRecord, Worker } from './tasks';
import {
  answerTask,
  claimTask,
  declineTask,
  isOpenFor,
  outputDocument,
  outputLocation,
  releaseTask,
  settle,
} from './tasks';

export interface WorkerTaskOptions {
  readonly store: TaskStore;
  readonly flow: Pick<FlowSettings, 's3OutputPath'>;
  /** Writes a completed loop's output.json. */
  readonly writeOutput: (location: { bucket: string; key: string }, document: string) => Promise<void>;
  /** Called once for each loop that completes, after it is stored. */
  readonly onEnded: (loop: LoopRecord) => Promise<void>;
  /** The `issuer` of the workers' identities, for output.json's workerMetadata. */
  readonly identityIssuer: string;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** Loops read at most to find a worker's tasks. */
const OPEN_LOOPS_READ = 1_000;
const ANSWER_ATTEMPTS = 5;

export class WorkerTasks {
  private readonly now: () => Date;

  constructor(private readonly options: WorkerTaskOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The loops this worker can take a task of, oldest first. */
  async openTasks(worker: Worker): Promise<LoopRecord[]> {
    const now = this.now();
    const open = await this.options.store.listOpenByDeadline(new Date(8.64e15), OPEN_LOOPS_READ);
    return open
      .map((loop) => settle(loop, now))
      .filter((loop) => isOpenFor(loop, worker))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  /** Takes a task of the loop for the worker (again, while their claim lives); the loop as it is then. */
  async claim(name: string, worker: Worker): Promise<LoopRecord> {
    return this.change(name, (loop) => claimTask(loop, worker, this.now()));
  }

  async release(name: string, worker: Worker): Promise<void> {
    await this.change(name, (loop) => releaseTask(loop, worker));
  }

  async decline(name: string, worker: Worker): Promise<void> {
    await this.change(name, (loop) => declineTask(loop, worker));
  }

  /** Records the worker's answer to the task they hold; the loop's last answer completes it. */
  async answer(name: string, worker: Worker, answerContent: Readonly<Record<string, unknown>>): Promise<LoopRecord> {
    const { store, flow } = this.options;
    for (let attempt = 1; attempt <= ANSWER_ATTEMPTS; attempt++) {
      const before = await store.get(name);
      if (before === undefined) throw notFound(name);
      const answered = { ...answerTask(before, worker, answerContent, flow, this.now()), version: before.version + 1 };
      if (answered.status === 'Completed') {
        const document = outputDocument(answered, { issuer: this.options.identityIssuer });
        await this.options.writeOutput(outputLocation(answered, flow), JSON.stringify(document));
      }
      if (await store.replace(answered, before.version)) {
        if (answered.status === 'Completed') await this.options.onEnded(answered);
        return answered;
      }
    }
    throw new ReviewError('InternalServer', `Human loop ${name} kept changing while the answer was stored`);
  }

  private async change(name: string, rule: (loop: LoopRecord) => LoopRecord): Promise<LoopRecord> {
    const changed = await changeLoop(this.options.store, name, rule);
    if (changed === undefined) throw notFound(name);
    return changed.after;
  }
}

function notFound(name: string): ReviewError {
  return new ReviewError('ResourceNotFound', `Human loop ${name} does not exist`);
}
