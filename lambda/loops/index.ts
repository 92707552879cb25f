/**
 * GET /loops/{name}: one human loop's status and, once completed, the human answers.
 * GET /loops?status=&createdAfter=&maxResults=&nextToken=: the flow definition's loops, newest first, page by page.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isA2iName, pipelineFlowDefinitionPrefix } from '../../common/names';
import { s3 } from '../shared/clients/s3';
import { once } from '../shared/env';
import { badRequest, errorResponse, HttpError, json, notFound } from '../shared/http';
import { logger } from '../shared/logger';
import { reviewPortFromEnv } from '../shared/review/from-env';
import { readReviewOutput, ReviewOutputTooLargeError } from '../shared/review/output';
import type { HumanLoop, HumanLoopSummary } from '../shared/review/port';
import { HUMAN_LOOP_STATUSES, isReviewError } from '../shared/review/port';

const reviews = once(() => reviewPortFromEnv());

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const correlationId = event.requestContext?.requestId ?? 'local';
  logger.appendKeys({ correlationId });
  try {
    const name = event.pathParameters?.name;
    return json(
      200,
      name === undefined ? await listLoops(event.queryStringParameters ?? {}) : await describeLoop(name),
    );
  } catch (error) {
    const response = errorResponse(error, correlationId);
    if (response.statusCode >= 500)
      logger.error('Loops request failed', { error: error instanceof Error ? error.message : String(error) });
    return response;
  } finally {
    logger.removeKeys(['correlationId']);
  }
}

async function describeLoop(name: string) {
  if (!isA2iName(name)) throw badRequest('name', 'A human loop name has 1-63 lowercase letters, digits or hyphens');
  const loop = await reviews()
    .describe(name)
    .catch((error: unknown) => {
      if (isReviewError(error, 'ResourceNotFound')) return undefined;
      throw error;
    });
  // Loop names are unique per account and Region, not per pipeline: another pipeline's loop is not ours to show.
  const ours = loop?.flowDefinitionArn.startsWith(pipelineFlowDefinitionPrefix(reviews().flowDefinitionArn));
  if (loop === undefined || !ours) throw notFound('name', `No human loop named ${name} in this pipeline`);
  if (loop.status !== 'Completed' || loop.outputUri === undefined) return view(loop);
  const output = await readReviewOutput(s3, loop.outputUri).catch((error: unknown) => {
    if (error instanceof ReviewOutputTooLargeError)
      throw new HttpError(502, { error: 'OutputTooLarge', message: error.message });
    throw error;
  });
  return {
    ...view(loop),
    humanAnswers: output.humanAnswers.map(({ answerContent, acceptanceTime, submissionTime, timeSpentInSeconds }) => ({
      answerContent,
      acceptanceTime,
      submissionTime,
      timeSpentInSeconds,
    })),
  };
}

async function listLoops(query: Record<string, string | undefined>) {
  const status = query.status;
  if (status !== undefined && !(HUMAN_LOOP_STATUSES as readonly string[]).includes(status)) {
    throw badRequest('status', `status must be one of ${HUMAN_LOOP_STATUSES.join(', ')}`);
  }
  let createdAfter: Date | undefined;
  if (query.createdAfter !== undefined) {
    createdAfter = new Date(query.createdAfter);
    if (Number.isNaN(createdAfter.getTime()))
      throw badRequest('createdAfter', 'createdAfter must be an ISO 8601 date, like 2026-11-01T00:00:00Z');
  }
  const maxResults = query.maxResults === undefined ? 50 : Number(query.maxResults);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
    throw badRequest('maxResults', 'maxResults must be an integer from 1 to 100');
  }
  const page = await reviews()
    .list({ createdAfter, maxResults, nextToken: query.nextToken })
    .catch((error: unknown) => {
      if (query.nextToken !== undefined && isReviewError(error, 'Validation')) {
        throw badRequest('nextToken', 'nextToken is not one this API returned, or it has expired');
      }
      throw error;
    });
  // ListHumanLoops cannot filter by status: a filtered page may hold fewer loops than maxResults; follow nextToken.
  const loops = page.loops.filter((loop) => status === undefined || loop.status === status).map(view);
  return { loops, nextToken: page.nextToken };
}

function view(loop: HumanLoopSummary & Partial<Pick<HumanLoop, 'failureCode'>>) {
  return {
    humanLoopName: loop.name,
    status: loop.status,
    createdAt: loop.createdAt.toISOString(),
    failureCode: loop.failureCode,
    failureReason: loop.failureReason,
  };
}
