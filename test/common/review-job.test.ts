/**
 * Review jobs: planning (deterministic loop names, grouping, filters, attribution, A2I's input limit) and export
 * (consolidated output lines, records left unlabeled, raw responses, corrections). Output lines are compared with
 * golden files in test/golden/ground-truth/, written by hand in the form manifest.ts's tests check against AWS's
 * documented examples (text-classification.jsonl).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ManifestRecord } from '../../common/manifest';
import { parseInputManifest } from '../../common/manifest';
import { A2I_NAME_PATTERN, isA2iName } from '../../common/names';
import type { ReviewJob, TaskResult, WorkerAnswer } from '../../common/review-job';
import { INPUT_CONTENT_MAX_CHARS } from '../../common/names';
import { exportJob, jobOfInput, planJob } from '../../common/review-job';
import type { TaskType } from '../../common/task-types';
import { BUILT_IN_TASK_TYPES } from '../../common/task-types';

const GOLDEN = path.join(__dirname, '..', 'golden', 'ground-truth');
const golden = (file: string) => fs.readFileSync(path.join(GOLDEN, file), 'utf8');

const type = (name: string): TaskType => BUILT_IN_TASK_TYPES.find((t) => t.name === name)!;
const DATE = '2026-03-01T12:00:00.000000';

function manifest(objects: readonly Record<string, unknown>[]): ManifestRecord[] {
  const { records, errors } = parseInputManifest(objects.map((o) => JSON.stringify(o)).join('\n'));
  expect(errors).toEqual([]);
  return records;
}

const tabularRow = (n: number, prediction = 0) => ({
  'source-ref': `s3://bucket/shap/shap-${n}.png`,
  row: String(n),
  prediction,
  probability_score: prediction === 0 ? 0.1 + n / 100 : 0.9,
});

const tabularJob: ReviewJob = { name: 'Churn-Review', taskType: type('tabular-review'), labelAttribute: 'churn' };

/** The result A2I would give back: the task's input as inputContent, with these answers. */
const result = (input: Readonly<Record<string, unknown>>, answers: WorkerAnswer[]): TaskResult => ({
  inputContent: JSON.parse(JSON.stringify(input)),
  humanAnswers: answers,
});

const agree = { agree: true, disagree: false };
const disagree = { agree: false, disagree: true };

