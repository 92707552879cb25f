/**
 * SageMaker Ground Truth manifests as pure functions (no I/O): reading an input manifest, grouping its records into
 * review tasks, and writing output-manifest lines for single- and multi-label classification.
 *
 * Ground Truth's documented rules this file enforces (see docs/aws-facts.md, "Ground Truth manifests"):
 * - Input manifest (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-input-data-input-manifest.html): UTF-8 JSON
 *   Lines, lines delimited by `\n` or `\r\n`; each object has `source-ref` (an S3 object) or `source` (the text); other
 *   key-value pairs pass to the output unchanged. "Each JSON object in the manifest file can be no larger than 100,000
 *   characters. No single attribute within an object can be larger than 20,000 characters. Attribute names can't begin
 *   with `$`."
 * - Input data quotas (https://docs.aws.amazon.com/sagemaker/latest/dg/input-data-limits.html): a dataset holds at most
 *   100,000 items (20,000 for semantic segmentation; raisable through Service Quotas, hence an option); label category
 *   names are at most 256 characters and unique; multi-label text and image classification take at most 50 categories
 *   through the API (single-label: unlimited).
 * - Label attribute name (CreateLabelingJob, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateLabelingJob.html):
 *   1-127 characters, pattern `^[a-zA-Z0-9](-*[a-zA-Z0-9])*`, can't end with `-metadata`; must not end with `-ref`
 *   except for semantic segmentation. The developer guide (sms-data-output) says `-metadata` can't be used in the name
 *   at all: the stricter rule is enforced. The labeling job name: 1-63 characters, same pattern.
 * - Output lines (https://docs.aws.amazon.com/sagemaker/latest/dg/sms-data-output.html and the Ground Truth output that
 *   Amazon Comprehend documents at https://docs.aws.amazon.com/comprehend/latest/dg/prep-classifier-data-multi-class.html
 *   and .../prep-classifier-data-multi-label.html, followed verbatim in test/golden/ground-truth/): the input object,
 *   then `<attr>` and `<attr>-metadata`, keys in the order of those examples.
 *
 * Inferred, not documented: the confidence's two decimals (every documented example has at most two), that
 * `creation-date` is UTC (it carries no zone), and the extra `consolidation` metadata key (Ground Truth has none; it
 * adds type-specific keys itself, like `adjustment-status` and `worker-feedback`, and readers such as Comprehend take
 * only the label attribute names, so an extra metadata key breaks no reader).
 */

/** Ground Truth's dataset size quota (items per labeling job), except semantic segmentation. */
export const GT_MAX_OBJECTS = 100_000;
/** The largest JSON object (one manifest line), in characters. */
export const GT_MAX_OBJECT_CHARS = 100_000;
/** The largest single attribute of an object, in characters. */
export const GT_MAX_ATTRIBUTE_CHARS = 20_000;
export const GT_LABEL_ATTRIBUTE_MAX_LENGTH = 127;
export const GT_JOB_NAME_MAX_LENGTH = 63;
export const GT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
export const GT_CATEGORY_MAX_LENGTH = 256;
export const GT_MULTILABEL_MAX_CATEGORIES = 50;
/**
 * At most 10 records per review task: ten objects of Ground Truth's largest size (100,000 characters each) make at
 * most 1,000,000 characters (their JSON does not grow when re-serialized), well inside one A2I loop's InputContent
 * (3,145,728 characters) with the template's own fields; and a page of more than ten records is no longer one task.
 */
export const MAX_RECORDS_PER_TASK = 10;

export type ManifestRecord = {
  /** 1-based line number in the manifest file. */
  readonly line: number;
  /** The whole parsed object, every field kept as it was. */
  readonly object: Readonly<Record<string, unknown>>;
} & (
  | { readonly source: string; readonly sourceRef?: undefined }
  | { readonly sourceRef: string; readonly source?: undefined }
);

export type ManifestErrorCode =
  | 'object-too-large'
  | 'not-json'
  | 'not-object'
  | 'bad-attribute-name'
  | 'attribute-too-large'
  | 'no-source'
  | 'both-sources'
  | 'source-not-string'
  | 'empty-source'
  | 'bad-source-ref'
  | 'too-many-objects';

export interface ManifestError {
  readonly line: number;
  readonly code: ManifestErrorCode;
  /** `line N: what is wrong`. */
  readonly message: string;
}

export interface ParseOptions {
  /** Objects a manifest may hold (default Ground Truth's quota, 100,000); parsing stops at the first one over. */
  readonly maxObjects?: number;
}

export interface ParsedManifest {
  readonly records: ManifestRecord[];
  readonly errors: ManifestError[];
}

