/**
 * DynamoDB on loopback for the tests: dynalite speaks DynamoDB's wire protocol and checks requests as strictly as the
 * service (names, sizes, expressions), in memory. Each call gives a fresh server with the task table made.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTaskTableInput } from '../../common/task-table';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, number>) => Server;

export interface LocalDynamo {
  readonly url: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  close(): Promise<void>;
}

export async function startDynamo(tableName = 'review-tasks'): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await client.send(new CreateTableCommand(createTaskTableInput(tableName)));
  return {
    url,
    client,
    tableName,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
