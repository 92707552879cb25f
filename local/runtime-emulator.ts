/**
 * SageMaker runtime InvokeEndpoint on its wire protocol: POST /endpoints/{name}/invocations with a raw body; a model
 * failure is a 424 ModelError with OriginalStatusCode and OriginalMessage, as on AWS. Whatever model answers, the
 * request must be what the reference model's inference.py can read (every `\n`-separated piece a JSON record), so
 * a body the real endpoint would refuse is refused here too.
 */
import type * as http from 'node:http';
import type { ModelBackend } from './model/model-backend';
import { ModelFailure, parseRequestRecords } from './model/model-backend';
import { readBody, sendAwsError } from './wire';

export async function handleRuntime(
  endpoint: { readonly name: string; readonly model: ModelBackend },
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
): Promise<void> {
  const match = /^\/endpoints\/([^/]+)\/invocations$/.exec(new URL(path, 'http://local').pathname);
  if (req.method !== 'POST' || !match)
    return sendAwsError(res, 404, 'UnknownOperationException', `No route ${req.method} ${path}`);
  const name = decodeURIComponent(match[1]);
  if (name !== endpoint.name) {
    return sendAwsError(res, 400, 'ValidationError', `Endpoint ${name} of account 000000000000 not found.`);
  }
  const body = await readBody(req, 6 * 1024 * 1024).catch(() => undefined);
  if (body === undefined)
    return sendAwsError(res, 413, 'ValidationError', 'Request body exceeds the 6 MB payload limit.');
  try {
    const request = body.toString('utf8');
    parseRequestRecords(request);
    const answer = await endpoint.model(request);
    res.writeHead(200, { 'Content-Type': 'application/jsonlines', 'x-Amzn-Invoked-Production-Variant': 'AllTraffic' });
    res.end(answer);
  } catch (error) {
    const failure =
      error instanceof ModelFailure
        ? error
        : new ModelFailure(500, error instanceof Error ? error.message : String(error));
    sendAwsError(
      res,
      424,
      'ModelError',
      `Received ${failure.originalStatusCode >= 500 ? 'server' : 'client'} error (${failure.originalStatusCode}) from primary with message "${failure.message}".`,
      {
        OriginalStatusCode: failure.originalStatusCode,
        OriginalMessage: failure.message,
        LogStreamArn: 'arn:aws:logs:local:000000000000:log-group:/aws/sagemaker/Endpoints/local',
      },
    );
  }
}
