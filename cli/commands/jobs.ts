/** jobs start|list|show|wait|stop|export: review jobs over an input manifest (cli/review-jobs.ts). */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { STACK_NAMES } from '../../common/contract';
import { CONSOLIDATION_METHODS } from '../../common/consolidation/consolidate';
import type { ConsolidationMethod } from '../../common/consolidation/consolidate';
import { GT_NAME_PATTERN } from '../../common/manifest';
import type { JobFilter, ReviewJob } from '../../common/review-job';
import type { TaskType } from '../../common/task-types';
import { BUILT_IN_TASK_TYPES, parseTaskType, pathValue, TaskTypeError } from '../../common/task-types';
import { parseS3Uri } from '../../lambda/shared/review/output';
import type { CliContext } from '../context';
import { requiredOutput, reviewPort, stackOutputs } from '../context';
import { CliError, EXIT, explainAwsError, usageError } from '../errors';
import { csvCell, table } from '../io';
import type { ExportedJob, JobDeps, JobProgress, StoredJob } from '../review-jobs';
import { exportJobOutputs, JobInputError, jobProgress, listJobs, readJob, startJob, stopJob } from '../review-jobs';

export const JOBS_HELP = `Usage: review-pipeline jobs <start|list|show|wait|stop|export> ...

  jobs start <name> --manifest <s3://bucket/key | FILE> [--task-type NAME | FILE.json]
             [--label-attribute NAME] [--filter FIELD=VALUE | FIELD<NUMBER]
      Plans the job (records grouped per task as the task type says) and starts a human review for each task.
      Running it again starts only what is missing: a start cut short resumes, nothing is reviewed twice.
      --task-type  a built-in (${BUILT_IN_TASK_TYPES.map((t) => t.name).join(', ')}; default: the one for the
                   pipeline's template) or a JSON task type file (docs/review-jobs.md)
      --label-attribute  the output manifest's label key (default: the job name)
      --filter     only records whose field equals VALUE (prediction=0) or is a number below NUMBER
                   (probability_score<0.5)
  jobs list                          the jobs, with their tasks and records
  jobs show <name> [--json]          progress: tasks per status, records reviewed, time left at the pace so far
  jobs wait <name> [--timeout SECONDS] [--interval SECONDS]
                                     waits until every task has ended (default timeout 86400 s)
  jobs stop <name>                   stops the tasks in progress; answers so far stay exportable
  jobs export <name> [--out FILE] [--training FILE.jsonl|FILE.csv] [--columns A,B,...]
              [--method auto|majority|dawid-skene]
      Consolidates the answers (majority with one worker per task, else Dawid-Skene) into Ground Truth's output
      manifest, written to the job's folder (and FILE), with the raw worker responses and a report.
      --training  new training rows: each labeled record's fields and its human label (a reviewer's correction
                  included); CSV columns: label, then --columns (default: every plain field but source-ref)

Jobs live in the pipeline's output bucket under review-jobs/<name>/. Workers per task: the pipeline's TaskCount.
Exit codes: 0 done, 1 some tasks failed, were stopped or could not start, 2 usage or bad manifest, 5 unknown job,
6 timeout.`;

export async function jobs(context: CliContext, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  try {
    switch (action) {
      case 'start':
        return await start(context, rest);
      case 'list':
        return await list(context);
      case 'show':
        return await show(context, rest);
      case 'wait':
        return await wait(context, rest);
      case 'stop':
        return await stop(context, rest);
      case 'export':
        return await exportCommand(context, rest);
      default:
        throw usageError(`Unknown jobs command "${action ?? ''}".\n\n${JOBS_HELP}`);
    }
  } catch (error) {
    if (error instanceof JobInputError || error instanceof TaskTypeError) throw usageError(error.message);
    // An option parseArgs refused: main.ts reports it as a usage error.
    if (String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) throw error;
    throw explainAwsError(error);
  }
}

async function jobDeps(context: CliContext): Promise<JobDeps> {
  const bucket = await requiredOutput(context, STACK_NAMES.pipeline, 'OutputBucketName');
  return { s3: context.s3, bucket, reviews: await reviewPort(context), now: () => new Date(context.now()) };
}

function jobName(positionals: string[]): string {
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw usageError(`Expected one job name.\n\n${JOBS_HELP}`);
  if (name.length > 63 || !GT_NAME_PATTERN.test(name))
    throw usageError(`"${name}" is not a job name: 1-63 letters and digits, with hyphens only between them`);
  return name;
}

async function storedJob(deps: JobDeps, name: string): Promise<StoredJob> {
  const job = await readJob(deps, name);
  if (job === undefined) throw new CliError(EXIT.notFound, `No job named ${name} in s3://${deps.bucket}`);
  return job;
}

