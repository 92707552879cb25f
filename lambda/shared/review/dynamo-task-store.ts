/**
 * The task store on DynamoDB (the self-hosted backend on AWS, and local mode through dynalite): one item per loop,
 * every change a conditional write on the version the writer read, reads of one loop strongly consistent. The two
 * listings read indexes (common/task-table.ts), which are eventually consistent: a listing can show a loop as it was
 * a moment ago, which is why every change goes through `changeLoop` (task-store.ts) and reads the loop again first.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { TASK_TABLE } from '../../../common/task-table';
import type { CreationTimeQuery, TaskStore } from './task-store';
import { CursorCodec, CursorError, newCursorKey } from './task-store';
import type { LoopRecord } from './tasks';
import { dueAt, isPending } from './tasks';

type Item = Record<string, AttributeValue>;

/**
 * Where inputs too large for an item live (DynamoDB items stop at 400 KB; A2I takes inputs of 3 MiB): S3 on AWS.
 * Keys are derived from the loop and the input's hash, so writing one again is harmless.
 */
export interface LargeInputs {
  put(key: string, content: string): Promise<void>;
  get(key: string): Promise<string>;
}

/** Inputs above this many bytes are kept in LargeInputs: the rest of the item (answers, claims) keeps its room. */
export const INLINE_INPUT_MAX_BYTES = 100 * 1024;

const { key, version, record, byCreation, byDue } = TASK_TABLE;
/** Sorts after every name: an index key `<time>#<name>` with it is past every loop of that time. */
const AFTER_EVERY_NAME = '#\uffff';

