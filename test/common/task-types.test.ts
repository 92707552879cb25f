import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderTaskTemplate } from '../../common/task-template';
import type { TaskType } from '../../common/task-types';
import { BUILT_IN_TASK_TYPES, parseTaskType, recordAnswers, taskInput, TaskTypeError } from '../../common/task-types';

const builtIn = (name: string): TaskType => BUILT_IN_TASK_TYPES.find((type) => type.name === name)!;
const TABULAR = [
  { 'source-ref': 's3://b/shap-3.png', row: '3', prediction: 0, probability_score: 0.2061 },
  { 'source-ref': 's3://b/shap-8.png', row: '8', prediction: 0, probability_score: 0.0713 },
  { 'source-ref': 's3://b/shap-9.png', row: '9', prediction: 1, probability_score: 0.41 },
];

describe('a task type from JSON', () => {
  const valid = {
    name: 'spam',
    template: 'sentiment',
    labels: ['spam', 'ham'],
    recordsPerTask: 1,
    input: { fields: { taskObject: 'source' } },
    answer: { kind: 'classification', field: 'spam' },
  };

  test('a valid mapping is taken as it is', () => {
    expect(parseTaskType(valid)).toEqual(valid);
  });

  test.each([
    ['a bad name', { ...valid, name: 'Spam!' }, 'name: must be 1-63 of a-z, 0-9 and -'],
    ['no labels', { ...valid, labels: [] }, 'labels:'],
    ['a repeated label', { ...valid, labels: ['a', 'a'] }, 'labels: each label must be unique'],
    ['11 records per task', { ...valid, recordsPerTask: 11 }, 'recordsPerTask:'],
    [
      'several records without a group',
      { ...valid, recordsPerTask: 3 },
      'recordsPerTask: a task type without input.group shows one record per task',
    ],
    ['an unknown answer kind', { ...valid, answer: { kind: 'vote', field: 'x' } }, 'answer'],
    [
      'a rating field without {n}',
      {
        ...valid,
        input: { group: 'Items', fields: {} },
        recordsPerTask: 2,
        answer: { kind: 'agree-disagree', rating: 'rating', prediction: 'p' },
      },
      'answer.rating: must contain {n}, the record number in the task',
    ],
    ['an unknown field', { ...valid, extra: 1 }, '(the task type): unknown field extra'],
  ])('%s is refused, naming the field', (_, value, problem) => {
    expect(() => parseTaskType(value)).toThrow(TaskTypeError);
    expect(() => parseTaskType(value)).toThrow(problem);
  });
});

describe('task input', () => {
  test('one record per task: its fields at the top, a missing optional one by its default', () => {
    expect(taskInput(builtIn('sentiment'), [{ source: 'Broke in a day', prediction: -1 }])).toEqual({
      taskObject: 'Broke in a day',
      initialValue: -1,
    });
    expect(taskInput(builtIn('sentiment'), [{ source: 'Broke in a day' }])).toEqual({
      taskObject: 'Broke in a day',
      initialValue: '',
    });
    expect(taskInput(builtIn('topics'), [{ source: 'Cheap' }])).toMatchObject({
      topics: ['price', 'quality', 'delivery', 'support'],
      initialTopics: [],
    });
  });

  test('grouped: the records as a list, in order, up to recordsPerTask', () => {
    expect(taskInput(builtIn('tabular-review'), TABULAR.slice(0, 2))).toEqual({
      Pairs: [
        { row: '3', prediction: 0, probability_score: 0.2061, shap_image_s3_uri: 's3://b/shap-3.png' },
        { row: '8', prediction: 0, probability_score: 0.0713, shap_image_s3_uri: 's3://b/shap-8.png' },
      ],
    });
    expect(() => taskInput(builtIn('tabular-review'), [...TABULAR, TABULAR[0]])).toThrow(
      'A tabular-review task holds 1 to 3 records, not 4',
    );
  });

  test('a record without a field the task shows is refused by name', () => {
    expect(() => taskInput(builtIn('tabular-review'), [{ row: '1', prediction: 0, probability_score: 0.1 }])).toThrow(
      'The record has no source-ref, which the tabular-review task shows',
    );
  });

  test.each(BUILT_IN_TASK_TYPES.map((type) => [type.name, type] as const))(
    "the built-in %s task's input renders its template (every variable it reads is there)",
    async (_, type) => {
      const template = fs.readFileSync(
        path.join(__dirname, '..', '..', 'templates', `${type.template}.liquid.html`),
        'utf8',
      );
      const records = type.input.group === undefined ? [{ source: 'Great value', prediction: '1' }] : TABULAR;
      await expect(renderTaskTemplate(template, taskInput(type, records))).resolves.toContain('<crowd-form>');
    },
  );
});

describe("a worker's answer, per record", () => {
  test('classification and multi-label', () => {
    expect(recordAnswers(builtIn('sentiment'), { sentiment: { label: '0' } }, [{}])).toEqual([{ labels: ['0'] }]);
    expect(recordAnswers(builtIn('topics'), { topics: { labels: ['price', 'support'] } }, [{}])).toEqual([
      { labels: ['price', 'support'] },
    ]);
    expect(() => recordAnswers(builtIn('sentiment'), { sentiment: { label: '2' } }, [{}])).toThrow(
      '"2" is not one of the sentiment labels (-1, 0, 1)',
    );
  });

  test('agree keeps the prediction; disagree takes the correction, else the other class; unanswered gives none', () => {
    const answer = {
      rating1: { agree: true, disagree: false },
      correction1: '',
      reason1: '',
      rating2: { agree: false, disagree: true },
      correction2: '',
      reason2: 'Capital gains this high mean income over 50K',
      rating3: { agree: false, disagree: true },
      correction3: '1',
    };
    expect(recordAnswers(builtIn('tabular-review'), answer, TABULAR)).toEqual([
      { labels: ['0'], agreed: true, reason: undefined },
      { labels: ['1'], agreed: false, reason: 'Capital gains this high mean income over 50K' },
      { labels: ['1'], agreed: false, reason: undefined },
    ]);
    expect(recordAnswers(builtIn('tabular-review'), {}, TABULAR.slice(0, 1))).toEqual([
      { labels: [], reason: undefined },
    ]);
  });

  test('with more than two classes, a disagreement without a correction labels nothing', () => {
    const type = parseTaskType({
      ...builtIn('tabular-review'),
      name: 'three-way',
      labels: ['0', '1', '2'],
    });
    expect(recordAnswers(type, { rating1: { agree: false, disagree: true } }, TABULAR.slice(0, 1))).toEqual([
      { labels: [], agreed: false, reason: undefined },
    ]);
  });
});
