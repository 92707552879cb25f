/**
 * One InvokeEndpoint for the whole batch, the answer checked. A request is at most 1 MiB and its JSON Lines body is
 * never larger than the request (test/predict/logic.test.ts), far below SageMaker's smallest payload limit (4 MB,
 * serverless), so the batch never needs splitting.
 */
import { InvokeEndpointCommand, ModelError } from '@aws-sdk/client-sagemaker-runtime';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { Deadline } from '../shared/deadline';
import { badModelAnswer, unavailable } from '../shared/http';
import type { Prediction } from './jsonlines';
import { JSON_LINES, ModelAnswerError, encodeJsonLines, parsePredictions } from './jsonlines';

export interface ModelCall {
  readonly client: SageMakerRuntimeClient;
  readonly endpointName: string;
}

/**
 * Predictions in input order; throws HttpError 502 (model error, bad answer) or 503 (throttled, unavailable, or no
 * answer by `answerBy`).
 */
export async function predictAll(
  model: ModelCall,
  records: readonly { readonly features: readonly string[] }[],
  answerBy: Deadline,
): Promise<Prediction[]> {
  return invoke(model, records, answerBy.signal());
}

async function invoke(
  model: ModelCall,
  batch: readonly { readonly features: readonly string[] }[],
  signal: AbortSignal,
): Promise<Prediction[]> {
  let body: string;
  try {
    const answer = await model.client.send(
      new InvokeEndpointCommand({
        EndpointName: model.endpointName,
        ContentType: JSON_LINES,
        Accept: JSON_LINES,
        Body: new TextEncoder().encode(encodeJsonLines(batch)),
      }),
      { abortSignal: signal },
    );
    body = new TextDecoder().decode(answer.Body);
  } catch (error) {
    throw modelFailure(error);
  }
  try {
    return parsePredictions(body, batch.length);
  } catch (error) {
    if (error instanceof ModelAnswerError) throw badModelAnswer(error.message);
    throw error;
  }
}

/** The SDK has already retried throttling and transient errors by the time an error gets here. */
function modelFailure(error: unknown) {
  if (error instanceof ModelError) {
    const original = error.OriginalMessage ? `: ${error.OriginalMessage.slice(0, 300)}` : '';
    return badModelAnswer(`The model failed with status ${error.OriginalStatusCode ?? 'unknown'}${original}`);
  }
  const name = error instanceof Error ? error.name : 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (name === 'ModelNotReadyException') {
    return unavailable('ModelUnavailable', 'The model endpoint is not ready yet; retry later', 30);
  }
  if (name === 'ThrottlingException' || status === 429) {
    return unavailable('ModelThrottled', 'The model endpoint is throttling requests; retry later', 5);
  }
  if (
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    (status !== undefined && status >= 500) ||
    status === undefined
  ) {
    return unavailable(
      'ModelUnavailable',
      'The model endpoint did not answer in time or is unavailable; retry later',
      5,
    );
  }
  return badModelAnswer(
    `The model endpoint refused the call (${name}): ${error instanceof Error ? error.message.slice(0, 300) : ''}`,
  );
}
