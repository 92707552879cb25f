/**
 * The task rules as pure functions, and the property that no sequence of workers' actions and time ever gives a loop
 * more answers than its TaskCount, or lets a task be taken or answered after the loop ended.
 */
import * as fc from 'fast-check';
import { isReviewError, ReviewError } from '../../../../lambda/shared/review/port';
import type { FlowSettings, LoopRecord } from '../../../../lambda/shared/review/tasks';
import {
  answerTask,
  claimTask,
  declineTask,
  isEnded,
  completeLoop,
  dueAt,
  isAnswered,
  isOpenFor,
  isPending,
  markAnnounced,
  outputDocument,
  outputLocation,
  releaseTask,
  settle,
  startLoop,
  STOPPING_MS,
  stopLoop,
} from '../../../../lambda/shared/review/tasks';

const FLOW: FlowSettings = {
  flowDefinitionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d',
  s3OutputPath: 's3://output-bucket/a2i-results',
  taskCount: 2,
  taskAvailabilityLifetimeSeconds: 3_600,
  taskTimeLimitSeconds: 300,
};
const T0 = new Date('2026-11-21T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const ana = { id: 'worker-ana' };
const bo = { id: 'worker-bo' };
const cy = { id: 'worker-cy' };

const fresh = (flow: FlowSettings = FLOW) =>
  startLoop(undefined, { name: 'loop-1', input: { taskObject: 'It is okay' } }, flow, T0).loop;

function kindOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof ReviewError) return error.kind;
    throw error;
  }
}

describe('starting', () => {
  test('a new loop is InProgress, open for the availability lifetime, in its flow definition', () => {
    expect(fresh()).toMatchObject({
      name: 'loop-1',
      arn: 'arn:aws:sagemaker:eu-west-1:123456789012:human-loop/loop-1',
      status: 'InProgress',
      inputContent: '{"taskObject":"It is okay"}',
      taskCount: 2,
      availableUntil: '2026-11-21T11:00:00.000Z',
      version: 0,
    });
  });

  test('the same name and input again is the same loop; another input is a Conflict', () => {
    const loop = fresh();
    expect(startLoop(loop, { name: 'loop-1', input: { taskObject: 'It is okay' } }, FLOW, at(5))).toEqual({
      loop,
      created: false,
    });
    expect(kindOf(() => startLoop(loop, { name: 'loop-1', input: { taskObject: 'other' } }, FLOW, at(5)))).toBe(
      'Conflict',
    );
    const otherFlow = { ...FLOW, flowDefinitionArn: `${FLOW.flowDefinitionArn}x` };
    expect(
      kindOf(() => startLoop(loop, { name: 'loop-1', input: { taskObject: 'It is okay' } }, otherFlow, at(5))),
    ).toBe('Conflict');
  });

  test.each([
    ['a name with capitals', { name: 'Loop-1', input: {} }],
    ['a name of 64 characters', { name: 'a'.repeat(64), input: {} }],
    ['an input over 3,145,728 characters', { name: 'big', input: { text: 'x'.repeat(3_145_728) } }],
    ['an unknown content classifier', { name: 'c', input: {}, contentClassifiers: ['FreeOfSpam'] as never }],
  ])('%s is a Validation error', (_, request) => {
    expect(kindOf(() => startLoop(undefined, request, FLOW, T0))).toBe('Validation');
  });
});

/** Each worker's lease token in these tests: their id, so a test can name it. */
const lease = (worker: { id: string }) => `lease-of-${worker.id}`;
const claim = (loop: LoopRecord, worker: { id: string }, now: Date) => claimTask(loop, worker, now, lease(worker));
const answer = (loop: LoopRecord, worker: { id: string }, content: Record<string, unknown>, now: Date) =>
  answerTask(loop, worker, lease(worker), content, now);

