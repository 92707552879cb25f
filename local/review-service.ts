/**
 * What A2I does with human loops, on one machine: start with its validations, describe, list, stop, delete, the
 * status transitions (InProgress -> Completed | Failed (Expired) | Stopping -> Stopped), workers' answers, and the
 * output.json of a completed loop written with AWS's exact shape and key layout.
 */
import { CONTENT_CLASSIFIERS } from '../common/contract';
import { isA2iName } from '../common/names';
import type { LoopStatus, LoopStore, StoredAnswer, StoredLoop } from './loop-store';
import type { ObjectStore } from './object-store';

export const INPUT_CONTENT_MAX_CHARS = 3_145_728;

export interface FlowDefinitionSettings {
  readonly arn: string;
  readonly name: string;
  /** `s3://bucket/prefix` */
  readonly s3OutputPath: string;
  readonly taskCount: number;
  readonly taskAvailabilityLifetimeSeconds: number;
}

/** An error A2I would answer, with its HTTP status and error type. */
export class A2iError extends Error {
  constructor(
    readonly status: number,
    readonly type:
      'ValidationException' | 'ResourceNotFoundException' | 'ConflictException' | 'ServiceQuotaExceededException',
    message: string,
  ) {
    super(message);
  }
}

export interface Worker {
  readonly id: string;
  readonly name: string;
}

export class LocalReviewService {
  private readonly account: string;
  private readonly region: string;

  constructor(
    private readonly loops: LoopStore,
    private readonly objects: ObjectStore,
    readonly flowDefinition: FlowDefinitionSettings,
    /** Called once a loop has ended (Completed, Failed, Stopped), to deliver the status-change event. */
    private readonly onEnded: (loop: StoredLoop) => void,
    private readonly now: () => Date = () => new Date(),
  ) {
    const [, , , region = 'us-east-1', account = '000000000000'] = flowDefinition.arn.split(':');
    this.region = region;
    this.account = account;
  }

  start(request: {
    HumanLoopName?: unknown;
    FlowDefinitionArn?: unknown;
    HumanLoopInput?: { InputContent?: unknown };
    DataAttributes?: { ContentClassifiers?: unknown };
  }): StoredLoop {
    const name = request.HumanLoopName;
    if (typeof name !== 'string' || !isA2iName(name)) {
      throw new A2iError(
        400,
        'ValidationException',
        `HumanLoopName ${JSON.stringify(name)} must match [a-z0-9](-*[a-z0-9])* and have 1-63 characters`,
      );
    }
    if (request.FlowDefinitionArn !== this.flowDefinition.arn) {
      throw new A2iError(
        404,
        'ResourceNotFoundException',
        `Flow definition ${String(request.FlowDefinitionArn)} does not exist`,
      );
    }
    const input = request.HumanLoopInput?.InputContent;
    if (typeof input !== 'string' || input.length === 0 || input.length > INPUT_CONTENT_MAX_CHARS) {
      throw new A2iError(
        400,
        'ValidationException',
        `HumanLoopInput.InputContent must be a string of 1-${INPUT_CONTENT_MAX_CHARS} characters`,
      );
    }
    try {
      JSON.parse(input);
    } catch {
      throw new A2iError(400, 'ValidationException', 'HumanLoopInput.InputContent must be valid JSON');
    }
    const classifiers = request.DataAttributes?.ContentClassifiers;
    if (
      classifiers !== undefined &&
      (!Array.isArray(classifiers) ||
        !classifiers.every((c) => (CONTENT_CLASSIFIERS as readonly unknown[]).includes(c)))
    ) {
      throw new A2iError(
        400,
        'ValidationException',
        `DataAttributes.ContentClassifiers must hold only ${CONTENT_CLASSIFIERS.join(', ')}`,
      );
    }
    if (this.loops.get(name) !== undefined) {
      throw new A2iError(409, 'ConflictException', `A human loop named ${name} already exists`);
    }
    const loop: StoredLoop = {
      name,
      arn: `arn:aws:sagemaker:${this.region}:${this.account}:human-loop/${name}`,
      flowDefinitionArn: this.flowDefinition.arn,
      creationTime: this.now().toISOString(),
      inputContent: input,
      contentClassifiers: classifiers as string[] | undefined,
      status: 'InProgress',
      answers: [],
    };
    this.loops.save(loop);
    return loop;
  }

  describe(name: string): StoredLoop {
    const loop = this.loops.get(name);
    if (loop === undefined) throw new A2iError(404, 'ResourceNotFoundException', `Human loop ${name} does not exist`);
    return this.expireIfDue(loop);
  }

  list(query: {
    flowDefinitionArn?: string | null;
    after?: Date;
    before?: Date;
    ascending: boolean;
    maxResults: number;
    offset: number;
  }) {
    if (!query.flowDefinitionArn) throw new A2iError(400, 'ValidationException', 'FlowDefinitionArn is required');
    const matching = this.loops
      .all()
      .filter((loop) => loop.flowDefinitionArn === query.flowDefinitionArn)
      .filter(
        (loop) =>
          (query.after === undefined || new Date(loop.creationTime) > query.after) &&
          (query.before === undefined || new Date(loop.creationTime) < query.before),
      )
      .sort(
        (a, b) =>
          (query.ascending ? 1 : -1) * (a.creationTime.localeCompare(b.creationTime) || a.name.localeCompare(b.name)),
      )
      .map((loop) => this.expireIfDue(loop));
    const page = matching.slice(query.offset, query.offset + query.maxResults);
    return {
      loops: page,
      nextOffset: query.offset + query.maxResults < matching.length ? query.offset + query.maxResults : undefined,
    };
  }

