/**
 * Task types: what a review job asks its workers, and how their answers become a label per record. A task type is
 * data, so a team adds one with a template in templates/ and a small JSON mapping, without code:
 *
 *   {
 *     "name": "tabular-review",            a name for jobs and the CLI
 *     "template": "tabular-review",        a file in templates/ without .liquid.html
 *     "labels": ["0", "1"],                the classes; a label's index is its class index in the output manifest
 *     "recordsPerTask": 3,                 records a worker sees in one task (1-10)
 *     "input": {                           how the task's records become task.input
 *       "group": "Pairs",                  optional: the records as a list under this key (else one record per task)
 *       "fields": { "row": "row", "prediction": "prediction", "shap_image_s3_uri": "source-ref" }
 *     },
 *     "answer": { "kind": "agree-disagree", "rating": "rating{n}", "correction": "correction{n}",
 *                 "reason": "reason{n}", "prediction": "prediction" }
 *   }
 *
 * A field of `input.fields` is a record path (`source`, `source-ref`, `a.b` in the manifest line), `{"path": ...,
 * "default": ...}` for one a record may lack, `{"value": ...}` for a constant, or `{"labels": true}` for the label list.
 * Answer kinds, for the record n (from 1) of a task:
 *   classification  {field}                 answerContent[field].label
 *   multi-label     {field}                 answerContent[field].labels
 *   agree-disagree  {rating, prediction, correction?, reason?}  rating{n} as native radios answer it
 *                   ({"agree": true, "disagree": false}): agreeing labels the record with its prediction; disagreeing
 *                   with the correction when one was given, else with the other class when there are two, else with
 *                   none (the record stays unlabeled: disputed). The reason is kept.
 */
import * as z from 'zod/mini';

const MAX_RECORDS_PER_TASK = 10;

const FieldSpec = z.union([
  z.string().check(z.minLength(1)),
  z.strictObject({ path: z.string().check(z.minLength(1)), default: z.unknown() }),
  z.strictObject({ value: z.unknown() }),
  z.strictObject({ labels: z.literal(true) }),
]);

const NumberedField = z.string().check(z.regex(/\{n\}/, 'must contain {n}, the record number in the task'));

const AnswerSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('classification'), field: z.string().check(z.minLength(1)) }),
  z.strictObject({ kind: z.literal('multi-label'), field: z.string().check(z.minLength(1)) }),
  z.strictObject({
    kind: z.literal('agree-disagree'),
    rating: NumberedField,
    prediction: z.string().check(z.minLength(1)),
    correction: z.optional(NumberedField),
    reason: z.optional(NumberedField),
  }),
]);

const TaskTypeShape = z.strictObject({
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 of a-z, 0-9 and -')),
  template: z.string().check(z.regex(/^[\w-]+$/, 'must be a file name in templates/ without .liquid.html')),
  labels: z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.minLength(1), z.maxLength(50)),
  recordsPerTask: z.int().check(z.gte(1), z.lte(MAX_RECORDS_PER_TASK)),
  input: z.strictObject({
    group: z.optional(z.string().check(z.minLength(1))),
    fields: z.record(z.string(), FieldSpec),
  }),
  answer: AnswerSpec,
});

export type TaskType = z.infer<typeof TaskTypeShape>;

/** A task type that cannot be used, with the field that is wrong. */
export class TaskTypeError extends Error {
  override readonly name = 'TaskTypeError';
}

/** The task type a JSON mapping describes; every rule it breaks is named by its field. */
export function parseTaskType(value: unknown): TaskType {
  const result = TaskTypeShape.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = issue.path.join('.') || '(the task type)';
      return issue.code === 'unrecognized_keys'
        ? `${where}: unknown field ${issue.keys.join(', ')}`
        : `${where}: ${issue.message}`;
    });
    throw new TaskTypeError(`Not a task type: ${problems.join('; ')}`);
  }
  const type = result.data;
  if (new Set(type.labels).size !== type.labels.length) throw new TaskTypeError('labels: each label must be unique');
  if (type.input.group === undefined && type.recordsPerTask !== 1)
    throw new TaskTypeError('recordsPerTask: a task type without input.group shows one record per task');
  if (type.answer.kind !== 'agree-disagree' && type.recordsPerTask !== 1)
    throw new TaskTypeError(`recordsPerTask: a ${type.answer.kind} answer labels one record per task`);
  return type;
}

