/**
 * The A2I runtime on its wire protocol (REST-JSON): routes, status codes, error types in `x-amzn-errortype`,
 * timestamps as RFC 3339 strings (A2I's model says date-time). The real SDK client parses every answer and error as it does from AWS.
 */
import type * as http from 'node:http';
import type { StoredLoop } from './loop-store';
import type { LocalReviewService } from './review-service';
import { A2iError } from './review-service';
import { readJson, sendAwsError, sendJson } from './wire';

export async function handleA2i(
  service: LocalReviewService,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
): Promise<void> {
  const url = new URL(path, 'http://local');
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (segments[0] !== 'human-loops')
      throw new A2iError(404, 'ResourceNotFoundException', `No route ${req.method} ${url.pathname}`);
    if (req.method === 'POST' && segments.length === 1) {
      const loop = service.start((await readJson(req)) as Parameters<LocalReviewService['start']>[0]);
      return sendJson(res, 200, { HumanLoopArn: loop.arn });
    }
    if (req.method === 'POST' && segments[1] === 'stop' && segments.length === 2) {
      const { HumanLoopName } = (await readJson(req)) as { HumanLoopName?: string };
      service.stop(String(HumanLoopName));
      return sendJson(res, 200, {});
    }
    if (req.method === 'GET' && segments.length === 1) return sendJson(res, 200, list(service, url.searchParams));
    if (req.method === 'GET' && segments.length === 2)
      return sendJson(res, 200, describe(service.describe(segments[1])));
    if (req.method === 'DELETE' && segments.length === 2) {
      service.delete(segments[1]);
      return sendJson(res, 200, {});
    }
    throw new A2iError(404, 'ResourceNotFoundException', `No route ${req.method} ${url.pathname}`);
  } catch (error) {
    if (error instanceof A2iError) return sendAwsError(res, error.status, error.type, error.message);
    return sendAwsError(res, 500, 'InternalServerException', error instanceof Error ? error.message : String(error));
  }
}

function describe(loop: StoredLoop) {
  return {
    CreationTime: loop.creationTime,
    FailureReason: loop.failureReason,
    FailureCode: loop.failureCode,
    HumanLoopStatus: loop.status,
    HumanLoopName: loop.name,
    HumanLoopArn: loop.arn,
    FlowDefinitionArn: loop.flowDefinitionArn,
    HumanLoopOutput: loop.outputS3Uri ? { OutputS3Uri: loop.outputS3Uri } : undefined,
  };
}

function list(service: LocalReviewService, params: URLSearchParams) {
  const maxResults = params.has('MaxResults') ? Number(params.get('MaxResults')) : 100;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100)
    throw new A2iError(400, 'ValidationException', 'MaxResults must be from 1 to 100');
  const sortOrder = params.get('SortOrder') ?? 'Descending';
  if (sortOrder !== 'Ascending' && sortOrder !== 'Descending')
    throw new A2iError(400, 'ValidationException', 'SortOrder must be Ascending or Descending');
  const date = (key: string) => {
    const value = params.get(key);
    if (value === null) return undefined;
    const parsed = new Date(/^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : value);
    if (Number.isNaN(parsed.getTime())) throw new A2iError(400, 'ValidationException', `${key} is not a timestamp`);
    return parsed;
  };
  const token = params.get('NextToken');
  const offset = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new A2iError(400, 'ValidationException', 'NextToken is not valid');
  const page = service.list({
    flowDefinitionArn: params.get('FlowDefinitionArn'),
    after: date('CreationTimeAfter'),
    before: date('CreationTimeBefore'),
    ascending: sortOrder === 'Ascending',
    maxResults,
    offset,
  });
  return {
    HumanLoopSummaries: page.loops.map((loop) => ({
      HumanLoopName: loop.name,
      HumanLoopStatus: loop.status,
      CreationTime: loop.creationTime,
      FailureReason: loop.failureReason,
      FlowDefinitionArn: loop.flowDefinitionArn,
    })),
    NextToken: page.nextOffset === undefined ? undefined : Buffer.from(String(page.nextOffset)).toString('base64url'),
  };
}
