/**
 * The steps that end a loop survive failures and races: an accepted answer is never lost, output.json always holds
 * the stored answers, an end is announced at least once, and a loop is deleted only once its end is out.
 */
import { TaskLoops } from '../../../../lambda/shared/review/task-loops';
import { TaskReviewPort } from '../../../../lambda/shared/review/task-port';
import type { LoopRecord } from '../../../../lambda/shared/review/tasks';
import { WorkerTasks } from '../../../../lambda/shared/review/worker-tasks';
import { MemoryTaskStore } from '../../../../local/memory-task-store';
import { flowSettings } from './task-backend';

const FLOW = { ...flowSettings('sentiment-review-0a1b2c3d'), taskCount: 1 };
const ana = { id: 'worker-ana' };

function setup() {
  let time = Date.parse('2026-11-21T10:00:00.000Z');
  const outputs = new Map<string, string>();
  const announced: string[] = [];
  const failures = { write: 0, announce: 0 };
  const store = new MemoryTaskStore();
  const loops = new TaskLoops(store, {
    now: () => new Date(time),
    identityIssuer: 'https://issuer',
    writeOutput: ({ bucket, key }, document) => {
      if (failures.write > 0) {
        failures.write--;
        return Promise.reject(new Error('S3 is down'));
      }
      outputs.set(`s3://${bucket}/${key}`, document);
      return Promise.resolve();
    },
    announceEnd: (loop: LoopRecord) => {
      if (failures.announce > 0) {
        failures.announce--;
        return Promise.reject(new Error('EventBridge is down'));
      }
      announced.push(loop.name);
      return Promise.resolve();
    },
  });
  const port = new TaskReviewPort(loops, FLOW);
  const workers = new WorkerTasks(loops);
  const advance = (seconds: number) => {
    time += seconds * 1_000;
  };
  const answersIn = (uri: string | undefined) =>
    (
      JSON.parse(outputs.get(uri ?? '') ?? '{"humanAnswers":[]}') as { humanAnswers: { answerContent: unknown }[] }
    ).humanAnswers.map((answer) => answer.answerContent);
  return { store, loops, port, workers, outputs, announced, failures, advance, answersIn };
}

test('an answer accepted while output.json cannot be written is kept; the sweep completes the loop', async () => {
  const { port, workers, loops, failures, announced, answersIn } = setup();
  await port.start({ name: 'loop-1', input: { taskObject: 'x' } });
  const { token } = await workers.claim('loop-1', ana);
  failures.write = 1;
  const answered = await workers.answer('loop-1', ana, token, { label: 'A' });
  expect(answered).toMatchObject({ status: 'InProgress', answers: [expect.anything()] });
  expect(announced).toEqual([]);
  await loops.sweep();
  const loop = await port.describe('loop-1');
  expect(loop.status).toBe('Completed');
  expect(answersIn(loop.outputUri)).toEqual([{ label: 'A' }]);
  expect(announced).toEqual(['loop-1']);
});

test('an end that could not be announced is announced by the sweep; the loop is deleted only after that', async () => {
  const { port, workers, loops, failures, announced } = setup();
  await port.start({ name: 'loop-1', input: { taskObject: 'x' } });
  const { token } = await workers.claim('loop-1', ana);
  failures.announce = 3; // at the answer, the describe and the first delete
  await workers.answer('loop-1', ana, token, { label: 'A' });
  expect((await port.describe('loop-1')).status).toBe('Completed');
  expect(announced).toEqual([]);
  await expect(port.delete('loop-1')).rejects.toMatchObject({ kind: 'InternalServer' });
  await loops.sweep();
  expect(announced).toEqual(['loop-1']);
  await loops.sweep();
  expect(announced).toEqual(['loop-1']);
  await port.delete('loop-1');
});

test('two submits of one task at once: one is taken, and output.json holds that one', async () => {
  const { port, workers, answersIn } = setup();
  await port.start({ name: 'loop-1', input: { taskObject: 'x' } });
  const { token } = await workers.claim('loop-1', ana);
  const results = await Promise.allSettled([
    workers.answer('loop-1', ana, token, { label: 'A' }),
    workers.answer('loop-1', ana, token, { label: 'B' }),
  ]);
  const taken = results.filter((r): r is PromiseFulfilledResult<LoopRecord> => r.status === 'fulfilled');
  expect(taken).toHaveLength(1);
  const loop = await port.describe('loop-1');
  expect(answersIn(loop.outputUri)).toEqual([taken[0].value.answers[0].answerContent]);
});

test('an answer that comes after expiry is refused and leaves no output.json', async () => {
  const { port, workers, outputs, advance, announced } = setup();
  await port.start({ name: 'loop-1', input: { taskObject: 'x' } });
  const { token } = await workers.claim('loop-1', ana);
  advance(FLOW.taskAvailabilityLifetimeSeconds);
  await expect(workers.answer('loop-1', ana, token, { label: 'A' })).rejects.toMatchObject({ kind: 'Validation' });
  expect(outputs.size).toBe(0);
  expect(await port.describe('loop-1')).toMatchObject({ status: 'Failed', failureCode: 'Expired' });
  expect(announced).toEqual(['loop-1']);
});

test('an answered loop does not expire while its output.json waits', async () => {
  const { port, workers, loops, failures, advance } = setup();
  await port.start({ name: 'loop-1', input: { taskObject: 'x' } });
  const { token } = await workers.claim('loop-1', ana);
  failures.write = 1;
  await workers.answer('loop-1', ana, token, { label: 'A' });
  advance(FLOW.taskAvailabilityLifetimeSeconds * 2);
  await loops.sweep();
  expect((await port.describe('loop-1')).status).toBe('Completed');
});
