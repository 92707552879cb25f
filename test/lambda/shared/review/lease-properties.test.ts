/**
 * The lease state machine where it lives: loops in a task store, reached through the workers' side (WorkerTasks), the
 * review port and the loops' own steps (TaskLoops), with a clock the test moves. fast-check's scheduler interleaves
 * workers claiming, answering (under their live token, a stale one of theirs, or someone else's), releasing and
 * declining with stops, describes, sweeps, clock jumps and failing effects, at every store and effect call. Every
 * version a store accepts and every call's outcome are checked against what the rules allow:
 * - a loop never has more answers than its TaskCount, nor answers and claims above it; no worker holds two slots or
 *   gives two answers; no stored version is written twice (no lost update);
 * - an answer is stored only under the token of that worker's live lease; one under a stale or foreign token is
 *   refused (Conflict or Validation) and stored nowhere;
 * - every answer that was accepted is in the stored loop and, once it completes, in its output.json, in the same order
 *   and with the worker's id; nothing else is;
 * - an ended loop never changes its answers and takes no claim or answer; a Completed loop has TaskCount answers and
 *   is announced; a Stopped or Expired one gets no output.json;
 * - a worker who declined is never offered the loop again.
 * Once on the memory store (many runs), once on the DynamoDB store over dynalite (a few runs, real conditional writes).
 */
import { isDeepStrictEqual } from 'node:util';
import * as fc from 'fast-check';
import { DynamoTaskStore } from '../../../../lambda/shared/review/dynamo-task-store';
import type { ReviewErrorKind } from '../../../../lambda/shared/review/port';
import { ReviewError } from '../../../../lambda/shared/review/port';
import { TaskLoops } from '../../../../lambda/shared/review/task-loops';
import { TaskReviewPort } from '../../../../lambda/shared/review/task-port';
import type { CreationTimeQuery, TaskStore } from '../../../../lambda/shared/review/task-store';
import type { LoopRecord } from '../../../../lambda/shared/review/tasks';
import {
  isAnswered,
  isEnded,
  isOpenFor,
  outputDocument,
  outputLocation,
  settle,
} from '../../../../lambda/shared/review/tasks';
import { WorkerTasks } from '../../../../lambda/shared/review/worker-tasks';
import { MemoryTaskStore } from '../../../../local/memory-task-store';
import { startDynamo } from '../../../helpers/dynalite';
import { flowSettings } from './task-backend';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const TIME_LIMIT_S = 300;
const LIFETIME_S = 3_600;
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test';
const WORKERS = ['w0', 'w1', 'w2', 'w3'].map((id) => ({ id }));
const LOOPS = ['loop-a', 'loop-b'];

type TokenChoice = 'current' | 'stale' | 'foreign';
type Op =
  | {
      readonly kind: 'claim' | 'work' | 'retake' | 'release' | 'decline';
      readonly worker: number;
      readonly loop: number;
    }
  | {
      readonly kind: 'answer';
      readonly worker: number;
      readonly loop: number;
      readonly token: TokenChoice;
      readonly pick: number;
    }
  | { readonly kind: 'openTasks'; readonly worker: number }
  | { readonly kind: 'stop' | 'describe'; readonly loop: number }
  | { readonly kind: 'sweep' }
  | { readonly kind: 'clock'; readonly seconds: number }
  | { readonly kind: 'fault'; readonly effect: 'write' | 'announce' };

const workerArb = fc.integer({ min: 0, max: WORKERS.length - 1 });
const loopArb = fc.integer({ min: 0, max: LOOPS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('claim' as const), worker: workerArb, loop: loopArb }) },
  // A worker's page: take the task, then answer under the lease just given.
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('work' as const), worker: workerArb, loop: loopArb }) },
  // Two pages of one worker: the first takes the task and gives it back, the second takes it again (a new lease); the
  // first page answers (its lease ended), then the worker answers under another's token, then from the second page.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retake' as const), worker: workerArb, loop: loopArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      worker: workerArb,
      loop: loopArb,
      token: fc.constant('current' as const),
      pick: fc.nat(7),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      worker: workerArb,
      loop: loopArb,
      token: fc.constantFrom('stale' as const, 'foreign' as const),
      pick: fc.nat(7),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('release' as const, 'decline' as const),
      worker: workerArb,
      loop: loopArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('openTasks' as const), worker: workerArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const), loop: loopArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('describe' as const), loop: loopArb }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'sweep' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('clock' as const),
      seconds: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: 1, max: 60 }) },
        { weight: 3, arbitrary: fc.constant(TIME_LIMIT_S + 1) },
        { weight: 2, arbitrary: fc.constant(LIFETIME_S + 1) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fault' as const),
      effect: fc.constantFrom('write' as const, 'announce' as const),
    }),
  },
);

