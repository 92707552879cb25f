/**
 * Workers racing for one loop over DynamoDB's wire protocol (dynalite): 50 claim at once, then the winners answer at
 * once. Never more tasks taken than TaskCount, never one worker in two slots, and every accepted answer is in the
 * completed loop and its output.json.
 */
import { DynamoTaskStore } from '../../../../lambda/shared/review/dynamo-task-store';
import type { LoopRecord } from '../../../../lambda/shared/review/tasks';
import { startDynamo } from '../../../helpers/dynalite';
import type { LocalDynamo } from '../../../helpers/dynalite';
import { taskBackend } from './task-backend';

const CLAIMERS = 50;

let dynamo: LocalDynamo;
beforeEach(async () => {
  dynamo = await startDynamo();
});
afterEach(() => dynamo.close());

test(`${CLAIMERS} workers claim one loop at once: TaskCount win, each once, and their answers complete it`, async () => {
  const backend = taskBackend(new DynamoTaskStore(dynamo.client, dynamo.tableName));
  await backend.port.start({ name: 'contested', input: { taskObject: 'It is okay I guess' } });
  const workers = Array.from({ length: CLAIMERS }, (_, i) => ({ id: `worker-${i}` }));

  const claims = await Promise.allSettled(workers.map((worker) => backend.workers.claim('contested', worker)));

  const leases = claims.flatMap((claim, i) =>
    claim.status === 'fulfilled' ? [{ worker: workers[i], ...claim.value }] : [],
  );
  const winners = leases.map((lease) => lease.worker);
  const stored = (await backend.loops.store.get('contested')) as LoopRecord;
  expect(stored.claims).toHaveLength(backend.flow.taskCount);
  expect(new Set(stored.claims.map((claim) => claim.workerId)).size).toBe(backend.flow.taskCount);
  // Whoever was told they hold a task holds one; everyone else was told no, with a reason.
  expect(winners.map((worker) => worker.id).sort()).toEqual(stored.claims.map((claim) => claim.workerId).sort());
  for (const claim of claims.filter((c) => c.status === 'rejected'))
    expect(String(claim.reason)).toMatch(/taken|kept changing/);

  await Promise.all(
    leases.map(({ worker, token }) => backend.workers.answer('contested', worker, token, { sentiment: worker.id })),
  );

  const done = await backend.port.describe('contested');
  expect(done.status).toBe('Completed');
  const output = JSON.parse(backend.outputs.get(done.outputUri ?? '') ?? '{}') as {
    humanAnswers?: { answerContent: { sentiment: string } }[];
  };
  expect(output.humanAnswers?.map((answer) => answer.answerContent.sentiment).sort()).toEqual(
    winners.map((worker) => worker.id).sort(),
  );
}, 30_000);
