/**
 * Review jobs end to end in local mode, through the operator CLI as a user runs it (`--local <url>`): the seed's
 * Clarify review flow (the tabular sample's negative predictions, three per task, answers with corrections, new
 * training rows) and Ground Truth-style labeling with three workers (Dawid-Skene), plus restarts, a start cut short,
 * stopping, and the mistakes a user makes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jobKey, readJob, startJob } from '../../cli/review-jobs';
import { BUILT_IN_TASK_TYPES } from '../../common/task-types';
import type { ReviewPort } from '../../lambda/shared/review/port';
import type { LocalServer } from '../../local/server';
import { LOCAL } from '../../local/server';
import { prepareTabularSample } from '../../local/tabular/prepare';
import { jsonLines, localCli, localS3, startLocal } from './start';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function object(server: LocalServer, key: string): string {
  const found = server.objects.get(LOCAL.bucket, key);
  if (found === undefined) throw new Error(`no object ${key}`);
  return found.body.toString('utf8');
}

describe('the Clarify review flow: negative predictions, three per task, with explanation images', () => {
  let server: LocalServer;
  let manifestUri: string;
  let negatives: Record<string, unknown>[];

  beforeAll(async () => {
    server = await startLocal({ taskTemplate: 'tabular-review' });
    const s3 = localS3(server);
    const prepared = await prepareTabularSample({ s3, bucket: LOCAL.bucket, prefix: 'tabular-sample' });
    s3.destroy();
    manifestUri = prepared.manifestUri;
    negatives = jsonLines(prepared.manifest).filter((line) => line.prediction === 0);
    expect(negatives.length).toBeGreaterThan(6);
  });
  afterAll(() => server.close());

  const startAdult = () =>
    localCli(server, ['jobs', 'start', 'adult-review', '--manifest', manifestUri, '--filter', 'prediction=0']);

  test('start, restart, answer with corrections, wait and export: GT output manifest and new training rows', async () => {
    const started = await startAdult();
    expect(started.code).toBe(0);
    const tasks = Math.ceil(negatives.length / 3);
    expect(started.out).toContain(`job adult-review: ${negatives.length} records in ${tasks} tasks of up to 3`);
    expect(started.out).toContain(`started ${tasks}, already running or done 0`);

    // Running it again starts nothing new.
    const again = await startAdult();
    expect(again.out).toContain(`started 0, already running or done ${tasks}`);
    const loops = (await server.reviews.list({ maxResults: 100 })).loops;
    expect(loops).toHaveLength(tasks);

    const stored = (await readJob({ s3: localS3(server), bucket: LOCAL.bucket }, 'adult-review'))!;
    // Every task but the last holds three records; the last holds the remainder.
    expect(stored.tasks.slice(0, -1).every((task) => task.lines.length === 3)).toBe(true);
    expect(stored.tasks.at(-1)!.lines.length).toBe(negatives.length - 3 * (tasks - 1));

    const shown = await localCli(server, ['jobs', 'show', 'adult-review']);
    expect(shown.out).toMatch(new RegExp(`tasks: +${tasks}: ${tasks} InProgress`));
    expect(shown.out).toMatch(new RegExp(`reviewed: +0 of ${negatives.length} records`));

    // One reviewer answers every task: the first record of the first task is corrected to 1 with a reason; the
    // rest are agreed with.
    const worker = { id: 'worker-ana', name: 'Ana' };
    for (const [t, task] of stored.tasks.entries()) {
      const lease = await server.workerTasks.claim(task.name, worker);
      const answer: Record<string, unknown> = {};
      task.lines.forEach((_, i) => {
        const corrected = t === 0 && i === 0;
        answer[`rating${i + 1}`] = { agree: !corrected, disagree: corrected };
        answer[`correction${i + 1}`] = corrected ? '1' : '';
        answer[`reason${i + 1}`] = corrected ? 'capital gain says otherwise' : '';
      });
      await server.workerTasks.answer(task.name, worker, lease.token, answer);
    }

    const waited = await localCli(server, ['jobs', 'wait', 'adult-review', '--interval', '0.1', '--timeout', '10']);
    expect(waited.code).toBe(0);
    expect(waited.out).toMatch(new RegExp(`reviewed: +${negatives.length} of ${negatives.length} records`));

    const out = path.join(work, 'output.manifest');
    const training = path.join(work, 'training.csv');
    const columns = 'age,education_years,hours_per_week,capital_gain,capital_loss';
    const exported = await localCli(server, [
      ...['jobs', 'export', 'adult-review', '--out', out, '--training', training, '--columns', columns],
    ]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.out).toContain(`(${negatives.length} labeled records, method majority)`);
    expect(exported.out).toContain('disagreed:       1 record(s)');

    // Ground Truth's output manifest: every input line with the label attribute and its metadata.
    const lines = jsonLines(fs.readFileSync(out, 'utf8'));
    expect(lines).toHaveLength(negatives.length);
    expect(jsonLines(object(server, jobKey('adult-review', 'manifests/output/output.manifest')))).toEqual(lines);
    const firstLine = stored.tasks[0].lines[0];
    expect(firstLine).toBe(1);
    for (const [i, line] of lines.entries()) {
      const { 'adult-review': label, 'adult-review-metadata': metadata, ...input } = line;
      expect(input).toEqual(negatives[i]);
      expect(label).toBe(i === 0 ? 1 : 0);
      expect(metadata).toMatchObject({ 'job-name': 'labeling-job/adult-review', 'human-annotated': 'yes' });
    }
    expect(lines[0]['adult-review']).toBe(1);
    expect(lines[0]['adult-review-metadata']).toMatchObject({ 'class-name': '1' });
    expect(lines.slice(1).every((line) => line['adult-review'] === 0)).toBe(true);

    // New training rows: the human label (the correction kept) and the features.
    const csv = fs.readFileSync(training, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe(`label,${columns}`);
    expect(csv).toHaveLength(negatives.length + 1);
    expect(csv[1]).toBe(['1', ...columns.split(',').map((c) => String(negatives[0][c]))].join(','));
    expect(csv.slice(2).every((row) => row.startsWith('0,'))).toBe(true);

    // The raw responses and the report sit beside it.
    const response = JSON.parse(
      object(server, jobKey('adult-review', `annotations/worker-response/iteration-1/0/${stored.tasks[0].name}.json`)),
    ) as { answers: { answerContent: Record<string, unknown> }[] };
    expect(response.answers[0].answerContent.reason1).toBe('capital gain says otherwise');
    const report = JSON.parse(object(server, jobKey('adult-review', 'report.json'))) as {
      corrections: { line: number; corrections: { label: string; reason: string }[] }[];
    };
    expect(report.corrections).toEqual([
      {
        line: firstLine,
        prediction: 0,
        corrections: [{ workerId: expect.any(String) as unknown, label: '1', reason: 'capital gain says otherwise' }],
      },
    ]);
  });

  test('a task type for another template, a bad manifest and a bad filter are refused with what to change', async () => {
    const wrongType = await localCli(server, [
      'jobs',
      'start',
      'x',
      '--manifest',
      manifestUri,
      '--task-type',
      'sentiment',
    ]);
    expect(wrongType.code).toBe(2);
    expect(wrongType.err).toContain(
      "task type sentiment shows template sentiment, but the pipeline's tasks show tabular-review",
    );
    const bad = path.join(work, 'bad.manifest');
    fs.writeFileSync(
      bad,
      '{"source-ref": "s3://b/k.svg", "row": "1", "prediction": 0, "probability_score": 0.1}\nnot json\n{}\n',
    );
    const badManifest = await localCli(server, ['jobs', 'start', 'bad', '--manifest', bad]);
    expect(badManifest.code).toBe(2);
    expect(badManifest.err).toContain('The manifest has 2 bad lines:');
    expect(badManifest.err).toMatch(/line 2: /);
    expect(badManifest.err).toMatch(/line 3: /);
    const badFilter = await localCli(server, [
      'jobs',
      'start',
      'f',
      '--manifest',
      manifestUri,
      '--filter',
      'probability_score<low',
    ]);
    expect(badFilter.code).toBe(2);
    expect(badFilter.err).toContain('--filter probability_score<low: low is not a number');
    expect((await localCli(server, ['jobs', 'show', 'nope'])).code).toBe(5);
    const typo = await localCli(server, ['jobs', 'start', 'x', '--manfest', manifestUri]);
    expect(typo.code).toBe(2);
  });

  test('the same job name over a changed manifest is refused: its tasks would leave the job', async () => {
    const first = path.join(work, 'first.manifest');
    const lines = object(server, 'tabular-sample/input.manifest').split('\n').filter(Boolean);
    fs.writeFileSync(first, lines.slice(0, 6).join('\n'));
    expect((await localCli(server, ['jobs', 'start', 'changed', '--manifest', first])).code).toBe(0);
    fs.writeFileSync(first, lines.slice(1, 7).join('\n'));
    const again = await localCli(server, ['jobs', 'start', 'changed', '--manifest', first]);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`Job changed was started with another manifest (${first})`);
  });

  test('a start cut short is finished by the next one, and no task is reviewed twice', async () => {
    const s3 = localS3(server);
    const deps = { s3, bucket: LOCAL.bucket, now: () => new Date() };
    const job = {
      name: 'cut-short',
      taskType: BUILT_IN_TASK_TYPES.find((t) => t.name === 'tabular-review')!,
      labelAttribute: 'label',
      filter: { field: 'probability_score', below: 0.3 },
    };
    const manifest = { source: manifestUri, text: object(server, 'tabular-sample/input.manifest') };
    const deployment = { template: 'tabular-review', taskCount: 1 };
    // The backend fails every start after the second, as a crash or throttling would leave it.
    let calls = 0;
    const failing: ReviewPort = Object.assign(Object.create(server.reviews) as ReviewPort, {
      start: (...args: Parameters<ReviewPort['start']>) =>
        ++calls > 2 ? Promise.reject(new Error('connection reset')) : server.reviews.start(...args),
    });
    const first = await startJob({ ...deps, reviews: failing }, { job, manifest, deployment });
    expect(first.started).toBe(2);
    expect(first.failed.length).toBe(first.stored.tasks.length - 2);

    const second = await startJob({ ...deps, reviews: server.reviews }, { job, manifest, deployment });
    expect(second).toMatchObject({ started: first.stored.tasks.length - 2, existing: 2, failed: [] });
    const names = (await server.reviews.list({ maxResults: 100 })).loops.map((loop) => loop.name);
    for (const task of second.stored.tasks) expect(names.filter((name) => name === task.name)).toHaveLength(1);
    s3.destroy();
  });

  test('stop: the tasks in progress stop, the job cannot start again, and export keeps what was answered', async () => {
    const started = await localCli(server, [
      'jobs',
      'start',
      'to-stop',
      '--manifest',
      manifestUri,
      '--filter',
      'probability_score<0.2',
    ]);
    expect(started.code).toBe(0);
    const stopped = await localCli(server, ['jobs', 'stop', 'to-stop']);
    expect(stopped.out).toMatch(/^stopping \d+ task\(s\) of to-stop/);
    const again = await localCli(server, [
      'jobs',
      'start',
      'to-stop',
      '--manifest',
      manifestUri,
      '--filter',
      'probability_score<0.2',
    ]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/Job to-stop was stopped at .*; start a new job under another name/);
    const listed = await localCli(server, ['jobs', 'list']);
    expect(listed.out).toMatch(/^to-stop\s+tabular-review\s+\d+\s+\d+\s+stopped\s/m);
    const exported = await localCli(server, ['jobs', 'export', 'to-stop']);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/unlabeled: +\d+ unanswered/);
  });
});

describe('labeling a dataset: sentiment, three workers per record, Dawid-Skene', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocal({ taskCount: 3 });
  });
  afterAll(() => server.close());

  test('the output manifest has the consolidated class, its confidence and the method, and worker accuracy is shown', async () => {
    const file = path.join(work, 'reviews.manifest');
    const texts = ['Great value', 'Broke in a day', 'It is fine', 'Love it', 'Terrible support'];
    fs.writeFileSync(file, texts.map((source) => JSON.stringify({ source })).join('\n'));
    const started = await localCli(server, ['jobs', 'start', 'Reviews-Labeling', '--manifest', file]);
    expect(started.code).toBe(0);
    const stored = (await readJob({ s3: localS3(server), bucket: LOCAL.bucket }, 'Reviews-Labeling'))!;
    expect(stored.tasks).toHaveLength(texts.length);
    const truth = ['1', '-1', '0', '1', '-1'];
    const workers = [
      { id: 'w-good', name: 'Good' },
      { id: 'w-fair', name: 'Fair' },
      { id: 'w-poor', name: 'Poor' },
    ];
    for (const [i, task] of stored.tasks.entries()) {
      for (const worker of workers) {
        const label = worker.id === 'w-poor' && i % 2 === 0 ? '0' : truth[i];
        const lease = await server.workerTasks.claim(task.name, worker);
        await server.workerTasks.answer(task.name, worker, lease.token, { sentiment: { label } });
      }
    }
    const exported = await localCli(server, [
      'jobs',
      'export',
      'Reviews-Labeling',
      '--training',
      path.join(work, 't.jsonl'),
    ]);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('method dawid-skene');
    expect(exported.out).toMatch(/WORKER\s+ANSWERS\s+ESTIMATED ACCURACY/);
    const lines = jsonLines(object(server, jobKey('Reviews-Labeling', 'manifests/output/output.manifest')));
    expect(lines.map((line) => line.source)).toEqual(texts);
    expect(lines.map((line) => (line['Reviews-Labeling-metadata'] as { 'class-name': string })['class-name'])).toEqual(
      truth,
    );
    expect(lines[0]['Reviews-Labeling-metadata']).toMatchObject({
      type: 'groundtruth/text-classification',
      'human-annotated': 'yes',
      consolidation: 'dawid-skene',
    });
    const rows = jsonLines(fs.readFileSync(path.join(work, 't.jsonl'), 'utf8'));
    expect(rows.map((row) => row.label)).toEqual([1, -1, 0, 1, -1]);
  });
});
