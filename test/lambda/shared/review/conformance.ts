/**
 * The review port's conformance suite: what every adapter must do, as port.ts states A2I's contract. An adapter joins
 * by giving a backend with two flow definitions, a clock the test moves, and a way for workers to answer a loop
 * (the port has no worker side: A2I's workers answer in its portal). Run by *-conformance.test.ts next to this file.
 */
import type { ReviewPort } from '../../../../lambda/shared/review/port';
import { INPUT_CONTENT_MAX_CHARS, ReviewError } from '../../../../lambda/shared/review/port';

export interface ConformanceBackend {
  /** Loops of one flow definition. */
  readonly port: ReviewPort;
  /** Another flow definition of the same backend (the same account and Region, for A2I). */
  readonly otherFlow: ReviewPort;
  /** The task availability lifetime of both flow definitions. */
  readonly availabilityLifetimeSeconds: number;
  /** Moves the backend's clock forward. */
  advance(seconds: number): void;
  /** The backend's clock. */
  now(): Date;
  /** As many workers as the loop needs answer it. */
  answerAll(name: string): Promise<void>;
  /**
   * The loops whose end the backend announced (its status-change events), in order, where the test can see them;
   * the suite then checks that every end is announced, once, and nothing else.
   */
  announced?(): readonly string[];
  close(): Promise<void>;
}

/** A few seconds past any moment of a stop: a loop that was Stopping is Stopped by then. */
const STOP_SETTLES_SECONDS = 5;

async function failureKind(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return error instanceof ReviewError ? error.kind : `not a ReviewError: ${String(error)}`;
  }
  return 'no failure';
}

const input = (text: string) => ({ taskObject: text });

