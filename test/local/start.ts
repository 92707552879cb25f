import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DatasetRecord } from '../../common/dataset';
import type { LocalServer, LocalServerOptions } from '../../local/server';
import { startLocalServer } from '../../local/server';
import { builtInSentimentModel } from '../../local/model/model-backend';
import { S3Client } from '@aws-sdk/client-s3';
import { defaultContext } from '../../cli/context';
import { runCli } from '../../cli/main';
import { captureIo } from '../cli/capture-io';

export const REFERENCE_REVIEWS = [
  'I enjoy this product',
  'I am unhappy with this product',
  'It is okay',
  'sometimes it works',
];

/** Local mode on a free port over a new data folder, with fast queues and no console output. */
export async function startLocal(options: Partial<LocalServerOptions> = {}): Promise<LocalServer & { logs: string[] }> {
  const logs: string[] = [];
  const server = await startLocalServer({
    port: 0,
    dataDir: options.dataDir ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'local-mode-')), 'data'),
    model: builtInSentimentModel,
    confidenceThreshold: 0.9,
    taskCount: 1,
    taskAvailabilityLifetimeSeconds: 86_400,
    taskTemplate: 'sentiment',
    queueDelayMs: 20,
    log: (message) => logs.push(message),
    ...options,
  });
  return Object.assign(server, { logs });
}

/** Polls until `check` passes (queues and the collector work in the background). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** The dataset record the collector writes for a loop, once it is there. */
export function datasetRecord(server: LocalServer, name: string): Promise<DatasetRecord> {
  return eventually(() => {
    const object = server.objects
      .list('local-review-output', 'dataset/')
      .objects.find((o) => o.key.endsWith(`/${name}.jsonl`));
    if (!object) throw new Error('not collected yet');
    return JSON.parse(server.objects.get('local-review-output', object.key)!.body.toString('utf8')) as DatasetRecord;
  });
}

/** Sends the texts to `POST /predict` in one request: each prediction's loop name, or undefined when not reviewed. */
export async function predictLoops(
  server: LocalServer,
  requestId: string,
  texts: readonly string[],
): Promise<(string | undefined)[]> {
  const response = await fetch(`${server.url}/predict`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ requestId, instances: texts.map((text) => ({ features: [text] })) }),
  });
  if (response.status !== 200) throw new Error(`POST /predict answered ${response.status}: ${await response.text()}`);
  const { predictions } = (await response.json()) as { predictions: { humanReview: { humanLoopName?: string } }[] };
  return predictions.map((prediction) => prediction.humanReview.humanLoopName);
}

/** The operator CLI in-process against the local server, as a user runs it with `--local <url>`. */
export async function localCli(server: LocalServer, line: string[]) {
  const io = captureIo();
  const code = await runCli([...line, '--local', server.url], (target) => defaultContext(io, target), {});
  return { code, out: io.outLines.join('\n'), err: io.errLines.join('\n') };
}

/** An S3 client at the local server's emulator, configured as the CLI's in local mode. */
export function localS3(server: LocalServer): S3Client {
  return new S3Client({
    endpoint: `${server.url}/aws/s3`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** The objects of a JSON Lines text. */
export const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