/** Operations launched together (interleaved by the scheduler); batches run one after the other. */
const batchesArb = (maxBatches: number) =>
  fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: maxBatches });

function label(op: Op): string {
  switch (op.kind) {
    case 'claim':
    case 'work':
    case 'retake':
    case 'release':
    case 'decline':
      return `${op.kind} ${WORKERS[op.worker].id} ${LOOPS[op.loop]}`;
    case 'openTasks':
      return `openTasks ${WORKERS[op.worker].id}`;
    case 'answer':
      return `answer ${WORKERS[op.worker].id} ${LOOPS[op.loop]} (${op.token} token)`;
    case 'stop':
    case 'describe':
      return `${op.kind} ${LOOPS[op.loop]}`;
    case 'clock':
      return `clock +${op.seconds}s`;
    case 'fault':
      return `next ${op.effect} fails`;
    case 'sweep':
      return 'sweep';
  }
}

/**
 * The store under test, with every call passing a gate (the scheduler, while operations run) and every version it
 * returns or accepts observed: `latest` is the newest version seen (never newer than the stored one), `versions`
 * every version a write stored.
 */
class ObservedStore implements TaskStore {
  gate: ((label: string) => Promise<void>) | undefined;
  readonly latest = new Map<string, LoopRecord>();
  readonly versions = new Map<string, Map<number, LoopRecord>>();

  constructor(
    readonly inner: TaskStore,
    private readonly onWrite: (loop: LoopRecord, duplicate: boolean) => void,
  ) {}

  async get(name: string): Promise<LoopRecord | undefined> {
    await this.pass(`get ${name}`);
    const loop = await this.inner.get(name);
    if (loop !== undefined) this.seen(loop);
    return loop;
  }

  async putIfAbsent(loop: LoopRecord): Promise<boolean> {
    await this.pass(`putIfAbsent ${loop.name}`);
    const stored = await this.inner.putIfAbsent(loop);
    if (stored) this.written(loop);
    return stored;
  }

  async replace(loop: LoopRecord, expectedVersion: number): Promise<boolean> {
    await this.pass(`replace ${loop.name} v${expectedVersion}->v${loop.version}`);
    const stored = await this.inner.replace(loop, expectedVersion);
    if (stored) this.written(loop);
    return stored;
  }

  async delete(name: string, expectedVersion: number): Promise<boolean> {
    await this.pass(`delete ${name}`);
    return this.inner.delete(name, expectedVersion);
  }

  async listPending(before: Date, limit: number): Promise<LoopRecord[]> {
    await this.pass('listPending');
    const loops = await this.inner.listPending(before, limit);
    loops.forEach((loop) => this.seen(loop));
    return loops;
  }

  async listByCreationTime(query: CreationTimeQuery) {
    await this.pass('listByCreationTime');
    const page = await this.inner.listByCreationTime(query);
    page.loops.forEach((loop) => this.seen(loop));
    return page;
  }

  private async pass(what: string): Promise<void> {
    if (this.gate !== undefined) await this.gate(what);
  }

  private seen(loop: LoopRecord): void {
    const known = this.latest.get(loop.name);
    if (known === undefined || known.version < loop.version) this.latest.set(loop.name, loop);
  }

  private written(loop: LoopRecord): void {
    const versions = this.versions.get(loop.name) ?? new Map<number, LoopRecord>();
    this.versions.set(loop.name, versions);
    const duplicate = versions.has(loop.version);
    versions.set(loop.version, loop);
    this.seen(loop);
    this.onWrite(loop, duplicate);
  }
}

interface AnswerCall {
  readonly id: string;
  readonly loop: string;
  readonly worker: string;
  readonly token: string;
  readonly choice: TokenChoice;
  /** The token was not the worker's live lease when the call was made: it can never become one. */
  readonly mustRefuse: boolean;
  outcome?: 'accepted' | 'refused';
}

