/** The review port over the task rules and a task store passes the conformance suite, on each store there is. */
import { MemoryTaskStore } from '../../../../local/memory-task-store';
import { DynamoTaskStore } from '../../../../lambda/shared/review/dynamo-task-store';
import { startDynamo } from '../../../helpers/dynalite';
import { reviewPortConformance } from './conformance';
import { taskBackend } from './task-backend';

describe('TaskReviewPort on the memory store', () => {
  reviewPortConformance(() => {
    const backend = taskBackend(new MemoryTaskStore());
    return Promise.resolve({
      ...backend,
      availabilityLifetimeSeconds: backend.flow.taskAvailabilityLifetimeSeconds,
      announced: () => backend.ended.map((loop) => loop.name),
      close: () => Promise.resolve(),
    });
  });
});

describe("TaskReviewPort on the self-hosted backend's DynamoDB store (dynalite)", () => {
  reviewPortConformance(async () => {
    const dynamo = await startDynamo();
    // Large inputs in memory here; on AWS they are objects in the output bucket.
    const largeInputs = new Map<string, string>();
    const backend = taskBackend(
      new DynamoTaskStore(dynamo.client, dynamo.tableName, {
        put: (key, content) => Promise.resolve(void largeInputs.set(key, content)),
        get: (key) => Promise.resolve(largeInputs.get(key) ?? ''),
      }),
    );
    return {
      ...backend,
      availabilityLifetimeSeconds: backend.flow.taskAvailabilityLifetimeSeconds,
      announced: () => backend.ended.map((loop) => loop.name),
      close: dynamo.close,
    };
  });
});
