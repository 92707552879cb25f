/**
 * SQS SendMessage (AWS JSON 1.0) and delivery to a consumer handler with SQS-shaped events: a message the consumer
 * reports as failed is delivered again with backoff, and after `maxReceiveCount` receives it moves to the
 * dead-letter file in the data folder, as the queue's dead-letter queue would take it on AWS. Like SQS, the queue
 * keeps what it accepted: each message is a file in the queue's folder (written whole, then renamed into place) until
 * its handler succeeded, and a restart, even after the process was killed, delivers the ones left.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readJson, sendAwsError, sendJson } from './wire';

export interface QueueConsumer {
  readonly handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  readonly maxReceiveCount: number;
  /** Delay before the first delivery and between retries. */
  readonly delayMs: number;
}

interface StoredMessage {
  readonly body: string;
  /** Receives so far. */
  readonly receiveCount: number;
}

export class LocalQueue {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  /** `dir` holds the queue's messages; those found there (from before a restart) are delivered again. */
  constructor(
    readonly arn: string,
    private readonly consumer: QueueConsumer,
    private readonly dir: string,
    private readonly deadLetterFile: string,
    private readonly log: (message: string) => void,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    // A write cut short by a crash never reached its name: the message it was writing is in its previous file.
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))) fs.rmSync(path.join(dir, file));
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const messageId = path.basename(file, '.json');
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const message = storedMessage(text);
      if (message === undefined) {
        // A file nobody can deliver (cut short by a power cut, or edited) must not stop local mode from starting.
        this.deadLetter(messageId, text, `its file ${path.join(dir, file)} is not a stored message`);
        continue;
      }
      this.schedule(messageId, message.body, message.receiveCount + 1);
    }
  }

  /** Moves a message to the dead-letter file, with a line on the log saying why. */
  private deadLetter(messageId: string, body: string, why: string): void {
    fs.appendFileSync(
      this.deadLetterFile,
      `${JSON.stringify({ queue: this.arn, messageId, body, at: new Date().toISOString() })}\n`,
    );
    this.store(messageId, undefined);
    this.log(`A message of ${this.arn} moved to ${this.deadLetterFile}: ${why}`);
  }

  send(body: string): string {
    const messageId = randomUUID();
    this.store(messageId, { body, receiveCount: 0 });
    this.schedule(messageId, body, 1);
    return messageId;
  }

  private store(messageId: string, message: StoredMessage | undefined): void {
    const file = path.join(this.dir, `${messageId}.json`);
    if (message === undefined) {
      fs.rmSync(file, { force: true });
      return;
    }
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(message));
    fs.renameSync(`${file}.tmp`, file);
  }

  /**
   * Delivers nothing more and waits for the deliveries under way to end (at most `graceMs`). A message whose handler
   * had not succeeded by then stays in its file and is delivered after the next start.
   */
  async close(graceMs = 10_000): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(this.inFlight), grace]);
    clearTimeout(timer);
  }

  private schedule(messageId: string, body: string, receiveCount: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const delivery = this.deliver(messageId, body, receiveCount).finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }, this.consumer.delayMs * receiveCount);
    timer.unref();
    this.timers.add(timer);
  }

  private async deliver(messageId: string, body: string, receiveCount: number): Promise<void> {
    const event = {
      Records: [
        {
          messageId,
          receiptHandle: randomUUID(),
          body,
          attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(Date.now()) },
          messageAttributes: {},
          md5OfBody: createHash('md5').update(body).digest('hex'),
          eventSource: 'aws:sqs',
          eventSourceARN: this.arn,
          awsRegion: 'us-east-1',
        },
      ],
    } as unknown as SQSEvent;
    this.store(messageId, { body, receiveCount });
    const failed = await this.consumer
      .handler(event)
      .then((result) => result.batchItemFailures.length > 0)
      .catch(() => true);
    if (!failed) {
      this.store(messageId, undefined);
      return;
    }
    // Stopping cut this delivery short: the message waits for the next start, with no receive used up.
    if (this.closed) {
      this.store(messageId, { body, receiveCount: receiveCount - 1 });
      return;
    }
    if (receiveCount >= this.consumer.maxReceiveCount) {
      this.deadLetter(messageId, body, `it failed ${receiveCount} times`);
      return;
    }
    this.schedule(messageId, body, receiveCount + 1);
  }
}

/** A message file's content, or undefined when it is not one. */
function storedMessage(text: string): StoredMessage | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<StoredMessage> | null;
    if (typeof parsed?.body !== 'string' || !Number.isInteger(parsed.receiveCount) || parsed.receiveCount! < 0)
      return undefined;
    return { body: parsed.body, receiveCount: parsed.receiveCount! };
  } catch {
    return undefined;
  }
}

/** The one SQS operation the handlers call: SendMessage. */
export async function handleSqs(
  queues: Map<string, LocalQueue>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || target !== 'AmazonSQS.SendMessage') {
    return sendAwsError(res, 400, 'com.amazonaws.sqs#UnsupportedOperation', `${String(target)} is not emulated`);
  }
  const request = await readJson(req);
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    return sendAwsError(res, 400, 'com.amazonaws.sqs#InvalidParameterValue', 'The request body must be a JSON object');
  const { QueueUrl, MessageBody } = request as { QueueUrl?: string; MessageBody?: string };
  const queue = QueueUrl === undefined ? undefined : queues.get(QueueUrl);
  if (queue === undefined)
    return sendAwsError(
      res,
      400,
      'com.amazonaws.sqs#QueueDoesNotExist',
      `The specified queue does not exist: ${String(QueueUrl)}`,
    );
  if (typeof MessageBody !== 'string' || MessageBody.length === 0)
    return sendAwsError(res, 400, 'com.amazonaws.sqs#InvalidParameterValue', 'MessageBody is required');
  const messageId = queue.send(MessageBody);
  sendJson(
    res,
    200,
    { MessageId: messageId, MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex') },
    'application/x-amz-json-1.0',
  );
}
