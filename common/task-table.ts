/**
 * The self-hosted review backend's DynamoDB table: its key, its two indexes and the attributes they use. One place for
 * the store (lambda/shared/review/dynamo-task-store.ts), the CDK construct that creates the table, local mode and the
 * tests, so that none of them can disagree on a name.
 *
 * An item is one loop: `name` (the key), `version` (optimistic concurrency), `record` (the loop, as JSON text), and
 * the index keys:
 * - byCreation: `flow` (the flow definition ARN) and `created` (`<createdAt>#<name>`): A2I's ListHumanLoops, a page
 *   at a time in either order, between two creation times;
 * - byDue: `pending` (present, always PENDING, only while the loop has a step due: a sparse index) and `due`
 *   (`<dueAt>#<name>`): the loops the sweeper and the workers' queues read, soonest due first.
 */
export const TASK_TABLE = {
  key: 'name',
  version: 'version',
  record: 'record',
  byCreation: { indexName: 'byCreation', partitionKey: 'flow', sortKey: 'created' },
  byDue: { indexName: 'byDue', partitionKey: 'pending', sortKey: 'due' },
  /** The value of `pending` on every pending loop. */
  pendingValue: 'PENDING',
  /**
   * The item holding the key that signs page cursors (`secret`, 32 random bytes, made by the first store that needs
   * it): not a loop name (loop names have no `#`), and in no index.
   */
  cursorKeyItem: '#page-cursor-key',
  cursorKeyAttribute: 'secret',
} as const;

/** The table as DynamoDB's CreateTable takes it (local mode and the tests; the CDK construct says the same). */
export function createTaskTableInput(tableName: string) {
  const { byCreation, byDue } = TASK_TABLE;
  const index = (definition: { indexName: string; partitionKey: string; sortKey: string }) => ({
    IndexName: definition.indexName,
    KeySchema: [
      { AttributeName: definition.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: definition.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      TASK_TABLE.key,
      byCreation.partitionKey,
      byCreation.sortKey,
      byDue.partitionKey,
      byDue.sortKey,
    ].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [{ AttributeName: TASK_TABLE.key, KeyType: 'HASH' as const }],
    GlobalSecondaryIndexes: [index(byCreation), index(byDue)],
  };
}