/** The task's input (task.input of its template) for its records, in order. */
export function taskInput(
  type: TaskType,
  records: readonly Readonly<Record<string, unknown>>[],
): Record<string, unknown> {
  if (records.length === 0 || records.length > type.recordsPerTask)
    throw new TaskTypeError(`A ${type.name} task holds 1 to ${type.recordsPerTask} records, not ${records.length}`);
  const fieldsOf = (record: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(Object.entries(type.input.fields).map(([name, spec]) => [name, fieldValue(type, spec, record)]));
  if (type.input.group === undefined) return fieldsOf(records[0]);
  return { [type.input.group]: records.map(fieldsOf) };
}

function fieldValue(
  type: TaskType,
  spec: z.infer<typeof FieldSpec>,
  record: Readonly<Record<string, unknown>>,
): unknown {
  if (typeof spec === 'string') {
    const value = pathValue(record, spec);
    if (value === undefined) throw new TaskTypeError(`The record has no ${spec}, which the ${type.name} task shows`);
    return value;
  }
  if ('labels' in spec) return type.labels;
  if ('value' in spec) return spec.value;
  return pathValue(record, spec.path) ?? spec.default;
}

/** `a.b` in a manifest line; `source-ref` and other keys with dots or dashes are looked up whole first. */
export function pathValue(record: Readonly<Record<string, unknown>>, path: string): unknown {
  if (path in record) return record[path];
  return path.split('.').reduce<unknown>((value, key) => (isObject(value) ? value[key] : undefined), record);
}

/** One record's labels from one worker's answer. */
export interface RecordAnswer {
  /** The labels the worker gave the record: one for classification, any number for multi-label, none when unknown. */
  readonly labels: readonly string[];
  /** agree-disagree: whether the worker agreed with the prediction. */
  readonly agreed?: boolean;
  readonly reason?: string;
}

/**
 * What one worker's answer says about each of a task's records, in order. Labels outside the task type's set are
 * refused: an answer that cannot be attributed to a class must not become training data.
 */
export function recordAnswers(
  type: TaskType,
  answerContent: Readonly<Record<string, unknown>>,
  records: readonly Readonly<Record<string, unknown>>[],
): RecordAnswer[] {
  const answer = type.answer;
  switch (answer.kind) {
    case 'classification': {
      const label = (answerContent[answer.field] as { label?: unknown } | undefined)?.label;
      return [{ labels: label === undefined ? [] : [known(type, label)] }];
    }
    case 'multi-label': {
      const labels = (answerContent[answer.field] as { labels?: unknown } | undefined)?.labels;
      return [{ labels: Array.isArray(labels) ? labels.map((label) => known(type, label)) : [] }];
    }
    case 'agree-disagree':
      return records.map((record, index) => agreeDisagree(type, answer, answerContent, record, index + 1));
  }
}

function agreeDisagree(
  type: TaskType,
  answer: Extract<TaskType['answer'], { kind: 'agree-disagree' }>,
  answerContent: Readonly<Record<string, unknown>>,
  record: Readonly<Record<string, unknown>>,
  n: number,
): RecordAnswer {
  const numbered = (field: string) => field.replace(/\{n\}/g, String(n));
  const rating = answerContent[numbered(answer.rating)];
  const reasonValue = answer.reason === undefined ? undefined : answerContent[numbered(answer.reason)];
  const reason = typeof reasonValue === 'string' && reasonValue.trim() !== '' ? reasonValue : undefined;
  const agreed = isObject(rating)
    ? rating.agree === true
      ? true
      : rating.disagree === true
        ? false
        : undefined
    : undefined;
  const prediction = known(type, pathValue(record, answer.prediction));
  if (agreed === undefined) return { labels: [], reason };
  if (agreed) return { labels: [prediction], agreed, reason };
  const correction = answer.correction === undefined ? undefined : answerContent[numbered(answer.correction)];
  if (correction !== undefined && correction !== '') return { labels: [known(type, correction)], agreed, reason };
  const others = type.labels.filter((label) => label !== prediction);
  return { labels: others.length === 1 ? others : [], agreed, reason };
}

function known(type: TaskType, label: unknown): string {
  const text = typeof label === 'number' || typeof label === 'string' ? String(label) : undefined;
  if (text === undefined || !type.labels.includes(text))
    throw new TaskTypeError(
      `${JSON.stringify(label)} is not one of the ${type.name} labels (${type.labels.join(', ')})`,
    );
  return text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The task types that come with the pipeline, for its two reference workflows and a multi-label one. */
export const BUILT_IN_TASK_TYPES: readonly TaskType[] = [
  parseTaskType({
    name: 'sentiment',
    template: 'sentiment',
    labels: ['-1', '0', '1'],
    recordsPerTask: 1,
    input: { fields: { taskObject: 'source', initialValue: { path: 'prediction', default: '' } } },
    answer: { kind: 'classification', field: 'sentiment' },
  }),
  parseTaskType({
    name: 'topics',
    template: 'topics',
    labels: ['price', 'quality', 'delivery', 'support'],
    recordsPerTask: 1,
    input: {
      fields: { taskObject: 'source', topics: { labels: true }, initialTopics: { path: 'predictions', default: [] } },
    },
    answer: { kind: 'multi-label', field: 'topics' },
  }),
  parseTaskType({
    name: 'tabular-review',
    template: 'tabular-review',
    labels: ['0', '1'],
    recordsPerTask: 3,
    input: {
      group: 'Pairs',
      fields: {
        row: 'row',
        prediction: 'prediction',
        probability_score: 'probability_score',
        shap_image_s3_uri: 'source-ref',
      },
    },
    answer: {
      kind: 'agree-disagree',
      rating: 'rating{n}',
      prediction: 'prediction',
      correction: 'correction{n}',
      reason: 'reason{n}',
    },
  }),
];