/** As a store keeps it: JSON, without undefined fields. */
const plain = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** What one stored version may hold, whatever came before it. */
function recordViolations(loop: LoopRecord, taskCount: number): string[] {
  const found: string[] = [];
  const where = `${loop.name} v${loop.version} (${loop.status})`;
  const answerers = loop.answers.map((a) => a.workerId);
  const holders = loop.claims.map((c) => c.workerId);
  if (loop.taskCount !== taskCount) found.push(`${where}: TaskCount ${loop.taskCount}, not ${taskCount}`);
  if (loop.answers.length > taskCount) found.push(`${where}: ${loop.answers.length} answers over TaskCount`);
  if (loop.answers.length + loop.claims.length > taskCount)
    found.push(`${where}: ${loop.answers.length} answers and ${loop.claims.length} claims over TaskCount`);
  if (new Set(answerers).size !== answerers.length)
    found.push(`${where}: a worker answered twice: ${answerers.join()}`);
  if (new Set(holders).size !== holders.length) found.push(`${where}: a worker holds two slots: ${holders.join()}`);
  if (holders.some((w) => answerers.includes(w))) found.push(`${where}: a worker holds a slot they answered`);
  if (holders.some((w) => loop.declinedBy.includes(w))) found.push(`${where}: a worker holds a slot they declined`);
  if (loop.claims.some((c) => Date.parse(c.expiresAt) > Date.parse(loop.availableUntil)))
    found.push(`${where}: a claim outlives the loop's availability`);
  if (loop.status !== 'InProgress' && loop.claims.length > 0) found.push(`${where}: claims on a loop not InProgress`);
  if (loop.status === 'Completed' && (loop.answers.length !== taskCount || loop.outputUri !== outputLocation(loop).uri))
    found.push(`${where}: Completed with ${loop.answers.length} answers, output ${loop.outputUri}`);
  if (['Failed', 'Stopping', 'Stopped'].includes(loop.status) && loop.answers.length >= taskCount)
    found.push(`${where}: every answer given, yet not Completed`);
  if (loop.status === 'Failed' && loop.failureCode !== 'Expired') found.push(`${where}: failed ${loop.failureCode}`);
  if (loop.outputUri !== undefined && loop.status !== 'Completed') found.push(`${where}: an output URI`);
  return found;
}

