/**
 * Property: whatever the body, the predict handler answers (never throws) and never answers 5xx to bad input.
 * The model and A2I always succeed here, so any 5xx could only come from the handler's own handling of the input.
 */
import { SageMakerA2IRuntimeClient, StartHumanLoopCommand } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { handler } from '../../../lambda/predict';

Object.assign(process.env, {
  SAGEMAKER_ENDPOINT_NAME: 'sentiment-endpoint',
  FLOW_DEFINITION_ARN: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d',
  REVIEW_RETRY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/review-retry',
});

const model = mockClient(SageMakerRuntimeClient);
mockClient(SageMakerA2IRuntimeClient).on(StartHumanLoopCommand).resolves({});
mockClient(SQSClient).on(SendMessageCommand).resolves({});
model.on(InvokeEndpointCommand).callsFake((input: { Body: Uint8Array }) => {
  const lines = new TextDecoder().decode(input.Body).trim().split('\n');
  return { Body: new TextEncoder().encode(lines.map(() => '{"predicted_label":1,"probability":0.5}').join('\n')) };
});

const deeplyNested = fc
  .tuple(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom('[', '{"a":', '{"instances":['))
  .map(
    ([depth, open]) => open.repeat(depth) + '1' + (open === '[' ? ']' : open === '{"a":' ? '}' : ']}').repeat(depth),
  );
const nonUtf8ish = fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes).toString('latin1'));
const huge = fc
  .tuple(fc.integer({ min: 1_000_000, max: 1_200_000 }), fc.constantFrom('x', '{"instances":[{"features":["'))
  .map(([size, head]) => head + 'a'.repeat(size));
const wronglyTyped = fc
  .record(
    {
      instances: fc.oneof(
        fc.anything(),
        fc.array(fc.record({ id: fc.anything(), features: fc.anything() }, { requiredKeys: [] }), { maxLength: 120 }),
        fc.array(fc.record({ features: fc.array(fc.string(), { maxLength: 20 }) }), { maxLength: 110 }),
      ),
      requestId: fc.anything(),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body));
const anyJson = fc.jsonValue().map((value) => JSON.stringify(value));
const validish = fc
  .record({
    requestId: fc.option(fc.string({ minLength: 1, maxLength: 140 }), { nil: undefined }),
    instances: fc.array(
      fc.record({
        id: fc.option(fc.oneof(fc.string(), fc.integer()), { nil: undefined }),
        features: fc.array(fc.string({ maxLength: 3_000 }), { maxLength: 5 }),
      }),
      { maxLength: 8 },
    ),
  })
  .map((body) => JSON.stringify(body));

const body = fc.oneof(
  { arbitrary: anyJson, weight: 4 },
  { arbitrary: wronglyTyped, weight: 4 },
  { arbitrary: validish, weight: 3 },
  { arbitrary: nonUtf8ish, weight: 2 },
  { arbitrary: deeplyNested, weight: 1 },
  { arbitrary: huge, weight: 1 },
  { arbitrary: fc.constantFrom('', 'null', '"instances"', '{"instances":null}', '\u0000', '\uFFFD\uD800'), weight: 1 },
);

test('never throws and never answers 5xx, for 1,000 generated bodies', async () => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(body, fc.boolean(), async (text, base64) => {
      const event = {
        body: base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
        isBase64Encoded: base64,
        requestContext: { requestId: 'fuzz' },
      } as unknown as APIGatewayProxyEvent;
      const response = await handler(event);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      expect(response.statusCode).toBeLessThan(500);
      const answer = JSON.parse(response.body) as { error?: string; field?: string };
      if (response.statusCode !== 200) {
        expect([400, 413]).toContain(response.statusCode);
        expect(answer.field).toEqual(expect.any(String));
      }
    }),
    { numRuns: 1_000 },
  );
  // The generators reach every kind of answer: accepted, malformed and too large.
  expect([...statuses.keys()].sort()).toEqual([200, 400, 413]);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(1_000);
}, 120_000);