// ---------------------------------------------------------------------------------------------------------------------

async function start(context: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      manifest: { type: 'string' },
      'task-type': { type: 'string' },
      'label-attribute': { type: 'string' },
      filter: { type: 'string' },
    },
  });
  const name = jobName(positionals);
  if (!values.manifest) throw usageError(`jobs start needs --manifest.\n\n${JOBS_HELP}`);
  const outputs = await stackOutputs(context, STACK_NAMES.pipeline);
  const deployment = { template: outputs.TaskTemplate ?? '', taskCount: Number(outputs.TaskCount ?? 0) };
  if (!deployment.template || !(deployment.taskCount >= 1))
    throw new CliError(EXIT.notDeployed, 'The pipeline gives no TaskTemplate or TaskCount output; deploy this version');
  const job: ReviewJob = {
    name,
    taskType: taskType(values['task-type'], deployment.template),
    labelAttribute: values['label-attribute'] ?? name,
    ...(values.filter === undefined ? {} : { filter: parseFilter(values.filter) }),
  };
  const manifest = { source: values.manifest, text: await readManifest(context, values.manifest) };
  const deps = await jobDeps(context);
  const summary = await startJob(deps, { job, manifest, deployment }, (done, total) =>
    context.io.progress(`starting tasks: ${done}/${total}`, done === total),
  );
  const { stored } = summary;
  const records = stored.tasks.reduce((sum, task) => sum + task.lines.length, 0);
  context.io.out(
    `job ${name}: ${records} records in ${stored.tasks.length} tasks of up to ${job.taskType.recordsPerTask}` +
      `, ${stored.workersPerTask} worker(s) each${stored.filteredOut ? ` (${stored.filteredOut} records left out by the filter)` : ''}`,
  );
  context.io.out(`started ${summary.started}, already running or done ${summary.existing}`);
  for (const failure of summary.failed.slice(0, 5))
    context.io.err(`could not start ${failure.task}: ${failure.reason}`);
  if (summary.failed.length > 0) {
    context.io.err(`${summary.failed.length} task(s) did not start; run the same jobs start again to start them`);
    return EXIT.failed;
  }
  context.io.out(`follow it: review-pipeline jobs show ${name}`);
  return EXIT.ok;
}

function taskType(given: string | undefined, template: string): TaskType {
  if (given === undefined) {
    const builtIn = BUILT_IN_TASK_TYPES.find((type) => type.template === template);
    if (builtIn === undefined)
      throw usageError(`No built-in task type shows template ${template}; give --task-type FILE.json`);
    return builtIn;
  }
  const builtIn = BUILT_IN_TASK_TYPES.find((type) => type.name === given);
  if (builtIn !== undefined) return builtIn;
  if (!given.endsWith('.json'))
    throw usageError(
      `--task-type ${given}: not a built-in task type (${BUILT_IN_TASK_TYPES.map((t) => t.name).join(', ')}) or a .json file`,
    );
  if (!fs.existsSync(given)) throw new CliError(EXIT.notFound, `No task type file ${given}`);
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(given, 'utf8'));
  } catch (error) {
    throw usageError(`--task-type ${given} is not JSON: ${(error as Error).message}`);
  }
  return parseTaskType(value);
}

/** `field=value` (a JSON value when it parses as one: prediction=0 is the number 0) or `field<number`. */
function parseFilter(text: string): JobFilter {
  const below = /^([^<=]+)<(.+)$/.exec(text);
  if (below) {
    const value = Number(below[2]);
    if (!Number.isFinite(value)) throw usageError(`--filter ${text}: ${below[2]} is not a number`);
    return { field: below[1].trim(), below: value };
  }
  const equals = /^([^<=]+)=(.*)$/.exec(text);
  if (!equals) throw usageError(`--filter ${text}: expected FIELD=VALUE or FIELD<NUMBER`);
  let value: string | number | boolean = equals[2];
  try {
    const parsed = JSON.parse(equals[2]) as unknown;
    if (typeof parsed === 'string' || typeof parsed === 'number' || typeof parsed === 'boolean') value = parsed;
  } catch {
    // A plain word: the string itself.
  }
  return { field: equals[1].trim(), equals: value };
}

async function readManifest(context: CliContext, source: string): Promise<string> {
  if (source.startsWith('s3://')) {
    const { bucket, key } = parseS3Uri(source);
    const object = await context.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => {
      if ((error as Error).name === 'NoSuchKey') throw new CliError(EXIT.notFound, `No manifest at ${source}`);
      throw error;
    });
    return (await object.Body?.transformToString('utf-8')) ?? '';
  }
  if (!fs.existsSync(source)) throw new CliError(EXIT.notFound, `No manifest file ${source}`);
  return fs.readFileSync(source, 'utf8');
}