/** Reads a Ground Truth input manifest: every line a record or an error; blank lines, CRLF and a BOM are fine. */
export function parseInputManifest(text: string, options: ParseOptions = {}): ParsedManifest {
  const maxObjects = options.maxObjects ?? GT_MAX_OBJECTS;
  if (!Number.isInteger(maxObjects) || maxObjects < 1) throw new RangeError('maxObjects must be a positive integer');
  const records: ManifestRecord[] = [];
  const errors: ManifestError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  let objects = 0;
  for (const [i, raw] of lines.entries()) {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '') continue;
    const line = i + 1;
    if (++objects > maxObjects) {
      errors.push(error(line, 'too-many-objects', `more than ${maxObjects} objects (Ground Truth's dataset quota)`));
      break;
    }
    const result = parseLine(content, line);
    if ('code' in result) errors.push(result);
    else records.push(result);
  }
  return { records, errors };
}

function parseLine(content: string, line: number): ManifestRecord | ManifestError {
  if (longerThan(content, GT_MAX_OBJECT_CHARS)) {
    return error(line, 'object-too-large', `object over ${GT_MAX_OBJECT_CHARS} characters (Ground Truth's limit)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (e) {
    return error(line, 'not-json', `not JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(value)) return error(line, 'not-object', 'not a JSON object');
  const problem = objectProblem(value);
  if (problem !== undefined) return error(line, problem.code, problem.message);
  return typeof value.source === 'string'
    ? { line, object: value, source: value.source }
    : { line, object: value, sourceRef: value['source-ref'] as string };
}

interface Problem {
  readonly code: ManifestErrorCode;
  readonly message: string;
}

/** What makes an object unfit for a Ground Truth manifest, or undefined when nothing does. */
function objectProblem(object: Readonly<Record<string, unknown>>): Problem | undefined {
  return attributeProblem(object) ?? sourceProblem(object);
}

function attributeProblem(object: Readonly<Record<string, unknown>>): Problem | undefined {
  for (const [name, value] of Object.entries(object)) {
    if (name.startsWith('$')) {
      return { code: 'bad-attribute-name', message: `attribute name ${JSON.stringify(name)} begins with "$"` };
    }
    if (attributeLongerThan(value, GT_MAX_ATTRIBUTE_CHARS)) {
      const message = `attribute ${JSON.stringify(name)} over ${GT_MAX_ATTRIBUTE_CHARS} characters (Ground Truth's limit)`;
      return { code: 'attribute-too-large', message };
    }
  }
  return undefined;
}

function sourceProblem(object: Readonly<Record<string, unknown>>): Problem | undefined {
  const hasSource = 'source' in object;
  const hasRef = 'source-ref' in object;
  if (hasSource && hasRef) return { code: 'both-sources', message: 'both "source" and "source-ref" (give one)' };
  if (!hasSource && !hasRef) return { code: 'no-source', message: 'neither "source" nor "source-ref"' };
  const value = hasSource ? object.source : object['source-ref'];
  const key = hasSource ? 'source' : 'source-ref';
  if (typeof value !== 'string') return { code: 'source-not-string', message: `"${key}" is not a string` };
  if (hasSource && value.trim() === '') return { code: 'empty-source', message: '"source" is empty' };
  if (hasRef && !S3_URI.test(value)) {
    return { code: 'bad-source-ref', message: `"source-ref" is not an s3://bucket/key URI: ${JSON.stringify(value)}` };
  }
  return undefined;
}

const S3_URI = /^s3:\/\/[^/\s]+\/\S/;

function error(line: number, code: ManifestErrorCode, what: string): ManifestError {
  return { line, code, message: `line ${line}: ${what}` };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Characters as Ground Truth counts them (code points, so an emoji is one). */
function characters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Counts code points only when the UTF-16 length (never fewer) is over the limit: most lines are far below it. */
function longerThan(text: string, limit: number): boolean {
  return text.length > limit && characters(text) > limit;
}

/** A string attribute's own characters; any other value's JSON text. */
function attributeLongerThan(value: unknown, limit: number): boolean {
  if (typeof value === 'string') return longerThan(value, limit);
  if (value === null || typeof value !== 'object') return false;
  return longerThan(JSON.stringify(value), limit);
}

// ---------------------------------------------------------------------------------------------------------------------
// Review tasks

export interface ManifestTask {
  /** 0-based position of the task in the job. */
  readonly index: number;
  readonly records: readonly ManifestRecord[];
  /** The records' manifest line numbers, in the task's order. */
  readonly lines: readonly number[];
}

/** Records into tasks of `perTask` (1-10) in manifest order; the last task holds the remainder. */
export function groupRecords(records: readonly ManifestRecord[], perTask: number): ManifestTask[] {
  if (!Number.isInteger(perTask) || perTask < 1 || perTask > MAX_RECORDS_PER_TASK) {
    throw new RangeError(`perTask must be an integer from 1 to ${MAX_RECORDS_PER_TASK}, got ${perTask}`);
  }
  const tasks: ManifestTask[] = [];
  for (let start = 0; start < records.length; start += perTask) {
    const slice = records.slice(start, start + perTask);
    tasks.push({ index: tasks.length, records: slice, lines: slice.map((record) => record.line) });
  }
  return tasks;
}

/**
 * The record that the answer for the task's Nth record (N from 1, as a template's `forloop.index` numbers its
 * fields, like `rating2`) belongs to.
 */
export function recordOfAnswer(task: ManifestTask, position: number): ManifestRecord {
  const record = Number.isInteger(position) ? task.records[position - 1] : undefined;
  if (record === undefined) {
    throw new RangeError(`task ${task.index} has records 1 to ${task.records.length}, not ${position}`);
  }
  return record;
}

// ---------------------------------------------------------------------------------------------------------------------
// Output manifest

export type Media = 'text' | 'image';

export interface OutputJob {
  /** The label attribute name (`LabelAttributeName`). */
  readonly labelAttribute: string;
  /** The labeling job's name; written as `labeling-job/<name>`. */
  readonly jobName: string;
  /** The label categories in the job's order: a label's value is its index here. */
  readonly categories: readonly string[];
  /** Default: `text` for `source`, `image` for a `source-ref` to a .jpg, .jpeg or .png. */
  readonly media?: Media;
  /** Which consolidation produced the label (our extra metadata key; Ground Truth has none). */
  readonly consolidation?: string;
}

export interface ClassLabel {
  readonly label: string;
  /** 0 to 1, written with two decimals. Ground Truth writes 0 when one worker labeled the object. */
  readonly confidence: number;
}

export interface SingleLabelOutput extends OutputJob, ClassLabel {
  /** The input manifest object (a record's `object`). */
  readonly input: Readonly<Record<string, unknown>>;
  /** A Date (written in UTC), or Ground Truth's own form `YYYY-MM-DDTHH:MM:SS.ffffff`. */
  readonly creationDate: Date | string;
}

export interface MultiLabelOutput extends OutputJob {
  readonly input: Readonly<Record<string, unknown>>;
  /** The labels that at least one worker selected. */
  readonly labels: readonly ClassLabel[];
  readonly creationDate: Date | string;
}

/** One output-manifest line (no newline) of a single-label classification job. */
export function singleLabelLine(output: SingleLabelOutput): string {
  checkOutput(output, false);
  const { input, categories } = output;
  const metadata: Record<string, unknown> = {
    confidence: confidenceValue(output.confidence),
    'job-name': `labeling-job/${output.jobName}`,
    'class-name': output.label,
    'human-annotated': 'yes',
    'creation-date': creationDate(output.creationDate),
    type: `groundtruth/${media(input, output.media)}-classification`,
  };
  return line(input, output, classIndex(categories, output.label), metadata);
}

/** One output-manifest line (no newline) of a multi-label classification job; class indices in ascending order. */
export function multiLabelLine(output: MultiLabelOutput): string {
  checkOutput(output, true);
  const { input, categories } = output;
  const chosen = output.labels
    .map((label) => ({ index: classIndex(categories, label.label), ...label }))
    .sort((a, b) => a.index - b.index);
  const twice = chosen.find((label, i) => i > 0 && chosen[i - 1].index === label.index);
  if (twice !== undefined) throw new Error(`label ${JSON.stringify(twice.label)} is given twice`);
  const metadata: Record<string, unknown> = {
    'job-name': `labeling-job/${output.jobName}`,
    'class-map': Object.fromEntries(chosen.map((label) => [String(label.index), label.label])),
    'human-annotated': 'yes',
    'creation-date': creationDate(output.creationDate),
    'confidence-map': Object.fromEntries(
      chosen.map((label) => [String(label.index), confidenceValue(label.confidence)]),
    ),
    type: `groundtruth/${media(input, output.media)}-classification-multilabel`,
  };
  return line(
    input,
    output,
    chosen.map((label) => label.index),
    metadata,
  );
}

/** The input object, then the label attribute and its metadata (replacing earlier ones, as Ground Truth does). */
function line(
  input: Readonly<Record<string, unknown>>,
  job: OutputJob,
  value: unknown,
  metadata: Record<string, unknown>,
): string {
  const attribute = job.labelAttribute;
  const { [attribute]: _label, [`${attribute}-metadata`]: _metadata, ...kept } = input;
  if (job.consolidation !== undefined) metadata.consolidation = job.consolidation;
  return JSON.stringify({ ...kept, [attribute]: value, [`${attribute}-metadata`]: metadata });
}

function checkOutput(output: OutputJob & { readonly input: Readonly<Record<string, unknown>> }, multiLabel: boolean) {
  validateLabelAttributeName(output.labelAttribute);
  if (output.labelAttribute === 'source') throw new Error('label attribute "source" would replace the input\'s text');
  validateJobName(output.jobName);
  validateCategories(output.categories, multiLabel);
  const problem = objectProblem(output.input);
  if (problem !== undefined) throw new Error(`input object: ${problem.message}`);
  if (output.consolidation !== undefined && output.consolidation.trim() === '') {
    throw new Error('consolidation, when given, must not be empty');
  }
}

/** Throws, naming the rule, when `name` is not a label attribute name Ground Truth accepts for a classification job. */
export function validateLabelAttributeName(name: string): void {
  const rule = (what: string) => new Error(`label attribute name ${JSON.stringify(name)}: ${what}`);
  if (name.length < 1 || name.length > GT_LABEL_ATTRIBUTE_MAX_LENGTH) {
    throw rule(`must be 1 to ${GT_LABEL_ATTRIBUTE_MAX_LENGTH} characters long`);
  }
  if (!GT_NAME_PATTERN.test(name)) {
    throw rule(
      'must be letters and digits, with single or repeated hyphens only between them (^[a-zA-Z0-9](-*[a-zA-Z0-9])*$)',
    );
  }
  if (name.includes('-metadata')) throw rule('must not contain "-metadata" (Ground Truth writes <name>-metadata)');
  if (name.endsWith('-ref')) throw rule('must not end with "-ref" (only segmentation jobs\' attributes do)');
}

function validateJobName(name: string): void {
  if (name.length < 1 || name.length > GT_JOB_NAME_MAX_LENGTH || !GT_NAME_PATTERN.test(name)) {
    throw new Error(
      `labeling job name ${JSON.stringify(name)}: must be 1 to ${GT_JOB_NAME_MAX_LENGTH} letters, digits and inner hyphens`,
    );
  }
}

function validateCategories(categories: readonly string[], multiLabel: boolean): void {
  if (categories.length === 0) throw new Error('categories must not be empty');
  if (multiLabel && categories.length > GT_MULTILABEL_MAX_CATEGORIES) {
    throw new Error(
      `a multi-label job takes at most ${GT_MULTILABEL_MAX_CATEGORIES} categories, got ${categories.length}`,
    );
  }
  const seen = new Set<string>();
  for (const category of categories) {
    if (category === '' || characters(category) > GT_CATEGORY_MAX_LENGTH) {
      throw new Error(`category ${JSON.stringify(category)}: must be 1 to ${GT_CATEGORY_MAX_LENGTH} characters`);
    }
    if (seen.has(category)) throw new Error(`category ${JSON.stringify(category)} is given twice`);
    seen.add(category);
  }
}

function classIndex(categories: readonly string[], label: string): number {
  const index = categories.indexOf(label);
  if (index < 0) throw new Error(`label ${JSON.stringify(label)} is not one of the categories`);
  return index;
}

function confidenceValue(confidence: number): number {
  if (!Number.isFinite(confidence) || confidence < 0 || confidence > 1) {
    throw new RangeError(`confidence must be from 0 to 1, got ${confidence}`);
  }
  return Math.round(confidence * 100) / 100;
}

const GT_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;

/** Ground Truth's `creation-date`: ISO 8601 with microseconds and no zone, `2020-05-21T17:36:45.814354`. */
export function creationDate(date: Date | string): string {
  if (typeof date === 'string') {
    if (!GT_DATE.test(date) || Number.isNaN(Date.parse(`${date.slice(0, 23)}Z`))) {
      throw new Error(`creation date ${JSON.stringify(date)} is not of the form YYYY-MM-DDTHH:MM:SS.ffffff`);
    }
    return date;
  }
  if (Number.isNaN(date.getTime())) throw new Error('creation date is an invalid Date');
  return `${date.toISOString().slice(0, 23)}000`;
}

/** Ground Truth's image tasks take .jpg and .png; a record whose source-ref is another image (an SVG chart) is one too. */
const IMAGE_EXTENSION = /\.(jpe?g|png|gif|webp|bmp|svg)$/i;

function media(input: Readonly<Record<string, unknown>>, given: Media | undefined): Media {
  if (given !== undefined) return given;
  if (typeof input.source === 'string') return 'text';
  const ref = String(input['source-ref']);
  if (IMAGE_EXTENSION.test(ref)) return 'image';
  throw new Error(`cannot tell whether ${JSON.stringify(ref)} is text or an image: give media`);
}
