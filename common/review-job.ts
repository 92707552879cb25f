/**
 * Review jobs, the pure core (no I/O, no clock): a job definition and a parsed Ground Truth input manifest become
 * review tasks (planJob), and the workers' answers to those tasks become an output manifest (exportJob).
 *
 * The job model:
 * - A job is a name (Ground Truth's labeling-job name rule), a task type, a label attribute and an optional filter
 *   that picks the records worth reviewing (`{field: 'prediction', equals: 0}`, `{field: 'probability_score',
 *   below: 0.5}`). The records the filter keeps are grouped in manifest order, `recordsPerTask` per task.
 * - Naming and idempotency: a task's loop name is `<job name, lowercased>-<task index>-<20 hex>`, the hash committing
 *   to the job name, the task type (name and template) and the task's whole input, record line numbers included.
 *   The same job over the same records always gives the same names, so re-running a job starts no second review
 *   (A2I returns the running loop for the same name and input); a changed record changes its task's input, hence
 *   only that task's name. As in lambda/predict/loop-names.ts, 80 bits of hash keep two contents apart.
 * - Attribution: every task input carries `_job: {name, lines}`, the job name and the manifest line numbers of its
 *   records in task order, so an answer read back from output.json's inputContent names its records by itself.
 *   Exporting re-plans the current manifest and accepts a result only when its input is exactly what the records at
 *   those lines give now: a result for records that have changed since is reported as stale, never written.
 * - Consolidation: single-label task types go through `consolidate` (majority or Dawid-Skene); multi-label task types
 *   take, per record, every label that more than half of the record's answers selected (a majority of yes/no per
 *   label), its confidence the share of answers that selected it. A record that ends with no label (unanswered,
 *   disputed, no answer giving a label) is listed apart with the reason, never written as a label.
 */
import type { ConsolidatedItem, ConsolidationMethod, WorkerSummary } from './consolidation/consolidate';
import { consolidate } from './consolidation/consolidate';
import type { Observation } from './consolidation/observations';
import type { ClassLabel, ManifestRecord, Media } from './manifest';
import {
  GT_JOB_NAME_MAX_LENGTH,
  GT_NAME_PATTERN,
  groupRecords,
  multiLabelLine,
  singleLabelLine,
  validateLabelAttributeName,
} from './manifest';
import { A2I_NAME_MAX_LENGTH, INPUT_CONTENT_MAX_CHARS, isA2iName, shortHash, stableStringify } from './names';
import type { RecordAnswer, TaskType } from './task-types';
import { pathValue, recordAnswers, TaskTypeError, taskInput } from './task-types';

/** The input field that attributes a task to its job and records. */
export const JOB_FIELD = '_job';
const NAME_HASH_LENGTH = 20;

export interface JobFilter {
  /** A record path: a top-level key (`source-ref`), else `a.b`. */
  readonly field: string;
  /** Keeps a record whose field is a number below this. */
  readonly below?: number;
  /** Keeps a record whose field is exactly this (no conversion: `0` is not `"0"`). */
  readonly equals?: string | number | boolean;
}

export interface ReviewJob {
  /** Ground Truth's labeling-job name: 1-63 characters, `^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`. */
  readonly name: string;
  readonly taskType: TaskType;
  readonly labelAttribute: string;
  /** Records failing it are left out of the job; both conditions must hold when both are given. */
  readonly filter?: JobFilter;
}

/** What `_job` in a task's input holds. */
export interface JobAttribution {
  readonly name: string;
  readonly lines: readonly number[];
}

export interface JobTask {
  readonly index: number;
  /** The human loop's name: a valid A2I name. */
  readonly name: string;
  /** What the task template reads as task.input, `_job` included. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly records: readonly ManifestRecord[];
  readonly lines: readonly number[];
}

export interface JobPlan {
  readonly tasks: readonly JobTask[];
  /** The records the filter left out. */
  readonly filteredOut: { readonly count: number; readonly lines: readonly number[] };
}

// ---------------------------------------------------------------------------------------------------------------------
// Planning

