/**
 * Where a task-based backend keeps its loops: an async port, so the same rules run over DynamoDB (on AWS, and on
 * dynalite in local mode) and over memory in tests. Every change is conditional on the version the writer read, so
 * two workers answering the same loop at once cannot both take its last task.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ReviewError } from './port';
import type { LoopRecord } from './tasks';
import { dueAt, isPending } from './tasks';

export interface CreationTimeQuery {
  readonly flowDefinitionArn: string;
  /** Created after this (exclusive). */
  readonly after?: Date;
  /** Created before this (exclusive). */
  readonly before?: Date;
  readonly ascending: boolean;
  readonly limit: number;
  /** Where the previous page ended, as the store gave it. */
  readonly cursor?: string;
}

export interface TaskStore {
  get(name: string): Promise<LoopRecord | undefined>;
  /** Stores a new loop; false when one of that name exists. */
  putIfAbsent(loop: LoopRecord): Promise<boolean>;
  /** Stores `loop` (its version one above `expectedVersion`) only if the stored one still has `expectedVersion`. */
  replace(loop: LoopRecord, expectedVersion: number): Promise<boolean>;
  /** Deletes only if the stored loop still has `expectedVersion`. */
  delete(name: string, expectedVersion: number): Promise<boolean>;
  /**
   * Loops with a step due by `before` that no worker takes (tasks.ts `isPending`, `dueAt`), soonest due first: expiry,
   * the end of a stop, completion, the announcement of an end. Open loops are among them, so workers' queues are too.
   */
  listPending(before: Date, limit: number): Promise<LoopRecord[]>;
  /** One flow definition's loops by creation time, a page at a time. */
  listByCreationTime(query: CreationTimeQuery): Promise<{ readonly loops: LoopRecord[]; readonly cursor?: string }>;
}

/** A page cursor the store did not give. */
export class CursorError extends Error {
  override readonly name = 'CursorError';
}

/** How often a change that lost a race is read and applied again before the caller gets the conflict. */
const ATTEMPTS = 5;

/**
 * Applies a rule to the stored loop and stores the result at the version it read, reading again when another writer
 * won. Returns what was stored (or `undefined` when there is no loop of that name) and the loop as it was before.
 */
export async function changeLoop(
  store: TaskStore,
  name: string,
  rule: (loop: LoopRecord) => LoopRecord,
): Promise<{ readonly before: LoopRecord; readonly after: LoopRecord } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const before = await store.get(name);
    if (before === undefined) return undefined;
    const changed = rule(before);
    if (changed === before) return { before, after: before };
    const after = { ...changed, version: before.version + 1 };
    if (await store.replace(after, before.version)) return { before, after };
    if (attempt === ATTEMPTS)
      throw new ReviewError(
        'InternalServer',
        `Human loop ${name} kept changing under ${ATTEMPTS} attempts to change it`,
      );
  }
}

/**
 * One page of loops by creation time, from loops held in memory (the tests' memory store). The cursor names the last
 * loop of the page, so loops started meanwhile neither repeat nor shift the next page.
 */
export function pageByCreationTime(
  loops: Iterable<LoopRecord>,
  query: CreationTimeQuery,
  cursors: CursorCodec,
): { readonly loops: LoopRecord[]; readonly cursor?: string } {
  const order = (a: LoopRecord, b: LoopRecord) =>
    (query.ascending ? 1 : -1) * (a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  const after = query.cursor === undefined ? undefined : cursors.decode(query.cursor);
  const matching = [...loops]
    .filter((loop) => loop.flowDefinitionArn === query.flowDefinitionArn)
    .filter((loop) => query.after === undefined || new Date(loop.createdAt) > query.after)
    .filter((loop) => query.before === undefined || new Date(loop.createdAt) < query.before)
    .sort(order)
    .filter((loop) => after === undefined || order(loop, { ...loop, ...after }) > 0);
  const page = matching.slice(0, query.limit);
  const last = page.at(-1);
  return {
    loops: page,
    cursor: matching.length > query.limit && last ? cursors.encode(last) : undefined,
  };
}

/** A page cursor's bytes for its key: 32 random bytes, kept by the store. */
export function newCursorKey(): Buffer {
  return randomBytes(32);
}

/**
 * Page cursors (A2I's NextToken) that cannot be forged: the page's last loop by creation time and name, signed with
 * the store's key. A cursor this store did not give, or one changed on the way, is a CursorError.
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(loop: Pick<LoopRecord, 'createdAt' | 'name'>): string {
    const payload = Buffer.from(JSON.stringify({ createdAt: loop.createdAt, name: loop.name })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string): { createdAt: string; name: string } {
    const [payload = '', signature = '', ...rest] = cursor.split('.');
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) throw notOurs();
    const value = parseJson(Buffer.from(payload, 'base64url').toString('utf8')) as {
      createdAt?: unknown;
      name?: unknown;
    };
    if (typeof value?.createdAt !== 'string' || typeof value.name !== 'string' || value.name === '') throw notOurs();
    return { createdAt: value.createdAt, name: value.name };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(`page-cursor:${payload}`).digest('base64url');
  }
}

function notOurs(): CursorError {
  return new CursorError('NextToken is not a token this backend gave');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The pending loops due by `before`, from loops held in memory, soonest due first. */
export function pendingByDue(loops: Iterable<LoopRecord>, before: Date, limit: number): LoopRecord[] {
  return [...loops]
    .filter((loop) => isPending(loop) && Date.parse(dueAt(loop)) <= before.getTime())
    .sort((a, b) => dueAt(a).localeCompare(dueAt(b)) || a.name.localeCompare(b.name))
    .slice(0, limit);
}
