/**
 * The rules of human loops and their tasks, as pure functions: what starting, claiming, answering, releasing,
 * declining, expiring, stopping and completing do to a loop, and the output.json a completed loop leaves. They keep
 * A2I's contract (port.ts): a loop needs `taskCount` different workers' answers, is open for its availability
 * lifetime, and a worker has the task time limit once they claim a task. Every rule returns a new loop (or the same
 * one when nothing changes) and throws a ReviewError when the action is not allowed; storing the result is the
 * caller's (task-store.ts), with the loop's version guarding against a concurrent change.
 *
 * A loop ends in steps that each survive a crash: the last answer is stored first (the loop is then *answered*:
 * no claim, answer, expiry or stop can change it), then its output.json is written from the stored loop, then it is
 * stored Completed; an ended loop is then announced, and stored as announced. Whoever finds a loop between two steps
 * (task-loops.ts) takes the next one, and every step gives the same result when repeated.
 */
import { CONTENT_CLASSIFIERS } from '../../../common/contract';
import type { HumanLoop, HumanLoopStatus, StartRequest } from './port';
import {
  ENDED_STATUSES,
  HUMAN_LOOP_NAME_MAX_LENGTH,
  HUMAN_LOOP_NAME_PATTERN,
  INPUT_CONTENT_MAX_CHARS,
  ReviewError,
} from './port';

/** A loop is Stopping for this long after `stop`, as A2I's is for a moment, then Stopped. */
export const STOPPING_MS = 1_000;

/** What a flow definition fixes for its loops. */
export interface FlowSettings {
  readonly flowDefinitionArn: string;
  /** `s3://bucket/prefix`: output.json goes under `<prefix>/<flow definition name>/<date>/<loop>/`. */
  readonly s3OutputPath: string;
  /** Different workers whose answers complete a loop, 1-3. */
  readonly taskCount: number;
  readonly taskAvailabilityLifetimeSeconds: number;
  readonly taskTimeLimitSeconds: number;
}

/** Who signed in, as the identity provider says: output.json's `workerMetadata.identityData`. */
export interface IdentityData {
  readonly issuer: string;
  readonly sub: string;
}

export interface Worker {
  /** Stable and unique, and not the identity provider's subject: a hash of issuer and subject. */
  readonly id: string;
  readonly name?: string;
  /** @default the backend's issuer, with the worker id as subject */
  readonly identity?: IdentityData;
}

/** A worker's lease on one task of a loop: theirs until `expiresAt`, proven by `token`. */
export interface Claim {
  readonly workerId: string;
  /**
   * Random, given only to the holder's task page: an answer counts only with the token of a live lease, so a page
   * left open after its lease ended (and the task was taken again) cannot answer for the new lease.
   */
  readonly token: string;
  readonly acceptedAt: string;
  readonly expiresAt: string;
}

export interface Answer {
  readonly workerId: string;
  readonly answerContent: Readonly<Record<string, unknown>>;
  readonly acceptanceTime: string;
  readonly submissionTime: string;
  readonly timeSpentInSeconds: number;
  readonly identity?: IdentityData;
}

/** A human loop with its tasks, as a backend stores it. Times are ISO 8601 strings. */
export interface LoopRecord {
  readonly name: string;
  readonly arn: string;
  readonly flowDefinitionArn: string;
  readonly createdAt: string;
  /** The input exactly as started (a JSON object's text). */
  readonly inputContent: string;
  readonly contentClassifiers?: readonly string[];
  readonly status: HumanLoopStatus;
  readonly failureCode?: string;
  readonly failureReason?: string;
  readonly outputUri?: string;
  readonly taskCount: number;
  /** Where its output.json goes, fixed when it starts: `s3://bucket/prefix`. */
  readonly s3OutputPath: string;
  /** After this an unfinished loop fails Expired. */
  readonly availableUntil: string;
  readonly taskTimeLimitSeconds: number;
  readonly stoppedAt?: string;
  readonly endedAt?: string;
  readonly claims: readonly Claim[];
  readonly answers: readonly Answer[];
  readonly declinedBy: readonly string[];
  /** Set once the loop's end was announced (the status-change event sent): until then the end is due again. */
  readonly endAnnounced?: boolean;
  /** Raised by every stored change; a store replaces a record only at the version it read. */
  readonly version: number;
}

const iso = (date: Date) => date.toISOString();

function validationError(message: string): ReviewError {
  return new ReviewError('Validation', message);
}

/** `arn:...:flow-definition/<name>` -> `arn:...:human-loop/<loop>`: a loop lives in its flow definition's account. */
function loopArn(flowDefinitionArn: string, name: string): string {
  return flowDefinitionArn.replace(/:flow-definition\/.*$/, `:human-loop/${name}`);
}