// ---------------------------------------------------------------------------------------------------------------------

async function list(context: CliContext): Promise<number> {
  const deps = await jobDeps(context);
  const found = await listJobs(deps);
  if (found.length === 0) {
    context.io.err('No review jobs yet (review-pipeline jobs start).');
    return EXIT.ok;
  }
  const rows = found
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((job) => [
      job.name,
      job.taskType.name,
      String(job.tasks.length),
      String(job.tasks.reduce((sum, task) => sum + task.lines.length, 0)),
      job.stoppedAt ? 'stopped' : '',
      job.createdAt,
    ]);
  for (const line of table([['NAME', 'TASK TYPE', 'TASKS', 'RECORDS', 'STOPPED', 'CREATED'], ...rows]))
    context.io.out(line);
  return EXIT.ok;
}

async function show(context: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const deps = await jobDeps(context);
  const progress = await jobProgress(deps, await storedJob(deps, jobName(positionals)));
  if (values.json) {
    context.io.out(JSON.stringify(progress, null, 2));
    return EXIT.ok;
  }
  for (const line of describe(progress)) context.io.out(line);
  return EXIT.ok;
}

function describe(progress: JobProgress): string[] {
  const { job, counts } = progress;
  const statuses = Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  const lines = [
    `job:       ${job.name} (${job.taskType.name}, label attribute ${job.labelAttribute})`,
    `manifest:  ${job.manifest.source} (${job.manifest.records} records${job.filter ? `, filter ${filterText(job.filter)} kept ${job.manifest.records - job.filteredOut}` : ''})`,
    `tasks:     ${job.tasks.length}: ${statuses}`,
    `reviewed:  ${progress.recordsReviewed} of ${progress.recordsTotal} records`,
  ];
  if (job.stoppedAt) lines.push(`stopped:   ${job.stoppedAt}`);
  if (progress.etaSeconds !== undefined) lines.push(`time left: about ${humanDuration(progress.etaSeconds)}`);
  if (counts.NotStarted > 0)
    lines.push(`${counts.NotStarted} task(s) not started${job.stoppedAt ? '' : ': run jobs start again'}`);
  return lines;
}

function filterText(filter: JobFilter): string {
  return filter.below !== undefined ? `${filter.field}<${filter.below}` : `${filter.field}=${String(filter.equals)}`;
}

function humanDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

async function wait(context: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { timeout: { type: 'string', default: '86400' }, interval: { type: 'string', default: '30' } },
  });
  const timeoutMs = Number(values.timeout) * 1000;
  const intervalMs = Number(values.interval) * 1000;
  if (!(timeoutMs > 0) || !(intervalMs > 0))
    throw usageError('--timeout and --interval must be positive numbers of seconds');
  const deps = await jobDeps(context);
  const job = await storedJob(deps, jobName(positionals));
  const started = context.now();
  for (;;) {
    const progress = await jobProgress(deps, job);
    const { counts } = progress;
    const eta = progress.etaSeconds === undefined ? '' : `, about ${humanDuration(progress.etaSeconds)} left`;
    context.io.progress(
      `${progress.recordsReviewed}/${progress.recordsTotal} records reviewed; tasks: ${counts.Completed} completed, ` +
        `${counts.InProgress} in progress${eta}`,
      progress.done,
    );
    if (progress.done) {
      for (const line of describe(progress)) context.io.out(line);
      return counts.Completed === job.tasks.length ? EXIT.ok : EXIT.failed;
    }
    if (counts.InProgress + counts.Stopping === 0) {
      for (const line of describe(progress)) context.io.out(line);
      throw new CliError(
        EXIT.failed,
        job.stoppedAt
          ? `${counts.NotStarted} task(s) never started before the job was stopped`
          : `${counts.NotStarted} task(s) never started: run jobs start ${job.name} again`,
      );
    }
    if (context.now() - started + intervalMs > timeoutMs)
      throw new CliError(EXIT.timeout, `Timed out with ${counts.InProgress} task(s) of ${job.name} in progress`);
    await context.sleep(intervalMs);
  }
}

async function stop(context: CliContext, args: string[]): Promise<number> {
  const deps = await jobDeps(context);
  const job = await storedJob(deps, jobName(args));
  const { stopped } = await stopJob(deps, job);
  context.io.out(`stopping ${stopped} task(s) of ${job.name}; export keeps the answers given so far`);
  return EXIT.ok;
}