export function reviewPortConformance(setup: () => Promise<ConformanceBackend>): void {
  let backend: ConformanceBackend;
  let port: ReviewPort;
  beforeEach(async () => {
    backend = await setup();
    port = backend.port;
  });
  afterEach(() => backend.close());

  /** Starts loops one second apart, so creation times order them. */
  async function startApart(names: readonly string[], on: ReviewPort = port): Promise<void> {
    for (const name of names) {
      await on.start({ name, input: input(name) });
      backend.advance(1);
    }
  }

  async function listAll(query: Parameters<ReviewPort['list']>[0], on: ReviewPort = port): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await on.list({ ...query, nextToken });
      names.push(...page.loops.map((loop) => loop.name));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return names;
  }

  describe('names and input', () => {
    test.each(['a', '0', 'a'.repeat(63), 'review-1a2b', 'a--b'])('the name %j is accepted', async (name) => {
      await port.start({ name, input: input('x') });
      expect((await port.describe(name)).name).toBe(name);
    });

    test.each(['', 'Review-1', 'under_score', 'dot.name', '-leading', 'trailing-', 'a'.repeat(64)])(
      'the name %j is a Validation error, and nothing starts',
      async (name) => {
        expect(await failureKind(port.start({ name, input: input('x') }))).toBe('Validation');
        expect((await port.list({})).loops).toEqual([]);
      },
    );

    test(`an input of ${INPUT_CONTENT_MAX_CHARS} characters is accepted; one more is a Validation error`, async () => {
      const padding = INPUT_CONTENT_MAX_CHARS - JSON.stringify(input('')).length;
      await port.start({ name: 'largest', input: input('x'.repeat(padding)) });
      expect((await port.describe('largest')).status).toBe('InProgress');
      expect(await failureKind(port.start({ name: 'too-large', input: input('x'.repeat(padding + 1)) }))).toBe(
        'Validation',
      );
      expect(await failureKind(port.describe('too-large'))).toBe('ResourceNotFound');
    });
  });

  describe('start', () => {
    test('a new loop is InProgress under the flow definition, created now, with its ARN', async () => {
      const { humanLoopArn } = await port.start({ name: 'loop-a', input: input('It is okay') });
      expect(humanLoopArn).toMatch(/:human-loop\/loop-a$/);
      const loop = await port.describe('loop-a');
      expect(loop).toMatchObject({
        name: 'loop-a',
        arn: humanLoopArn,
        status: 'InProgress',
        flowDefinitionArn: port.flowDefinitionArn,
      });
      expect(loop.failureCode).toBeUndefined();
      expect(loop.outputUri).toBeUndefined();
      expect(Math.abs(loop.createdAt.getTime() - backend.now().getTime())).toBeLessThan(1_000);
    });

    test('the same name with the same input again is the same loop, and starts nothing more', async () => {
      const first = await port.start({ name: 'again', input: input('same') });
      backend.advance(1);
      expect(await port.start({ name: 'again', input: input('same') })).toEqual(first);
      expect((await port.list({})).loops.map((loop) => loop.name)).toEqual(['again']);
    });

    test('the same name with another input is a Conflict, and the first loop goes on', async () => {
      await port.start({ name: 'taken', input: input('first') });
      expect(await failureKind(port.start({ name: 'taken', input: input('second') }))).toBe('Conflict');
      expect((await port.describe('taken')).status).toBe('InProgress');
    });

    test('names are unique across the flow definitions of a backend', async () => {
      await port.start({ name: 'shared-name', input: input('x') });
      expect(await failureKind(backend.otherFlow.start({ name: 'shared-name', input: input('x') }))).toBe('Conflict');
    });

    test('of concurrent starts of one name with different inputs, exactly one starts a loop', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => port.start({ name: 'race', input: input(`input ${i}`) })),
      );
      const kinds = results.map((r) =>
        r.status === 'fulfilled' ? 'no failure' : r.reason instanceof ReviewError ? r.reason.kind : String(r.reason),
      );
      expect(kinds.filter((kind) => kind === 'no failure')).toHaveLength(1);
      expect(kinds.filter((kind) => kind === 'Conflict')).toHaveLength(7);
    });

    test('concurrent starts of one name with the same input all get the one loop', async () => {
      const arns = await Promise.all(
        Array.from({ length: 8 }, () => port.start({ name: 'same-race', input: input('x') })),
      );
      expect(new Set(arns.map((a) => a.humanLoopArn)).size).toBe(1);
      expect((await port.list({})).loops).toHaveLength(1);
    });

    test('a call whose signal has fired is aborted and starts nothing', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(
        port.start({ name: 'aborted', input: input('x') }, { signal: controller.signal }),
      ).rejects.toMatchObject({ name: 'AbortError' });
      expect(await failureKind(port.describe('aborted'))).toBe('ResourceNotFound');
    });
  });

  describe('unknown loops', () => {
    test.each(['describe', 'stop', 'delete'] as const)('%s of an unknown name is ResourceNotFound', async (call) => {
      expect(await failureKind(port[call]('never-started'))).toBe('ResourceNotFound');
    });

    test.each(['describe', 'stop', 'delete'] as const)(
      '%s of a name A2I refuses is a Validation error',
      async (call) => {
        expect(await failureKind(port[call]('Not_A_Name'))).toBe('Validation');
      },
    );
  });

  /** Every loop in `names` was announced once (if the backend lets the test see it), and no other. */
  function expectAnnounced(names: readonly string[]): void {
    if (backend.announced === undefined) return;
    expect([...backend.announced()].sort()).toEqual([...names].sort());
  }

  describe('status transitions', () => {
    test('answered by every worker it needs: Completed, with its output.json; then only delete', async () => {
      await port.start({ name: 'answered', input: input('x') });
      await backend.answerAll('answered');
      const loop = await port.describe('answered');
      expect(loop.status).toBe('Completed');
      expect(loop.outputUri).toMatch(/^s3:\/\/[^/]+\/.+\/answered\/output\.json$/);
      expect(await port.describe('answered')).toEqual(loop);
      expectAnnounced(['answered']);
      expect(await failureKind(port.stop('answered'))).toBe('Validation');
      await port.delete('answered');
      expect(await failureKind(port.describe('answered'))).toBe('ResourceNotFound');
      expect((await port.list({})).loops).toEqual([]);
    });

    test('unanswered past the availability lifetime: Failed with failure code Expired', async () => {
      await port.start({ name: 'late', input: input('x') });
      backend.advance(backend.availabilityLifetimeSeconds - 1);
      expect((await port.describe('late')).status).toBe('InProgress');
      backend.advance(2);
      const loop = await port.describe('late');
      expect(loop).toMatchObject({ status: 'Failed', failureCode: 'Expired' });
      expect(loop.failureReason).toEqual(expect.any(String));
      expect((await port.list({})).loops).toEqual([
        expect.objectContaining({ name: 'late', status: 'Failed', failureReason: loop.failureReason }),
      ]);
      expect(await failureKind(port.stop('late'))).toBe('Validation');
      expectAnnounced(['late']);
      await port.delete('late');
    });

    test('an expired loop is listed as Failed without being described first', async () => {
      await port.start({ name: 'late-listed', input: input('x') });
      backend.advance(backend.availabilityLifetimeSeconds + 1);
      expect((await port.list({})).loops).toEqual([expect.objectContaining({ status: 'Failed' })]);
      expect((await port.list({})).loops).toEqual([expect.objectContaining({ status: 'Failed' })]);
      expectAnnounced(['late-listed']);
    });

    test('stop: Stopping, then Stopped; stopped only once; deleted only once ended', async () => {
      await port.start({ name: 'halt', input: input('x') });
      expect(await failureKind(port.delete('halt'))).toBe('Validation');
      await port.stop('halt');
      expect(['Stopping', 'Stopped']).toContain((await port.describe('halt')).status);
      backend.advance(STOP_SETTLES_SECONDS);
      expect((await port.describe('halt')).status).toBe('Stopped');
      expectAnnounced(['halt']);
      expect(await failureKind(port.stop('halt'))).toBe('Validation');
      await port.delete('halt');
      expect(await failureKind(port.describe('halt'))).toBe('ResourceNotFound');
    });

    test('a stopped loop takes no answers and never expires into Failed', async () => {
      await port.start({ name: 'stopped', input: input('x') });
      await port.stop('stopped');
      await expect(backend.answerAll('stopped')).rejects.toThrow();
      backend.advance(backend.availabilityLifetimeSeconds + STOP_SETTLES_SECONDS);
      expect((await port.describe('stopped')).status).toBe('Stopped');
      expectAnnounced(['stopped']);
    });

    test('a loop in progress is announced by nothing: not by describe, list, or time short of its end', async () => {
      await port.start({ name: 'open', input: input('x') });
      backend.advance(backend.availabilityLifetimeSeconds - 1);
      await port.describe('open');
      await port.list({});
      expectAnnounced([]);
    });

    test('once a loop has ended, starting it again with the same input is a Conflict', async () => {
      await port.start({ name: 'over', input: input('x') });
      await port.stop('over');
      backend.advance(STOP_SETTLES_SECONDS);
      expect(await failureKind(port.start({ name: 'over', input: input('x') }))).toBe('Conflict');
      await port.start({ name: 'done', input: input('x') });
      await backend.answerAll('done');
      expect(await failureKind(port.start({ name: 'done', input: input('x') }))).toBe('Conflict');
    });
  });

  describe('list', () => {
    test("only this flow definition's loops, newest first unless asked otherwise", async () => {
      await startApart(['first', 'second']);
      await startApart(['elsewhere'], backend.otherFlow);
      await startApart(['third']);
      expect(await listAll({})).toEqual(['third', 'second', 'first']);
      expect(await listAll({ sortOrder: 'Ascending' })).toEqual(['first', 'second', 'third']);
      expect(await listAll({}, backend.otherFlow)).toEqual(['elsewhere']);
      const [summary] = (await port.list({ maxResults: 1 })).loops;
      expect(summary).toMatchObject({ name: 'third', status: 'InProgress', flowDefinitionArn: port.flowDefinitionArn });
      expect(summary.createdAt).toBeInstanceOf(Date);
    });

    test('pages of maxResults, each loop once, in order; a loop started meanwhile shifts nothing', async () => {
      await startApart(['p1', 'p2', 'p3', 'p4', 'p5']);
      const first = await port.list({ maxResults: 2 });
      expect(first.loops.map((loop) => loop.name)).toEqual(['p5', 'p4']);
      expect(first.nextToken).toEqual(expect.any(String));
      await startApart(['p6']);
      const rest: string[] = [];
      let nextToken = first.nextToken;
      while (nextToken !== undefined) {
        const page = await port.list({ maxResults: 2, nextToken });
        expect(page.loops.length).toBeLessThanOrEqual(2);
        rest.push(...page.loops.map((loop) => loop.name));
        nextToken = page.nextToken;
      }
      expect(rest).toEqual(['p3', 'p2', 'p1']);
      expect(await listAll({ sortOrder: 'Ascending', maxResults: 4 })).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    });

    test('createdAfter and createdBefore bound the creation time', async () => {
      const t0 = backend.now().getTime();
      await startApart(['t0', 't1', 't2', 't3']);
      const second = (n: number) => new Date(t0 + n * 1_000 + 500);
      expect(await listAll({ createdAfter: second(0) })).toEqual(['t3', 't2', 't1']);
      expect(await listAll({ createdBefore: second(1) })).toEqual(['t1', 't0']);
      expect(await listAll({ createdAfter: second(0), createdBefore: second(2), sortOrder: 'Ascending' })).toEqual([
        't1',
        't2',
      ]);
    });

    test.each([0, 101, 1.5])('maxResults %p is a Validation error', async (maxResults) => {
      expect(await failureKind(port.list({ maxResults }))).toBe('Validation');
    });

    test('a nextToken the backend did not give is a Validation error', async () => {
      await startApart(['x1', 'x2']);
      expect(await failureKind(port.list({ nextToken: 'not-a-token' }))).toBe('Validation');
    });
  });
}