/** A2I's constraint on HumanLoopName, in every call that takes one. */
export function checkLoopName(name: string): void {
  if (!HUMAN_LOOP_NAME_PATTERN.test(name) || name.length > HUMAN_LOOP_NAME_MAX_LENGTH) {
    throw validationError(
      `HumanLoopName ${JSON.stringify(name)} must match ${HUMAN_LOOP_NAME_PATTERN.source} and have 1-${HUMAN_LOOP_NAME_MAX_LENGTH} characters`,
    );
  }
}

/** A2I's checks on StartHumanLoop, in its words where it has them. */
export function checkStartRequest(request: StartRequest): string {
  checkLoopName(request.name);
  const inputContent = JSON.stringify(request.input);
  if (inputContent.length > INPUT_CONTENT_MAX_CHARS) {
    throw validationError(
      `HumanLoopInput.InputContent has ${inputContent.length} characters; at most ${INPUT_CONTENT_MAX_CHARS} are accepted`,
    );
  }
  const unknown = (request.contentClassifiers ?? []).filter(
    (c) => !(CONTENT_CLASSIFIERS as readonly string[]).includes(c),
  );
  if (unknown.length > 0) {
    throw validationError(`DataAttributes.ContentClassifiers must hold only ${CONTENT_CLASSIFIERS.join(', ')}`);
  }
  return inputContent;
}

/**
 * A new loop for the request, or the existing one of that name when it has the same input under this flow
 * definition and has not ended (a repeated start starts nothing); any other existing loop of that name is a
 * Conflict: another input, another flow definition, or a loop that is over.
 */
export function startLoop(
  existing: LoopRecord | undefined,
  request: StartRequest,
  flow: FlowSettings,
  now: Date,
): { readonly loop: LoopRecord; readonly created: boolean } {
  const inputContent = checkStartRequest(request);
  if (existing !== undefined) {
    if (existing.inputContent !== inputContent || existing.flowDefinitionArn !== flow.flowDefinitionArn)
      throw new ReviewError('Conflict', `A human loop named ${request.name} already exists with a different input`);
    const current = settle(existing, now);
    if (isEnded(current))
      throw new ReviewError('Conflict', `The human loop named ${request.name} has ended (${current.status})`);
    return { loop: existing, created: false };
  }
  return {
    created: true,
    loop: {
      name: request.name,
      arn: loopArn(flow.flowDefinitionArn, request.name),
      flowDefinitionArn: flow.flowDefinitionArn,
      createdAt: iso(now),
      inputContent,
      contentClassifiers: request.contentClassifiers?.length ? [...request.contentClassifiers] : undefined,
      status: 'InProgress',
      taskCount: flow.taskCount,
      s3OutputPath: flow.s3OutputPath,
      availableUntil: iso(new Date(now.getTime() + flow.taskAvailabilityLifetimeSeconds * 1000)),
      taskTimeLimitSeconds: flow.taskTimeLimitSeconds,
      claims: [],
      answers: [],
      declinedBy: [],
      version: 0,
    },
  };
}

export function isEnded(loop: LoopRecord): boolean {
  return ENDED_STATUSES.includes(loop.status);
}

/** Every answer the loop needs is stored; it is Completed once its output.json is written (completeLoop). */
export function isAnswered(loop: LoopRecord): boolean {
  return loop.status === 'InProgress' && loop.answers.length >= loop.taskCount;
}

/**
 * Whether the loop still has a step to come without a worker: expiry, the end of a stop, completion, or the
 * announcement of its end. Such loops are what a store lists by `dueAt`.
 */
export function isPending(loop: LoopRecord): boolean {
  return !isEnded(loop) || loop.endAnnounced !== true;
}

/** When the loop's next step without a worker is due (ISO 8601): the sweeper's order. */
export function dueAt(loop: LoopRecord): string {
  if (isEnded(loop)) return loop.endedAt ?? loop.createdAt;
  if (loop.status === 'Stopping')
    return iso(new Date(new Date(loop.stoppedAt ?? loop.createdAt).getTime() + STOPPING_MS));
  if (isAnswered(loop)) return loop.answers.at(-1)?.submissionTime ?? loop.createdAt;
  return loop.availableUntil;
}

/**
 * What time alone does to a loop: claims past their time limit lapse, an unfinished loop past its availability fails
 * Expired, and a Stopping loop becomes Stopped. An answered loop is past time's reach. The same object when nothing
 * changes.
 */
