/** results export: the training export of the dataset the collector writes (disputed and failed loops left out). */
import { GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { parseArgs } from 'node:util';
import { STACK_NAMES } from '../../common/contract';
import type { DatasetRecord } from '../../common/dataset';
import { isTrainingRecord } from '../../common/dataset';
import { mapWithConcurrency } from '../../lambda/shared/concurrency';
import type { CliContext } from '../context';
import { requiredOutput } from '../context';
import { explainAwsError, usageError } from '../errors';
import { csvCell, table } from '../io';

export const RESULTS_HELP = `Usage: review-pipeline results export --out FILE [--format jsonl|csv] [--since DATE]

  Writes every completed, undisputed review since DATE (by loop creation day, UTC) to FILE, one row per loop:
  input, label (the consolidated human label), model label and probability, agreement, whether the human
  overrode the model, loop name and creation time. Prints a summary: records, per label, override rate.

Reads the dataset location from the ReviewPipeline stack's DatasetUri output; with --local [URL] (or
REVIEW_PIPELINE_LOCAL), the local server's dataset (npm start).`;

const CSV_COLUMNS = [
  'input',
  'label',
  'model_label',
  'model_probability',
  'agreement',
  'overrides_model',
  'human_loop_name',
  'created_at',
] as const;

export async function results(context: CliContext, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'export') throw usageError(`Unknown results command "${action ?? ''}".\n\n${RESULTS_HELP}`);
  const { values } = parseArgs({
    args: rest,
    options: { format: { type: 'string', default: 'jsonl' }, since: { type: 'string' }, out: { type: 'string' } },
  });
  if (values.format !== 'jsonl' && values.format !== 'csv') throw usageError('--format must be jsonl or csv');
  if (!values.out) throw usageError(`results export needs --out FILE.\n\n${RESULTS_HELP}`);
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (since !== undefined && Number.isNaN(since.getTime())) throw usageError('--since must be a date, like 2026-11-01');

  const datasetUri = await requiredOutput(context, STACK_NAMES.pipeline, 'DatasetUri');
  const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(datasetUri) ?? [];
  const records = await readDataset(context, bucket, prefix, since);
  const training = records.filter(isTrainingRecord);

  const rows = training.map(exportRow);
  const content =
    values.format === 'jsonl'
      ? rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '')
      : [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((column) => csvCell(row[column])).join(','))].join(
          '\r\n',
        ) + '\r\n';
  context.io.writeFile(values.out, content);
  summarize(context, records, training, values.out);
  return 0;
}

async function readDataset(
  context: CliContext,
  bucket: string,
  prefix: string,
  since: Date | undefined,
): Promise<DatasetRecord[]> {
  const keys: string[] = [];
  try {
    for await (const page of paginateListObjectsV2({ client: context.s3 }, { Bucket: bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) if (object.Key && inRange(object.Key, since)) keys.push(object.Key);
      context.io.progress(`listing the dataset: ${keys.length} records`);
    }
    let read = 0;
    const texts = await mapWithConcurrency(keys, 8, async (key) => {
      const object = await context.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = (await object.Body?.transformToString('utf-8')) ?? '';
      read += 1;
      if (read % 25 === 0 || read === keys.length)
        context.io.progress(`reading records: ${read}/${keys.length}`, read === keys.length);
      return text;
    });
    const records = texts.flatMap((text) =>
      text
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as DatasetRecord),
    );
    return records;
  } catch (error) {
    throw explainAwsError(error);
  }
}

/** Keys carry the loop's creation day: `.../year=YYYY/month=MM/day=DD/<loop>.jsonl`. */
function inRange(key: string, since: Date | undefined): boolean {
  if (since === undefined) return true;
  const match = /year=(\d{4})\/month=(\d{2})\/day=(\d{2})\//.exec(key);
  if (!match) return false;
  const day = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return day >= Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate());
}

function exportRow(record: DatasetRecord) {
  return {
    input: record.input,
    label: record.human?.label ?? null,
    model_label: record.model.label ?? null,
    model_probability: record.model.probability ?? null,
    agreement: record.human?.agreement ?? null,
    overrides_model: record.human?.overridesModel ?? null,
    human_loop_name: record.humanLoopName,
    created_at: record.createdAt,
  };
}

function summarize(context: CliContext, all: DatasetRecord[], training: DatasetRecord[], out: string): void {
  const disputed = all.filter((r) => r.status === 'Completed' && r.human?.disputed).length;
  const ended = all.filter((r) => r.status !== 'Completed').length;
  const perLabel = new Map<string, number>();
  for (const record of training)
    perLabel.set(String(record.human?.label), (perLabel.get(String(record.human?.label)) ?? 0) + 1);
  const overrides = training.filter((r) => r.human?.overridesModel === true).length;
  const { io } = context;
  io.err(`wrote ${training.length} records to ${out} (left out: ${disputed} disputed, ${ended} failed or stopped)`);
  if (training.length > 0) {
    const rows = [...perLabel].sort(([a], [b]) => a.localeCompare(b)).map(([label, count]) => [label, String(count)]);
    for (const line of table([['LABEL', 'RECORDS'], ...rows])) io.err(line);
    io.err(
      `override rate: ${((100 * overrides) / training.length).toFixed(1)}% (${overrides} of ${training.length} human labels differ from the model's)`,
    );
  }
}
