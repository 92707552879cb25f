/**
 * The predict handler with the real SDK clients against a loopback server speaking the SageMaker runtime, A2I
 * runtime and SQS protocols: retries, timeouts and error parsing run as they do on AWS.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { loadPredictAgainst } from '../../helpers/predict-on-wire';
import { ScriptedAwsServer } from '../../helpers/scripted-aws-server';

const server = new ScriptedAwsServer();
let handler: (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

beforeAll(async () => {
  const url = await server.start();
  // The clients read their endpoints and timeouts when the module loads.
  handler = loadPredictAgainst(url, { MODEL_TIMEOUT_MS: '300' });
});
afterAll(() => server.stop());
beforeEach(() => server.reset());

const post = (requestId: string, texts = ['It is okay']) =>
  ({
    body: JSON.stringify({ requestId, instances: texts.map((text) => ({ features: [text] })) }),
    requestContext: { requestId },
  }) as unknown as APIGatewayProxyEvent;

async function call(event: APIGatewayProxyEvent) {
  const response = await handler(event);
  return {
    ...response,
    json: JSON.parse(response.body) as Record<string, unknown> & { predictions: { humanReview: { status: string } }[] },
  };
}

describe('SageMaker runtime', () => {
  test('throttling (429) is retried by the SDK, then the answer is used', async () => {
    server.on('InvokeEndpoint', (_call, attempt) =>
      attempt <= 2 ? { status: 429, errorType: 'ThrottlingException', body: { message: 'Rate exceeded' } } : undefined,
    );

    const response = await call(post('wire-1'));

    expect(response.statusCode).toBe(200);
    expect(server.callsOf('InvokeEndpoint')).toHaveLength(3);
  });

  test('a 500 on every attempt becomes a 503 with Retry-After after 3 attempts', async () => {
    server.on('InvokeEndpoint', () => ({ status: 500, errorType: 'InternalFailure', body: { message: 'oops' } }));

    const response = await call(post('wire-2'));

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('5');
    expect(server.callsOf('InvokeEndpoint')).toHaveLength(3);
  });

  test('a model error (424) is parsed with its original message, not retried, and answered 502', async () => {
    server.on('InvokeEndpoint', () => ({
      status: 424,
      errorType: 'ModelError',
      body: {
        message: 'Received server error',
        OriginalStatusCode: 500,
        OriginalMessage: 'tokenizer missing',
        LogStreamArn: 'arn:logs',
      },
    }));

    const response = await call(post('wire-3'));

    expect(response.statusCode).toBe(502);
    expect(response.json.message).toBe('The model failed with status 500: tokenizer missing');
    expect(server.callsOf('InvokeEndpoint')).toHaveLength(1);
  });

  test('an endpoint that answers too slowly times out on every attempt and is answered 503', async () => {
    server.on('InvokeEndpoint', () => ({ delayMs: 1_000 }));

    const response = await call(post('wire-4'));

    expect(response.statusCode).toBe(503);
    expect(server.callsOf('InvokeEndpoint')).toHaveLength(3);
  });

  test('a model that is not ready (429 ModelNotReadyException) is answered 503 with a longer Retry-After', async () => {
    server.on('InvokeEndpoint', () => ({
      status: 429,
      errorType: 'ModelNotReadyException',
      body: { Message: 'warming up' },
    }));

    const response = await call(post('wire-5'));

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('30');
  });
});

describe('A2I runtime', () => {
  test('StartHumanLoop goes to POST /human-loops with the flow definition and the input as a JSON string', async () => {
    await call(post('wire-6', ['I am unhappy with this product']));

    const body = JSON.parse(server.callsOf('StartHumanLoop')[0].body) as Record<string, unknown>;
    expect(server.callsOf('StartHumanLoop')[0].path).toBe('/human-loops');
    expect(body).toMatchObject({
      HumanLoopName: expect.stringMatching(/^wire-6-[0-9a-f]{20}$/),
      FlowDefinitionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d',
      HumanLoopInput: {
        InputContent:
          '{"initialValue":0,"taskObject":"I am unhappy with this product","modelProbability":0.5,"threshold":0.9}',
      },
    });
  });

  test('409 Conflict (error type only in the body) on a loop of this flow definition counts as started; nothing is queued', async () => {
    server.on('StartHumanLoop', () => ({
      status: 409,
      errorType: 'ConflictException',
      bodyOnly: true,
      body: { message: 'exists' },
    }));

    const response = await call(post('wire-7'));

    expect(response.json.predictions[0].humanReview.status).toBe('started');
    expect(server.callsOf('StartHumanLoop')).toHaveLength(1);
    expect(server.callsOf('DescribeHumanLoop')).toHaveLength(1);
    expect(server.callsOf('SendMessage')).toHaveLength(0);
  });

  test('402 quota exceeded is not retried; the loop is queued over SQS with its name', async () => {
    server.on('StartHumanLoop', () => ({
      status: 402,
      errorType: 'ServiceQuotaExceededException',
      body: { message: 'quota' },
    }));

    const response = await call(post('wire-8'));

    expect(response.json.predictions[0].humanReview.status).toBe('queued');
    expect(server.callsOf('StartHumanLoop')).toHaveLength(1);
    const sent = JSON.parse(server.callsOf('SendMessage')[0].body) as { QueueUrl: string; MessageBody: string };
    expect(sent.QueueUrl).toMatch(/\/review-retry$/);
    expect((JSON.parse(sent.MessageBody) as { name: string }).name).toMatch(/^wire-8-/);
  });

  test('429 throttling is retried, then queued when it persists', async () => {
    server.on('StartHumanLoop', () => ({
      status: 429,
      errorType: 'ThrottlingException',
      body: { message: 'slow down' },
    }));

    const response = await call(post('wire-9'));

    expect(response.json.predictions[0].humanReview.status).toBe('queued');
    // The A2I client's 3 attempts (lambda/shared/clients/a2i-runtime.ts), then the queue.
    expect(server.callsOf('StartHumanLoop')).toHaveLength(3);
  });

  test('a passing 500 is retried and the loop starts', async () => {
    server.on('StartHumanLoop', (_call, attempt) =>
      attempt === 1 ? { status: 500, errorType: 'InternalServerException', body: { message: 'hiccup' } } : undefined,
    );

    const response = await call(post('wire-10'));

    expect(response.json.predictions[0].humanReview.status).toBe('started');
    expect(server.callsOf('StartHumanLoop')).toHaveLength(2);
  });

  test('when SQS is down too, the item says the review was not recorded, so the caller sends the request again', async () => {
    server
      .on('StartHumanLoop', () => ({
        status: 402,
        errorType: 'ServiceQuotaExceededException',
        body: { message: 'quota' },
      }))
      .on('SendMessage', () => ({ status: 500, errorType: 'InternalError', body: { message: 'down' } }));

    const response = await call(post('wire-11'));

    expect(response.statusCode).toBe(200);
    expect(response.json.predictions[0].humanReview).toMatchObject({ status: 'failed', error: 'ReviewNotRecorded' });
  });
});

describe('deadlines', () => {
  const withTime = (event: APIGatewayProxyEvent, remainingMs: number) => {
    const endsAt = Date.now() + remainingMs;
    return handler(event, { getRemainingTimeInMillis: () => endsAt - Date.now() } as Context);
  };
  const batch = (requestId: string, size: number) =>
    ({
      body: JSON.stringify({
        requestId,
        instances: Array.from({ length: size }, (_, i) => ({ features: [`review ${i}`] })),
      }),
      requestContext: { requestId },
    }) as unknown as APIGatewayProxyEvent;

  test('with A2I slow, starts stop in time, the rest is queued, and the answer comes before the timeout', async () => {
    // The first 40 starts answer at once, the others only after the start phase is over.
    let calls = 0;
    server.on('StartHumanLoop', () => ({ delayMs: ++calls <= 40 ? 50 : 1_900, body: { HumanLoopArn: 'arn:x' } }));
    const began = Date.now();

    const response = await withTime(batch('slow-a2i', 100), 3_500);

    expect(Date.now() - began).toBeLessThan(3_500);
    expect(response.statusCode).toBe(200);
    const statuses = (
      JSON.parse(response.body) as { predictions: { humanReview: { status: string } }[] }
    ).predictions.map((p) => p.humanReview.status);
    expect(statuses).toHaveLength(100);
    expect(statuses.filter((s) => s === 'started').length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 'queued').length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 'started' || s === 'queued')).toBe(true);
    // Every item reported queued is on the queue, under its own name.
    const queued = server
      .callsOf('SendMessage')
      .map((c) => (JSON.parse(JSON.parse(c.body).MessageBody) as { name: string }).name);
    expect(new Set(queued).size).toBe(statuses.filter((s) => s === 'queued').length);
  });

  test("API Gateway's 29 s count from the request time: a request that waited before the Lambda ran answers in time", async () => {
    server.on('StartHumanLoop', () => ({ delayMs: 1_200, body: { HumanLoopArn: 'arn:x' } }));
    const event = batch('late-start', 30);
    const began = Date.now();
    // 25.5 s already gone (a cold start, API Gateway's overhead): 3.5 s left for the client, 28 s for the Lambda.
    (event.requestContext as { requestTimeEpoch?: number }).requestTimeEpoch = began - 25_500;

    const response = await withTime(event, 28_000);

    expect(Date.now() - began).toBeLessThan(3_500);
    expect(response.statusCode).toBe(200);
  });

  test('a model that does not answer in time is a 503 before the timeout, with nothing started', async () => {
    server.on('InvokeEndpoint', () => ({ delayMs: 5_000, body: '' }));
    const began = Date.now();

    const response = await withTime(batch('slow-model', 3), 3_800);

    expect(Date.now() - began).toBeLessThan(3_800);
    expect(response.statusCode).toBe(503);
    expect(server.callsOf('StartHumanLoop')).toHaveLength(0);
  });

  // Last in the file: after it, the client paces its calls for a while, as it would in a Lambda container.
  test('a storm of throttling: every item is started or queued under its own name, before the timeout', async () => {
    // A2I takes 10 starts per 100 ms and answers the others 429 ThrottlingException.
    const window = { from: 0, taken: 0 };
    const accepted = new Set<string>();
    server.on('StartHumanLoop', (call) => {
      const now = Date.now();
      if (now - window.from >= 100) Object.assign(window, { from: now, taken: 0 });
      if (++window.taken > 10)
        return { status: 429, errorType: 'ThrottlingException', body: { message: 'Rate exceeded' } };
      accepted.add((JSON.parse(call.body) as { HumanLoopName: string }).HumanLoopName);
      return { delayMs: 20, body: { HumanLoopArn: 'arn:x' } };
    });
    const began = Date.now();

    const response = await withTime(batch('throttled', 100), 5_000);

    expect(Date.now() - began).toBeLessThan(5_000);
    const reviews = (
      JSON.parse(response.body) as { predictions: { humanReview: { status: string; humanLoopName: string } }[] }
    ).predictions.map((p) => p.humanReview);
    expect(reviews.every((r) => r.status === 'started' || r.status === 'queued')).toBe(true);
    // Only a start A2I took is reported started (how many get through in 5 s depends on the machine's load).
    expect(accepted.size).toBeGreaterThan(0);
    for (const review of reviews.filter((r) => r.status === 'started'))
      expect(accepted).toContain(review.humanLoopName);
    const queued = server
      .callsOf('SendMessage')
      .map((c) => (JSON.parse(JSON.parse(c.body).MessageBody) as { name: string }).name);
    expect(new Set(queued)).toEqual(new Set(reviews.filter((r) => r.status === 'queued').map((r) => r.humanLoopName)));
    expect(queued).toHaveLength(new Set(queued).size);
    expect(server.callsOf('StartHumanLoop').length).toBeLessThanOrEqual(300);
  });
});