/** What one stored version may become in the next: the lease rules, across a write. */
function stepViolations(prev: LoopRecord, next: LoopRecord, calls: ReadonlyMap<string, AnswerCall>): string[] {
  const found: string[] = [];
  const where = `${next.name} v${prev.version} (${prev.status}) -> v${next.version} (${next.status})`;
  const open = prev.status === 'InProgress' && !isAnswered(prev);
  if (!isDeepStrictEqual(next.answers.slice(0, prev.answers.length), prev.answers))
    found.push(`${where}: stored answers changed or were lost`);
  const added = next.answers.slice(prev.answers.length);
  if (added.length > 1) found.push(`${where}: ${added.length} answers in one write`);
  for (const answer of added) {
    const call = calls.get(String(answer.answerContent.call));
    const claim = prev.claims.find((c) => c.workerId === answer.workerId);
    const by = `${where}: the answer of ${answer.workerId}`;
    if (!open) found.push(`${by} was taken by a loop that was not open`);
    if (call === undefined || call.worker !== answer.workerId || call.loop !== next.name)
      found.push(`${by} is no answer call of theirs on this loop`);
    else if (call.mustRefuse) found.push(`${by} was stored under a ${call.choice} token, not their live lease`);
    if (claim === undefined) found.push(`${by} was stored without a lease`);
    else {
      if (call !== undefined && claim.token !== call.token)
        found.push(`${by} was stored under ${call.token}, the live lease being ${claim.token}`);
      if (Date.parse(claim.expiresAt) <= Date.parse(answer.submissionTime))
        found.push(`${by} was stored at ${answer.submissionTime}, after its lease ended at ${claim.expiresAt}`);
      if (answer.acceptanceTime !== claim.acceptedAt) found.push(`${by} does not carry its lease's acceptance time`);
    }
    if (Date.parse(answer.submissionTime) >= Date.parse(prev.availableUntil))
      found.push(`${by} came after the loop's availability`);
    if (prev.declinedBy.includes(answer.workerId)) found.push(`${by} came after they declined`);
  }
  for (const claim of next.claims) {
    const kept = prev.claims.find((c) => c.workerId === claim.workerId && c.token === claim.token);
    if (kept !== undefined) {
      if (!isDeepStrictEqual(kept, claim)) found.push(`${where}: the lease of ${claim.workerId} changed`);
      continue;
    }
    const by = `${where}: the new lease of ${claim.workerId}`;
    if (!open) found.push(`${by} was taken on a loop that was not open`);
    if (prev.declinedBy.includes(claim.workerId)) found.push(`${by} was taken after they declined`);
    if (prev.answers.some((a) => a.workerId === claim.workerId)) found.push(`${by} was taken after they answered`);
    const held = prev.claims.find((c) => c.workerId === claim.workerId);
    if (held !== undefined && Date.parse(held.expiresAt) > Date.parse(claim.acceptedAt))
      found.push(`${by} replaced a lease still live`);
  }
  if (isEnded(prev)) {
    for (const field of ['status', 'endedAt', 'outputUri', 'failureCode'] as const)
      if (prev[field] !== next[field]) found.push(`${where}: an ended loop's ${field} changed`);
  }
  if (prev.status === 'Stopping') {
    if (next.status !== 'Stopping' && next.status !== 'Stopped') found.push(`${where}: Stopping did not stop`);
    if (next.status === 'Stopped' && Date.parse(next.endedAt ?? '') < Date.parse(prev.stoppedAt ?? '') + 1_000)
      found.push(`${where}: Stopped before the Stopping moment passed`);
  }
  if (isAnswered(prev) && next.status !== 'Completed' && next.status !== 'InProgress')
    found.push(`${where}: an answered loop did not complete`);
  if (next.status === 'Completed' && prev.status !== 'Completed' && !isAnswered(prev))
    found.push(`${where}: Completed without its answers`);
  if (next.status === 'Stopping' && prev.status !== 'Stopping' && !open) found.push(`${where}: stopped when not open`);
  if (next.status === 'Failed' && prev.status !== 'Failed') {
    if (!open) found.push(`${where}: expired when not open`);
    if (Date.parse(next.endedAt ?? '') < Date.parse(prev.availableUntil)) found.push(`${where}: expired early`);
  }
  if (prev.endAnnounced === true && next.endAnnounced !== true) found.push(`${where}: its announcement was undone`);
  if (!prev.declinedBy.every((w) => next.declinedBy.includes(w))) found.push(`${where}: a decline was forgotten`);
  return found;
}

/**
 * One run: both loops started, then each batch of operations launched at once and interleaved by the scheduler at
 * every store and effect call, the stored loops checked after each batch; then, with the effects back, the sweep
 * takes every due step and the whole history is checked.
 */
