/**
 * GET /loops/{name}: one human loop's status and, once completed, the human answers.
 * GET /loops?status=&createdAfter=&maxResults=&nextToken=: the flow definition's loops, newest first, page by page.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ENV } from '../../common/contract';
import { isA2iName, pipelineFlowDefinitionPrefix } from '../../common/names';
import { A2iReviewBackend } from '../shared/a2i-review-backend';
import { a2iRuntime, s3 } from '../shared/clients';
import { once, requiredEnv } from '../shared/env';
import { badRequest, errorResponse, HttpError, json, notFound } from '../shared/http';
import { logger } from '../shared/logger';
import type { ReviewStatus, ReviewSummary } from '../shared/review-backend';
import { readReviewOutput, ReviewOutputTooLargeError } from '../shared/review-output';

const STATUSES: readonly ReviewStatus[] = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];
const backend = once(() => new A2iReviewBackend(a2iRuntime, requiredEnv(process.env, ENV.flowDefinitionArn)));

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
  const loop = await backend().describeReview(name);
  // Loop names are unique per account and Region, not per pipeline: another pipeline's loop is not ours to show.
  const ours = loop?.flowDefinitionArn?.startsWith(pipelineFlowDefinitionPrefix(backend().flowDefinitionArn));
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
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    throw badRequest('status', `status must be one of ${STATUSES.join(', ')}`);
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
  const page = await backend()
    .listReviews({ createdAfter, maxResults, nextToken: query.nextToken })
    .catch((error: unknown) => {
      if (query.nextToken !== undefined && error instanceof Error && error.name === 'ValidationException') {
        throw badRequest('nextToken', 'nextToken is not one this API returned, or it has expired');
      }
      throw error;
    });
  // ListHumanLoops cannot filter by status: a filtered page may hold fewer loops than maxResults; follow nextToken.
  const loops = page.reviews.filter((loop) => status === undefined || loop.status === status).map(view);
  return { loops, nextToken: page.nextToken };
}

function view(loop: ReviewSummary) {
  return {
    humanLoopName: loop.name,
    status: loop.status,
    createdAt: loop.createdAt,
    failureCode: loop.failureCode,
    failureReason: loop.failureReason,
  };
}
