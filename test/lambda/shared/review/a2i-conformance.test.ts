/**
 * The A2I adapter passes the conformance suite over A2I's wire protocol: the real SDK client against local mode's A2I
 * emulator on loopback, with two flow definitions in one account.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { A2iReviewPort } from '../../../../lambda/shared/review/a2i';
import { handleRuntimeApi } from '../../../../local/runtime-api-http';
import { MemoryTaskStore } from '../../../../local/memory-task-store';
import { reviewPortConformance } from './conformance';
import { taskBackend } from './task-backend';

reviewPortConformance(async () => {
  const backend = taskBackend(new MemoryTaskStore());
  const flows = new Map([
    [backend.port.flowDefinitionArn, backend.port],
    [backend.otherFlow.flowDefinitionArn, backend.otherFlow],
  ]);
  const server = http.createServer((req, res) => void handleRuntimeApi(flows, req, res, req.url ?? '/'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new SageMakerA2IRuntimeClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    port: new A2iReviewPort(client, backend.port.flowDefinitionArn),
    otherFlow: new A2iReviewPort(client, backend.otherFlow.flowDefinitionArn),
    availabilityLifetimeSeconds: backend.flow.taskAvailabilityLifetimeSeconds,
    advance: backend.advance,
    now: backend.now,
    answerAll: backend.answerAll,
    announced: () => backend.ended.map((loop) => loop.name),
    close: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
