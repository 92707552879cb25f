/** The DynamoDB task store keeps the task store contract, over DynamoDB's wire protocol (dynalite). */
import { DynamoTaskStore } from '../../../../lambda/shared/review/dynamo-task-store';
import { startDynamo } from '../../../helpers/dynalite';
import { taskStoreContract } from './task-store-contract';

describe('DynamoTaskStore', () => {
  taskStoreContract(async () => {
    const dynamo = await startDynamo();
    return { store: new DynamoTaskStore(dynamo.client, dynamo.tableName), close: dynamo.close };
  });
});
