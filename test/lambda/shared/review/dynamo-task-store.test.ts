/** The DynamoDB task store keeps the task store contract, over DynamoDB's wire protocol (dynalite), and shares its
 * page cursor key with every store over the same table. */
import { DynamoTaskStore } from '../../../../lambda/shared/review/dynamo-task-store';
import { startLoop } from '../../../../lambda/shared/review/tasks';
import { startDynamo } from '../../../helpers/dynalite';
import { flowSettings } from './task-backend';
import { taskStoreContract } from './task-store-contract';

describe('DynamoTaskStore', () => {
  taskStoreContract(async () => {
    const dynamo = await startDynamo();
    return { store: new DynamoTaskStore(dynamo.client, dynamo.tableName), close: dynamo.close };
  });
});

test('every store over one table takes the cursors of the others (Lambda instances share a table, not memory)', async () => {
  const dynamo = await startDynamo();
  try {
    const [first, second] = [0, 1].map(() => new DynamoTaskStore(dynamo.client, dynamo.tableName));
    const flow = flowSettings('sentiment-review-0a1b2c3d');
    for (const name of ['a', 'b'])
      await first.putIfAbsent(startLoop(undefined, { name, input: {} }, flow, new Date()).loop);
    const query = { flowDefinitionArn: flow.flowDefinitionArn, ascending: true, limit: 1 };
    // Both ask for the key at once: one writes it, both use the same.
    const [page] = await Promise.all([first.listByCreationTime(query), second.listByCreationTime(query)]);
    const next = await new DynamoTaskStore(dynamo.client, dynamo.tableName).listByCreationTime({
      ...query,
      cursor: page.cursor,
    });
    expect(next.loops.map((loop) => loop.name)).toEqual(['b']);
    // The key's item is no loop: in no index, so never listed or swept.
    expect(await first.listPending(new Date(8.64e15), 10)).toHaveLength(2);
  } finally {
    await dynamo.close();
  }
});
