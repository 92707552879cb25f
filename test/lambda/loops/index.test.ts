import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeHumanLoopCommand,
  ListHumanLoopsCommand,
  ResourceNotFoundException,
  SageMakerA2IRuntimeClient,
  ValidationException,
} from '@aws-sdk/client-sagemaker-a2i-runtime';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as loops } from '../../../lambda/loops';

const FLOW = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d';
process.env.FLOW_DEFINITION_ARN = FLOW;
const a2i = mockClient(SageMakerA2IRuntimeClient);
const s3 = mockClient(S3Client);

const OUTPUT_URI =
  's3://output-bucket/a2i-results/sentiment-review-0a1b2c3d/2026/11/21/10/00/00/order-7-abc/output.json';
const OUTPUT = {
  flowDefinitionArn: FLOW,
  humanLoopName: 'order-7-abc',
  inputContent: { initialValue: -1, taskObject: 'I am unhappy with this product' },
  humanAnswers: [
    {
      answerContent: { sentiment: { label: '-1' } },
      acceptanceTime: '2026-11-21T10:01:00.000Z',
      submissionTime: '2026-11-21T10:01:20.000Z',
      timeSpentInSeconds: 20.1,
      workerId: 'abcdef0123456789',
      workerMetadata: { identityData: { identityProviderType: 'Cognito', issuer: 'https://cognito', sub: 'user-sub' } },
    },
  ],
};

const get = (path: { name?: string }, query: Record<string, string> = {}) =>
  ({
    pathParameters: path.name === undefined ? null : { name: path.name },
    queryStringParameters: Object.keys(query).length ? query : null,
    requestContext: { requestId: 'r-1' },
  }) as unknown as APIGatewayProxyEvent;

async function call(event: APIGatewayProxyEvent) {
  const response = await loops(event);
  return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
}

beforeEach(() => {
  a2i.reset();
  s3.reset();
});

describe('GET /loops/{name}', () => {
  test.each([
    ['of another pipeline', 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/other-pipeline-0a1b2c3d', 404],
    ["of this pipeline's earlier flow definition", FLOW.replace('0a1b2c3d', '99887766'), 200],
  ])('a loop %s: %d', async (_, flowDefinitionArn, status) => {
    a2i.on(DescribeHumanLoopCommand).resolves({
      HumanLoopName: 'order-7-abc',
      HumanLoopStatus: 'InProgress',
      CreationTime: new Date('2026-11-21T10:00:00Z'),
      HumanLoopArn: 'arn',
      FlowDefinitionArn: flowDefinitionArn,
    });

    expect((await call(get({ name: 'order-7-abc' }))).status).toBe(status);
  });

  test('a completed loop whose output.json is far larger than A2I writes is a 502, not read', async () => {
    a2i.on(DescribeHumanLoopCommand).resolves({
      HumanLoopName: 'order-7-abc',
      HumanLoopStatus: 'Completed',
      CreationTime: new Date('2026-11-21T10:00:00Z'),
      HumanLoopOutput: { OutputS3Uri: OUTPUT_URI },
      HumanLoopArn: 'arn',
      FlowDefinitionArn: FLOW,
    });
    const read = jest.fn();
    s3.on(GetObjectCommand).resolves({ ContentLength: 30 * 1024 * 1024, Body: { transformToString: read } as never });

    expect(await call(get({ name: 'order-7-abc' }))).toEqual({
      status: 502,
      body: {
        error: 'OutputTooLarge',
        message: `${OUTPUT_URI} has 31457280 bytes; at most 16777216 are read`,
      },
    });
    expect(read).not.toHaveBeenCalled();
  });

  test('a loop in progress: its status', async () => {
    a2i.on(DescribeHumanLoopCommand).resolves({
      HumanLoopName: 'order-7-abc',
      HumanLoopStatus: 'InProgress',
      CreationTime: new Date('2026-11-21T10:00:00Z'),
      HumanLoopArn: 'arn',
      FlowDefinitionArn: FLOW,
    });

    expect(await call(get({ name: 'order-7-abc' }))).toEqual({
      status: 200,
      body: { humanLoopName: 'order-7-abc', status: 'InProgress', createdAt: '2026-11-21T10:00:00.000Z' },
    });
    expect(s3.calls()).toHaveLength(0);
  });

  test('a completed loop: the human answer read from the output.json the loop points to, without worker identities', async () => {
    a2i.on(DescribeHumanLoopCommand).resolves({
      HumanLoopName: 'order-7-abc',
      HumanLoopStatus: 'Completed',
      CreationTime: new Date('2026-11-21T10:00:00Z'),
      HumanLoopOutput: { OutputS3Uri: OUTPUT_URI },
      HumanLoopArn: 'arn',
      FlowDefinitionArn: FLOW,
    });
    s3.on(GetObjectCommand).resolves({
      ContentLength: JSON.stringify(OUTPUT).length,
      Body: { transformToString: () => Promise.resolve(JSON.stringify(OUTPUT)) } as never,
    });

    const { status, body } = await call(get({ name: 'order-7-abc' }));

    expect(status).toBe(200);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'output-bucket',
      Key: 'a2i-results/sentiment-review-0a1b2c3d/2026/11/21/10/00/00/order-7-abc/output.json',
    });
    expect(body.humanAnswers).toEqual([
      {
        answerContent: { sentiment: { label: '-1' } },
        acceptanceTime: '2026-11-21T10:01:00.000Z',
        submissionTime: '2026-11-21T10:01:20.000Z',
        timeSpentInSeconds: 20.1,
      },
    ]);
    expect(JSON.stringify(body)).not.toContain('user-sub');
  });

  test('an unknown loop is a 404', async () => {
    a2i.on(DescribeHumanLoopCommand).rejects(new ResourceNotFoundException({ message: 'nope', $metadata: {} }));
    expect(await call(get({ name: 'nope' }))).toMatchObject({
      status: 404,
      body: { error: 'NotFound', field: 'name' },
    });
  });

  test('a name that breaks the rule is a 400 before any call', async () => {
    expect(await call(get({ name: 'Bad_Name' }))).toMatchObject({ status: 400, body: { field: 'name' } });
    expect(a2i.calls()).toHaveLength(0);
  });
});

