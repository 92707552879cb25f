import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  ConflictException,
  DescribeHumanLoopCommand,
  ResourceNotFoundException,
  SageMakerA2IRuntimeClient,
  ServiceQuotaExceededException,
  StartHumanLoopCommand,
  ThrottlingException,
} from '@aws-sdk/client-sagemaker-a2i-runtime';
import {
  InvokeEndpointCommand,
  ModelError,
  ModelNotReadyException,
  SageMakerRuntimeClient,
  ServiceUnavailable,
} from '@aws-sdk/client-sagemaker-runtime';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { PredictResponse } from '../../../lambda/predict';
import { handler } from '../../../lambda/predict';
import type { ErrorBody } from '../../../lambda/shared/http';
import { logger } from '../../../lambda/shared/logger';
import { metrics } from '../../../lambda/shared/metrics';

const FLOW = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d';
const LABEL_SET = { field: 'sentiment', labels: ['-1', '0', '1'] };
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/review-retry';
Object.assign(process.env, {
  SAGEMAKER_ENDPOINT_NAME: 'sentiment-endpoint',
  FLOW_DEFINITION_ARN: FLOW,
  REVIEW_RETRY_QUEUE_URL: QUEUE,
  CONFIDENCE_THRESHOLD: '0.9',
  CONTENT_CLASSIFIERS: 'FreeOfPersonallyIdentifiableInformation',
  REVIEW_LABEL_SET: JSON.stringify(LABEL_SET),
});

const model = mockClient(SageMakerRuntimeClient);
const a2i = mockClient(SageMakerA2IRuntimeClient);
const sqs = mockClient(SQSClient);

const REVIEWS: Record<string, [number, number]> = {
  'I enjoy this product': [1, 0.97],
  'I am unhappy with this product': [-1, 0.634],
  'It is okay': [0, 0.71],
  'sometimes it works': [0, 0.55],
};

/** A model that answers each JSON Lines record from the table above. */
function modelAnswersFromTable() {
  model.on(InvokeEndpointCommand).callsFake((input: { Body: Uint8Array }) => {
    const lines = new TextDecoder().decode(input.Body).trim().split('\n');
    const out = lines.map((line) => {
      const [label, probability] = REVIEWS[(JSON.parse(line) as { features: string[] }).features[0]] ?? [0, 0.99];
      return JSON.stringify({ predicted_label: label, probability });
    });
    return { Body: blob(out.join('\n')), ContentType: 'application/jsonlines' };
  });
}

/** InvokeEndpoint's Body type wraps a Uint8Array; the handler reads only the bytes. */
const blob = (text: string) => new TextEncoder().encode(text) as never;

function post(body: unknown, raw = false): APIGatewayProxyEvent {
  return {
    body: raw ? (body as string) : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'api-request-1' },
  } as unknown as APIGatewayProxyEvent;
}

const reviewBody = (requestId?: string) => ({
  requestId,
  instances: Object.keys(REVIEWS).map((text, i) => ({ id: `r-${i + 1}`, features: [text] })),
});

async function call(event: APIGatewayProxyEvent) {
  const response = await handler(event);
  return { ...response, json: JSON.parse(response.body) as PredictResponse & ErrorBody };
}

/** Every loop starts except the one for "It is okay", which fails with `error`. */
function onlyOkayFailsToStart(error: Error) {
  const okayInput = JSON.stringify({
    initialValue: 0,
    taskObject: 'It is okay',
    modelProbability: 0.71,
    threshold: 0.9,
    labelSet: LABEL_SET,
  });
  a2i
    .on(StartHumanLoopCommand)
    .resolves({})
    .on(StartHumanLoopCommand, { HumanLoopInput: { InputContent: okayInput } })
    .rejects(error);
}

beforeEach(() => {
  model.reset();
  a2i.reset();
  sqs.reset();
  modelAnswersFromTable();
  a2i.on(StartHumanLoopCommand).resolves({ HumanLoopArn: 'arn:loop' });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});

