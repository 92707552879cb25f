/**
 * Amazon A2I runtime's REST-JSON protocol over review ports, so code written against A2I (boto3's
 * `sagemaker-a2i-runtime`, the JS SDK's SageMakerA2IRuntimeClient) works against a backend that is not A2I: the same
 * routes, A2I's request checks, status codes, error types in `x-amzn-errortype` (and `__type`), timestamps as RFC 3339
 * strings (A2I's model says date-time; the JS client refuses anything else). One account holds every flow
 * definition's loops, so names are unique across them, as on AWS.
 *
 * Served by the runtime API Lambda on AWS (index.ts) and by local mode's server; neither knows the other.
 */
import type { HumanLoop, ReviewErrorKind, ReviewPort } from '../shared/review/port';
import { INPUT_CONTENT_MAX_CHARS, ReviewError } from '../shared/review/port';

export interface RuntimeRequest {
  readonly method: string;
  /** The path below the API's base, like `/human-loops/my-loop`, percent-encoded as sent. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
}

export interface RuntimeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const ERRORS: Record<ReviewErrorKind, [number, string]> = {
  Validation: [400, 'ValidationException'],
  ResourceNotFound: [404, 'ResourceNotFoundException'],
  Conflict: [409, 'ConflictException'],
  Throttling: [429, 'ThrottlingException'],
  ServiceQuotaExceeded: [402, 'ServiceQuotaExceededException'],
  InternalServer: [500, 'InternalServerException'],
};

/** The flow definitions of the account, by ARN; describe, stop and delete go to any, as loop names are account-wide. */
export type FlowDefinitions = ReadonlyMap<string, ReviewPort>;

/** Errors that are not A2I's own: the request id lets an operator find the cause in the logs. */
export type UnexpectedError = (error: unknown) => void;

export async function handleRuntimeRequest(
  flows: FlowDefinitions,
  request: RuntimeRequest,
  onUnexpected: UnexpectedError = () => undefined,
): Promise<RuntimeResponse> {
  const segments = request.path.split('/').filter(Boolean).map(decodeSegment);
  const anyFlow = () => [...flows.values()][0];
  const { method } = request;
  try {
    if (segments[0] !== 'human-loops') throw noRoute(request);
    if (method === 'POST' && segments.length === 1) return ok(await start(flows, parseBody(request.body)));
    if (method === 'POST' && segments[1] === 'stop' && segments.length === 2) {
      const { HumanLoopName } = parseBody(request.body) as { HumanLoopName?: unknown };
      await anyFlow().stop(loopName(HumanLoopName));
      return ok({});
    }
    if (method === 'GET' && segments.length === 1) return ok(await list(flows, request.query));
    if (method === 'GET' && segments.length === 2) return ok(describeAnswer(await anyFlow().describe(segments[1])));
    if (method === 'DELETE' && segments.length === 2) {
      await anyFlow().delete(segments[1]);
      return ok({});
    }
    throw noRoute(request);
  } catch (error) {
    if (error instanceof ReviewError) return awsError(ERRORS[error.kind][0], ERRORS[error.kind][1], error.message);
    onUnexpected(error);
    return awsError(500, 'InternalServerException', 'The request failed; try again');
  }
}

function noRoute(request: RuntimeRequest): ReviewError {
  return new ReviewError('ResourceNotFound', `No route ${request.method} ${request.path}`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ReviewError('Validation', `The path segment ${JSON.stringify(segment)} is not percent-encoded text`);
  }
}

function parseBody(body: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new ReviewError('Validation', 'The request body is not JSON');
  }
}

function ok(body: unknown): RuntimeResponse {
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/** REST-JSON errors: the type in `x-amzn-errortype` and in `__type`, the text in `message` (and A2I's `Message`). */
function awsError(status: number, type: string, message: string): RuntimeResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message, Message: message }),
  };
}

/** A name from the path or the body; the ports check it as A2I's model does. */
function loopName(value: unknown): string {
  if (typeof value !== 'string') throw new ReviewError('Validation', 'HumanLoopName is required');
  return value;
}

