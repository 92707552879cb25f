/**
 * EventBridge for local mode: PutEvents (AWS JSON 1.1) onto named buses, and rules that hand each matching event, in
 * EventBridge's envelope, to a target (the collector's queue). It checks what EventBridge checks on PutEvents: 1-10
 * entries, Source, DetailType and Detail present, Detail a JSON object, an entry at most 256 KB, `aws.` sources
 * refused, the bus existing.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { BodyTooLargeError, readBody, sendAwsError, sendJson } from './wire';

/** A PutEvents request has at most this many entries. */
const MAX_ENTRIES = 10;
/** An entry (source, detail-type, detail, resources) is at most 256 KB. */
const MAX_ENTRY_BYTES = 256 * 1024;

/** An event as EventBridge delivers it to a rule's target. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export interface EventRule {
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  readonly target: (event: BusEvent) => void;
}

interface PutEventsEntry {
  readonly Source?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly Resources?: unknown;
  readonly EventBusName?: unknown;
  readonly Time?: unknown;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/**
 * An entry's size as EventBridge counts it: the UTF-8 bytes of Source, DetailType, Detail and each resource, and 14
 * for a Time.
 */
function entrySize(entry: PutEventsEntry): number {
  const resources = Array.isArray(entry.Resources) ? entry.Resources.map(String) : [];
  const texts = [entry.Source, entry.DetailType, entry.Detail, ...resources];
  return (
    (entry.Time === undefined ? 0 : 14) +
    texts.reduce<number>((sum, text) => sum + (typeof text === 'string' ? Buffer.byteLength(text) : 0), 0)
  );
}

export class LocalEventBuses {
  constructor(
    private readonly account: string,
    private readonly region: string,
    private readonly buses: readonly string[],
    private readonly rules: readonly EventRule[],
  ) {}

  /** Puts an event on a bus as the service itself would (A2I's events on the default bus come this way). */
  publish(bus: string, event: Omit<BusEvent, 'version' | 'id' | 'account' | 'region' | 'time'>): string {
    const delivered: BusEvent = {
      version: '0',
      id: randomUUID(),
      account: this.account,
      region: this.region,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...event,
    };
    for (const rule of this.rules)
      if (rule.bus === bus && rule.source === event.source && rule.detailType === event['detail-type'])
        rule.target(delivered);
    return delivered.id;
  }

  /** The bus an EventBusName (a name or an ARN) names, if it exists. */
  private busOf(name: unknown): string | undefined {
    const given = typeof name === 'string' && name !== '' ? name : 'default';
    const bare = given.replace(new RegExp(`^arn:aws:events:${this.region}:${this.account}:event-bus/`), '');
    return this.buses.includes(bare) ? bare : undefined;
  }

  /** One entry: its event id, or why it was not taken. */
  private putEntry(entry: PutEventsEntry): EntryResult {
    const bus = this.busOf(entry.EventBusName);
    if (bus === undefined)
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Event bus ${String(entry.EventBusName)} does not exist.` };
    for (const field of ['Source', 'DetailType', 'Detail'] as const)
      if (typeof entry[field] !== 'string' || entry[field] === '')
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
        };
    const source = entry.Source as string;
    if (source.startsWith('aws.'))
      return {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: `Not authorized for the source ${source}: sources starting with aws. are reserved for AWS services.`,
      };
    const size = entrySize(entry);
    if (size > MAX_ENTRY_BYTES)
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `The entry has ${size} bytes; at most ${MAX_ENTRY_BYTES} are accepted.`,
      };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      detail = undefined;
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed: it must be a JSON object.' };
    const resources = Array.isArray(entry.Resources) ? entry.Resources.map(String) : [];
    return { EventId: this.publish(bus, { source, 'detail-type': entry.DetailType as string, resources, detail }) };
  }

  /** The PutEvents action, as the SDK's EventBridge client calls it. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents')
      return sendAwsError(
        res,
        400,
        'UnknownOperationException',
        `Local EventBridge serves PutEvents only, not ${target}`,
      );
    let request: { Entries?: unknown };
    try {
      request = JSON.parse((await readBody(req, 4 * 1024 * 1024)).toString('utf8')) as typeof request;
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw error;
      return sendAwsError(res, 400, 'SerializationException', 'The request body is not JSON');
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request))
      return sendAwsError(res, 400, 'SerializationException', 'The request body must be a JSON object');
    const entries = request.Entries;
    if (Array.isArray(entries) && entries.some((entry) => typeof entry !== 'object' || entry === null))
      return sendAwsError(res, 400, 'SerializationException', 'Each of Entries must be a JSON object');
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES)
      return sendAwsError(
        res,
        400,
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    const results = (entries as PutEventsEntry[]).map((entry) => this.putEntry(entry));
    sendJson(
      res,
      200,
      { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results },
      'application/x-amz-json-1.1',
    );
  }
}
