/**
 * Property: no retry or reuse ever reports another item's review as an item's own. Two pipelines (two flow
 * definitions in one account, where loop names are unique per account and Region) run the real predict handler
 * against one fake A2I account with A2I's start semantics (the same name with the same input is the same loop; with
 * another input, a ConflictException). Random sequences reuse requestIds with other content, reorder items, send
 * bodies without a requestId again and cross pipelines; after each answer, every item reported `started` must name a
 * loop of its pipeline whose input is that item's.
 */
import type * as A2iSdk from '@aws-sdk/client-sagemaker-a2i-runtime';
import type * as RuntimeSdk from '@aws-sdk/client-sagemaker-runtime';
import type * as SqsSdk from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as ClientMock from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import type { PredictResponse } from '../../../lambda/predict';

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

interface StoredLoop {
  readonly flowDefinitionArn: string;
  readonly inputContent: string;
}

const account = new Map<string, StoredLoop>();
const FLOWS = {
  a: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d',
  b: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/other-pipeline-0a1b2c3d',
} as const;

/** One pipeline's handler, loaded in its own module registry with its own environment and SDK mocks. */
function loadPipeline(flowDefinitionArn: string): Handler {
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports -- one registry per pipeline */
    const { mockClient } = require('aws-sdk-client-mock') as typeof ClientMock;
    const a2iSdk = require('@aws-sdk/client-sagemaker-a2i-runtime') as typeof A2iSdk;
    const runtimeSdk = require('@aws-sdk/client-sagemaker-runtime') as typeof RuntimeSdk;
    const sqsSdk = require('@aws-sdk/client-sqs') as typeof SqsSdk;
    mockClient(runtimeSdk.SageMakerRuntimeClient)
      .on(runtimeSdk.InvokeEndpointCommand)
      .callsFake((input: { Body: Uint8Array }) => {
        const lines = new TextDecoder().decode(input.Body).split('\n');
        const answers = lines.map((line) => {
          const text = (JSON.parse(line) as { features: string[] }).features[0];
          return JSON.stringify({ predicted_label: (text.length % 3) - 1, probability: 0.5 });
        });
        return { Body: new TextEncoder().encode(answers.join('\n')) };
      });
    const a2i = mockClient(a2iSdk.SageMakerA2IRuntimeClient);
    a2i
      .on(a2iSdk.StartHumanLoopCommand)
      .callsFake(
        (input: { HumanLoopName: string; FlowDefinitionArn: string; HumanLoopInput: { InputContent: string } }) => {
          const existing = account.get(input.HumanLoopName);
          const requested = {
            flowDefinitionArn: input.FlowDefinitionArn,
            inputContent: input.HumanLoopInput.InputContent,
          };
          if (existing === undefined) account.set(input.HumanLoopName, requested);
          else if (JSON.stringify(existing) !== JSON.stringify(requested))
            throw new a2iSdk.ConflictException({ message: 'same name, different input', $metadata: {} });
          return { HumanLoopArn: `arn:loop/${input.HumanLoopName}` };
        },
      );
    a2i.on(a2iSdk.DescribeHumanLoopCommand).callsFake((input: { HumanLoopName: string }) => {
      const loop = account.get(input.HumanLoopName);
      if (loop === undefined) throw new a2iSdk.ResourceNotFoundException({ message: 'no loop', $metadata: {} });
      return {
        HumanLoopName: input.HumanLoopName,
        FlowDefinitionArn: loop.flowDefinitionArn,
        HumanLoopStatus: 'InProgress',
      };
    });
    mockClient(sqsSdk.SQSClient).on(sqsSdk.SendMessageCommand).resolves({});
    const loaded = (require('../../../lambda/predict') as { handler: Handler }).handler;
    // The handler reads its environment on its first call; each pipeline's calls see its own.
    handler = (event) => {
      Object.assign(process.env, {
        SAGEMAKER_ENDPOINT_NAME: 'sentiment-endpoint',
        FLOW_DEFINITION_ARN: flowDefinitionArn,
        REVIEW_RETRY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/review-retry',
      });
      return loaded(event);
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  return handler!;
}

const pipelines = { a: loadPipeline(FLOWS.a), b: loadPipeline(FLOWS.b) };

const TEXTS = ['I enjoy this product', 'I am unhappy', 'It is okay', 'meh', 'works'];
const request = fc.record({
  pipeline: fc.constantFrom('a' as const, 'b' as const),
  requestId: fc.option(fc.constantFrom('batch-1', 'batch-2'), { nil: undefined }),
  withIds: fc.boolean(),
  texts: fc.array(fc.constantFrom(...TEXTS), { minLength: 1, maxLength: 4 }),
  reversed: fc.boolean(),
});

test('every item reported started names a loop of its pipeline with its own input', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 8 }), async (requests) => {
      account.clear();
      for (const r of requests) {
        const items = r.texts.map((text, i) => ({ ...(r.withIds ? { id: `item-${i}` } : {}), features: [text] }));
        const instances = r.reversed ? [...items].reverse() : items;
        const response = await pipelines[r.pipeline]({
          body: JSON.stringify({ requestId: r.requestId, instances }),
          requestContext: { requestId: 'fuzz' },
        } as unknown as APIGatewayProxyEvent);
        expect(response.statusCode).toBe(200);
        const { predictions } = JSON.parse(response.body) as PredictResponse;
        predictions.forEach((prediction, i) => {
          expect(prediction.humanReview.status).toBe('started');
          const loop = account.get((prediction.humanReview as { humanLoopName: string }).humanLoopName);
          expect(loop?.flowDefinitionArn).toBe(FLOWS[r.pipeline]);
          expect((JSON.parse(loop!.inputContent) as { taskObject: string }).taskObject).toBe(instances[i].features[0]);
        });
      }
    }),
    { numRuns: 150 },
  );
});
