/** Local mode's emulators against the real SDK clients: answers and errors parse into the right types and classes. */
import * as http from 'node:http';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ConflictException,
  DescribeHumanLoopCommand,
  ResourceNotFoundException,
  SageMakerA2IRuntimeClient,
  StartHumanLoopCommand,
  ValidationException,
} from '@aws-sdk/client-sagemaker-a2i-runtime';
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { commandModel } from '../../local/model/model-backend';
import type { LocalServer } from '../../local/server';
import { startLocal } from './start';

let server: LocalServer;
let a2i: SageMakerA2IRuntimeClient;
let runtime: SageMakerRuntimeClient;
let s3: S3Client;
let events: EventBridgeClient;
const FLOW = 'arn:aws:sagemaker:us-east-1:000000000000:flow-definition/sentiment-review-25bf8e1a';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const start = (name: string, input = '{"taskObject":"x"}') =>
  a2i.send(
    new StartHumanLoopCommand({
      HumanLoopName: name,
      FlowDefinitionArn: FLOW,
      HumanLoopInput: { InputContent: input },
    }),
  );

beforeAll(async () => {
  // A model command that fails for one input, to see the ModelError.
  server = await startLocal({
    model: commandModel(
      `node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{if(s.includes('boom')){console.error('exploded');process.exit(3)}process.stdout.write(s.trim().split('\\\\n').map(()=>JSON.stringify({predicted_label:1,probability:0.5})).join('\\\\n'))})"`,
    ),
  });
  const config = { region: 'us-east-1', credentials, maxAttempts: 1 };
  a2i = new SageMakerA2IRuntimeClient({ ...config, endpoint: `${server.url}/aws/a2i` });
  runtime = new SageMakerRuntimeClient({ ...config, endpoint: `${server.url}/aws/runtime` });
  events = new EventBridgeClient({ ...config, endpoint: `${server.url}/aws/events` });
  s3 = new S3Client({
    ...config,
    endpoint: `${server.url}/aws/s3`,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
});
afterAll(() => server.close());

describe('A2I runtime', () => {
  test('start, then describe with Date timestamps and the status', async () => {
    const { HumanLoopArn } = await start('wire-a');
    expect(HumanLoopArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:human-loop/wire-a');
    const loop = await a2i.send(new DescribeHumanLoopCommand({ HumanLoopName: 'wire-a' }));
    expect(loop).toMatchObject({ HumanLoopName: 'wire-a', HumanLoopStatus: 'InProgress', FlowDefinitionArn: FLOW });
    expect(loop.CreationTime).toBeInstanceOf(Date);
  });

  test('the same name and input again is the same loop; with another input, a ConflictException (as A2I documents)', async () => {
    const first = await start('wire-b');
    expect((await start('wire-b')).HumanLoopArn).toBe(first.HumanLoopArn);
    await expect(start('wire-b', '{"taskObject":"other"}')).rejects.toBeInstanceOf(ConflictException);
  });

  test('a bad name, a foreign flow definition and a non-JSON input are refused with the right errors', async () => {
    await expect(start('Bad_Name')).rejects.toBeInstanceOf(ValidationException);
    await expect(
      a2i.send(
        new StartHumanLoopCommand({
          HumanLoopName: 'wire-c',
          FlowDefinitionArn: `${FLOW}-other`,
          HumanLoopInput: { InputContent: '{}' },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(start('wire-d', 'not json')).rejects.toThrow(ValidationException);
  });

  test('an unknown loop is a ResourceNotFoundException', async () => {
    await expect(a2i.send(new DescribeHumanLoopCommand({ HumanLoopName: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('SageMaker runtime', () => {
  const invoke = (body: string, endpoint = 'local-sentiment') =>
    runtime.send(
      new InvokeEndpointCommand({
        EndpointName: endpoint,
        ContentType: 'application/jsonlines',
        Body: new TextEncoder().encode(body),
      }),
    );

  test('JSON Lines in, JSON Lines out', async () => {
    const answer = await invoke('{"features":["a"]}\n{"features":["b"]}');
    expect(
      new TextDecoder()
        .decode(answer.Body)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { predicted_label: 1, probability: 0.5 },
      { predicted_label: 1, probability: 0.5 },
    ]);
  });

  test.each([
    ['a trailing newline', '{"features":["a"]}\n', 'Line 2 is empty'],
    ['a blank line', '{"features":["a"]}\n\n{"features":["b"]}', 'Line 2 is empty'],
    ['a record without features', '{"text":"a"}', 'Line 1 has no "features" array of strings'],
  ])(
    'a body the reference model cannot read (%s) is a ModelError, whatever model answers',
    async (_, body, message) => {
      const error = (await invoke(body).catch((e: unknown) => e)) as ModelError;
      expect(error).toBeInstanceOf(ModelError);
      expect(error.OriginalStatusCode).toBe(500);
      expect(error.OriginalMessage).toContain(message);
    },
  );

  test('a failing model is a ModelError with the original status and message', async () => {
    const error = (await invoke('{"features":["boom"]}').catch((e: unknown) => e)) as ModelError;
    expect(error).toBeInstanceOf(ModelError);
    expect(error.OriginalStatusCode).toBe(500);
    expect(error.OriginalMessage).toContain('exploded');
  });

  test('an unknown endpoint is a ValidationError', async () => {
    await expect(invoke('{"features":["a"]}', 'other')).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('not found'),
    });
  });
});

describe('S3', () => {
  test('put, get, and NoSuchKey for a missing key', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'local-review-output',
        Key: 'a/b c.json',
        Body: '{"x":1}',
        ContentType: 'application/json',
      }),
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: 'local-review-output', Key: 'a/b c.json' }));
    expect(await object.Body?.transformToString()).toBe('{"x":1}');
    expect(object.ContentType).toBe('application/json');
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'local-review-output', Key: 'missing' })),
    ).rejects.toBeInstanceOf(NoSuchKey);
  });
});

describe('EventBridge', () => {
  const entry = (fields: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
    EventBusName: 'review-events',
    Source: 'review-pipeline.tests',
    DetailType: 'Test',
    Detail: '{"n":1}',
    ...fields,
  });

  test('PutEvents takes good entries and says why it refuses the others, entry by entry, as EventBridge does', async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Source: 'aws.sagemaker' }),
          entry({ Detail: '[1, 2]' }),
          entry({ Detail: 'not json' }),
          entry({ DetailType: undefined }),
          entry({ EventBusName: 'no-such-bus' }),
          entry({ Detail: JSON.stringify({ text: 'x'.repeat(256 * 1024) }) }),
          // Counted as EventBridge counts it (the text's UTF-8 bytes), not as the escaped JSON of the request.
          entry({ Detail: JSON.stringify({ text: '"'.repeat(120 * 1024) }) }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries?.map((e) => e.ErrorCode ?? 'taken')).toEqual([
      'taken',
      'NotAuthorizedForSourceException',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'taken',
    ]);
    expect(result.Entries?.[0].EventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('more than 10 entries, or none, is a ValidationException', async () => {
    for (const count of [0, 11])
      await expect(
        events.send(new PutEventsCommand({ Entries: Array.from({ length: count }, () => entry()) })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('a request naming another host (DNS rebinding) reaches nothing', async () => {
    const { port } = new URL(server.url);
    const answer = (host: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(
            { host: '127.0.0.1', port, path: '/aws/s3/local-review-output?list-type=2', headers: { host } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          )
          .on('error', reject);
      });
    expect(await answer(`attacker.example:${port}`)).toBe(421);
    expect(await answer(`localhost:${port}`)).toBe(200);
  });

  test('a web page cannot reach the emulators', async () => {
    const response = await fetch(`${server.url}/aws/dynamodb`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    expect(response.status).toBe(403);
  });
});
