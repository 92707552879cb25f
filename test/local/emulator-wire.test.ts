/** Local mode's emulators against the real SDK clients: answers and errors parse into the right types and classes. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
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
import { eventually, startLocal } from './start';

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
  const BUCKET = 'local-review-output';
  const put = (Key: string, Body: string | Uint8Array = 'x', client = s3) =>
    client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  const failure = async (promise: Promise<unknown>): Promise<S3ServiceException> => {
    const error = await promise.then(
      () => new Error('not refused'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(S3ServiceException);
    return error as S3ServiceException;
  };
  const objectsDir = () => path.join(server.dataDir.root, 's3', BUCKET);
  const tempDir = () => path.join(server.dataDir.root, 's3-tmp');
  const md5 = (bytes: string | Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;
  /** The S3 client as the local server's own clients are set: the SDK's default checksums. */
  const defaultS3 = () =>
    new S3Client({
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
      endpoint: `${server.url}/aws/s3`,
      forcePathStyle: true,
    });
  /** A raw PutObject with these headers, the body written by `send`; the request is left open. */
  const rawPut = (key: string, headers: http.OutgoingHttpHeaders, send: (request: http.ClientRequest) => void) => {
    let request: http.ClientRequest | undefined;
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request = http
        .request(
          {
            host: '127.0.0.1',
            port: new URL(server.url).port,
            method: 'PUT',
            path: `/aws/s3/${BUCKET}/${key}`,
            headers,
          },
          (res) => {
            let body = '';
            res
              .setEncoding('utf8')
              .on('data', (chunk: string) => (body += chunk))
              .on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        )
        .on('error', reject);
      send(request);
    });
    return { answer, request: request! };
  };

  test('put, get, and NoSuchKey for a missing key', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'a/b c.json',
        Body: '{"x":1}',
        ContentType: 'application/json',
      }),
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a/b c.json' }));
    expect(await object.Body?.transformToString()).toBe('{"x":1}');
    expect(object.ContentType).toBe('application/json');
    expect(fs.readFileSync(path.join(objectsDir(), 'a', 'b c.json'), 'utf8')).toBe('{"x":1}');
    await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing' }))).rejects.toBeInstanceOf(NoSuchKey);
  });

  test.each([
    ['a//b', 'it has an empty segment'],
    ['/a', 'it has an empty segment'],
    ['wire/./b', 'it has a "." segment'],
    ['wire/../b', 'it has a ".." segment'],
    ['..', 'it has a ".." segment'],
    ['../../../../escape', 'it has a ".." segment'],
    ['a\0b', 'it holds a NUL character'],
    ['a\\b', 'it holds a backslash'],
    [`a/${'€'.repeat(86)}`, `its segment "${'€'.repeat(86)}" is 258 bytes, over the 255 a file name can hold`],
  ])('PutObject, GetObject and HeadObject of %j are a 400 naming the key and why', async (key, reason) => {
    const before = fs.readdirSync(path.join(server.dataDir.root, 's3'), { recursive: true });
    const error = await failure(put(key));
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.name).toBe('InvalidArgument');
    expect(error.message).toContain(`Object key ${JSON.stringify(key)} cannot be stored in local mode: ${reason}`);
    const read = await failure(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));
    expect(read.$metadata.httpStatusCode).toBe(400);
    expect(read.message).toContain(reason);
    const head = await failure(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })));
    expect(head.$metadata.httpStatusCode).toBe(400);
    expect(fs.readdirSync(path.join(server.dataDir.root, 's3'), { recursive: true })).toEqual(before);
  });

  test('a key over 1024 bytes is KeyTooLongError, as S3 answers', async () => {
    const error = await failure(put('k'.repeat(1025)));
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.name).toBe('KeyTooLongError');
    expect(error.message).toContain('Your key is too long');
  });

  test('a key that is also a folder of another key is refused as a limit of local mode', async () => {
    await put('wire/conflict', 'a');
    const error = await failure(put('wire/conflict/inner'));
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain(
      'Object key "wire/conflict/inner" cannot be stored in local mode: "wire/conflict" is already an object',
    );
    expect(error.message).toContain('S3 allows this; it is a limit of local mode only');
  });

  test('ListObjectsV2 lists in UTF-8 byte order, page by page, and after a start key', async () => {
    const keys = ['list/Z', 'list/a-c', 'list/a/b', 'list/a0', 'list/é', 'list/ｚ', 'list/𝄞/x'];
    for (const key of [...keys].reverse()) await put(key, key);
    const seen: (string | undefined)[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', MaxKeys: 3, ContinuationToken: token }),
      );
      seen.push(...(page.Contents ?? []).map((o) => o.Key));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token !== undefined);
    expect(seen).toEqual(keys);
    const after = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', StartAfter: 'list/ｚ' }));
    expect(after.Contents?.map((o) => [o.Key, o.Size, o.ETag])).toEqual([['list/𝄞/x', 11, md5('list/𝄞/x')]]);
  });

  test('a Content-Length over 5 GB is EntityTooLarge, answered before any of the body', async () => {
    const { answer, request } = rawPut('wire/huge', { 'Content-Length': String(5 * 1024 ** 3 + 1) }, (r) =>
      r.flushHeaders(),
    );
    const { status, body } = await answer;
    request.destroy();
    expect(status).toBe(400);
    expect(body).toContain('<Code>EntityTooLarge</Code>');
    expect(body).toContain('<Message>Your proposed upload exceeds the maximum allowed size</Message>');
    expect(body).toContain('<ProposedSize>5368709121</ProposedSize><MaxSizeAllowed>5368709120</MaxSizeAllowed>');
  }, 5_000);

  test('PutObject without a Content-Length is 411 MissingContentLength', async () => {
    const { answer } = rawPut('wire/unsized', { 'Transfer-Encoding': 'chunked' }, (r) => r.end('some bytes'));
    const { status, body } = await answer;
    expect(status).toBe(411);
    expect(body).toContain('<Code>MissingContentLength</Code>');
    expect(server.objects.head(BUCKET, 'wire/unsized')).toBeUndefined();
  });

  test('an upload is streamed to a temp file, and one cut short leaves nothing behind', async () => {
    const { answer, request } = rawPut('wire/aborted', { 'Content-Length': String(5 * 1024 ** 3) }, (r) =>
      r.write('first bytes'),
    );
    answer.catch(() => undefined);
    // The 11 bytes reach the disk while the body is still coming: not held in memory.
    await eventually(() =>
      expect(fs.readdirSync(tempDir()).map((name) => fs.statSync(path.join(tempDir(), name)).size)).toEqual([11]),
    );
    request.destroy();
    await eventually(() => expect(fs.readdirSync(tempDir())).toEqual([]));
    expect(server.objects.head(BUCKET, 'wire/aborted')).toBeUndefined();
    expect(fs.existsSync(path.join(objectsDir(), 'wire', 'aborted'))).toBe(false);
  });

  test('a conditional write that fails leaves the object as it was, and no upload behind', async () => {
    await put('wire/conditional', 'first');
    const error = await failure(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wire/conditional', Body: 'second', IfNoneMatch: '*' })),
    );
    expect(error.$metadata.httpStatusCode).toBe(412);
    expect(server.objects.get(BUCKET, 'wire/conditional')?.body.toString()).toBe('first');
    expect(fs.readdirSync(tempDir())).toEqual([]);
  });

  test('with its default checksums the SDK sends strings and buffers plainly: stored byte for byte', async () => {
    const client = defaultS3();
    const bodies: [string, string | Buffer][] = [
      ['wire/plain-string', '{"s":"é"}'],
      ['wire/plain-buffer', Buffer.from([0, 1, 2, 255])],
      // Over the SDK's threshold for Expect: 100-continue.
      ['wire/plain-large', Buffer.alloc(3 * 1024 * 1024, 7)],
    ];
    for (const [key, body] of bodies) {
      const { ETag } = await put(key, body, client);
      // Compared by digest: Jest compares a 3 MB Buffer index by index, slowly.
      expect(md5(fs.readFileSync(path.join(objectsDir(), key)))).toBe(md5(body));
      expect(fs.statSync(path.join(objectsDir(), key)).size).toBe(Buffer.byteLength(body));
      expect(ETag).toBe(md5(body));
      const read = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(md5(Buffer.from(await read.Body!.transformToByteArray()))).toBe(md5(body));
    }
  });

  test('an aws-chunked body (the SDK streaming with its default checksums) is a 501, not stored', async () => {
    // The SDK warns that a streaming request cannot be retried.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = await failure(
      defaultS3().send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'wire/chunked',
          Body: Readable.from([Buffer.from('hello')]),
          ContentLength: 5,
        }),
      ),
    );
    expect(error.$metadata.httpStatusCode).toBe(501);
    expect(error.name).toBe('NotImplemented');
    expect(error.message).toContain('does not decode aws-chunked bodies');
    expect(server.objects.head(BUCKET, 'wire/chunked')).toBeUndefined();
    warn.mockRestore();
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
