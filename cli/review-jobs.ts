/**
 * Review jobs with their I/O: the pure core (common/review-job.ts) over the review port and S3, so a job runs on every
 * backend the port reaches (A2I, the self-hosted backend's runtime API, local mode).
 *
 * A job lives in the pipeline's output bucket under `review-jobs/<name>/`:
 *   job.json                   the definition, where the manifest came from, and the planned tasks (loop names, lines)
 *   input.manifest             the manifest as the job read it, so export plans from the same records
 *   manifests/output/output.manifest                       Ground Truth's output manifest (jobs export)
 *   annotations/worker-response/iteration-1/<task>/<loop>.json  each task's raw answers, Ground Truth's layout
 *   report.json                records left unlabeled and why, worker accuracy, corrections, invalid answers
 *
 * Starting is idempotent and resumable: job.json is written before any loop starts, and loop names come from the job
 * and the records (planJob), so running `jobs start` again starts only what is missing, and a start that was cut short
 * (a crash, throttling) is finished by the next one. A loop that already has the name is this task's review.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { ConsolidationMethod } from '../common/consolidation/consolidate';
import { parseInputManifest } from '../common/manifest';
import { stableStringify } from '../common/names';
import type { JobExport, JobFilter, JobPlan, JobTask, ReviewJob, TaskResult } from '../common/review-job';
import { exportJob, planJob } from '../common/review-job';
import { mapWithConcurrency } from '../lambda/shared/concurrency';
import { readReviewOutput } from '../lambda/shared/review/output';
import type { HumanLoopStatus, ReviewPort } from '../lambda/shared/review/port';
import { isReviewError } from '../lambda/shared/review/port';
import { startReview } from '../lambda/shared/review/start-review';

const JOBS_PREFIX = 'review-jobs';
const JOB_FORMAT = 1;
/** Calls to the review port at once: well under A2I's default request rates. */
const CONCURRENCY = 8;

export interface JobStore {
  readonly s3: S3Client;
  /** The pipeline's output bucket. */
  readonly bucket: string;
}

export interface JobDeps extends JobStore {
  readonly reviews: ReviewPort;
  readonly now: () => Date;
}

/** What the deployed pipeline asks of each task: its template and how many workers answer it. */
export interface Deployment {
  readonly template: string;
  readonly taskCount: number;
}

/** job.json */
export interface StoredJob {
  readonly format: typeof JOB_FORMAT;
  readonly name: string;
  readonly taskType: ReviewJob['taskType'];
  readonly labelAttribute: string;
  readonly filter?: JobFilter;
  readonly workersPerTask: number;
  readonly flowDefinitionArn: string;
  readonly manifest: { readonly source: string; readonly sha256: string; readonly records: number };
  readonly createdAt: string;
  readonly stoppedAt?: string;
  readonly filteredOut: number;
  readonly tasks: readonly { readonly name: string; readonly lines: readonly number[] }[];
}

/** Something about the job or its input that the person must change: the CLI's usage errors. */
export class JobInputError extends Error {
  override readonly name = 'JobInputError';
}

export function jobKey(name: string, file: string): string {
  return `${JOBS_PREFIX}/${name}/${file}`;
}

export interface StartRequest {
  readonly job: ReviewJob;
  readonly manifest: { readonly source: string; readonly text: string };
  readonly deployment: Deployment;
}

export interface StartSummary {
  readonly stored: StoredJob;
  readonly started: number;
  /** Tasks whose loop an earlier start made. */
  readonly existing: number;
  /** Tasks that could not start now, with why; another `jobs start` starts them. */
  readonly failed: readonly { readonly task: string; readonly reason: string }[];
}