describe('GET /loops', () => {
  const summaries = [
    { HumanLoopName: 'a', HumanLoopStatus: 'Completed' as const, CreationTime: new Date('2026-11-21T10:00:00Z') },
    { HumanLoopName: 'b', HumanLoopStatus: 'InProgress' as const, CreationTime: new Date('2026-11-21T09:00:00Z') },
  ];

  test('lists the flow definition loops, newest first, with the next page token', async () => {
    a2i.on(ListHumanLoopsCommand).resolves({ HumanLoopSummaries: summaries, NextToken: 'page-2' });

    const { status, body } = await call(get({}, { createdAfter: '2026-11-01T00:00:00Z', maxResults: '2' }));

    expect(status).toBe(200);
    expect(a2i.commandCalls(ListHumanLoopsCommand)[0].args[0].input).toEqual({
      FlowDefinitionArn: FLOW,
      CreationTimeAfter: new Date('2026-11-01T00:00:00Z'),
      MaxResults: 2,
      SortOrder: 'Descending',
    });
    expect(body).toEqual({
      loops: [
        { humanLoopName: 'a', status: 'Completed', createdAt: '2026-11-21T10:00:00.000Z' },
        { humanLoopName: 'b', status: 'InProgress', createdAt: '2026-11-21T09:00:00.000Z' },
      ],
      nextToken: 'page-2',
    });
  });

  test('filters by status and passes the page token on', async () => {
    a2i.on(ListHumanLoopsCommand).resolves({ HumanLoopSummaries: summaries });

    const { body } = await call(get({}, { status: 'InProgress', nextToken: 'page-2' }));

    expect(a2i.commandCalls(ListHumanLoopsCommand)[0].args[0].input.NextToken).toBe('page-2');
    expect((body.loops as unknown[]).length).toBe(1);
  });

  test.each([
    [{ status: 'Done' }, 'status'],
    [{ createdAfter: 'yesterday' }, 'createdAfter'],
    [{ maxResults: '500' }, 'maxResults'],
  ])('%p is a 400 naming %s', async (query, field) => {
    expect(await call(get({}, query))).toMatchObject({ status: 400, body: { field } });
  });

  test('a foreign page token is a 400', async () => {
    a2i.on(ListHumanLoopsCommand).rejects(new ValidationException({ message: 'bad token', $metadata: {} }));
    expect(await call(get({}, { nextToken: 'forged' }))).toMatchObject({ status: 400, body: { field: 'nextToken' } });
  });
});