describe('a batch of reviews', () => {
  test('one model call, every prediction back, a loop for each one under the threshold', async () => {
    const response = await call(post(reviewBody('batch-1')));

    expect(response.statusCode).toBe(200);
    expect(model.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
    expect(response.json.threshold).toBe(0.9);
    expect(response.json.predictions.map((p) => [p.id, p.predictedLabel, p.probability, p.humanReview.status])).toEqual(
      [
        ['r-1', 1, 0.97, 'not-needed'],
        ['r-2', -1, 0.634, 'started'],
        ['r-3', 0, 0.71, 'started'],
        ['r-4', 0, 0.55, 'started'],
      ],
    );
    expect(a2i.commandCalls(StartHumanLoopCommand)).toHaveLength(3);
  });

  test('the model gets JSON Lines in and is asked for JSON Lines out', async () => {
    await call(post(reviewBody()));

    const input = model.commandCalls(InvokeEndpointCommand)[0].args[0].input;
    expect(input).toMatchObject({
      EndpointName: 'sentiment-endpoint',
      ContentType: 'application/jsonlines',
      Accept: 'application/jsonlines',
    });
    expect(new TextDecoder().decode(input.Body as Uint8Array).split('\n')[1]).toBe(
      '{"features":["I am unhappy with this product"]}',
    );
  });

  test('each loop shows the model label as initial value and the review text, with the content classifiers', async () => {
    const response = await call(post(reviewBody('batch-1')));

    const started = a2i.commandCalls(StartHumanLoopCommand).map((c) => c.args[0].input);
    const forR2 = started.find(
      (input) =>
        input.HumanLoopName === (response.json.predictions[1].humanReview as { humanLoopName: string }).humanLoopName,
    )!;
    expect(forR2).toEqual({
      HumanLoopName: expect.stringMatching(/^batch-1-[0-9a-f]{20}$/),
      FlowDefinitionArn: FLOW,
      HumanLoopInput: {
        InputContent: JSON.stringify({
          initialValue: -1,
          taskObject: 'I am unhappy with this product',
          modelProbability: 0.634,
          threshold: 0.9,
          labelSet: LABEL_SET,
        }),
      },
      DataAttributes: { ContentClassifiers: ['FreeOfPersonallyIdentifiableInformation'] },
    });
  });

  test('a full batch goes to the model in one call, and the answers keep their order', async () => {
    const instances = Array.from({ length: 100 }, (_, i) => ({ features: [`review ${i} ${'.'.repeat(100)}`] }));

    const response = await call(post({ instances }));

    expect(model.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
    expect(response.json.predictions.map((p) => p.id)).toEqual(instances.map((_, i) => i));
  });
});

describe('idempotency', () => {
  test('a retried request derives the same loop names', async () => {
    const first = await call(post(reviewBody('order-7')));
    const second = await call(post(reviewBody('order-7')));

    const names = (r: typeof first) =>
      r.json.predictions.map((p) => ('humanLoopName' in p.humanReview ? p.humanReview.humanLoopName : ''));
    expect(names(second)).toEqual(names(first));
  });

  test('a conflict on a loop of this flow definition is this review, started before: no second loop', async () => {
    a2i.on(StartHumanLoopCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} }));
    a2i.on(DescribeHumanLoopCommand).resolves({ FlowDefinitionArn: FLOW, HumanLoopStatus: 'Completed' });

    const response = await call(post(reviewBody('order-7')));

    expect(response.statusCode).toBe(200);
    expect(response.json.predictions.slice(1).map((p) => p.humanReview.status)).toEqual([
      'started',
      'started',
      'started',
    ]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  test.each([
    ['under another flow definition', { FlowDefinitionArn: FLOW.replace('0a1b2c3d', 'ffffffff') }],
    ['that cannot be found', new ResourceNotFoundException({ message: 'gone', $metadata: {} })],
  ])('a conflict with a loop %s is reported, never counted as started or queued', async (_, describe) => {
    a2i.on(StartHumanLoopCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} }));
    if (describe instanceof Error) a2i.on(DescribeHumanLoopCommand).rejects(describe);
    else a2i.on(DescribeHumanLoopCommand).resolves(describe);

    const response = await call(post(reviewBody('order-8')));

    expect(response.statusCode).toBe(200);
    expect(response.json.predictions[1].humanReview).toEqual({
      status: 'failed',
      error: 'ReviewConflict',
      humanLoopName: expect.stringMatching(/^order-8-/),
      message: expect.stringContaining('exists under another flow definition; this item was not reviewed'),
    });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  test('a loop of an earlier try that ended unreviewed is reported, with what to do, not as started', async () => {
    a2i.on(StartHumanLoopCommand).rejects(new ConflictException({ message: 'exists', $metadata: {} }));
    a2i
      .on(DescribeHumanLoopCommand)
      .resolves({ FlowDefinitionArn: FLOW, HumanLoopStatus: 'Failed', FailureCode: 'Expired' });

    const response = await call(post(reviewBody('order-9')));

    expect(response.json.predictions[1].humanReview).toEqual({
      status: 'failed',
      error: 'ReviewEnded',
      humanLoopName: expect.stringMatching(/^order-9-/),
      message: expect.stringMatching(
        / of an earlier request with this requestId ended Failed \(Expired\) without a review; send the item with a new requestId to have it reviewed$/,
      ),
    });
  });

  test('a resend after the model changed its answer maps to the same loops: nothing is started twice', async () => {
    const first = await call(post(reviewBody('order-10')));
    model.on(InvokeEndpointCommand).resolves({
      Body: blob(
        Object.keys(REVIEWS)
          .map(() => '{"predicted_label":0,"probability":0.51}')
          .join('\n'),
      ),
    });
    const second = await call(post(reviewBody('order-10')));

    const names = (r: typeof first) =>
      r.json.predictions.slice(1).map((p) => (p.humanReview as { humanLoopName: string }).humanLoopName);
    expect(names(second)).toEqual(names(first));
  });

  test('a reused requestId with other content gets other names, and reordered items keep theirs', async () => {
    const first = await call(post(reviewBody('reused')));
    const reordered = { requestId: 'reused', instances: [...reviewBody().instances].reverse() };
    const second = await call(post(reordered));
    const changed = { requestId: 'reused', instances: [{ id: 'r-2', features: ['sometimes it works'] }] };
    const third = await call(post(changed));

    const nameOf = (r: typeof first, id: string) =>
      (r.json.predictions.find((p) => p.id === id)!.humanReview as { humanLoopName: string }).humanLoopName;
    for (const id of ['r-2', 'r-3', 'r-4']) expect(nameOf(second, id)).toBe(nameOf(first, id));
    expect(nameOf(third, 'r-2')).not.toBe(nameOf(first, 'r-2'));
  });

  test('without a requestId the same body gets the same names', async () => {
    const first = await call(post(reviewBody()));
    const second = await call(post(reviewBody()));
    expect((second.json.predictions[1].humanReview as { humanLoopName: string }).humanLoopName).toBe(
      (first.json.predictions[1].humanReview as { humanLoopName: string }).humanLoopName,
    );
  });
});

describe('nothing is lost', () => {
  test('a loop that cannot start is queued with its name and input, and reported as queued', async () => {
    a2i.on(StartHumanLoopCommand).rejects(new ThrottlingException({ message: 'slow down', $metadata: {} }));

    const response = await call(post(reviewBody('q-1')));

    expect(response.statusCode).toBe(200);
    expect(response.json.predictions.slice(1).map((p) => p.humanReview.status)).toEqual(['queued', 'queued', 'queued']);
    const message = sqs.commandCalls(SendMessageCommand)[0].args[0].input;
    expect(message.QueueUrl).toBe(QUEUE);
    expect(JSON.parse(message.MessageBody!)).toEqual({
      name: (response.json.predictions[1].humanReview as { humanLoopName: string }).humanLoopName,
      input: {
        initialValue: -1,
        taskObject: 'I am unhappy with this product',
        modelProbability: 0.634,
        threshold: 0.9,
        labelSet: LABEL_SET,
      },
      contentClassifiers: ['FreeOfPersonallyIdentifiableInformation'],
    });
  });

  test('partial failure in one batch: the loops that start are started, the others queued', async () => {
    onlyOkayFailsToStart(new ServiceQuotaExceededException({ message: 'quota', $metadata: {} }));

    const response = await call(post(reviewBody('p-1')));

    expect(response.json.predictions.map((p) => p.humanReview.status)).toEqual([
      'not-needed',
      'started',
      'queued',
      'started',
    ]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  test('a loop that can neither start nor be queued is reported on its item, so the caller sends the request again', async () => {
    onlyOkayFailsToStart(new ThrottlingException({ message: 'slow down', $metadata: {} }));
    sqs.on(SendMessageCommand).rejects(new Error('SQS down'));

    const response = await call(post(reviewBody('q-2')));

    expect(response.statusCode).toBe(200);
    expect(response.json.predictions.map((p) => p.humanReview.status)).toEqual([
      'not-needed',
      'started',
      'failed',
      'started',
    ]);
    expect(response.json.predictions[2].humanReview).toMatchObject({
      error: 'ReviewNotRecorded',
      message: 'The human review could neither start nor be queued; send the same request again (same requestId)',
    });
  });
});

describe('model failures', () => {
  test('a model error is a 502 that passes on what the model said', async () => {
    model.on(InvokeEndpointCommand).rejects(
      new ModelError({
        message: 'boom',
        OriginalStatusCode: 500,
        OriginalMessage: 'CUDA out of memory',
        $metadata: {},
      }),
    );
    const response = await call(post(reviewBody()));
    expect(response.statusCode).toBe(502);
    expect(response.json).toEqual({
      error: 'ModelError',
      message: 'The model failed with status 500: CUDA out of memory',
    });
  });

  test('an answer with the wrong number of lines is a 502 that says so', async () => {
    model.on(InvokeEndpointCommand).resolves({ Body: blob('{"predicted_label":1,"probability":0.9}') });
    const response = await call(post(reviewBody()));
    expect(response.statusCode).toBe(502);
    expect(response.json.message).toBe('The model answered 1 lines for 4 inputs');
    expect(a2i.calls()).toHaveLength(0);
  });

  test('a label the task template does not offer is a 502 naming the item and the labels', async () => {
    model.on(InvokeEndpointCommand).resolves({
      Body: blob(
        [
          '{"predicted_label":1,"probability":0.9}',
          '{"predicted_label":2,"probability":0.5}',
          '{"predicted_label":0,"probability":0.5}',
          '{"predicted_label":0,"probability":0.5}',
        ].join('\n'),
      ),
    });
    const response = await call(post(reviewBody()));
    expect(response.statusCode).toBe(502);
    expect(response.json.message).toBe(
      'The model answered predicted_label 2 for instances[1]; the task template offers -1, 0, 1',
    );
    expect(a2i.calls()).toHaveLength(0);
  });

  test('an endpoint that is not ready is a 503 with Retry-After', async () => {
    model.on(InvokeEndpointCommand).rejects(new ModelNotReadyException({ message: 'not ready', $metadata: {} }));
    const response = await call(post(reviewBody()));
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('30');
  });

  test('an unavailable endpoint is a 503 with Retry-After', async () => {
    model
      .on(InvokeEndpointCommand)
      .rejects(new ServiceUnavailable({ message: 'unavailable', $metadata: { httpStatusCode: 503 } }));
    const response = await call(post(reviewBody()));
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('5');
  });
});

describe('bad input', () => {
  test.each([
    ['not JSON', '{"instances": [', 400, 'body'],
    ['an array body', '[]', 400, 'body'],
    ['no instances', '{}', 400, 'instances'],
    ['instances not an array', '{"instances": "x"}', 400, 'instances'],
    ['an empty batch', '{"instances": []}', 400, 'instances'],
    ['features missing', '{"instances": [{"id": "a"}]}', 400, 'instances[0].features'],
    ['features of numbers', '{"instances": [{"features": [1]}]}', 400, 'instances[0].features[0]'],
    ['an unknown field', '{"instances": [{"features": ["a"], "text": "a"}]}', 400, 'instances[0].text'],
    [
      'a duplicate id',
      '{"instances": [{"id": "a", "features": ["x"]}, {"id": "a", "features": ["y"]}]}',
      400,
      'instances[1].id',
    ],
    ['a bad requestId', '{"requestId": 5, "instances": [{"features": ["a"]}]}', 400, 'requestId'],
  ])('%s is a %d naming %s', async (_name, body, status, field) => {
    const response = await call(post(body, true));
    expect(response.statusCode).toBe(status);
    expect(response.json.field).toBe(field);
    expect(model.calls()).toHaveLength(0);
  });

  test('a number id above 2^53 is refused with its own message: it would be rounded and could match another id', async () => {
    const response = await call(post('{"instances": [{"id": 9007199254740993, "features": ["a"]}]}', true));
    expect(response.statusCode).toBe(400);
    expect(response.json).toEqual({
      error: 'BadRequest',
      field: 'instances[0].id',
      message:
        'instances[0].id is a number above 9007199254740991 (2^53 - 1), which JSON parsers round, so two items could get the same id; send it as a string',
    });
  });

  test('more than 100 items is a 413 naming the field and the limit', async () => {
    const response = await call(post({ instances: Array.from({ length: 101 }, () => ({ features: ['a'] })) }));
    expect(response.statusCode).toBe(413);
    expect(response.json).toEqual({
      error: 'PayloadTooLarge',
      field: 'instances',
      limit: 100,
      message: 'instances holds 101 items; at most 100 are accepted per request',
    });
  });

  test('an item over 10,000 characters is a 413', async () => {
    const response = await call(post({ instances: [{ features: ['a'.repeat(6000), 'b'.repeat(4001)] }] }));
    expect(response.statusCode).toBe(413);
    expect(response.json).toMatchObject({ field: 'instances[0].features', limit: 10000 });
  });

  test('a body over 1 MiB is a 413', async () => {
    const response = await call(post('x'.repeat(1_048_577), true));
    expect(response.statusCode).toBe(413);
    expect(response.json).toMatchObject({ field: 'body', limit: 1_048_576 });
  });

  test('a base64-encoded body is decoded', async () => {
    const event = post(Buffer.from(JSON.stringify(reviewBody())).toString('base64'), true);
    const response = await call({ ...event, isBase64Encoded: true });
    expect(response.statusCode).toBe(200);
  });
});

describe('observability', () => {
  test('emits predictions, low-confidence predictions, loops started and queued, and model latency', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    onlyOkayFailsToStart(new ThrottlingException({ message: 'slow', $metadata: {} }));

    await call(post(reviewBody('m-1')));

    expect(addMetric).toHaveBeenCalledWith('Predictions', MetricUnit.Count, 4);
    expect(addMetric).toHaveBeenCalledWith('LowConfidencePredictions', MetricUnit.Count, 3);
    expect(addMetric).toHaveBeenCalledWith('HumanLoopsStarted', MetricUnit.Count, 2);
    expect(addMetric).toHaveBeenCalledWith('HumanLoopsQueued', MetricUnit.Count, 1);
    expect(addMetric).toHaveBeenCalledWith('ModelLatency', MetricUnit.Milliseconds, expect.any(Number));
    addMetric.mockRestore();
  });

  test('logs carry the correlation id and never the review text', async () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    logger.setLogLevel('INFO');
    try {
      await call(post(reviewBody('log-1')));
    } finally {
      logger.setLogLevel('SILENT');
      write.mockRestore();
    }
    const logs = written.join('');
    expect(logs).toContain('"correlationId":"api-request-1"');
    for (const text of Object.keys(REVIEWS)) expect(logs).not.toContain(text);
  });
});