describe('planJob', () => {
  const records = manifest([1, 2, 3, 4, 5, 6, 7].map((n) => tabularRow(n)));

  test('groups 7 records 3 per task into 3 tasks, the last with the remainder', () => {
    const plan = planJob(tabularJob, records);
    expect(plan.tasks.map((task) => task.lines)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(plan.tasks.map((task) => task.index)).toEqual([0, 1, 2]);
    expect(plan.filteredOut).toEqual({ count: 0, lines: [] });
  });

  test('the same job and records give the same valid A2I names, readable from the job name', () => {
    const first = planJob(tabularJob, records).tasks.map((task) => task.name);
    const again = planJob(tabularJob, manifest([1, 2, 3, 4, 5, 6, 7].map((n) => tabularRow(n)))).tasks;
    expect(again.map((task) => task.name)).toEqual(first);
    for (const name of first) {
      expect(isA2iName(name)).toBe(true);
      expect(name).toMatch(/^churn-review-[0-2]-[0-9a-f]{20}$/);
    }
    expect(new Set(first).size).toBe(3);
  });

  test("one changed record changes only its task's name", () => {
    const before = planJob(tabularJob, records).tasks.map((task) => task.name);
    const changed = manifest(
      [1, 2, 3, 4, 5, 6, 7].map((n) => (n === 5 ? { ...tabularRow(n), row: '5b' } : tabularRow(n))),
    );
    const after = planJob(tabularJob, changed).tasks.map((task) => task.name);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[2]).toBe(before[2]);
  });

  test('another job name gives other names for the same records', () => {
    const other = planJob({ ...tabularJob, name: 'churn-review-2' }, records).tasks.map((task) => task.name);
    const names = planJob(tabularJob, records).tasks.map((task) => task.name);
    expect(other.filter((name) => names.includes(name))).toEqual([]);
  });

  test('a long job name is cut to fit 63 characters', () => {
    const long = 'a'.repeat(63);
    const [task] = planJob({ ...tabularJob, name: long }, records.slice(0, 1)).tasks;
    expect(task.name).toHaveLength(63);
    expect(task.name).toMatch(A2I_NAME_PATTERN);
  });

  test('a filter keeps only negative predictions and counts the others', () => {
    const mixed = manifest([tabularRow(1, 0), tabularRow(2, 1), tabularRow(3, 0), tabularRow(4, 1), tabularRow(5, 0)]);
    const plan = planJob({ ...tabularJob, filter: { field: 'prediction', equals: 0 } }, mixed);
    expect(plan.tasks.map((task) => task.lines)).toEqual([[1, 3, 5]]);
    expect(plan.filteredOut).toEqual({ count: 2, lines: [2, 4] });
  });

  test('a below filter keeps records whose field is a number under the threshold', () => {
    const mixed = manifest([tabularRow(1, 0), tabularRow(2, 1), { ...tabularRow(3, 0), probability_score: 'n/a' }]);
    const plan = planJob({ ...tabularJob, filter: { field: 'probability_score', below: 0.5 } }, mixed);
    expect(plan.tasks.map((task) => task.lines)).toEqual([[1]]);
    expect(plan.filteredOut.lines).toEqual([2, 3]);
  });

  test('each input records the job name and its lines, so an answer is attributed from inputContent alone', () => {
    const plan = planJob(
      { ...tabularJob, filter: { field: 'prediction', equals: 0 } },
      manifest([tabularRow(1, 1), tabularRow(2, 0), tabularRow(3, 0)]),
    );
    const [task] = plan.tasks;
    expect(task.input._job).toEqual({ name: 'Churn-Review', lines: [2, 3] });
    expect(jobOfInput(JSON.parse(JSON.stringify(task.input)))).toEqual({ name: 'Churn-Review', lines: [2, 3] });
    expect((task.input.Pairs as { row: string }[]).map((pair) => pair.row)).toEqual(['2', '3']);
  });

  test('refuses a task whose input is over A2I 3 MiB, naming its record lines', () => {
    const big = 'x'.repeat(1_100_000);
    const records = [1, 2, 3, 4].map((line): ManifestRecord => ({
      line,
      object: { ...tabularRow(line), row: big },
      sourceRef: `s3://bucket/shap/shap-${line}.png`,
    }));
    expect(() => planJob(tabularJob, records)).toThrow(
      new RegExp(
        `task 0 \\(manifest lines 1, 2, 3\\): input of \\d+ characters is over A2I's limit of ${INPUT_CONTENT_MAX_CHARS}`,
      ),
    );
    expect(() => planJob(tabularJob, records.slice(3))).not.toThrow();
  });

  test('refuses a bad job name, label attribute or filter, naming the field', () => {
    const one = records.slice(0, 1);
    expect(() => planJob({ ...tabularJob, name: 'churn_review' }, one)).toThrow(/job name "churn_review"/);
    expect(() => planJob({ ...tabularJob, name: '' }, one)).toThrow(/job name/);
    expect(() => planJob({ ...tabularJob, name: 'a'.repeat(64) }, one)).toThrow(/1 to 63/);
    expect(() => planJob({ ...tabularJob, labelAttribute: 'x-metadata' }, one)).toThrow(/label attribute name/);
    expect(() => planJob({ ...tabularJob, filter: { field: 'prediction' } }, one)).toThrow(
      /filter needs below or equals/,
    );
  });
});