/** The job's tasks for the manifest's records; throws on a bad job or a task over A2I's input limit. */
export function planJob(job: ReviewJob, records: readonly ManifestRecord[]): JobPlan {
  validateJob(job);
  const kept = records.filter((record) => job.filter === undefined || passes(job.filter, record.object));
  const keptLines = new Set(kept.map((record) => record.line));
  const tasks = groupRecords(kept, job.taskType.recordsPerTask).map(({ index, records: taskRecords, lines }) => {
    const input = jobInput(job, taskRecords, lines);
    checkInputSize(input, index, lines);
    return { index, name: taskName(job, index, input), input, records: taskRecords, lines };
  });
  const leftOut = records.filter((record) => !keptLines.has(record.line)).map((record) => record.line);
  return { tasks, filteredOut: { count: leftOut.length, lines: leftOut } };
}

function validateJob(job: ReviewJob): void {
  const { name } = job;
  if (name.length < 1 || name.length > GT_JOB_NAME_MAX_LENGTH || !GT_NAME_PATTERN.test(name)) {
    throw new Error(
      `job name ${JSON.stringify(name)}: must be 1 to ${GT_JOB_NAME_MAX_LENGTH} letters and digits, with hyphens ` +
        `only between them (${GT_NAME_PATTERN.source})`,
    );
  }
  validateLabelAttributeName(job.labelAttribute);
  if (job.filter !== undefined) validateFilter(job.filter);
}

function validateFilter(filter: JobFilter): void {
  if (filter.field.trim() === '') throw new Error('job filter.field must name a record field');
  if (filter.below === undefined && filter.equals === undefined) {
    throw new Error('job filter needs below or equals (or no filter at all)');
  }
  if (filter.below !== undefined && !Number.isFinite(filter.below)) {
    throw new Error(`job filter.below must be a finite number, got ${filter.below}`);
  }
}

/** Whether the record is kept; a record without the field is left out. */
function passes(filter: JobFilter, object: Readonly<Record<string, unknown>>): boolean {
  const value = pathValue(object, filter.field);
  if (value === undefined) return false;
  if (filter.equals !== undefined && value !== filter.equals) return false;
  if (filter.below !== undefined && !(typeof value === 'number' && value < filter.below)) return false;
  return true;
}

/** The task type's input for the records, plus `_job`. */
function jobInput(
  job: ReviewJob,
  records: readonly ManifestRecord[],
  lines: readonly number[],
): Record<string, unknown> {
  const input = taskInput(
    job.taskType,
    records.map((record) => record.object),
  );
  if (JOB_FIELD in input) throw new Error(`task type ${job.taskType.name} has an input field ${JOB_FIELD}, reserved`);
  const attribution: JobAttribution = { name: job.name, lines: [...lines] };
  return { ...input, [JOB_FIELD]: attribution };
}

function checkInputSize(input: Readonly<Record<string, unknown>>, index: number, lines: readonly number[]): void {
  const size = JSON.stringify(input).length;
  if (size > INPUT_CONTENT_MAX_CHARS) {
    throw new Error(
      `task ${index} (manifest lines ${lines.join(', ')}): input of ${size} characters is over A2I's limit of ` +
        `${INPUT_CONTENT_MAX_CHARS}; give fewer records per task or smaller records`,
    );
  }
}

/** `<readable job name>-<index>-<20 hex of job, task type and input>`. */
function taskName(job: ReviewJob, index: number, input: Readonly<Record<string, unknown>>): string {
  const suffix = `-${index}-${shortHash(commitment(job, input), NAME_HASH_LENGTH)}`;
  const readable =
    job.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, A2I_NAME_MAX_LENGTH - suffix.length)
      .replace(/^-+|-+$/g, '') || 'job';
  const name = `${readable}${suffix}`;
  if (!isA2iName(name)) throw new Error(`internal: ${JSON.stringify(name)} is not an A2I name`);
  return name;
}

function commitment(job: ReviewJob, input: Readonly<Record<string, unknown>>): string {
  return stableStringify([job.name, job.taskType.name, job.taskType.template, input]);
}

