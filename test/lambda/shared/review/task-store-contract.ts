/**
 * What every task store must do (task-store.ts): conditional writes on the version it read, and the two listings the
 * rules need. Run by task-stores.test.ts for each store; a new store joins by giving a fresh, empty one.
 */
import type { TaskStore } from '../../../../lambda/shared/review/task-store';
import { CursorError } from '../../../../lambda/shared/review/task-store';
import type { LoopRecord } from '../../../../lambda/shared/review/tasks';
import { startLoop } from '../../../../lambda/shared/review/tasks';
import { flowSettings } from './task-backend';

const FLOW = flowSettings('sentiment-review-0a1b2c3d');
const OTHER = flowSettings('other-review-4e5f6a7b');
const T0 = Date.parse('2026-11-21T10:00:00.000Z');

function loop(name: string, secondsAfterT0: number, flow = FLOW): LoopRecord {
  return startLoop(undefined, { name, input: { taskObject: name } }, flow, new Date(T0 + secondsAfterT0 * 1_000)).loop;
}

export function taskStoreContract(open: () => Promise<{ store: TaskStore; close: () => Promise<void> }>): void {
  let store: TaskStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(() => close());

  test('putIfAbsent stores a new loop once; get gives it back whole', async () => {
    const first = loop('a', 0);
    expect(await store.putIfAbsent(first)).toBe(true);
    expect(await store.putIfAbsent({ ...loop('a', 5), inputContent: '{"other":1}' })).toBe(false);
    expect(await store.get('a')).toEqual(first);
    expect(await store.get('missing')).toBeUndefined();
  });

  test('replace and delete happen only at the version the writer read', async () => {
    const first = loop('a', 0);
    await store.putIfAbsent(first);
    const changed = { ...first, status: 'Stopping' as const, version: 1 };
    expect(await store.replace(changed, 0)).toBe(true);
    expect(await store.replace({ ...first, version: 1 }, 0)).toBe(false);
    expect(await store.get('a')).toEqual(changed);
    expect(await store.replace({ ...changed, version: 1 }, 7)).toBe(false);
    expect(await store.replace({ ...loop('b', 0), version: 1 }, 0)).toBe(false);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.delete('a', 0)).toBe(false);
    expect(await store.delete('a', 1)).toBe(true);
    expect(await store.get('a')).toBeUndefined();
  });

  test('of concurrent replaces at one version, exactly one wins', async () => {
    await store.putIfAbsent(loop('a', 0));
    const wins = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.replace({ ...loop('a', 0), failureReason: `writer ${i}`, version: 1 }, 0),
      ),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  test('pending loops: every loop with a step due by then, soonest due first', async () => {
    const lifetime = FLOW.taskAvailabilityLifetimeSeconds;
    const by = (seconds: number) => new Date(T0 + (lifetime + seconds) * 1_000);
    await store.putIfAbsent(loop('late', 20));
    await store.putIfAbsent(loop('soon', 10));
    await store.putIfAbsent({ ...loop('stopping', 30), status: 'Stopping', stoppedAt: by(-100).toISOString() });
    await store.putIfAbsent({ ...loop('ended', 0), status: 'Completed', endedAt: by(-50).toISOString() });
    await store.putIfAbsent({
      ...loop('announced', 0),
      status: 'Completed',
      endedAt: by(-60).toISOString(),
      endAnnounced: true,
    });
    expect((await store.listPending(by(15), 10)).map((l) => l.name)).toEqual(['stopping', 'ended', 'soon']);
    expect((await store.listPending(by(25), 10)).map((l) => l.name)).toEqual(['stopping', 'ended', 'soon', 'late']);
    expect((await store.listPending(by(25), 2)).map((l) => l.name)).toEqual(['stopping', 'ended']);
    // Any time at all, even past what an ISO 8601 string of four-digit years can say.
    const endOfTime = new Date(8.64e15);
    expect((await store.listPending(endOfTime, 10)).map((l) => l.name)).toEqual(['stopping', 'ended', 'soon', 'late']);
  });

  test('a loop leaves the pending list once its end is announced, and a new step puts it back in due order', async () => {
    const lifetime = FLOW.taskAvailabilityLifetimeSeconds;
    const later = new Date(T0 + (lifetime + 100) * 1_000);
    const first = loop('a', 0);
    await store.putIfAbsent(first);
    await store.putIfAbsent(loop('b', 5));
    const ended = { ...first, status: 'Completed' as const, endedAt: new Date(T0 + 10_000).toISOString(), version: 1 };
    await store.replace(ended, 0);
    expect((await store.listPending(later, 10)).map((l) => l.name)).toEqual(['a', 'b']);
    await store.replace({ ...ended, endAnnounced: true, version: 2 }, 1);
    expect((await store.listPending(later, 10)).map((l) => l.name)).toEqual(['b']);
  });

  test("by creation time: one flow definition's loops, filtered, in pages that do not repeat", async () => {
    for (const [name, at] of [
      ['c', 2],
      ['a', 0],
      ['b', 1],
      ['d', 3],
    ] as const)
      await store.putIfAbsent(loop(name, at));
    await store.putIfAbsent(loop('other', 1, OTHER));
    const query = { flowDefinitionArn: FLOW.flowDefinitionArn, ascending: true, limit: 3 };
    const first = await store.listByCreationTime(query);
    expect(first.loops.map((l) => l.name)).toEqual(['a', 'b', 'c']);
    const second = await store.listByCreationTime({ ...query, cursor: first.cursor });
    expect(second).toEqual({ loops: [expect.objectContaining({ name: 'd' })], cursor: undefined });
    const bounded = await store.listByCreationTime({
      ...query,
      ascending: false,
      after: new Date(T0),
      before: new Date(T0 + 3_000),
    });
    expect(bounded.loops.map((l) => l.name)).toEqual(['c', 'b']);
  });

  test("a cursor naming another flow definition's loop pages only this flow definition's loops", async () => {
    await store.putIfAbsent(loop('mine', 0));
    await store.putIfAbsent(loop('theirs-1', 1, OTHER));
    await store.putIfAbsent(loop('theirs-2', 2, OTHER));
    const theirs = await store.listByCreationTime({
      flowDefinitionArn: OTHER.flowDefinitionArn,
      ascending: true,
      limit: 1,
    });
    const mixed = await store.listByCreationTime({
      flowDefinitionArn: FLOW.flowDefinitionArn,
      ascending: false,
      limit: 5,
      cursor: theirs.cursor,
    });
    expect(mixed.loops.map((l) => l.name)).toEqual(['mine']);
  });

  test('a cursor it did not give, or one changed on the way, is a CursorError', async () => {
    const list = (cursor: string) =>
      Promise.resolve().then(() =>
        store.listByCreationTime({ flowDefinitionArn: FLOW.flowDefinitionArn, ascending: true, limit: 1, cursor }),
      );
    await expect(list('x')).rejects.toBeInstanceOf(CursorError);
    // A made-up cursor in the shape of the real ones: the page after a loop of the caller's choosing.
    const madeUp = Buffer.from(JSON.stringify({ createdAt: '2026-01-01T00:00:00.000Z', name: 'a' })).toString(
      'base64url',
    );
    await expect(list(madeUp)).rejects.toBeInstanceOf(CursorError);
    for (const name of ['a', 'b']) await store.putIfAbsent(loop(name, 0));
    const { cursor = '' } = await store.listByCreationTime({
      flowDefinitionArn: FLOW.flowDefinitionArn,
      ascending: true,
      limit: 1,
    });
    const [payload, signature] = cursor.split('.');
    const changed = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), name: 'z' }),
    ).toString('base64url');
    await expect(list(`${changed}.${signature}`)).rejects.toBeInstanceOf(CursorError);
    expect((await list(cursor)).loops.map((loop) => loop.name)).toEqual(['b']);
  });
}
