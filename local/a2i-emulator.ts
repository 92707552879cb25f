/**
 * The A2I runtime on its wire protocol (REST-JSON), as a thin layer over review ports: routes, A2I's request checks,
 * status codes, error types in `x-amzn-errortype`, timestamps as RFC 3339 strings (A2I's model says date-time). The
 * loops' rules are the task rules (lambda/shared/review/tasks.ts) behind each flow definition's port; one account
 * holds every flow definition's loops, so names are unique across them, as on AWS. The real SDK client parses every
 * answer and error as it does from AWS.
 */
import type * as http from 'node:http';
import type { HumanLoop, ReviewErrorKind, ReviewPort } from '../lambda/shared/review/port';
import { INPUT_CONTENT_MAX_CHARS, ReviewError } from '../lambda/shared/review/port';
import { readJson, sendAwsError, sendJson } from './wire';

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

export async function handleA2i(
  flows: FlowDefinitions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
): Promise<void> {
  const url = new URL(path, 'http://local');
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const anyFlow = () => [...flows.values()][0];
  try {
    if (segments[0] !== 'human-loops')
      throw new ReviewError('ResourceNotFound', `No route ${req.method} ${url.pathname}`);
    if (req.method === 'POST' && segments.length === 1)
      return sendJson(res, 200, await start(flows, await readJson(req)));
    if (req.method === 'POST' && segments[1] === 'stop' && segments.length === 2) {
      const { HumanLoopName } = (await readJson(req)) as { HumanLoopName?: unknown };
      await anyFlow().stop(loopName(HumanLoopName));
      return sendJson(res, 200, {});
    }
    if (req.method === 'GET' && segments.length === 1) return sendJson(res, 200, await list(flows, url.searchParams));
    if (req.method === 'GET' && segments.length === 2)
      return sendJson(res, 200, describeAnswer(await anyFlow().describe(loopName(segments[1]))));
    if (req.method === 'DELETE' && segments.length === 2) {
      await anyFlow().delete(loopName(segments[1]));
      return sendJson(res, 200, {});
    }
    throw new ReviewError('ResourceNotFound', `No route ${req.method} ${url.pathname}`);
  } catch (error) {
    if (error instanceof ReviewError)
      return sendAwsError(res, ERRORS[error.kind][0], ERRORS[error.kind][1], error.message);
    return sendAwsError(res, 500, 'InternalServerException', error instanceof Error ? error.message : String(error));
  }
}

/** A name from the path or the body; the ports check it as A2I's model does. */
function loopName(value: unknown): string {
  if (typeof value !== 'string') throw new ReviewError('Validation', 'HumanLoopName is required');
  return value;
}

async function start(flows: FlowDefinitions, body: unknown) {
  const request = body as {
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