export function settle(loop: LoopRecord, now: Date): LoopRecord {
  if (loop.status === 'Stopping') {
    const stopped = new Date(loop.stoppedAt ?? loop.createdAt).getTime() + STOPPING_MS <= now.getTime();
    return stopped ? { ...loop, status: 'Stopped', endedAt: iso(now) } : loop;
  }
  if (loop.status !== 'InProgress' || isAnswered(loop)) return loop;
  if (new Date(loop.availableUntil).getTime() <= now.getTime()) {
    return {
      ...loop,
      status: 'Failed',
      failureCode: 'Expired',
      failureReason: `Not every task was answered within the task availability lifetime (until ${loop.availableUntil})`,
      claims: [],
      endedAt: iso(now),
    };
  }
  // A claim without a lease token (stored before claims had one) cannot be answered: it lapses like an expired one.
  const live = loop.claims.filter(
    (claim) => typeof claim.token === 'string' && new Date(claim.expiresAt).getTime() > now.getTime(),
  );
  return live.length === loop.claims.length ? loop : { ...loop, claims: live };
}

/** StopHumanLoop: only an InProgress loop; its workers' claims end at once. */
export function stopLoop(loop: LoopRecord, now: Date): LoopRecord {
  const current = settle(loop, now);
  if (current.status !== 'InProgress') {
    throw validationError(`Human loop ${loop.name} is ${current.status}; only an InProgress loop can be stopped`);
  }
  if (isAnswered(current)) throw validationError(`Human loop ${loop.name} is answered and completing`);
  return { ...current, status: 'Stopping', stoppedAt: iso(now), claims: [] };
}

/** DeleteHumanLoop: only a loop that has ended. */
export function checkDeletable(loop: LoopRecord, now: Date): void {
  const current = settle(loop, now);
  if (!isEnded(current)) {
    throw validationError(
      `Human loop ${loop.name} is ${current.status}; only a Completed, Failed or Stopped loop can be deleted`,
    );
  }
}

function liveClaimOf(loop: LoopRecord, worker: Worker): Claim | undefined {
  return loop.claims.find((claim) => claim.workerId === worker.id);
}

/** Whether the worker may take a task of this loop now: open, not answered or declined by them, a place free. */
export function isOpenFor(loop: LoopRecord, worker: Worker): boolean {
  if (loop.status !== 'InProgress') return false;
  if (loop.answers.some((a) => a.workerId === worker.id) || loop.declinedBy.includes(worker.id)) return false;
  return liveClaimOf(loop, worker) !== undefined || loop.answers.length + loop.claims.length < loop.taskCount;
}

/**
 * A worker takes one of the loop's tasks, for the task time limit (never past the loop's availability), under a new
 * lease `token`. Taking it again while the claim lives keeps the first claim and its token.
 */
export function claimTask(loop: LoopRecord, worker: Worker, now: Date, token: string): LoopRecord {
  const current = settle(loop, now);
  if (current.status !== 'InProgress') {
    throw validationError(`Human loop ${loop.name} is ${current.status}; its tasks can no longer be taken`);
  }
  if (current.answers.some((a) => a.workerId === worker.id))
    throw new ReviewError('Conflict', `Worker ${worker.id} has already answered ${loop.name}`);
  if (current.declinedBy.includes(worker.id))
    throw new ReviewError('Conflict', `Worker ${worker.id} declined ${loop.name}`);
  if (liveClaimOf(current, worker) !== undefined) return current;
  if (current.answers.length + current.claims.length >= current.taskCount)
    throw new ReviewError('Conflict', `Every task of ${loop.name} is taken`);
  const expiresAt = Math.min(
    now.getTime() + current.taskTimeLimitSeconds * 1000,
    new Date(current.availableUntil).getTime(),
  );
  return {
    ...current,
    claims: [
      ...current.claims,
      { workerId: worker.id, token, acceptedAt: iso(now), expiresAt: iso(new Date(expiresAt)) },
    ],
  };
}

/**
 * A worker answers the task they hold, with the token of their live lease. With the loop's last answer it is
 * answered: its output.json is due, then it is Completed (completeLoop).
 */
