/**
 * Local mode killed with SIGKILL in the middle of its work, then started again on the same data folder: every loop
 * answered before the kill gets its dataset record, every review queued for a retry is started, and no file the
 * server wrote is torn.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { datasetRecord, eventually, startLocal } from './start';

const CHILD = path.join(__dirname, 'fixtures', 'crash-child.ts');
const LOOPS = 120;
const QUEUED = 10;
const KILL_AFTER_ANSWERS = 60;

jest.setTimeout(120_000);

/** Runs the child until it has answered `answers` loops, then kills it: what it had reported as done. */
async function runAndKill(dataDir: string, answers: number): Promise<{ queued: string[]; answered: string[] }> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', CHILD, dataDir, String(LOOPS), String(QUEUED)], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const queued: string[] = [];
  const answered: string[] = [];
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for await (const line of readline.createInterface({ input: child.stdout })) {
    const [kind, name] = line.split(' ');
    if (kind === 'queued') queued.push(name);
    if (kind === 'answered') answered.push(name);
    if (answered.length >= answers || kind === 'done') break;
  }
  child.kill('SIGKILL');
  await exited;
  return { queued, answered };
}

/** Every JSON file and JSON Lines object the server keeps parses whole. */
function tornFiles(dir: string): string[] {
  const torn: string[] = [];
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = fs.readFileSync(file, 'utf8');
    const lines = file.endsWith('.jsonl') ? text.split('\n').filter(Boolean) : file.endsWith('.json') ? [text] : [];
    for (const line of lines) {
      try {
        JSON.parse(line);
      } catch {
        torn.push(file);
      }
    }
  }
  return torn;
}

test('after kill -9 and a restart, nothing answered or queued is lost and no file is torn', async () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crash-')), 'data');
  const { queued, answered } = await runAndKill(dataDir, KILL_AFTER_ANSWERS);
  expect(queued).toHaveLength(QUEUED);
  expect(answered.length).toBeGreaterThanOrEqual(KILL_AFTER_ANSWERS);
  // The kill came while answers were still being collected and the queued reviews waited (else the test shows
  // nothing about a crash).
  expect(fs.readdirSync(path.join(dataDir, 'queues', 'collector-events')).length).toBeGreaterThan(0);
  expect(fs.readdirSync(path.join(dataDir, 'queues', 'review-retry'))).toHaveLength(QUEUED);

  const server = await startLocal({ dataDir });
  try {
    for (const name of answered) {
      const record = await datasetRecord(server, name);
      expect(record).toMatchObject({ humanLoopName: name, status: 'Completed' });
    }
    for (const name of queued)
      await eventually(async () => expect((await server.reviews.describe(name)).name).toBe(name), 10_000);
    await eventually(() => expect(fs.readdirSync(path.join(dataDir, 'queues', 'collector-events'))).toEqual([]));
    expect(tornFiles(dataDir)).toEqual([]);
  } finally {
    await server.close();
  }
});
