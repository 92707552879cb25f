/**
 * What local mode prints as it works, one readable line per event: a prediction batch and each loop it started (or
 * found already started by an earlier request with the same requestId), an answer, a loop's end and a dataset
 * record written, with where to look.
 */
import * as path from 'node:path';

interface PredictedItem {
  readonly id?: unknown;
  readonly predictedLabel?: unknown;
  readonly probability?: unknown;
  readonly humanReview?: {
    readonly status?: string;
    readonly humanLoopName?: string;
    readonly alreadyStarted?: boolean;
  };
}

export interface PredictBatch {
  /** The request's body as sent. */
  readonly requestBody: string;
  readonly status: number;
  /** The API's answer. */
  readonly responseBody: string;
  /** When the request came in, on the review backend's clock. */
  readonly receivedAt: Date;
}

/** When a loop was created, or undefined when there is no such loop. */
export type LoopCreatedAt = (name: string) => Promise<Date | undefined>;

/** The lines for one POST /predict: the batch, then one per loop started or found. */
export async function predictLines(batch: PredictBatch, createdAt: LoopCreatedAt, url: string): Promise<string[]> {
  // A refused request is named by what was wrong with it, not by what it held: its text never reaches the log.
  if (batch.status !== 200) return [`POST /predict: answered ${batch.status}${refusalOf(batch.responseBody)}`];
  const requestId = requestIdOf(batch.requestBody);
  const label = requestId === undefined ? 'POST /predict' : `POST /predict (requestId ${JSON.stringify(requestId)})`;
  const { threshold, predictions = [] } = JSON.parse(batch.responseBody) as {
    threshold?: number;
    predictions?: PredictedItem[];
  };
  const reviewed = predictions.filter((item) => item.humanReview?.humanLoopName !== undefined);
  // One lookup per loop, all at once: the answer waits for these lines.
  const created = new Map(
    await Promise.all(reviewed.map(async (item) => [item, await createdAt(item.humanReview!.humanLoopName!)] as const)),
  );
  const lines: string[] = [];
  let earlier = 0;
  for (const [index, item] of predictions.entries()) {
    const review = item.humanReview;
    const name = review?.humanLoopName;
    if (name === undefined) continue;
    const loopCreated = created.get(item);
    const before = review?.alreadyStarted === true || (loopCreated !== undefined && loopCreated < batch.receivedAt);
    if (before) earlier += 1;
    const what = `prediction ${index + 1} (label ${String(item.predictedLabel)} at ${String(item.probability)})`;
    lines.push(
      review?.status !== 'started'
        ? `human loop ${name} ${String(review?.status)} for ${what}`
        : before
          ? `human loop ${name} already exists for ${what}: ${url}/loops/${name}`
          : `human loop ${name} started for ${what}`,
    );
  }
  const summary =
    `${label}: ${count(predictions.length, 'prediction')}, ${reviewed.length} under the threshold ${String(threshold)}` +
    (earlier > 0
      ? `; ${earlier === reviewed.length ? 'all' : earlier} of their loops already existed (an earlier request with this requestId started them; send a new requestId for new reviews)`
      : '');
  return [summary, ...lines];
}

export function answerLine(loopName: string, workerName: string): string {
  return `answer to human loop ${loopName} from ${workerName}`;
}

/** The line for a dataset record put in the local S3 store: the file it is in. */
export function datasetRecordLine(objectsRoot: string, bucket: string, key: string): string {
  const loop = path.basename(key, '.jsonl');
  return `dataset record for human loop ${loop} written: ${path.join(objectsRoot, bucket, ...key.split('/'))}`;
}

function requestIdOf(body: string): string | undefined {
  try {
    const { requestId } = JSON.parse(body) as { requestId?: unknown };
    return typeof requestId === 'string' ? requestId : undefined;
  } catch {
    return undefined;
  }
}

/** The API's error code and the field it names, as ` BadRequest (field instances)`, or '' when it gave none. */
function refusalOf(body: string): string {
  try {
    const { error, field } = JSON.parse(body) as { error?: unknown; field?: unknown };
    const code = typeof error === 'string' ? ` ${error}` : '';
    return typeof field === 'string' ? `${code} (field ${field})` : code;
  } catch {
    return '';
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