// ---------------------------------------------------------------------------------------------------------------------

async function exportCommand(context: CliContext, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      training: { type: 'string' },
      columns: { type: 'string' },
      method: { type: 'string', default: 'auto' },
    },
  });
  const method = values.method as ConsolidationMethod | 'auto';
  if (method !== 'auto' && !(CONSOLIDATION_METHODS as readonly string[]).includes(method))
    throw usageError(`--method must be auto, ${CONSOLIDATION_METHODS.join(' or ')}`);
  if (values.training !== undefined && !/\.(jsonl|csv)$/.test(values.training))
    throw usageError('--training FILE must end in .jsonl or .csv');
  const deps = await jobDeps(context);
  const job = await storedJob(deps, jobName(positionals));
  const exported = await exportJobOutputs(deps, job, { method });
  const { result } = exported;
  if (values.out) context.io.writeFile(values.out, result.lines.map((line) => `${line}\n`).join(''));
  if (values.training) {
    const rows = trainingRows(exported, job);
    const columns = values.columns?.split(',').map((c) => c.trim()) ?? plainFields(rows);
    context.io.writeFile(
      values.training,
      values.training.endsWith('.csv')
        ? [['label', ...columns], ...rows.map((row) => [row.label, ...columns.map((c) => row.record[c])])]
            .map((cells) => cells.map(csvCell).join(','))
            .join('\r\n') + '\r\n'
        : rows
            .map((row) => `${JSON.stringify({ ...row.record, label: row.label, corrected: row.corrected })}\n`)
            .join(''),
    );
  }
  summarize(context, exported, values);
  return EXIT.ok;
}

interface TrainingRow {
  readonly record: Readonly<Record<string, unknown>>;
  /** The human label, a number when the class name is one (0, 1). */
  readonly label: string | number;
  /** Whether it differs from the record's prediction (agree-disagree task types). */
  readonly corrected: boolean | null;
}

function trainingRows(exported: ExportedJob, job: StoredJob): TrainingRow[] {
  const prediction = job.taskType.answer.kind === 'agree-disagree' ? job.taskType.answer.prediction : undefined;
  return exported.result.labeled.map(({ line, labels }) => {
    const record = exported.records.get(line) ?? {};
    const name = labels[0].label;
    const predicted = prediction === undefined ? undefined : pathValue(record, prediction);
    return {
      record,
      label: /^-?\d+(\.\d+)?$/.test(name) ? Number(name) : name,
      // The prediction field holds a class name or number (recordAnswers refuses any other).
      corrected:
        predicted === undefined ? null : (typeof predicted === 'number' ? String(predicted) : predicted) !== name,
    };
  });
}

/** Every field of the records holding a string, number or boolean, but source-ref, in first-seen order. */
function plainFields(rows: readonly TrainingRow[]): string[] {
  const fields = new Set<string>();
  for (const row of rows)
    for (const [key, value] of Object.entries(row.record))
      if (key !== 'source-ref' && ['string', 'number', 'boolean'].includes(typeof value)) fields.add(key);
  return [...fields];
}

function summarize(context: CliContext, exported: ExportedJob, files: { out?: string; training?: string }): void {
  const { result, outputManifestUri, reportUri } = exported;
  const { io } = context;
  io.out(
    `output manifest: ${outputManifestUri} (${result.labeled.length} labeled records, method ${result.method ?? 'none'})`,
  );
  if (files.out) io.out(`                 and ${files.out}`);
  if (files.training) io.out(`training rows:   ${files.training} (${result.labeled.length})`);
  io.out(`report:          ${reportUri}`);
  const reasons = new Map<string, number>();
  for (const entry of result.unlabeled) reasons.set(entry.reason, (reasons.get(entry.reason) ?? 0) + 1);
  if (reasons.size > 0)
    io.out(`unlabeled:       ${[...reasons].map(([reason, count]) => `${count} ${reason}`).join(', ')}`);
  const corrected = result.corrections.length;
  if (corrected > 0) io.out(`disagreed:       ${corrected} record(s) had a reviewer disagree with the prediction`);
  if (result.invalid.length > 0) io.out(`invalid answers: ${result.invalid.length} (left out; see the report)`);
  if (result.workerAccuracy.length > 0) {
    const rows = result.workerAccuracy.map((worker) => [
      worker.workerId,
      String(worker.answers),
      worker.accuracy === null ? '-' : worker.accuracy.toFixed(2),
    ]);
    for (const line of table([['WORKER', 'ANSWERS', 'ESTIMATED ACCURACY'], ...rows])) io.out(line);
  }
}
