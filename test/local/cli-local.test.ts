/**
 * The operator CLI against a real local server with `--local <url>`: the same commands and clients as against AWS,
 * reading the pipeline stack's outputs from local mode's DescribeStacks and the loops and dataset from its emulators.
 * Also the real binary in a child process with no AWS set-up at all, and a server that is not there (exit 3).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { defaultContext } from '../../cli/context';
import { runCli } from '../../cli/main';
import type { LocalServer } from '../../local/server';
import { captureIo } from '../cli/capture-io';
import { datasetRecord, eventually, predictLoops, REFERENCE_REVIEWS, startLocal } from './start';

const REPOSITORY = path.join(__dirname, '..', '..');

let server: LocalServer & { logs: string[] };
/** The loops the reference reviews started: the first is answered, the last stopped. */
let loops: string[];

beforeAll(async () => {
  server = await startLocal();
  loops = (await predictLoops(server, 'cli-local-1', REFERENCE_REVIEWS)).filter((name) => name !== undefined);
  expect(loops.length).toBeGreaterThanOrEqual(2);
});
afterAll(() => server.close());

/** Runs the CLI in-process as bin/review-pipeline.ts does, pointed at `url` (the local server's by default). */
async function cli(line: string[], url = server.url) {
  const io = captureIo();
  const code = await runCli([...line, '--local', url], (target) => defaultContext(io, target), {});
  return { code, out: io.outLines.join('\n'), err: io.errLines.join('\n') };
}

test('loops list shows the loops the predictions started', async () => {
  const { code, out } = await cli(['loops', 'list']);
  expect(code).toBe(0);
  const lines = out.split('\n');
  expect(lines[0]).toMatch(/^NAME\s+STATUS\s+CREATED$/);
  for (const name of loops)
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${name}\\s+InProgress\\s`)));
});

test('loops show shows a loop in progress', async () => {
  const { code, out } = await cli(['loops', 'show', loops[0]]);
  expect(code).toBe(0);
  expect(out).toMatch(new RegExp(`^name: +${loops[0]}\nstatus: +InProgress\ncreated: `));
});

test('an answered loop: loops wait exits 0, and loops show shows the answer', async () => {
  const [name] = loops;
  const worker = { id: 'worker-ana', name: 'Ana' };
  const lease = await server.workerTasks.claim(name, worker);
  await server.workerTasks.answer(name, worker, lease.token, { sentiment: { label: '0' } });

  const waited = await cli(['loops', 'wait', name, '--interval', '0.2', '--timeout', '15']);
  expect(waited.code).toBe(0);
  expect(waited.out).toMatch(new RegExp(`^NAME +STATUS +FAILURE\n${name} +Completed$`));

  const shown = await cli(['loops', 'show', name]);
  expect(shown.code).toBe(0);
  expect(shown.out).toContain('status:   Completed');
  expect(shown.out).toMatch(/^answer 1: \{"sentiment":\{"label":"0"\}\} \([\d.]+ s\)$/m);
});

test('results export writes the dataset record of the answered loop', async () => {
  const [name] = loops;
  await datasetRecord(server, name);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-local-')), 'reviews.jsonl');
  const { code, err } = await cli(['results', 'export', '--out', file]);
  expect(code).toBe(0);
  expect(err).toContain(`wrote 1 records to ${file}`);
  const rows = fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(rows).toEqual([expect.objectContaining({ human_loop_name: name, label: 0, input: expect.any(String) })]);
});

test('loops stop stops a loop', async () => {
  const name = loops[loops.length - 1];
  const { code, out } = await cli(['loops', 'stop', name]);
  expect(code).toBe(0);
  expect(out).toBe(`stopping ${name}`);
  await eventually(async () => expect((await server.reviews.describe(name)).status).toBe('Stopped'), 10_000);
  expect((await cli(['loops', 'show', name])).out).toContain('status:   Stopped');
});

test('workers list explains what local mode has instead of a workteam, with exit 2', async () => {
  const { code, err } = await cli(['workers', 'list']);
  expect(code).toBe(2);
  expect(err).toContain(`anyone who opens ${server.url}/portal (the WorkerPortalUrl) signs in there with a name`);
  expect(err).toContain('LOCAL_TASK_COUNT');
});

test('a local server that is not there: exit 3 and how to start it', async () => {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const absent = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  const { code, err } = await cli(['loops', 'list'], absent);
  expect(code).toBe(3);
  expect(err).toBe(`error: No local server at ${absent} (start it with npm start, or pass --local <url>)`);
});

test('the real binary, with no AWS profile, credentials or endpoints in its environment', async () => {
  // Asynchronous: the local server runs in this process and must go on answering while the child runs.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join('bin', 'review-pipeline.js'), '--local', server.url, 'loops', 'list'],
    {
      cwd: REPOSITORY,
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        HOME: os.tmpdir(),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_CONFIG_FILE: path.join(os.tmpdir(), 'no-such-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(os.tmpdir(), 'no-such-aws-credentials'),
      },
    },
  );
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(/^NAME\s+STATUS\s+CREATED$/);
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${loops[0]}\\s+Completed\\s`)));
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${loops[loops.length - 1]}\\s+Stopped\\s`)));
}, 60_000);