/** Plans the job, records it, and starts every task that has no loop yet. */
export async function startJob(
  deps: JobDeps,
  request: StartRequest,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<StartSummary> {
  const { job, manifest, deployment } = request;
  if (job.taskType.template !== deployment.template) {
    throw new JobInputError(
      `task type ${job.taskType.name} shows template ${job.taskType.template}, but the pipeline's tasks show ` +
        `${deployment.template}: deploy with -c taskTemplate=${job.taskType.template} (local mode: ` +
        `LOCAL_TASK_TEMPLATE=${job.taskType.template}), or use a task type for ${deployment.template}`,
    );
  }
  const plan = planFromManifest(job, manifest.text);
  const previous = await readJob(deps, job.name);
  if (previous !== undefined) checkSameJob(previous, job, sha256(manifest.text));
  const stored: StoredJob = {
    format: JOB_FORMAT,
    name: job.name,
    taskType: job.taskType,
    labelAttribute: job.labelAttribute,
    ...(job.filter === undefined ? {} : { filter: job.filter }),
    workersPerTask: deployment.taskCount,
    flowDefinitionArn: deps.reviews.flowDefinitionArn,
    manifest: { source: manifest.source, sha256: sha256(manifest.text), records: plan.records },
    createdAt: previous?.createdAt ?? deps.now().toISOString(),
    filteredOut: plan.plan.filteredOut.count,
    tasks: plan.plan.tasks.map((task) => ({ name: task.name, lines: [...task.lines] })),
  };
  // The record first: a start cut short is found and finished by the next one.
  await put(deps, jobKey(job.name, 'input.manifest'), manifest.text, 'application/jsonlines');
  await put(deps, jobKey(job.name, 'job.json'), `${JSON.stringify(stored, null, 2)}\n`, 'application/json');

  let done = 0;
  const outcomes = await mapWithConcurrency(plan.plan.tasks, CONCURRENCY, async (task) => {
    try {
      // A backend may answer a repeated start of a loop in progress as a new start: look first, to count honestly.
      if (await loopExists(deps.reviews, task.name)) return { task: task.name, kind: 'exists' } as const;
      const outcome = await startReview(deps.reviews, { name: task.name, input: task.input });
      return { task: task.name, kind: outcome.kind } as const;
    } catch (error) {
      return { task: task.name, kind: 'failed', reason: (error as Error).message } as const;
    } finally {
      onProgress(++done, plan.plan.tasks.length);
    }
  });
  return {
    stored,
    started: outcomes.filter((o) => o.kind === 'started').length,
    existing: outcomes.filter((o) => o.kind === 'exists').length,
    failed: outcomes.flatMap((o) => (o.kind === 'failed' ? [{ task: o.task, reason: o.reason }] : [])),
  };
}

async function loopExists(reviews: ReviewPort, name: string): Promise<boolean> {
  try {
    await reviews.describe(name);
    return true;
  } catch (error) {
    if (isReviewError(error, 'ResourceNotFound')) return false;
    throw error;
  }
}

function planFromManifest(job: ReviewJob, text: string): { plan: JobPlan; records: number } {
  const { records, errors } = parseInputManifest(text);
  if (errors.length > 0) {
    const shown = errors.slice(0, 10).map((error) => `  ${error.message}`);
    const more = errors.length > 10 ? [`  ... and ${errors.length - 10} more`] : [];
    throw new JobInputError(`The manifest has ${errors.length} bad lines:\n${[...shown, ...more].join('\n')}`);
  }
  if (records.length === 0) throw new JobInputError('The manifest has no records');
  try {
    const plan = planJob(job, records);
    if (plan.tasks.length === 0)
      throw new JobInputError(`The filter keeps none of the manifest's ${records.length} records`);
    return { plan, records: records.length };
  } catch (error) {
    if (error instanceof JobInputError) throw error;
    throw new JobInputError((error as Error).message);
  }
}

/**
 * A job name is one job over one manifest: another definition would mix two jobs' answers, and another manifest would
 * rename tasks (names commit to line numbers and content), leaving the earlier loops outside the job.
 */
function checkSameJob(previous: StoredJob, job: ReviewJob, manifestSha256: string): void {
  if (previous.stoppedAt !== undefined)
    throw new JobInputError(`Job ${job.name} was stopped at ${previous.stoppedAt}; start a new job under another name`);
  const definition = (j: Pick<StoredJob, 'taskType' | 'labelAttribute' | 'filter'>) =>
    stableStringify([j.taskType, j.labelAttribute, j.filter ?? null]);
  if (definition(previous) !== definition(job))
    throw new JobInputError(
      `Job ${job.name} exists with another task type, label attribute or filter; use another job name`,
    );
  if (previous.manifest.sha256 !== manifestSha256)
    throw new JobInputError(
      `Job ${job.name} was started with another manifest (${previous.manifest.source}); a changed manifest is a new ` +
        'job: start it under another name',
    );
}

export async function readJob(store: JobStore, name: string): Promise<StoredJob | undefined> {
  const text = await get(store, jobKey(name, 'job.json'));
  return text === undefined ? undefined : (JSON.parse(text) as StoredJob);
}

export async function listJobs(store: JobStore): Promise<StoredJob[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.s3.send(
      new ListObjectsV2Command({ Bucket: store.bucket, Prefix: `${JOBS_PREFIX}/`, ContinuationToken: token }),
    );
    for (const { Key = '' } of page.Contents ?? []) {
      const [, name, file] = Key.split('/');
      if (file === 'job.json' && Key === jobKey(name, file)) names.push(name);
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  const jobs = await mapWithConcurrency(names, CONCURRENCY, (name) => readJob(store, name));
  return jobs.filter((job): job is StoredJob => job !== undefined);
}

// ---------------------------------------------------------------------------------------------------------------------
// Following

/** A task's loop status, or NotStarted when the backend has no loop of that name (a start still to finish). */
export type TaskStatus = HumanLoopStatus | 'NotStarted';

export interface JobProgress {
  readonly job: StoredJob;
  readonly tasks: readonly { readonly name: string; readonly status: TaskStatus; readonly outputUri?: string }[];
  readonly counts: Readonly<Record<TaskStatus, number>>;
  /** Records in completed tasks. */
  readonly recordsReviewed: number;
  readonly recordsTotal: number;
  /** Whether every task's loop has ended (none in progress, stopping or not started). */
  readonly done: boolean;
  /** Seconds until the open tasks are done at the pace so far; undefined before the first completes. */
  readonly etaSeconds?: number;
}

export async function jobProgress(deps: JobDeps, job: StoredJob): Promise<JobProgress> {
  const tasks = await mapWithConcurrency(job.tasks, CONCURRENCY, async (task) => {
    try {
      const loop = await deps.reviews.describe(task.name);
      return { name: task.name, status: loop.status as TaskStatus, outputUri: loop.outputUri, lines: task.lines };
    } catch (error) {
      if (!isReviewError(error, 'ResourceNotFound')) throw error;
      return { name: task.name, status: 'NotStarted' as TaskStatus, lines: task.lines };
    }
  });
  const counts = { InProgress: 0, Completed: 0, Failed: 0, Stopping: 0, Stopped: 0, NotStarted: 0 };
  for (const task of tasks) counts[task.status] += 1;
  const open = counts.InProgress + counts.Stopping + counts.NotStarted;
  const elapsed = (deps.now().getTime() - Date.parse(job.createdAt)) / 1000;
  const ended = tasks.length - open;
  return {
    job,
    tasks: tasks.map(({ name, status, outputUri }) => ({ name, status, ...(outputUri ? { outputUri } : {}) })),
    counts,
    recordsReviewed: tasks.filter((t) => t.status === 'Completed').reduce((sum, t) => sum + t.lines.length, 0),
    recordsTotal: tasks.reduce((sum, t) => sum + t.lines.length, 0),
    done: open === 0,
    ...(ended > 0 && open > 0 && elapsed > 0 ? { etaSeconds: Math.round((open * elapsed) / ended) } : {}),
  };
}

/** Stops every loop of the job still in progress and marks the job stopped; answers given so far stay exportable. */
export async function stopJob(deps: JobDeps, job: StoredJob): Promise<{ stopped: number }> {
  const progress = await jobProgress(deps, job);
  const open = progress.tasks.filter((task) => task.status === 'InProgress');
  await mapWithConcurrency(open, CONCURRENCY, (task) => deps.reviews.stop(task.name));
  const stopped: StoredJob = { ...job, stoppedAt: job.stoppedAt ?? deps.now().toISOString() };
  await put(deps, jobKey(job.name, 'job.json'), `${JSON.stringify(stopped, null, 2)}\n`, 'application/json');
  return { stopped: open.length };
}

// ---------------------------------------------------------------------------------------------------------------------
// Export

export interface ExportedJob {
  readonly result: JobExport;
  readonly progress: JobProgress;
  /** What the job's records are, by manifest line: for training rows. */
  readonly records: ReadonlyMap<number, Readonly<Record<string, unknown>>>;
  readonly outputManifestUri: string;
  readonly reportUri: string;
}

/**
 * Consolidates the answers of the job's completed tasks into Ground Truth's output manifest and writes it, the raw
 * worker responses and a report into the job's folder. Tasks still open are reported as unanswered records.
 */
export async function exportJobOutputs(
  deps: JobDeps,
  job: StoredJob,
  options: { readonly method?: ConsolidationMethod | 'auto' } = {},
): Promise<ExportedJob> {
  const text = await get(deps, jobKey(job.name, 'input.manifest'));
  if (text === undefined) throw new Error(`Job ${job.name} has no input.manifest in s3://${deps.bucket}`);
  const definition: ReviewJob = {
    name: job.name,
    taskType: job.taskType,
    labelAttribute: job.labelAttribute,
    ...(job.filter === undefined ? {} : { filter: job.filter }),
  };
  const { plan } = planFromManifest(definition, text);
  const progress = await jobProgress(deps, job);
  const completed = progress.tasks.filter((task) => task.status === 'Completed' && task.outputUri !== undefined);
  const outputs = await mapWithConcurrency(completed, CONCURRENCY, async (task) => ({
    task,
    output: await readReviewOutput(deps.s3, task.outputUri!),
  }));
  const results: TaskResult[] = outputs.map(({ output }) => ({
    inputContent: output.inputContent ?? {},
    humanAnswers: output.humanAnswers.map((answer) => ({
      workerId: answer.workerId ?? 'unknown',
      answerContent: answer.answerContent,
      ...(answer.submissionTime === undefined ? {} : { submissionTime: answer.submissionTime }),
    })),
  }));
  const result = exportJob(definition, plan.tasks, results, {
    creationDate: deps.now(),
    ...(options.method === undefined ? {} : { method: options.method }),
  });

  const byName = new Map<string, JobTask>(plan.tasks.map((task) => [task.name, task]));
  await mapWithConcurrency(outputs, CONCURRENCY, ({ task, output }) =>
    put(
      deps,
      jobKey(
        job.name,
        `annotations/worker-response/iteration-1/${byName.get(task.name)?.index ?? 'stale'}/${task.name}.json`,
      ),
      `${JSON.stringify({ humanLoopName: task.name, lines: byName.get(task.name)?.lines, answers: output.humanAnswers })}\n`,
      'application/json',
    ),
  );
  const outputKey = jobKey(job.name, 'manifests/output/output.manifest');
  await put(deps, outputKey, result.lines.map((line) => `${line}\n`).join(''), 'application/jsonlines');
  const reportKey = jobKey(job.name, 'report.json');
  const report = {
    job: job.name,
    exportedAt: deps.now().toISOString(),
    method: result.method,
    labeled: result.labeled.length,
    unlabeled: result.unlabeled,
    workerAccuracy: result.workerAccuracy,
    corrections: result.corrections,
    stale: result.stale,
    invalid: result.invalid,
    tasks: progress.counts,
  };
  await put(deps, reportKey, `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  const records = new Map(plan.tasks.flatMap((task) => task.records.map((r) => [r.line, r.object] as const)));
  return {
    result,
    progress,
    records,
    outputManifestUri: `s3://${deps.bucket}/${outputKey}`,
    reportUri: `s3://${deps.bucket}/${reportKey}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// S3

async function get(store: JobStore, key: string): Promise<string | undefined> {
  try {
    const object = await store.s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    return (await object.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

async function put(store: JobStore, key: string, body: string, contentType: string): Promise<void> {
  // The length given: the SDK takes an empty string for a stream of unknown length.
  const length = Buffer.byteLength(body);
  await store.s3.send(
    new PutObjectCommand({
      Bucket: store.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ContentLength: length,
    }),
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
