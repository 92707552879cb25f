/**
 * Local mode with LOCAL_REVIEW_BACKEND=a2i: the handlers take the A2I adapter path, through the A2I-compatible API,
 * over the same loops; an ended loop is announced as A2I announces it (`aws.sagemaker` on the default bus), and the
 * collector records it as it records a self-hosted one. Its own file: one process loads the handlers once.
 */
import type { LocalServer } from '../../local/server';
import { datasetRecord, eventually, predictLoops, REFERENCE_REVIEWS, startLocal } from './start';

let server: LocalServer & { logs: string[] };
beforeAll(async () => {
  server = await startLocal({ reviewBackend: 'a2i' });
});
afterAll(() => server.close());

test('a prediction under the threshold becomes a loop through the A2I adapter, and its answer a dataset record', async () => {
  expect(process.env.REVIEW_BACKEND).toBe('a2i');
  const [name] = (await predictLoops(server, 'a2i-mode-1', [REFERENCE_REVIEWS[1]])) as [string];
  expect((await server.reviews.describe(name)).status).toBe('InProgress');

  const worker = { id: 'worker-ana', name: 'Ana' };
  const lease = await server.workerTasks.claim(name, worker);
  await server.workerTasks.answer(name, worker, lease.token, { sentiment: { label: '0' } });

  const ended = await eventually(() => {
    const line = server.logs.find((l) => l.includes(`human loop ${name} ended`));
    if (line === undefined) throw new Error('not ended yet');
    return line;
  });
  expect(ended).toBe(`human loop ${name} ended Completed (event from aws.sagemaker)`);
  const record = await datasetRecord(server, name);
  expect(record).toMatchObject({ status: 'Completed', human: { label: 0 } });
});