/** `_job` of a task's input (as read back from output.json's inputContent); throws when it is missing or malformed. */
export function jobOfInput(inputContent: Readonly<Record<string, unknown>>): JobAttribution {
  const value = inputContent[JOB_FIELD] as { name?: unknown; lines?: unknown } | undefined;
  const lines = value?.lines;
  if (
    typeof value?.name !== 'string' ||
    !Array.isArray(lines) ||
    lines.length === 0 ||
    !lines.every((line) => Number.isInteger(line) && (line as number) > 0)
  ) {
    throw new Error(`inputContent has no valid ${JOB_FIELD} {name, lines}: not a review job's task`);
  }
  return { name: value.name, lines: lines as number[] };
}

// ---------------------------------------------------------------------------------------------------------------------
// Export

/** One worker's answer, as output.json's humanAnswers gives it. */
export interface WorkerAnswer {
  readonly workerId: string;
  readonly answerContent: Readonly<Record<string, unknown>>;
  readonly submissionTime?: string;
}

/** One task's output.json: its inputContent (with `_job`) and its workers' answers. */
export interface TaskResult {
  readonly inputContent: Readonly<Record<string, unknown>>;
  readonly humanAnswers: readonly WorkerAnswer[];
}

export interface ExportOptions {
  /** 'auto' by default (majority when each record has one worker, else Dawid-Skene); multi-label: majority only. */
  readonly method?: ConsolidationMethod | 'auto';
  /** Written as every line's creation-date: the caller's clock, read once. */
  readonly creationDate: Date | string;
  /** Default: from the record (text for `source`, image for a .jpg/.jpeg/.png `source-ref`). */
  readonly media?: Media;
}

/** One worker's response for one record. */
export interface RecordResponse extends RecordAnswer {
  readonly workerId: string;
  readonly submissionTime?: string;
}

export interface RecordResponses {
  readonly line: number;
  readonly responses: readonly RecordResponse[];
}

/** agree-disagree: the reviewers who disagreed with the record's prediction, their correction and reason. */
export interface RecordCorrections {
  readonly line: number;
  readonly prediction: unknown;
  readonly corrections: readonly {
    readonly workerId: string;
    /** The label the disagreement gave (the correction, or the other class of two); null when none. */
    readonly label: string | null;
    readonly reason?: string;
  }[];
}

export type UnlabeledReason = 'unanswered' | 'stale' | 'no-label' | 'disputed' | 'no-majority-label';

export interface UnlabeledRecord {
  readonly line: number;
  readonly reason: UnlabeledReason;
  readonly detail: string;
}

export interface LabeledRecord {
  readonly line: number;
  readonly labels: readonly ClassLabel[];
}

export interface JobExport {
  /** The method that produced the labels; null when no record had an answer with a label. */
  readonly method: ConsolidationMethod | null;
  /** Output-manifest lines (no newlines), one per labeled record, in manifest order. */
  readonly lines: readonly string[];
  readonly labeled: readonly LabeledRecord[];
  readonly unlabeled: readonly UnlabeledRecord[];
  /** Per worker, when Dawid-Skene ran; else empty. */
  readonly workerAccuracy: readonly WorkerSummary[];
  /** Every record with at least one response, in manifest order. */
  readonly responses: readonly RecordResponses[];
  /** agree-disagree task types: the records at least one reviewer disagreed with, in manifest order. */
  readonly corrections: readonly RecordCorrections[];
  /** Results whose records are not in the plan, or whose input is not what those records give now. */
  readonly stale: readonly { readonly lines: readonly number[]; readonly detail: string }[];
  /** Answers that give a label outside the task type's, left out (a bypassed or broken task form). */
  readonly invalid: readonly InvalidAnswer[];
}

export interface InvalidAnswer {
  readonly lines: readonly number[];
  readonly workerId: string;
  readonly detail: string;
}