describe('working on a loop', () => {
  test('two workers take and answer its tasks; with the second answer it is answered, then Completed', () => {
    let loop = claim(fresh(), ana, at(10));
    loop = claim(loop, bo, at(20));
    loop = answer(loop, ana, { sentiment: { label: '0' } }, at(40));
    expect(isAnswered(loop)).toBe(false);
    loop = answer(loop, bo, { sentiment: { label: '1' } }, at(80));
    expect(loop).toMatchObject({ status: 'InProgress', claims: [] });
    expect(isAnswered(loop)).toBe(true);
    expect(dueAt(loop)).toBe('2026-11-21T10:01:20.000Z');
    loop = completeLoop(loop, at(81));
    expect(loop).toMatchObject({
      status: 'Completed',
      outputUri: 's3://output-bucket/a2i-results/sentiment-review-0a1b2c3d/2026/11/21/10/00/00/loop-1/output.json',
      claims: [],
    });
    expect(loop.answers.map((a) => [a.workerId, a.timeSpentInSeconds])).toEqual([
      ['worker-ana', 30],
      ['worker-bo', 60],
    ]);
    expect(outputDocument(loop, { issuer: 'https://cognito' })).toEqual({
      flowDefinitionArn: FLOW.flowDefinitionArn,
      humanAnswers: [
        expect.objectContaining({ workerId: 'worker-ana', answerContent: { sentiment: { label: '0' } } }),
        expect.objectContaining({
          workerId: 'worker-bo',
          acceptanceTime: '2026-11-21T10:00:20.000Z',
          submissionTime: '2026-11-21T10:01:20.000Z',
          workerMetadata: {
            identityData: { identityProviderType: 'Cognito', issuer: 'https://cognito', sub: 'worker-bo' },
          },
        }),
      ],
      humanLoopName: 'loop-1',
      inputContent: { taskObject: 'It is okay' },
    });
  });

  test('a third worker finds every task taken; the task opens again when a claim lapses or is given back', () => {
    let loop = claim(claim(fresh(), ana, at(0)), bo, at(0));
    expect(isOpenFor(loop, cy)).toBe(false);
    expect(kindOf(() => claim(loop, cy, at(1)))).toBe('Conflict');
    expect(claim(loop, cy, at(301)).claims.map((c) => c.workerId)).toEqual(['worker-cy']);
    loop = releaseTask(loop, bo);
    expect(isOpenFor(loop, cy)).toBe(true);
  });

  test('an answer needs a live claim: none, or one past the time limit, is a Validation error', () => {
    expect(kindOf(() => answer(fresh(), ana, {}, at(1)))).toBe('Validation');
    const claimed = claim(fresh(), ana, at(0));
    expect(kindOf(() => answer(claimed, ana, {}, at(301)))).toBe('Validation');
  });

  test('an answer counts only under the live lease: a page of a lapsed lease cannot answer for the next one', () => {
    const first = claimTask(fresh(), ana, at(0), 'first-lease');
    expect(claimTask(first, ana, at(10), 'ignored').claims[0].token).toBe('first-lease');
    const again = claimTask(first, ana, at(301), 'second-lease');
    expect(again.claims[0].token).toBe('second-lease');
    expect(kindOf(() => answerTask(again, ana, 'first-lease', {}, at(302)))).toBe('Conflict');
    expect(kindOf(() => answerTask(again, ana, lease(bo), {}, at(302)))).toBe('Conflict');
    expect(answerTask(again, ana, 'second-lease', {}, at(302)).answers).toHaveLength(1);
  });

  test('a worker who answered or declined is not offered the task again', () => {
    const answered = answer(claim(fresh(), ana, at(0)), ana, {}, at(1));
    expect(isOpenFor(answered, ana)).toBe(false);
    expect(kindOf(() => claim(answered, ana, at(2)))).toBe('Conflict');
    const declined = declineTask(claim(fresh(), bo, at(0)), bo);
    expect(declined.claims).toEqual([]);
    expect(isOpenFor(declined, bo)).toBe(false);
    expect(isOpenFor(declined, ana)).toBe(true);
  });

  test('a claim never outlives the loop availability', () => {
    const claimed = claim(fresh(), ana, at(3_500));
    expect(claimed.claims[0].expiresAt).toBe('2026-11-21T11:00:00.000Z');
  });
});

describe('the end of a loop', () => {
  const answered = () => answer(claim(fresh({ ...FLOW, taskCount: 1 }), ana, at(0)), ana, {}, at(10));

  test('an answered loop is past the reach of time and stop: it only completes', () => {
    const loop = answered();
    expect(settle(loop, at(999_999))).toBe(loop);
    expect(kindOf(() => stopLoop(loop, at(20)))).toBe('Validation');
    expect(kindOf(() => claim(loop, bo, at(20)))).toBe('Conflict');
    expect(completeLoop(completeLoop(loop, at(30)), at(40)).endedAt).toBe('2026-11-21T10:00:30.000Z');
    expect(kindOf(() => completeLoop(fresh(), at(30)))).toBe('Validation');
  });

  test('an ended loop is pending until its end is announced, due from when it ended', () => {
    const completed = completeLoop(answered(), at(30));
    expect(isPending(completed)).toBe(true);
    expect(dueAt(completed)).toBe('2026-11-21T10:00:30.000Z');
    expect(isPending(markAnnounced(completed))).toBe(false);
    expect(isPending(fresh())).toBe(true);
    expect(dueAt(fresh())).toBe('2026-11-21T11:00:00.000Z');
  });

  test('starting it again with the same input once it ended is a Conflict', () => {
    const request = { name: 'loop-1', input: { taskObject: 'It is okay' } };
    expect(kindOf(() => startLoop(stopLoop(fresh(), at(1)), request, FLOW, at(5)))).toBe('Conflict');
    expect(kindOf(() => startLoop(fresh(), request, FLOW, at(3_600)))).toBe('Conflict');
    expect(startLoop(answered(), request, FLOW, at(20)).created).toBe(false);
  });
});

