/**
 * The runtime API answers the JS SDK's own A2I client, configured as docs/runtime-api.md says: the API's URL (with
 * its stage) as endpoint, SigV4 for execute-api. A loopback server plays API Gateway's proxy integration (stage
 * stripped from the path, query decoded) in front of the real handler, whose store is DynamoDB's wire protocol
 * (dynalite) and S3 local mode's emulator.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ConflictException,
  DeleteHumanLoopCommand,
  DescribeHumanLoopCommand,
  ListHumanLoopsCommand,
  ResourceNotFoundException,
  StartHumanLoopCommand,
  StopHumanLoopCommand,
  ValidationException,
} from '@aws-sdk/client-sagemaker-a2i-runtime';
import type { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { runtimeApiClient } from '../../../cli/runtime-api-client';
import { ENV } from '../../../common/contract';
import type * as RuntimeApi from '../../../lambda/runtime-api';
import type { LocalDynamo } from '../../helpers/dynalite';
import { startDynamo } from '../../helpers/dynalite';
import { startLocalS3 } from '../../helpers/local-s3';

const FLOW = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d';
const STAGE = 'prod';

const eventBridge = mockClient(EventBridgeClient);
let dynamo: LocalDynamo;
let s3: Awaited<ReturnType<typeof startLocalS3>>;
let gateway: http.Server;
let client: SageMakerA2IRuntimeClient;
const authorizations: string[] = [];

/** API Gateway's Lambda proxy integration for `/{stage}/human-loops[/...]`, as far as the handler sees it. */
function apiGateway(handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      authorizations.push(req.headers.authorization ?? '');
      const url = new URL(req.url ?? '/', 'http://gateway');
      const multiValueQueryStringParameters: Record<string, string[]> = {};
      for (const [key, value] of url.searchParams) (multiValueQueryStringParameters[key] ??= []).push(value);
      const event = {
        httpMethod: req.method,
        path: url.pathname.replace(`/${STAGE}`, ''),
        resource: '/human-loops/{proxy+}',
        multiValueQueryStringParameters,
        body: chunks.length ? Buffer.concat(chunks).toString('utf8') : null,
        isBase64Encoded: false,
        requestContext: { requestId: 'req-1', stage: STAGE },
      } as unknown as APIGatewayProxyEvent;
      void handler(event).then((result) => {
        res.writeHead(result.statusCode, result.headers as http.OutgoingHttpHeaders).end(result.body);
      });
    });
  });
}

beforeAll(async () => {
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  dynamo = await startDynamo('review-tasks');
  s3 = await startLocalS3();
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_ENDPOINT_URL_S3: s3.url,
    [ENV.reviewBackend]: 'self-hosted',
    [ENV.flowDefinitionArn]: FLOW,
    [ENV.taskTableName]: 'review-tasks',
    [ENV.s3OutputPath]: 's3://review-output/a2i-results',
    [ENV.taskInputsPath]: 's3://review-output/a2i-results/_inputs',
    [ENV.reviewEventBus]: 'review-events',
    [ENV.workerIdentityIssuer]: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test',
    [ENV.taskCount]: '1',
  });
  const { handler } = jest.requireActual<typeof RuntimeApi>('../../../lambda/runtime-api');
  gateway = apiGateway(handler);
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  client = runtimeApiClient(`http://127.0.0.1:${(gateway.address() as AddressInfo).port}/${STAGE}`, {
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  gateway.closeAllConnections();
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
  await s3.stop();
  await dynamo.close();
});

const input = (text: string) => ({ InputContent: JSON.stringify({ taskObject: text }) });

describe("the runtime API, called by the JS SDK's A2I client", () => {
  it('signs every call for execute-api in the caller Region, as API Gateway IAM auth verifies it', async () => {
    await client.send(new DescribeHumanLoopCommand({ HumanLoopName: 'nothing-here' })).catch(() => undefined);
    expect(authorizations.at(-1)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
    );
  });

  it('starts, describes, lists, stops and deletes loops with A2I answers', async () => {
    const started = await client.send(
      new StartHumanLoopCommand({ HumanLoopName: 'api-loop-1', FlowDefinitionArn: FLOW, HumanLoopInput: input('a') }),
    );
    expect(started.HumanLoopArn).toBe('arn:aws:sagemaker:eu-west-1:123456789012:human-loop/api-loop-1');
    const again = await client.send(
      new StartHumanLoopCommand({ HumanLoopName: 'api-loop-1', FlowDefinitionArn: FLOW, HumanLoopInput: input('a') }),
    );
    expect(again.HumanLoopArn).toBe(started.HumanLoopArn);

    const described = await client.send(new DescribeHumanLoopCommand({ HumanLoopName: 'api-loop-1' }));
    expect(described).toMatchObject({ HumanLoopStatus: 'InProgress', FlowDefinitionArn: FLOW });
    expect(described.CreationTime).toBeInstanceOf(Date);

    const listed = await client.send(
      new ListHumanLoopsCommand({
        FlowDefinitionArn: FLOW,
        CreationTimeAfter: new Date(described.CreationTime!.getTime() - 1_000),
        SortOrder: 'Ascending',
        MaxResults: 10,
      }),
    );
    expect(listed.HumanLoopSummaries?.map((loop) => loop.HumanLoopName)).toEqual(['api-loop-1']);

    await client.send(new StopHumanLoopCommand({ HumanLoopName: 'api-loop-1' }));
    expect((await client.send(new DescribeHumanLoopCommand({ HumanLoopName: 'api-loop-1' }))).HumanLoopStatus).toMatch(
      /^Stopp(ing|ed)$/,
    );
  });

  it('answers A2I errors as the client types them', async () => {
    await client.send(
      new StartHumanLoopCommand({ HumanLoopName: 'api-loop-2', FlowDefinitionArn: FLOW, HumanLoopInput: input('b') }),
    );
    await expect(
      client.send(
        new StartHumanLoopCommand({ HumanLoopName: 'api-loop-2', FlowDefinitionArn: FLOW, HumanLoopInput: input('c') }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);
    await expect(client.send(new DescribeHumanLoopCommand({ HumanLoopName: 'no-such-loop' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(client.send(new DeleteHumanLoopCommand({ HumanLoopName: 'api-loop-2' }))).rejects.toBeInstanceOf(
      ValidationException,
    );
    await expect(
      client.send(
        new StartHumanLoopCommand({
          HumanLoopName: 'api-loop-3',
          FlowDefinitionArn: FLOW.replace('sentiment', 'other'),
          HumanLoopInput: input('d'),
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new ListHumanLoopsCommand({ FlowDefinitionArn: FLOW, NextToken: 'made-up' })),
    ).rejects.toBeInstanceOf(ValidationException);
  });
});
