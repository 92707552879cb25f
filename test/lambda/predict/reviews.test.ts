/**
 * The start policy on its own: a fake review port with A2I's start semantics and a fake queue, no SDK. Every review
 * ends started, queued or failed with its reason, and never another item's loop.
 */
import { Deadline } from '../../../lambda/shared/deadline';
import type { CallOptions, HumanLoop, ReviewPort, StartRequest } from '../../../lambda/shared/review/port';
import { ReviewError } from '../../../lambda/shared/review/port';
import { requestReviews } from '../../../lambda/predict/reviews';
import type { ReviewDeps } from '../../../lambda/predict/reviews';

const FLOW = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d';

/** Loops by name, as one account holds them; `failWith` makes the next starts of a name fail. */
class FakePort implements ReviewPort {
  readonly flowDefinitionArn = FLOW;
  readonly loops = new Map<string, HumanLoop & { input: string }>();
  readonly failWith = new Map<string, Error>();
  startDelayMs = 0;
  started = 0;

  async start(request: StartRequest, options: CallOptions = {}) {
    this.started += 1;
    if (this.startDelayMs > 0) await abortable(this.startDelayMs, options.signal);
    const failure = this.failWith.get(request.name);
    if (failure) throw failure;
    const input = JSON.stringify(request.input);
    const existing = this.loops.get(request.name);
    if (existing && existing.input !== input) throw new ReviewError('Conflict', 'same name, different input');
    if (!existing) this.loops.set(request.name, loop(request.name, FLOW, 'InProgress', input));
    return { humanLoopArn: `arn:loop/${request.name}` };
  }

  describe(name: string): Promise<HumanLoop> {
    const found = this.loops.get(name);
    return found ? Promise.resolve(found) : Promise.reject(new ReviewError('ResourceNotFound', `no ${name}`));
  }

  list = () => Promise.resolve({ loops: [] });
  stop = () => Promise.resolve();
  delete = () => Promise.resolve();
}

function loop(name: string, flowDefinitionArn: string, status: HumanLoop['status'], input = '{}') {
  return { name, arn: `arn:loop/${name}`, status, createdAt: new Date(0), flowDefinitionArn, input };
}

function abortable(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    });
  });
}

const request = (name: string, text = name): StartRequest => ({ name, input: { taskObject: text } });

let port: FakePort;
let queued: string[];
let queueFails: boolean;

function deps(overrides: Partial<ReviewDeps> = {}): ReviewDeps {
  return {
    reviews: port,
    enqueue: (review) =>
      queueFails ? Promise.reject(new Error('SQS down')) : Promise.resolve(void queued.push(review.name)),
    concurrency: 4,
    startBy: Deadline.in(5_000),
    queueBy: Deadline.in(6_000),
    ...overrides,
  };
}

beforeEach(() => {
  port = new FakePort();
  queued = [];
  queueFails = false;
});

test('every review starts, in the order asked', async () => {
  const outcomes = await requestReviews([request('a'), request('b'), request('c')], deps());
  expect(outcomes).toEqual([{ status: 'started' }, { status: 'started' }, { status: 'started' }]);
  expect([...port.loops.keys()].sort()).toEqual(['a', 'b', 'c']);
});

test('a review that cannot start is queued; one that can be neither is reported not recorded', async () => {
  port.failWith.set('b', new ReviewError('Throttling', 'slow down'));
  expect(await requestReviews([request('a'), request('b')], deps())).toEqual([
    { status: 'started' },
    { status: 'queued' },
  ]);
  expect(queued).toEqual(['b']);

  queueFails = true;
  const [outcome] = await requestReviews([request('b')], deps());
  expect(outcome).toMatchObject({ status: 'failed', error: 'ReviewNotRecorded' });
});

test('the same name and input again, in progress, is the same loop: started, nothing new', async () => {
  await requestReviews([request('a')], deps());
  // As A2I does, the port answers a repeated start of a loop in progress as a success: nothing tells it apart.
  expect(await requestReviews([request('a')], deps())).toEqual([{ status: 'started' }]);
  expect(port.loops.size).toBe(1);
});

test("a conflict with this flow definition's loop is this item's review, unless it ended unreviewed", async () => {
  port.loops.set('a', loop('a', FLOW, 'Completed', '{"taskObject":"the model answered otherwise before"}'));
  port.loops.set('b', { ...loop('b', FLOW, 'Failed', '{}'), failureCode: 'Expired' });

  const [a, b] = await requestReviews([request('a'), request('b')], deps());

  expect(a).toEqual({ status: 'started', alreadyStarted: true, humanLoopStatus: 'Completed' });
  expect(b).toMatchObject({
    status: 'failed',
    error: 'ReviewEnded',
    message: expect.stringContaining('ended Failed (Expired)'),
  });
});

test("a conflict with another flow definition's loop is reported, not counted, not queued", async () => {
  port.loops.set('a', loop('a', `${FLOW}-other`, 'InProgress', '{"x":1}'));

  const [a] = await requestReviews([request('a')], deps());

  expect(a).toMatchObject({ status: 'failed', error: 'ReviewConflict' });
  expect(queued).toEqual([]);
});

test('when the start phase is over, the rest is queued without trying', async () => {
  const outcomes = await requestReviews([request('a'), request('b')], deps({ startBy: Deadline.in(-1) }));
  expect(outcomes).toEqual([{ status: 'queued' }, { status: 'queued' }]);
  expect(port.started).toBe(0);
});

test('a start still running when the start phase ends is abandoned and queued', async () => {
  port.startDelayMs = 1_000;
  const began = Date.now();

  const outcomes = await requestReviews([request('a')], deps({ startBy: Deadline.in(50) }));

  expect(outcomes).toEqual([{ status: 'queued' }]);
  expect(Date.now() - began).toBeLessThan(1_000);
});