describe('time and stopping', () => {
  test('an unfinished loop past its availability fails Expired, and takes no claim or answer', () => {
    const claimed = claim(fresh(), ana, at(3_300));
    const expired = settle(claimed, at(3_600));
    expect(expired).toMatchObject({ status: 'Failed', failureCode: 'Expired', claims: [] });
    expect(kindOf(() => claim(claimed, bo, at(3_601)))).toBe('Validation');
    expect(kindOf(() => answer(claimed, ana, {}, at(3_601)))).toBe('Validation');
  });

  test('stop: only InProgress; Stopping, then Stopped after a moment; claims end at once', () => {
    const stopping = stopLoop(claim(fresh(), ana, at(0)), at(10));
    expect(stopping).toMatchObject({ status: 'Stopping', claims: [] });
    expect(settle(stopping, at(10))).toBe(stopping);
    expect(settle(stopping, new Date(at(10).getTime() + STOPPING_MS))).toMatchObject({ status: 'Stopped' });
    expect(kindOf(() => stopLoop(stopping, at(11)))).toBe('Validation');
  });

  test('settle changes nothing that time has not changed', () => {
    const loop = fresh();
    expect(settle(loop, at(100))).toBe(loop);
  });
});

test("output.json's key is A2I's: prefix, flow definition, creation time (UTC), loop", () => {
  expect(outputLocation(fresh({ ...FLOW, s3OutputPath: 's3://bucket/deep/prefix/' }))).toEqual({
    bucket: 'bucket',
    key: 'deep/prefix/sentiment-review-0a1b2c3d/2026/11/21/10/00/00/loop-1/output.json',
    uri: 's3://bucket/deep/prefix/sentiment-review-0a1b2c3d/2026/11/21/10/00/00/loop-1/output.json',
  });
});

describe('property', () => {
  type Action =
    | { kind: 'claim' | 'answer' | 'release' | 'decline'; worker: number }
    | { kind: 'stop' | 'complete' }
    | { kind: 'wait'; seconds: number };
  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.record({
      kind: fc.constantFrom('claim', 'answer', 'release', 'decline'),
      worker: fc.integer({ min: 0, max: 4 }),
    }),
    fc.constantFrom({ kind: 'stop' as const }, { kind: 'complete' as const }),
    fc.record({ kind: fc.constant('wait' as const), seconds: fc.integer({ min: 0, max: 2_000 }) }),
  );

  test('no loop gets more answers than its TaskCount, nor a claim or answer once it ended, nor loses its answers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(action, { maxLength: 40 }), (taskCount, actions) => {
        const flow = { ...FLOW, taskCount, taskTimeLimitSeconds: 600, taskAvailabilityLifetimeSeconds: 3_000 };
        let loop: LoopRecord = fresh(flow);
        let seconds = 0;
        for (const step of actions) {
          if (step.kind === 'wait') {
            seconds += step.seconds;
            continue;
          }
          const now = at(seconds);
          const ended = isEnded(settle(loop, now)) || settle(loop, now).status === 'Stopping';
          const worker = 'worker' in step ? { id: `w${step.worker}` } : ana;
          try {
            const next =
              step.kind === 'claim'
                ? claim(loop, worker, now)
                : step.kind === 'answer'
                  ? answer(loop, worker, { label: 'x' }, now)
                  : step.kind === 'release'
                    ? releaseTask(loop, worker)
                    : step.kind === 'decline'
                      ? declineTask(loop, worker)
                      : step.kind === 'complete'
                        ? completeLoop(settle(loop, now), now)
                        : stopLoop(loop, now);
            if (ended && (step.kind === 'claim' || step.kind === 'answer')) {
              throw new Error(`a ${step.kind} was accepted after the loop ended`);
            }
            loop = next;
          } catch (error) {
            if (!isReviewError(error, 'Validation') && !isReviewError(error, 'Conflict')) throw error;
          }
          const current = settle(loop, now);
          expect(current.answers.length).toBeLessThanOrEqual(taskCount);
          expect(current.answers.length + current.claims.length).toBeLessThanOrEqual(taskCount);
          expect(new Set(current.answers.map((a) => a.workerId)).size).toBe(current.answers.length);
          if (current.status !== 'InProgress') expect(current.claims).toEqual([]);
          // All the answers it needs: answered or Completed, never expired or stopped; Completed only then.
          if (current.answers.length === taskCount) expect(['InProgress', 'Completed']).toContain(current.status);
          if (current.status === 'Completed') expect(current.answers).toHaveLength(taskCount);
        }
      }),
      { numRuns: 500 },
    );
  });
});