async function leaseRun(s: fc.Scheduler, inner: TaskStore, taskCount: number, batches: readonly (readonly Op[])[]) {
  let time = T0;
  const now = () => new Date(time);
  const violations: string[] = [];
  const violation = (message: string) => violations.push(message);
  const outputs = new Map<string, string>();
  const outputWrites: { readonly uri: string; readonly document: string }[] = [];
  const announced: LoopRecord[] = [];
  const faults = { write: 0, announce: 0 };

  const store: ObservedStore = new ObservedStore(inner, (loop, duplicate) => {
    if (duplicate) violation(`${loop.name} v${loop.version} was stored by two writers: a lost update`);
    recordViolations(loop, taskCount).forEach(violation);
    // The steps come in order: output.json before Completed, the announcement before it is marked.
    if (loop.status === 'Completed' && outputs.get(loop.outputUri ?? '') !== document(loop))
      violation(`${loop.name} v${loop.version} is Completed before its output.json was written`);
    if (loop.endAnnounced === true && !announced.some((a) => a.name === loop.name))
      violation(`${loop.name} v${loop.version} is marked announced before it was announced`);
  });
  const document = (loop: LoopRecord) => JSON.stringify(outputDocument(loop, { issuer: ISSUER }));
  const pass = (what: string) => (store.gate === undefined ? Promise.resolve() : store.gate(what));
  const loops = new TaskLoops(store, {
    now,
    identityIssuer: ISSUER,
    writeOutput: async ({ bucket, key }, text) => {
      await pass(`writeOutput ${key.split('/').at(-2)}`);
      if (faults.write > 0) {
        faults.write--;
        throw new Error('S3 is down');
      }
      const uri = `s3://${bucket}/${key}`;
      outputs.set(uri, text);
      outputWrites.push({ uri, document: text });
    },
    announceEnd: async (loop) => {
      await pass(`announceEnd ${loop.name}`);
      if (faults.announce > 0) {
        faults.announce--;
        throw new Error('EventBridge is down');
      }
      announced.push(loop);
    },
  });
  const flow = {
    ...flowSettings('sentiment-review-0a1b2c3d'),
    taskCount,
    taskTimeLimitSeconds: TIME_LIMIT_S,
    taskAvailabilityLifetimeSeconds: LIFETIME_S,
  };
  const port = new TaskReviewPort(loops, flow);
  const workers = new WorkerTasks(loops);
  for (const name of LOOPS) await port.start({ name, input: { taskObject: `review of ${name}` } });

  // The model: what each call was told, in the order it was told.
  const tokens = new Map<string, string[]>(); // `${loop}/${worker}` -> leases given, oldest first
  const owner = new Map<string, string>(); // token -> `${loop}/${worker}`
  const declined = new Set<string>(); // `${loop}/${worker}` whose decline returned
  const answered = new Set<string>(); // `${loop}/${worker}` whose answer was accepted
  const stopped = new Set<string>(); // loops whose stop returned
  const calls = new Map<string, AnswerCall>();
  let nextCall = 0;

  const tokensOf = (key: string) => tokens.get(key) ?? tokens.set(key, []).get(key) ?? [];
  /** Whether the token is the worker's live lease in the newest version seen (else it never is again). */
  const isLive = (name: string, worker: string, token: string) => {
    const claim = store.latest.get(name)?.claims.find((c) => c.workerId === worker && c.token === token);
    return claim !== undefined && Date.parse(claim.expiresAt) > time;
  };
  /** The loop takes no claim or answer any more: ended, stopping, answered or past its availability. */
  const isClosed = (name: string) => {
    const loop = store.latest.get(name);
    return loop !== undefined && (settle(loop, now()).status !== 'InProgress' || isAnswered(loop));
  };
  const refused = (error: unknown, kinds: readonly ReviewErrorKind[], what: string) => {
    if (!(error instanceof ReviewError && kinds.includes(error.kind)))
      violation(
        `${what} failed with ${error instanceof ReviewError ? error.kind : String(error)}, not ${kinds.join(' or ')}`,
      );
  };

  async function perform(op: Op): Promise<void> {
    const what = label(op);
    switch (op.kind) {
      case 'claim': {
        const name = LOOPS[op.loop];
        const worker = WORKERS[op.worker];
        const key = `${name}/${worker.id}`;
        const closed = isClosed(name);
        const barred = declined.has(key) || answered.has(key);
        try {
          const lease = await workers.claim(name, worker);
          if (closed) violation(`${what}: a claim was accepted on a loop that no longer took any`);
          if (barred) violation(`${what}: a claim was accepted from a worker who had declined or answered`);
          if (lease.workerId !== worker.id) violation(`${what}: the lease of ${lease.workerId} was given`);
          const held = owner.get(lease.token);
          if (held !== undefined && held !== key) violation(`${what}: the lease token of ${held} was given`);
          owner.set(lease.token, key);
          if (!tokensOf(key).includes(lease.token)) tokensOf(key).push(lease.token);
        } catch (error) {
          refused(error, ['Validation', 'Conflict', 'InternalServer'], what);
        }
        return;
      }
      case 'retake':
        await perform({ ...op, kind: 'claim' });
        await perform({ ...op, kind: 'release' });
        await perform({ ...op, kind: 'claim' });
        await perform({ ...op, kind: 'answer', token: 'stale', pick: 0 });
        await perform({ ...op, kind: 'answer', token: 'foreign', pick: 0 });
        await perform({ ...op, kind: 'answer', token: 'current', pick: 0 });
        return;
      case 'work':
        await perform({ ...op, kind: 'claim' });
        await perform({ ...op, kind: 'answer', token: 'current', pick: 0 });
        return;
      case 'answer': {
        const name = LOOPS[op.loop];
        const worker = WORKERS[op.worker];
        const key = `${name}/${worker.id}`;
        const id = `call-${nextCall++}`;
        const own = tokensOf(key);
        const candidates =
          op.token === 'current'
            ? [own.filter((t) => isLive(name, worker.id, t)).at(-1) ?? own.at(-1)].filter(
                (t): t is string => t !== undefined,
              )
            : op.token === 'stale'
              ? own.filter((t) => !isLive(name, worker.id, t))
              : [...owner].filter(([, k]) => k !== key).map(([t]) => t);
        // Newest first: pick 0 is the lease that ended last, or the token given last to another.
        const token = candidates.at(-1 - (op.pick % Math.max(candidates.length, 1))) ?? `never-given-${id}`;
        const closed = isClosed(name);
        const call: AnswerCall = {
          id,
          loop: name,
          worker: worker.id,
          token,
          choice: op.token,
          mustRefuse: !isLive(name, worker.id, token),
        };
        calls.set(id, call);
        try {
          const loop = await workers.answer(name, worker, token, { sentiment: { label: 'x' }, call: id });
          call.outcome = 'accepted';
          answered.add(key);
          if (call.mustRefuse) violation(`${what}: an answer under a token not its live lease was accepted`);
          if (closed) violation(`${what}: an answer was accepted on a loop that no longer took any`);
          if (!loop.answers.some((a) => a.answerContent.call === id && a.workerId === worker.id))
            violation(`${what}: the accepted answer is not in the loop it returned`);
        } catch (error) {
          call.outcome = 'refused';
          refused(
            error,
            call.mustRefuse ? ['Conflict', 'Validation'] : ['Conflict', 'Validation', 'InternalServer'],
            what,
          );
        }
        return;
      }
      case 'release':
      case 'decline': {
        const name = LOOPS[op.loop];
        const worker = WORKERS[op.worker];
        try {
          if (op.kind === 'release') await workers.release(name, worker);
          else {
            await workers.decline(name, worker);
            declined.add(`${name}/${worker.id}`);
          }
        } catch (error) {
          refused(error, ['InternalServer'], what);
        }
        return;
      }
      case 'openTasks': {
        const worker = WORKERS[op.worker];
        const barred = LOOPS.filter(
          (name) => declined.has(`${name}/${worker.id}`) || answered.has(`${name}/${worker.id}`),
        );
        try {
          for (const loop of await workers.openTasks(worker)) {
            if (barred.includes(loop.name)) violation(`${what}: ${loop.name} offered after they declined or answered`);
            if (!isOpenFor(loop, worker)) violation(`${what}: ${loop.name} offered though not open to them`);
          }
        } catch (error) {
          violation(`${what} failed: ${String(error)}`);
        }
        return;
      }
      case 'stop': {
        const name = LOOPS[op.loop];
        const closed = isClosed(name);
        try {
          await port.stop(name);
          stopped.add(name);
          if (closed) violation(`${what}: a loop that no longer took answers was stopped`);
        } catch (error) {
          refused(error, ['Validation', 'InternalServer'], what);
        }
        return;
      }
      case 'describe': {
        const name = LOOPS[op.loop];
        const wasStopped = stopped.has(name);
        try {
          const view = await port.describe(name);
          if (wasStopped && view.status !== 'Stopping' && view.status !== 'Stopped')
            violation(`${what}: a stopped loop is ${view.status}`);
        } catch (error) {
          refused(error, ['InternalServer'], what);
        }
        return;
      }
      case 'sweep':
        try {
          await loops.sweep();
        } catch (error) {
          violation(`${what} failed: ${String(error)}`);
        }
        return;
      case 'clock':
        time += op.seconds * 1_000;
        return;
      case 'fault':
        faults[op.effect]++;
        return;
    }
  }

  /** The stored loops hold exactly the accepted answers, and their decliners are not offered them. */
  async function checkStored(): Promise<void> {
    for (const name of LOOPS) {
      const loop = await inner.get(name);
      if (loop === undefined) {
        violation(`${name} is gone`);
        continue;
      }
      recordViolations(loop, taskCount).forEach(violation);
      const stored = loop.answers.map((a) => String(a.answerContent.call)).sort();
      const accepted = [...calls.values()]
        .filter((call) => call.loop === name && call.outcome === 'accepted')
        .map((call) => call.id)
        .sort();
      if (!isDeepStrictEqual(stored, accepted))
        violation(`${name} stores the answers of [${stored.join()}], while [${accepted.join()}] were accepted`);
      for (const worker of WORKERS)
        if (declined.has(`${name}/${worker.id}`) && isOpenFor(settle(loop, now()), worker))
          violation(`${name} is open to ${worker.id}, who declined it`);
    }
  }

  const fail = () => {
    if (violations.length > 0) throw new Error(`${violations.length} violations:\n${violations.join('\n')}`);
  };

  for (const [b, batch] of batches.entries()) {
    store.gate = (what) => s.schedule(Promise.resolve(), what);
    const running = batch.map((op, i) =>
      s.schedule(Promise.resolve(), `batch ${b} #${i}: ${label(op)}`).then(() => perform(op)),
    );
    await s.waitFor(Promise.all(running));
    store.gate = undefined;
    await checkStored();
    fail();
  }

  // The effects are back: a moment later (a Stopping loop stops), the sweep takes every step that is due.
  faults.write = 0;
  faults.announce = 0;
  time += 2_000;
  for (let round = 0; round < 5 && (await loops.sweep()).looked > 0; round++);
  await checkStored();

  for (const name of LOOPS) {
    const final = (await inner.get(name)) as LoopRecord;
    const history = [...(store.versions.get(name) ?? new Map<number, LoopRecord>()).values()].sort(
      (a, b) => a.version - b.version,
    );
    if (!history.every((loop, i) => loop.version === i) || !isDeepStrictEqual(plain(history.at(-1)), plain(final)))
      violation(
        `${name}: the stored versions ${history.map((l) => l.version).join()} are not one chain to v${final.version}`,
      );
    for (let i = 1; i < history.length; i++) stepViolations(history[i - 1], history[i], calls).forEach(violation);
    for (const loop of history)
      for (const claim of loop.claims)
        if (owner.get(claim.token) !== `${name}/${claim.workerId}`)
          violation(`${name} v${loop.version}: the lease of ${claim.workerId} was never given to them`);
    for (const [token, key] of owner)
      if (key.startsWith(`${name}/`) && !history.some((loop) => loop.claims.some((c) => c.token === token)))
        violation(`${key} was given the lease ${token}, which ${name} never held`);

    const uri = outputLocation(final).uri;
    const writes = outputWrites.filter((w) => w.uri === uri);
    const announcements = announced.filter((loop) => loop.name === name);
    if (final.status === 'Completed') {
      const answers = (JSON.parse(outputs.get(uri) ?? '{"humanAnswers":[]}') as ReturnType<typeof outputDocument>)
        .humanAnswers;
      const expected = final.answers.map((a) => ({ workerId: a.workerId, answerContent: a.answerContent }));
      if (
        !isDeepStrictEqual(
          answers.map((a) => ({ workerId: a.workerId, answerContent: a.answerContent })),
          expected,
        )
      )
        violation(`${name}: output.json does not hold the stored answers in order`);
      if (writes.some((w) => w.document !== document(final))) violation(`${name}: another output.json was written`);
    } else if (writes.length > 0) violation(`${name} is ${final.status} and has an output.json`);
    if (isEnded(final)) {
      if (final.endAnnounced !== true || announcements.length === 0) violation(`${name} ended and was not announced`);
    } else {
      if (isAnswered(final)) violation(`${name} was answered and the sweep did not complete it`);
      if (announcements.length > 0) violation(`${name} was announced while ${final.status}`);
    }
    if (announcements.some((loop) => loop.status !== final.status))
      violation(`${name} was announced ${announcements.map((l) => l.status).join()}, and is ${final.status}`);
    if (stopped.has(name) && final.status !== 'Stopped') violation(`${name} was stopped and is ${final.status}`);
    for (const worker of WORKERS)
      if (declined.has(`${name}/${worker.id}`) && (await workers.openTasks(worker)).some((l) => l.name === name))
        violation(`${name} is offered to ${worker.id}, who declined it`);
  }
  for (const call of calls.values())
    if (call.outcome === undefined) violation(`the answer ${call.id} of ${call.worker} never returned`);
  fail();
}

test('any interleaving of leases, answers, stops, sweeps and time keeps the lease rules (memory store)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 3 }), batchesArb(12), (s, taskCount, batches) =>
      leaseRun(s, new MemoryTaskStore(), taskCount, batches),
    ),
    { numRuns: 500 },
  );
});

test('the same holds with DynamoDB conditional writes (dynalite, a fresh server per run)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 3 }), batchesArb(8), async (s, taskCount, batches) => {
      const dynamo = await startDynamo();
      try {
        await leaseRun(s, new DynamoTaskStore(dynamo.client, dynamo.tableName), taskCount, batches);
      } finally {
        await dynamo.close();
      }
    }),
    { numRuns: 20 },
  );
}, 60_000);