async function start(flows: FlowDefinitions, body: unknown) {
  const request = (body ?? {}) as {
    HumanLoopName?: unknown;
    FlowDefinitionArn?: unknown;
    HumanLoopInput?: { InputContent?: unknown };
    DataAttributes?: { ContentClassifiers?: unknown };
  };
  const flow = flows.get(String(request.FlowDefinitionArn));
  if (flow === undefined)
    throw new ReviewError('ResourceNotFound', `Flow definition ${String(request.FlowDefinitionArn)} does not exist`);
  const inputContent = request.HumanLoopInput?.InputContent;
  if (typeof inputContent !== 'string' || inputContent.length === 0 || inputContent.length > INPUT_CONTENT_MAX_CHARS) {
    throw new ReviewError(
      'Validation',
      `HumanLoopInput.InputContent must be a string of 1-${INPUT_CONTENT_MAX_CHARS} characters`,
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(inputContent);
  } catch {
    throw new ReviewError('Validation', 'HumanLoopInput.InputContent must be valid JSON');
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new ReviewError('Validation', 'HumanLoopInput.InputContent must be a JSON object (the task input)');
  const classifiers = request.DataAttributes?.ContentClassifiers;
  if (classifiers !== undefined && !(Array.isArray(classifiers) && classifiers.every((c) => typeof c === 'string')))
    throw new ReviewError('Validation', 'DataAttributes.ContentClassifiers must be a list of classifiers');
  const { humanLoopArn } = await flow.start({
    name: typeof request.HumanLoopName === 'string' ? request.HumanLoopName : '',
    input: input as Record<string, unknown>,
    contentClassifiers: classifiers as never,
  });
  return { HumanLoopArn: humanLoopArn };
}

function describeAnswer(loop: HumanLoop) {
  return {
    CreationTime: loop.createdAt.toISOString(),
    FailureReason: loop.failureReason,
    FailureCode: loop.failureCode,
    HumanLoopStatus: loop.status,
    HumanLoopName: loop.name,
    HumanLoopArn: loop.arn,
    FlowDefinitionArn: loop.flowDefinitionArn,
    HumanLoopOutput: loop.outputUri ? { OutputS3Uri: loop.outputUri } : undefined,
  };
}

async function list(flows: FlowDefinitions, params: URLSearchParams) {
  const flowDefinitionArn = params.get('FlowDefinitionArn');
  if (!flowDefinitionArn) throw new ReviewError('Validation', 'FlowDefinitionArn is required');
  const flow = flows.get(flowDefinitionArn);
  if (flow === undefined)
    throw new ReviewError('ResourceNotFound', `Flow definition ${flowDefinitionArn} does not exist`);
  const maxResults = params.has('MaxResults') ? Number(params.get('MaxResults')) : undefined;
  const sortOrder = params.get('SortOrder') ?? 'Descending';
  if (sortOrder !== 'Ascending' && sortOrder !== 'Descending')
    throw new ReviewError('Validation', 'SortOrder must be Ascending or Descending');
  const date = (key: string) => {
    const value = params.get(key);
    if (value === null) return undefined;
    const parsed = new Date(/^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : value);
    if (Number.isNaN(parsed.getTime())) throw new ReviewError('Validation', `${key} is not a timestamp`);
    return parsed;
  };
  const page = await flow.list({
    createdAfter: date('CreationTimeAfter'),
    createdBefore: date('CreationTimeBefore'),
    sortOrder,
    maxResults,
    nextToken: params.get('NextToken') ?? undefined,
  });
  return {
    HumanLoopSummaries: page.loops.map((loop) => ({
      HumanLoopName: loop.name,
      HumanLoopStatus: loop.status,
      CreationTime: loop.createdAt.toISOString(),
      FailureReason: loop.failureReason,
      FlowDefinitionArn: loop.flowDefinitionArn,
    })),
    NextToken: page.nextToken,
  };
}