describe('exportJob', () => {
  test('sentiment, one worker per record: majority, one golden line per labeled record', () => {
    const job: ReviewJob = { name: 'sentiment-job', taskType: type('sentiment'), labelAttribute: 'sentiment' };
    const records = manifest([
      { source: 'The box arrived crushed', id: 'r-1' },
      { source: 'Fine, I guess', id: 'r-2' },
      { source: 'Love it', id: 'r-3' },
    ]);
    const { tasks } = planJob(job, records);
    const answer = (workerId: string, label: string): WorkerAnswer => ({
      workerId,
      answerContent: { sentiment: { label } },
      submissionTime: '2026-03-01T11:00:00.000Z',
    });
    const exported = exportJob(
      job,
      tasks,
      [result(tasks[0].input, [answer('w1', '-1')]), result(tasks[2].input, [answer('w2', '1')])],
      { creationDate: DATE },
    );
    expect(exported.method).toBe('majority');
    expect(exported.lines).toEqual(golden('review-job-sentiment.jsonl').trimEnd().split('\n'));
    expect(exported.unlabeled).toEqual([{ line: 2, reason: 'unanswered', detail: 'no answer for its task yet' }]);
    expect(exported.workerAccuracy).toEqual([]);
    expect(exported.responses).toEqual([
      { line: 1, responses: [{ workerId: 'w1', labels: ['-1'], submissionTime: '2026-03-01T11:00:00.000Z' }] },
      { line: 3, responses: [{ workerId: 'w2', labels: ['1'], submissionTime: '2026-03-01T11:00:00.000Z' }] },
    ]);
    expect(exported.corrections).toEqual([]);
  });

  describe('tabular-review, 3 workers per task', () => {
    const records = manifest([1, 2, 3, 4, 5, 6].map((n) => tabularRow(n)));
    const { tasks } = planJob(tabularJob, records);
    const ratings = (workerId: string, content: Record<string, unknown>): WorkerAnswer => ({
      workerId,
      answerContent: content,
    });
    // Task 0 (lines 1-3): all agree on 1; on 2, w3 disagrees and corrects to 1; on 3, w1 and w2 disagree, correcting.
    // Task 1 (lines 4-6): all agree on 4; on 5, w2 agrees, w1 disagrees (other class), w3 gives no rating: a tie
    // for majority vote, which Dawid-Skene breaks for w2, who agreed with the others everywhere else.
    const results = [
      result(tasks[0].input, [
        ratings('w1', { rating1: agree, rating2: agree, rating3: disagree, correction3: '1', reason3: 'paid twice' }),
        ratings('w2', { rating1: agree, rating2: agree, rating3: disagree, correction3: '1' }),
        ratings('w3', {
          rating1: agree,
          rating2: disagree,
          correction2: '1',
          reason2: 'looks like churn',
          rating3: agree,
        }),
      ]),
      result(tasks[1].input, [
        ratings('w1', { rating1: agree, rating2: disagree, rating3: agree }),
        ratings('w2', { rating1: agree, rating2: agree, rating3: agree }),
        ratings('w3', { rating1: agree, rating3: agree }),
      ]),
    ];

    test('Dawid-Skene weighs workers: labels every record, breaks the tie for the better worker', () => {
      const exported = exportJob(tabularJob, tasks, results, { creationDate: DATE });
      expect(exported.method).toBe('dawid-skene');
      const written = exported.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(written.map((line) => [line.row, line.churn])).toEqual([
        ['1', 0],
        ['2', 0],
        ['3', 1],
        ['4', 0],
        ['5', 0],
        ['6', 0],
      ]);
      expect(written[2]['churn-metadata']).toMatchObject({ 'class-name': '1', consolidation: 'dawid-skene' });
      expect(exported.unlabeled).toEqual([]);
      const accuracy = Object.fromEntries(exported.workerAccuracy.map((w) => [w.workerId, w.accuracy!]));
      expect(Object.keys(accuracy)).toEqual(['w1', 'w2', 'w3']);
      expect(accuracy.w2).toBeGreaterThan(accuracy.w1);
      expect(accuracy.w2).toBeGreaterThan(accuracy.w3);
    });

    test('majority when asked: confidence is the agreement, a tie is disputed and listed apart', () => {
      const exported = exportJob(tabularJob, tasks, results, { creationDate: DATE, method: 'majority' });
      expect(exported.workerAccuracy).toEqual([]);
      const written = exported.lines.map((line) => JSON.parse(line) as Record<string, Record<string, unknown>>);
      expect(written.map((line) => line.row)).toEqual(['1', '2', '3', '4', '6']);
      expect(written[2]['churn-metadata']).toMatchObject({
        'class-name': '1',
        confidence: 0.67,
        consolidation: 'majority',
      });
      expect(exported.unlabeled).toEqual([expect.objectContaining({ line: 5, reason: 'disputed' })]);
    });

    test("keeps the reviewers' corrections and reasons, and every raw response", () => {
      const exported = exportJob(tabularJob, tasks, results, { creationDate: DATE });
      expect(exported.corrections).toEqual([
        { line: 2, prediction: 0, corrections: [{ workerId: 'w3', label: '1', reason: 'looks like churn' }] },
        {
          line: 3,
          prediction: 0,
          corrections: [
            { workerId: 'w1', label: '1', reason: 'paid twice' },
            { workerId: 'w2', label: '1' },
          ],
        },
        { line: 5, prediction: 0, corrections: [{ workerId: 'w1', label: '1' }] },
      ]);
      const five = exported.responses.find((record) => record.line === 5)!;
      expect(five.responses).toEqual([
        { workerId: 'w1', labels: ['1'], agreed: false },
        { workerId: 'w2', labels: ['0'], agreed: true },
        { workerId: 'w3', labels: [] },
      ]);
    });

    test('attributes answers by the lines in inputContent, and refuses results for changed records', () => {
      const changed = manifest(
        [1, 2, 3, 4, 5, 6].map((n) => (n === 2 ? { ...tabularRow(n), row: 'x' } : tabularRow(n))),
      );
      const replanned = planJob(tabularJob, changed).tasks;
      const exported = exportJob(tabularJob, replanned, results, { creationDate: DATE, method: 'majority' });
      expect(exported.stale).toEqual([{ lines: [1, 2, 3], detail: expect.stringMatching(/changed since/) }]);
      expect(exported.labeled.map((record) => record.line)).toEqual([4, 6]);
      expect(exported.unlabeled.filter((record) => record.reason === 'stale').map((record) => record.line)).toEqual([
        1, 2, 3,
      ]);
    });

    test("refuses another job's results", () => {
      const other = result({ ...tasks[0].input, _job: { name: 'other', lines: [1, 2, 3] } }, []);
      expect(() => exportJob(tabularJob, tasks, [other], { creationDate: DATE })).toThrow(/job "other"/);
    });
  });

  describe('multi-label topics', () => {
    const job: ReviewJob = { name: 'topics-job', taskType: type('topics'), labelAttribute: 'topics' };
    const records = manifest([
      { source: 'Late and the support never answered' },
      { source: 'Too expensive for what it is' },
      { source: 'ok' },
    ]);
    const { tasks } = planJob(job, records);
    const picked = (workerId: string, labels: string[]): WorkerAnswer => ({
      workerId,
      answerContent: { topics: { labels } },
    });
    const results = [
      result(tasks[0].input, [
        picked('w1', ['delivery', 'support']),
        picked('w2', ['support', 'delivery', 'price']),
        picked('w3', ['delivery']),
      ]),
      result(tasks[1].input, [picked('w1', ['price']), picked('w2', ['quality'])]),
      result(tasks[2].input, [picked('w1', []), picked('w2', [])]),
    ];

    test('a label is kept when more than half of the answers selected it; the golden line', () => {
      const exported = exportJob(job, tasks, results, { creationDate: DATE });
      expect(exported.method).toBe('majority');
      expect(exported.lines).toEqual([golden('review-job-topics.jsonl').trimEnd()]);
      expect(exported.labeled).toEqual([
        {
          line: 1,
          labels: [
            { label: 'delivery', confidence: 1 },
            { label: 'support', confidence: 2 / 3 },
          ],
        },
      ]);
      expect(exported.unlabeled).toEqual([
        expect.objectContaining({ line: 2, reason: 'no-majority-label' }),
        expect.objectContaining({ line: 3, reason: 'no-label' }),
      ]);
    });

    test('refuses Dawid-Skene for a multi-label job', () => {
      expect(() => exportJob(job, tasks, results, { creationDate: DATE, method: 'dawid-skene' })).toThrow(/majority/);
    });
  });
});

test("an answer outside the task type's labels is left out and listed; the other workers' answers still count", () => {
  const records = manifest([1, 2, 3].map((n) => tabularRow(n)));
  const [task] = planJob(tabularJob, records).tasks;
  const answers = (correction: string, workerId: string): WorkerAnswer => ({
    workerId,
    answerContent: { rating1: disagree, correction1: correction, rating2: agree, rating3: agree },
  });
  const exported = exportJob(
    tabularJob,
    [task],
    [result(task.input, [answers('7', 'forged'), answers('1', 'honest')])],
    { creationDate: DATE },
  );
  expect(exported.invalid).toEqual([
    { lines: [1, 2, 3], workerId: 'forged', detail: '"7" is not one of the tabular-review labels (0, 1)' },
  ]);
  expect(exported.labeled.map((record) => [record.line, record.labels[0].label])).toEqual([
    [1, '1'],
    [2, '0'],
    [3, '0'],
  ]);
});