export function answerTask(
  loop: LoopRecord,
  worker: Worker,
  leaseToken: string,
  answerContent: Readonly<Record<string, unknown>>,
  now: Date,
): LoopRecord {
  const current = settle(loop, now);
  if (current.status !== 'InProgress') {
    throw validationError(`Human loop ${loop.name} is ${current.status}; it takes no more answers`);
  }
  const claim = liveClaimOf(current, worker);
  if (claim === undefined) {
    throw validationError(
      `Worker ${worker.id} holds no task of ${loop.name}: take the task first, or the time limit has passed`,
    );
  }
  if (claim.token !== leaseToken) {
    throw new ReviewError(
      'Conflict',
      `The lease this answer was given under has ended: ${loop.name} was taken again since; answer from its current page`,
    );
  }
  const answer: Answer = {
    workerId: worker.id,
    answerContent,
    acceptanceTime: claim.acceptedAt,
    submissionTime: iso(now),
    timeSpentInSeconds: Math.round((now.getTime() - new Date(claim.acceptedAt).getTime()) / 10) / 100,
    ...(worker.identity ? { identity: { issuer: worker.identity.issuer, sub: worker.identity.sub } } : {}),
  };
  return {
    ...current,
    answers: [...current.answers, answer],
    claims: current.claims.filter((c) => c.workerId !== worker.id),
  };
}

/** An answered loop, once its output.json is written, is Completed with the output's URI. */
export function completeLoop(loop: LoopRecord, now: Date): LoopRecord {
  if (loop.status === 'Completed') return loop;
  if (!isAnswered(loop)) throw validationError(`Human loop ${loop.name} is ${loop.status} and not answered`);
  return { ...loop, status: 'Completed', outputUri: outputLocation(loop).uri, endedAt: iso(now) };
}

/** Its end was announced. */
export function markAnnounced(loop: LoopRecord): LoopRecord {
  return loop.endAnnounced === true ? loop : { ...loop, endAnnounced: true };
}

/** A worker gives a task back; someone else may take it. */
export function releaseTask(loop: LoopRecord, worker: Worker): LoopRecord {
  return liveClaimOf(loop, worker) === undefined
    ? loop
    : { ...loop, claims: loop.claims.filter((c) => c.workerId !== worker.id) };
}

/** A worker declines a task: it is given back and no longer offered to them. */
export function declineTask(loop: LoopRecord, worker: Worker): LoopRecord {
  if (loop.declinedBy.includes(worker.id)) return loop;
  return { ...releaseTask(loop, worker), declinedBy: [...loop.declinedBy, worker.id] };
}

/** The loop as describe answers it. */
export function humanLoopView(loop: LoopRecord): HumanLoop {
  return {
    name: loop.name,
    arn: loop.arn,
    status: loop.status,
    createdAt: new Date(loop.createdAt),
    flowDefinitionArn: loop.flowDefinitionArn,
    failureCode: loop.failureCode,
    failureReason: loop.failureReason,
    outputUri: loop.outputUri,
  };
}

/**
 * Where output.json goes, as A2I writes it:
 * `<S3OutputPath>/<flow definition name>/YYYY/MM/DD/hh/mm/ss/<loop name>/output.json` (creation time, UTC).
 */
export function outputLocation(loop: Pick<LoopRecord, 'name' | 'createdAt' | 'flowDefinitionArn' | 's3OutputPath'>): {
  readonly bucket: string;
  readonly key: string;
  readonly uri: string;
} {
  const [, bucket = '', prefix = ''] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(loop.s3OutputPath) ?? [];
  const flowDefinitionName = loop.flowDefinitionArn.replace(/^.*:flow-definition\//, '');
  const t = new Date(loop.createdAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = [
    t.getUTCFullYear(),
    pad(t.getUTCMonth() + 1),
    pad(t.getUTCDate()),
    pad(t.getUTCHours()),
    pad(t.getUTCMinutes()),
    pad(t.getUTCSeconds()),
  ].join('/');
  const key = [prefix.replace(/\/+$/, ''), flowDefinitionName, stamp, loop.name, 'output.json']
    .filter(Boolean)
    .join('/');
  return { bucket, key, uri: `s3://${bucket}/${key}` };
}

/** The output.json of an answered loop, in A2I's shape: the same document whenever it is made from the same loop. */
export function outputDocument(loop: LoopRecord, identity: { readonly issuer: string }) {
  return {
    flowDefinitionArn: loop.flowDefinitionArn,
    humanAnswers: loop.answers.map((answer) => ({
      acceptanceTime: answer.acceptanceTime,
      answerContent: answer.answerContent,
      submissionTime: answer.submissionTime,
      timeSpentInSeconds: answer.timeSpentInSeconds,
      workerId: answer.workerId,
      workerMetadata: {
        identityData: {
          identityProviderType: 'Cognito',
          issuer: answer.identity?.issuer ?? identity.issuer,
          sub: answer.identity?.sub ?? answer.workerId,
        },
      },
    })),
    humanLoopName: loop.name,
    inputContent: JSON.parse(loop.inputContent) as unknown,
  };
}
