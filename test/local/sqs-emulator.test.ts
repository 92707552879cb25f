/** Local mode's queues keep what they accepted: a restart delivers what was not handled, failures end in dead letters. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { LocalQueue } from '../../local/sqs-emulator';
import { eventually } from './start';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'queue-'));
const silent = () => undefined;

test('a message accepted before a restart is delivered after it, once handled it is gone', async () => {
  const root = dir();
  const folder = path.join(root, 'events');
  const before = new LocalQueue(
    'arn:q',
    { handler: () => Promise.resolve({ batchItemFailures: [] }), maxReceiveCount: 3, delayMs: 60_000 },
    folder,
    path.join(root, 'dead.jsonl'),
    silent,
  );
  before.send('{"review":1}');
  await before.close();

  const received: SQSEvent[] = [];
  const after = new LocalQueue(
    'arn:q',
    {
      handler: (event) => {
        received.push(event);
        return Promise.resolve({ batchItemFailures: [] });
      },
      maxReceiveCount: 3,
      delayMs: 5,
    },
    folder,
    path.join(root, 'dead.jsonl'),
    silent,
  );
  await eventually(() => expect(received).toHaveLength(1));
  expect(received[0].Records[0].body).toBe('{"review":1}');
  await eventually(() => expect(fs.readdirSync(folder)).toEqual([]));
  await after.close();
});

test('a message that keeps failing moves to the dead-letter file after maxReceiveCount receives', async () => {
  const root = dir();
  let receives = 0;
  const queue = new LocalQueue(
    'arn:q',
    {
      handler: (event) => {
        receives++;
        return Promise.resolve({ batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] });
      },
      maxReceiveCount: 3,
      delayMs: 5,
    },
    path.join(root, 'events'),
    path.join(root, 'dead.jsonl'),
    silent,
  );
  queue.send('{"review":2}');
  await eventually(() => expect(fs.existsSync(path.join(root, 'dead.jsonl'))).toBe(true));
  expect(receives).toBe(3);
  expect(JSON.parse(fs.readFileSync(path.join(root, 'dead.jsonl'), 'utf8'))).toMatchObject({ body: '{"review":2}' });
  expect(fs.readdirSync(path.join(root, 'events'))).toEqual([]);
  await queue.close();
});

test('a message file nobody can deliver goes to the dead letters with a log line; the others are delivered', async () => {
  const root = dir();
  const folder = path.join(root, 'events');
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'torn.json'), '');
  fs.writeFileSync(path.join(folder, 'no-count.json'), '{"body":"x"}');
  fs.writeFileSync(path.join(folder, 'good.json'), '{"body":"{\\"review\\":3}","receiveCount":1}');
  const logs: string[] = [];
  const received: string[] = [];
  const queue = new LocalQueue(
    'arn:q',
    {
      handler: (event) => {
        received.push(event.Records[0].body);
        return Promise.resolve({ batchItemFailures: [] });
      },
      maxReceiveCount: 3,
      delayMs: 5,
    },
    folder,
    path.join(root, 'dead.jsonl'),
    (line) => logs.push(line),
  );
  await eventually(() => expect(received).toEqual(['{"review":3}']));
  const dead = fs
    .readFileSync(path.join(root, 'dead.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { messageId: string }).messageId);
  expect(dead.sort()).toEqual(['no-count', 'torn']);
  expect(logs).toContainEqual(
    `A message of arn:q moved to ${path.join(root, 'dead.jsonl')}: its file ${path.join(folder, 'torn.json')} is not a stored message`,
  );
  await eventually(() => expect(fs.readdirSync(folder)).toEqual([]));
  await queue.close();
});

test('stopping waits for a delivery under way; one cut short keeps its message and uses up no receive', async () => {
  const root = dir();
  const folder = path.join(root, 'events');
  let finish: (ok: boolean) => void = () => undefined;
  let started = 0;
  const queue = new LocalQueue(
    'arn:q',
    {
      handler: (event) => {
        started++;
        return new Promise((resolve) => {
          finish = (ok) => resolve({ batchItemFailures: ok ? [] : [{ itemIdentifier: event.Records[0].messageId }] });
        });
      },
      maxReceiveCount: 1,
      delayMs: 5,
    },
    folder,
    path.join(root, 'dead.jsonl'),
    silent,
  );
  queue.send('{"review":4}');
  await eventually(() => expect(started).toBe(1));
  // The delivery fails as the queue stops (its handler lost its clients): kept, not dead-lettered.
  const closed = queue.close(1_000);
  finish(false);
  await closed;
  expect(fs.existsSync(path.join(root, 'dead.jsonl'))).toBe(false);
  const [file] = fs.readdirSync(folder);
  expect(JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8'))).toEqual({
    body: '{"review":4}',
    receiveCount: 0,
  });
});