  stop(name: string): void {
    const loop = this.describe(name);
    if (loop.status !== 'InProgress')
      throw new A2iError(
        400,
        'ValidationException',
        `Human loop ${name} is ${loop.status}; only InProgress loops can be stopped`,
      );
    this.transition(loop, 'Stopping');
    setTimeout(() => {
      this.transition(loop, 'Stopped');
      this.onEnded(loop);
    }, 200).unref();
  }

  delete(name: string): void {
    const loop = this.describe(name);
    if (!['Completed', 'Failed', 'Stopped'].includes(loop.status)) {
      throw new A2iError(
        400,
        'ValidationException',
        `Human loop ${name} is ${loop.status}; only Completed, Failed or Stopped loops can be deleted`,
      );
    }
    this.loops.delete(name);
  }

  /** The loops this worker can still work on, oldest first. */
  openTasks(worker: Worker): StoredLoop[] {
    return this.loops
      .all()
      .map((loop) => this.expireIfDue(loop))
      .filter((loop) => loop.status === 'InProgress' && !loop.answers.some((a) => a.workerId === worker.id))
      .sort((a, b) => a.creationTime.localeCompare(b.creationTime));
  }

  /** Records a worker's answer; with TaskCount answers the loop completes and its output.json is written. */
  submitAnswer(
    name: string,
    worker: Worker,
    answer: { answerContent: Record<string, unknown>; acceptanceTime: string },
  ): StoredLoop {
    const loop = this.describe(name);
    if (loop.status !== 'InProgress')
      throw new A2iError(400, 'ValidationException', `Human loop ${name} is ${loop.status}; it takes no more answers`);
    if (loop.answers.some((a) => a.workerId === worker.id))
      throw new A2iError(409, 'ConflictException', `${worker.name} has already answered ${name}`);
    const submitted = this.now();
    const parsed = new Date(answer.acceptanceTime);
    const accepted = Number.isNaN(parsed.getTime()) ? submitted : parsed;
    const stored: StoredAnswer = {
      workerId: worker.id,
      workerName: worker.name,
      answerContent: answer.answerContent,
      acceptanceTime: accepted.toISOString(),
      submissionTime: submitted.toISOString(),
      timeSpentInSeconds: Math.max(0, Math.round((submitted.getTime() - accepted.getTime()) / 10) / 100),
    };
    loop.answers.push(stored);
    if (loop.answers.length >= this.flowDefinition.taskCount) {
      loop.outputS3Uri = this.writeOutput(loop);
      this.transition(loop, 'Completed');
      this.onEnded(loop);
    } else {
      this.loops.save(loop);
    }
    return loop;
  }

  /** A2I's key: `<S3OutputPath>/<flow definition name>/YYYY/MM/DD/hh/mm/ss/<loop name>/output.json` (creation time, UTC). */
  outputKey(loop: StoredLoop): { bucket: string; key: string } {
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(this.flowDefinition.s3OutputPath) ?? [];
    const t = new Date(loop.creationTime);
    const pad = (n: number) => String(n).padStart(2, '0');
    const stamp = [
      t.getUTCFullYear(),
      pad(t.getUTCMonth() + 1),
      pad(t.getUTCDate()),
      pad(t.getUTCHours()),
      pad(t.getUTCMinutes()),
      pad(t.getUTCSeconds()),
    ].join('/');
    return {
      bucket,
      key: [prefix, this.flowDefinition.name, stamp, loop.name, 'output.json'].filter(Boolean).join('/'),
    };
  }

  private writeOutput(loop: StoredLoop): string {
    const { bucket, key } = this.outputKey(loop);
    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/local-workers`;
    const output = {
      flowDefinitionArn: loop.flowDefinitionArn,
      humanAnswers: loop.answers.map((a) => ({
        acceptanceTime: a.acceptanceTime,
        answerContent: a.answerContent,
        submissionTime: a.submissionTime,
        timeSpentInSeconds: a.timeSpentInSeconds,
        workerId: a.workerId,
        workerMetadata: { identityData: { identityProviderType: 'Cognito', issuer, sub: a.workerId } },
      })),
      humanLoopName: loop.name,
      inputContent: JSON.parse(loop.inputContent) as unknown,
    };
    this.objects.put(bucket, key, Buffer.from(JSON.stringify(output)), 'application/json');
    return `s3://${bucket}/${key}`;
  }

  private expireIfDue(loop: StoredLoop): StoredLoop {
    const age = (this.now().getTime() - new Date(loop.creationTime).getTime()) / 1000;
    if (loop.status === 'InProgress' && age > this.flowDefinition.taskAvailabilityLifetimeSeconds) {
      loop.failureCode = 'Expired';
      loop.failureReason = `No worker completed the task within ${this.flowDefinition.taskAvailabilityLifetimeSeconds} seconds`;
      this.transition(loop, 'Failed');
      this.onEnded(loop);
    }
    return loop;
  }

  private transition(loop: StoredLoop, status: LoopStatus): void {
    loop.status = status;
    this.loops.save(loop);
  }
}