export class DynamoTaskStore implements TaskStore {
  private cursors?: Promise<CursorCodec>;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly largeInputs?: LargeInputs,
  ) {}

  async get(name: string): Promise<LoopRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { [key]: { S: name } }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : this.loopOf(Item);
  }

  async putIfAbsent(loop: LoopRecord): Promise<boolean> {
    const inputKey = inputKeyOf(loop);
    if (inputKey !== undefined) await this.inputs(loop.name).put(inputKey, loop.inputContent);
    return this.conditionally(
      new PutItemCommand({
        TableName: this.tableName,
        Item: itemOf(loop),
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': key },
      }),
    );
  }

  replace(loop: LoopRecord, expectedVersion: number): Promise<boolean> {
    return this.conditionally(
      new PutItemCommand({
        TableName: this.tableName,
        Item: itemOf(loop),
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': version },
        ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
      }),
    );
  }

  delete(name: string, expectedVersion: number): Promise<boolean> {
    return this.conditionally(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { [key]: { S: name } },
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': version },
        ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
      }),
    );
  }

  async listPending(before: Date, limit: number): Promise<LoopRecord[]> {
    const loops: LoopRecord[] = [];
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: byDue.indexName,
          KeyConditionExpression: '#pending = :pending AND #due <= :by',
          ExpressionAttributeNames: { '#pending': byDue.partitionKey, '#due': byDue.sortKey },
          ExpressionAttributeValues: {
            ':pending': { S: TASK_TABLE.pendingValue },
            ':by': { S: `${sortableTime(before)}${AFTER_EVERY_NAME}` },
          },
          Limit: limit - loops.length,
          ExclusiveStartKey: start,
        }),
      );
      loops.push(...(await Promise.all((page.Items ?? []).map((item) => this.loopOf(item)))));
      start = page.LastEvaluatedKey;
    } while (start !== undefined && loops.length < limit);
    return loops;
  }

  async listByCreationTime(
    query: CreationTimeQuery,
  ): Promise<{ readonly loops: LoopRecord[]; readonly cursor?: string }> {
    const cursors = await this.cursorCodec();
    const range = creationRange(query);
    // One more than the page: a cursor only when another page has loops, as the other stores give it.
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: byCreation.indexName,
      KeyConditionExpression: `#flow = :flow${range.condition}`,
      ExpressionAttributeNames: {
        '#flow': byCreation.partitionKey,
        ...(range.condition ? { '#created': byCreation.sortKey } : {}),
      },
      ExpressionAttributeValues: { ':flow': { S: query.flowDefinitionArn }, ...range.values },
      ScanIndexForward: query.ascending,
      ExclusiveStartKey:
        query.cursor === undefined ? undefined : startKey(cursors.decode(query.cursor), query.flowDefinitionArn),
    };
    const loops: LoopRecord[] = [];
    let start = input.ExclusiveStartKey;
    do {
      const page = await this.queryPage({ ...input, ExclusiveStartKey: start, Limit: query.limit + 1 - loops.length });
      loops.push(...(await Promise.all((page.Items ?? []).map((item) => this.loopOf(item)))));
      start = page.LastEvaluatedKey;
    } while (start !== undefined && loops.length <= query.limit);
    const pageLoops = loops.slice(0, query.limit);
    const last = pageLoops.at(-1);
    return {
      loops: pageLoops,
      cursor: loops.length > query.limit && last !== undefined ? cursors.encode(last) : undefined,
    };
  }

  /** The table's cursor key, read once (and made once, by whichever store comes first). */
  private cursorCodec(): Promise<CursorCodec> {
    this.cursors ??= this.cursorKey().then(
      (cursorKey) => new CursorCodec(cursorKey),
      (error: unknown) => {
        this.cursors = undefined;
        throw error;
      },
    );
    return this.cursors;
  }

  private async cursorKey(): Promise<Buffer> {
    const { cursorKeyItem, cursorKeyAttribute } = TASK_TABLE;
    const read = async () => {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { [key]: { S: cursorKeyItem } }, ConsistentRead: true }),
      );
      return Item?.[cursorKeyAttribute]?.B;
    };
    const found = await read();
    if (found !== undefined) return Buffer.from(found);
    await this.conditionally(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { [key]: { S: cursorKeyItem }, [cursorKeyAttribute]: { B: newCursorKey() } },
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': key },
      }),
    );
    // Ours, or the one another store wrote first.
    const stored = await read();
    if (stored === undefined) throw new Error(`Task table ${this.tableName} has no page cursor key after writing one`);
    return Buffer.from(stored);
  }

  /** The loop of an item, its input read back from LargeInputs when the item holds only its key. */
  private async loopOf(item: Item): Promise<LoopRecord> {
    const text = item[record]?.S;
    if (text === undefined) throw new Error(`Task table item ${item[key]?.S ?? '?'} has no ${record}`);
    const loop = JSON.parse(text) as LoopRecord & { inputKey?: string };
    if (loop.inputKey === undefined) return loop;
    const { inputKey, ...rest } = loop;
    return { ...rest, inputContent: await this.inputs(loop.name).get(inputKey) };
  }

  private inputs(name: string): LargeInputs {
    if (this.largeInputs === undefined)
      throw new Error(
        `Human loop ${name} has an input over ${INLINE_INPUT_MAX_BYTES} bytes and this store has no LargeInputs`,
      );
    return this.largeInputs;
  }

  private async queryPage(input: QueryCommandInput) {
    try {
      return await this.client.send(new QueryCommand(input));
    } catch (error) {
      // A start key outside the query's range: a cursor of another query, or made up.
      if (input.ExclusiveStartKey !== undefined && (error as Error).name === 'ValidationException')
        throw new CursorError('NextToken is not a token this backend gave');
      throw error;
    }
  }

  private async conditionally(command: PutItemCommand | DeleteItemCommand): Promise<boolean> {
    try {
      await this.client.send(command as PutItemCommand);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** `due` keys compare as text: a time past year 9999 (`+275760-...`) would sort before every loop. */
function sortableTime(date: Date): string {
  return date.getTime() >= LAST_SORTABLE_TIME.getTime() ? LAST_SORTABLE_TIME.toISOString() : date.toISOString();
}
const LAST_SORTABLE_TIME = new Date('9999-12-31T23:59:59.999Z');

/** The key a large input is kept under (the same for every version of the loop), or undefined to keep it inline. */
function inputKeyOf(loop: LoopRecord): string | undefined {
  if (Buffer.byteLength(loop.inputContent) <= INLINE_INPUT_MAX_BYTES) return undefined;
  return `inputs/${loop.name}/${createHash('sha256').update(loop.inputContent).digest('hex')}.json`;
}

function itemOf(loop: LoopRecord): Item {
  const inputKey = inputKeyOf(loop);
  const stored = inputKey === undefined ? loop : { ...loop, inputContent: undefined, inputKey };
  return {
    [key]: { S: loop.name },
    [version]: { N: String(loop.version) },
    [record]: { S: JSON.stringify(stored) },
    [byCreation.partitionKey]: { S: loop.flowDefinitionArn },
    [byCreation.sortKey]: { S: `${loop.createdAt}#${loop.name}` },
    ...(isPending(loop)
      ? {
          [byDue.partitionKey]: { S: TASK_TABLE.pendingValue },
          [byDue.sortKey]: { S: `${dueAt(loop)}#${loop.name}` },
        }
      : {}),
  };
}

/** The key condition on creation time: after and before are both exclusive. */
function creationRange(query: CreationTimeQuery): { condition: string; values: Item } {
  const after = query.after && { S: `${query.after.toISOString()}${AFTER_EVERY_NAME}` };
  // `<time>#` sorts before every `<time>#<name>`: loops created at `before` are out.
  const before = query.before && { S: `${query.before.toISOString()}#` };
  if (after && before)
    return { condition: ' AND #created BETWEEN :after AND :before', values: { ':after': after, ':before': before } };
  if (after) return { condition: ' AND #created > :after', values: { ':after': after } };
  if (before) return { condition: ' AND #created < :before', values: { ':before': before } };
  return { condition: '', values: {} };
}

/** Where the next page starts: after the cursor's loop, in the query's own flow definition whatever the cursor says. */
function startKey({ createdAt, name }: { createdAt: string; name: string }, flowDefinitionArn: string): Item {
  return {
    [key]: { S: name },
    [byCreation.partitionKey]: { S: flowDefinitionArn },
    [byCreation.sortKey]: { S: `${createdAt}#${name}` },
  };
}
