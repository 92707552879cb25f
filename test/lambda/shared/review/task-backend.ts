/**
 * A task-based backend for the conformance suite: two flow definitions' review ports over one store, the workers'
 * side of the same loops, and a clock the test moves. Output documents land in `outputs`, announced ends in `ended`.
 */
import type { TaskStore } from '../../../../lambda/shared/review/task-store';
import { TaskLoops } from '../../../../lambda/shared/review/task-loops';
import { TaskReviewPort } from '../../../../lambda/shared/review/task-port';
import type { FlowSettings, LoopRecord } from '../../../../lambda/shared/review/tasks';
import { WorkerTasks } from '../../../../lambda/shared/review/worker-tasks';

const ACCOUNT_ARN = 'arn:aws:sagemaker:eu-west-1:123456789012';

export function flowSettings(name: string): FlowSettings {
  return {
    flowDefinitionArn: `${ACCOUNT_ARN}:flow-definition/${name}`,
    s3OutputPath: 's3://review-output/a2i-results',
    taskCount: 2,
    taskAvailabilityLifetimeSeconds: 3_600,
    taskTimeLimitSeconds: 600,
  };
}

export interface TaskBackend {
  readonly flow: FlowSettings;
  readonly loops: TaskLoops;
  readonly port: TaskReviewPort;
  readonly otherFlow: TaskReviewPort;
  readonly workers: WorkerTasks;
  readonly outputs: Map<string, string>;
  readonly ended: LoopRecord[];
  advance(seconds: number): void;
  now(): Date;
  answerAll(name: string): Promise<void>;
}

export function taskBackend(store: TaskStore, start = new Date('2026-11-21T10:00:00.000Z')): TaskBackend {
  let time = start.getTime();
  const now = () => new Date(time);
  const outputs = new Map<string, string>();
  const ended: LoopRecord[] = [];
  const flow = flowSettings('sentiment-review-0a1b2c3d');
  const loops = new TaskLoops(store, {
    now,
    identityIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test',
    announceEnd: (loop) => {
      ended.push(loop);
      return Promise.resolve();
    },
    writeOutput: ({ bucket, key }, document) => {
      outputs.set(`s3://${bucket}/${key}`, document);
      return Promise.resolve();
    },
  });
  const workers = new WorkerTasks(loops);
  return {
    flow,
    loops,
    port: new TaskReviewPort(loops, flow),
    otherFlow: new TaskReviewPort(loops, flowSettings('other-review-4e5f6a7b')),
    workers,
    outputs,
    ended,
    advance: (seconds) => {
      time += seconds * 1_000;
    },
    now,
    answerAll: async (name) => {
      for (let i = 1; i <= flow.taskCount; i++) {
        const worker = { id: `worker-${i}` };
        const lease = await workers.claim(name, worker);
        await workers.answer(name, worker, lease.token, { sentiment: { label: 'positive' } });
      }
    },
  };
}