/** The output manifest and everything around it for the job's answered tasks. */
export function exportJob(
  job: ReviewJob,
  tasks: readonly JobTask[],
  results: readonly TaskResult[],
  options: ExportOptions,
): JobExport {
  const records = new Map(tasks.flatMap((task) => task.records.map((record) => [record.line, record] as const)));
  const { responses, stale, invalid } = collect(job, records, results);
  const ordered = [...records.values()].sort((a, b) => a.line - b.line);
  const labels = isMultiLabel(job.taskType)
    ? multiLabels(ordered, responses, options)
    : singleLabels(job, ordered, responses, options);
  const staleLines = new Set(stale.flatMap((result) => result.lines));
  const unlabeled = ordered.flatMap((record): UnlabeledRecord[] => {
    if (responses.has(record.line)) return labels.unlabeled.filter((entry) => entry.line === record.line);
    return staleLines.has(record.line)
      ? [{ line: record.line, reason: 'stale', detail: 'its only results reviewed content that has changed since' }]
      : [{ line: record.line, reason: 'unanswered', detail: 'no answer for its task yet' }];
  });
  return {
    method: labels.method,
    lines: labels.labeled.map((labeled) =>
      outputLine(job, records.get(labeled.line)!, labeled, labels.method!, options),
    ),
    labeled: labels.labeled,
    unlabeled,
    workerAccuracy: labels.workers,
    responses: ordered
      .filter((record) => responses.has(record.line))
      .map((record) => ({ line: record.line, responses: responses.get(record.line)! })),
    corrections: corrections(job.taskType, ordered, responses),
    stale,
    invalid,
  };
}

/** Each record's responses from the results that still match the plan; the others as stale. */
function collect(
  job: ReviewJob,
  records: ReadonlyMap<number, ManifestRecord>,
  results: readonly TaskResult[],
): {
  responses: Map<number, RecordResponse[]>;
  stale: { lines: number[]; detail: string }[];
  invalid: InvalidAnswer[];
} {
  const responses = new Map<number, RecordResponse[]>();
  const stale: { lines: number[]; detail: string }[] = [];
  const invalid: InvalidAnswer[] = [];
  for (const result of results) {
    const attribution = jobOfInput(result.inputContent);
    if (attribution.name !== job.name) {
      throw new Error(`a result of job ${JSON.stringify(attribution.name)} given to job ${JSON.stringify(job.name)}`);
    }
    const lines = [...attribution.lines];
    const taskRecords = lines.map((line) => records.get(line));
    if (taskRecords.some((record) => record === undefined)) {
      stale.push({ lines, detail: 'some of its lines are not records of this job now' });
      continue;
    }
    const known = taskRecords as ManifestRecord[];
    if (stableStringify(jobInput(job, known, lines)) !== stableStringify(result.inputContent)) {
      stale.push({ lines, detail: 'its input is not what these records give now: they changed since the review' });
      continue;
    }
    invalid.push(...addResponses(job.taskType, known, result.humanAnswers, responses));
  }
  return { responses, stale, invalid };
}

function addResponses(
  type: TaskType,
  records: readonly ManifestRecord[],
  answers: readonly WorkerAnswer[],
  into: Map<number, RecordResponse[]>,
): InvalidAnswer[] {
  const objects = records.map((record) => record.object);
  const invalid: InvalidAnswer[] = [];
  for (const { workerId, answerContent, submissionTime } of answers) {
    let given: RecordAnswer[];
    try {
      given = recordAnswers(type, answerContent, objects);
    } catch (error) {
      if (!(error instanceof TaskTypeError)) throw error;
      invalid.push({ lines: records.map((record) => record.line), workerId, detail: error.message });
      continue;
    }
    given.forEach((answer, i) => {
      const line = records[i].line;
      const response: RecordResponse = {
        workerId,
        ...answer,
        ...(submissionTime === undefined ? {} : { submissionTime }),
      };
      into.set(line, [...(into.get(line) ?? []), response]);
    });
  }
  return invalid;
}

function isMultiLabel(type: TaskType): boolean {
  return type.answer.kind === 'multi-label';
}

interface Labels {
  readonly method: ConsolidationMethod | null;
  readonly labeled: LabeledRecord[];
  /** Only records that have responses. */
  readonly unlabeled: UnlabeledRecord[];
  readonly workers: WorkerSummary[];
}

function singleLabels(
  job: ReviewJob,
  records: readonly ManifestRecord[],
  responses: ReadonlyMap<number, readonly RecordResponse[]>,
  options: ExportOptions,
): Labels {
  const observations: Observation[] = records.flatMap((record) =>
    (responses.get(record.line) ?? []).flatMap(({ workerId, labels }) =>
      labels.map((label) => ({ itemId: String(record.line), workerId, label })),
    ),
  );
  const result =
    observations.length === 0
      ? undefined
      : consolidate(observations, { labels: job.taskType.labels, method: options.method ?? 'auto' });
  const items = new Map<string, ConsolidatedItem>(result?.items.map((item) => [item.itemId, item]) ?? []);
  const labeled: LabeledRecord[] = [];
  const unlabeled: UnlabeledRecord[] = [];
  for (const record of records.filter((r) => responses.has(r.line))) {
    const item = items.get(String(record.line));
    if (item === undefined) {
      unlabeled.push({ line: record.line, reason: 'no-label', detail: 'answered, but no answer gave it a label' });
    } else if (item.label === null) {
      const detail = `the answers tie: ${JSON.stringify(item.posterior)}`;
      unlabeled.push({ line: record.line, reason: 'disputed', detail });
    } else {
      labeled.push({ line: record.line, labels: [{ label: item.label, confidence: item.confidence }] });
    }
  }
  const workers = result?.method === 'dawid-skene' ? [...result.workers] : [];
  return { method: result?.method ?? null, labeled, unlabeled, workers };
}

/** Per record, the labels more than half of its answers selected; confidence: the share that selected each. */
function multiLabels(
  records: readonly ManifestRecord[],
  responses: ReadonlyMap<number, readonly RecordResponse[]>,
  options: ExportOptions,
): Labels {
  if (options.method === 'dawid-skene') {
    throw new Error('multi-label task types are consolidated by majority per label; Dawid-Skene is single-label');
  }
  const labeled: LabeledRecord[] = [];
  const unlabeled: UnlabeledRecord[] = [];
  for (const record of records) {
    const answers = responses.get(record.line);
    if (answers === undefined) continue;
    const chosen = majorityPerLabel(answers);
    if (chosen.length > 0) labeled.push({ line: record.line, labels: chosen });
    else if (answers.every((answer) => answer.labels.length === 0)) {
      unlabeled.push({ line: record.line, reason: 'no-label', detail: 'no answer selected a label' });
    } else {
      const detail = `no label was selected by more than half of its ${answers.length} answers`;
      unlabeled.push({ line: record.line, reason: 'no-majority-label', detail });
    }
  }
  return { method: labeled.length > 0 ? 'majority' : null, labeled, unlabeled, workers: [] };
}

function majorityPerLabel(answers: readonly RecordResponse[]): ClassLabel[] {
  const votes = new Map<string, number>();
  for (const answer of answers)
    for (const label of new Set(answer.labels)) votes.set(label, (votes.get(label) ?? 0) + 1);
  return [...votes]
    .filter(([, count]) => count * 2 > answers.length)
    .map(([label, count]) => ({ label, confidence: count / answers.length }));
}

function outputLine(
  job: ReviewJob,
  record: ManifestRecord,
  labeled: LabeledRecord,
  method: ConsolidationMethod,
  options: ExportOptions,
): string {
  const common = {
    labelAttribute: job.labelAttribute,
    jobName: job.name,
    categories: job.taskType.labels,
    input: record.object,
    creationDate: options.creationDate,
    consolidation: method,
    ...(options.media === undefined ? {} : { media: options.media }),
  };
  return isMultiLabel(job.taskType)
    ? multiLabelLine({ ...common, labels: labeled.labels })
    : singleLabelLine({ ...common, ...labeled.labels[0] });
}

function corrections(
  type: TaskType,
  records: readonly ManifestRecord[],
  responses: ReadonlyMap<number, readonly RecordResponse[]>,
): RecordCorrections[] {
  const answer = type.answer;
  if (answer.kind !== 'agree-disagree') return [];
  return records.flatMap((record) => {
    const disagreed = (responses.get(record.line) ?? []).filter((response) => response.agreed === false);
    if (disagreed.length === 0) return [];
    return [
      {
        line: record.line,
        prediction: pathValue(record.object, answer.prediction),
        corrections: disagreed.map(({ workerId, labels, reason }) => ({
          workerId,
          label: labels[0] ?? null,
          ...(reason === undefined ? {} : { reason }),
        })),
      },
    ];
  });
}
