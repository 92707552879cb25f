/**
 * The CLI's clients in local mode, on the wire: a loopback server that records what reaches it stands in for the
 * local server. Every call goes to `<url>/aws/<service>`, signed with local mode's dummy credentials in us-east-1
 * whatever the environment says, and a server that is not there is exit code 3 with how to start it.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultContext } from '../../cli/context';
import { runCli } from '../../cli/main';
import { captureIo } from './capture-io';

interface Seen {
  readonly method: string;
  readonly url: string;
  /** The SigV4 credential scope without its date: `<key>/<region>/<service>`. */
  readonly signedAs: string;
}

const FLOW = 'arn:aws:sagemaker:us-east-1:000000000000:flow-definition/sentiment-review-0a1b2c3d';
const seen: Seen[] = [];
let outputs: Record<string, string> = {};
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume().on('end', () => {
      const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '');
      seen.push({ method: req.method ?? '', url: req.url ?? '', signedAs: scope ? scope.slice(1).join('/') : '' });
      answer(req.url ?? '', res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  seen.length = 0;
});

/** DescribeStacks with `outputs`, an empty loop list, an empty bucket listing; 404 for anything else. */
function answer(requestUrl: string, res: http.ServerResponse): void {
  if (requestUrl.startsWith('/aws/cloudformation')) {
    const members = Object.entries(outputs)
      .map(([key, value]) => `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`)
      .join('');
    res
      .writeHead(200, { 'Content-Type': 'text/xml' })
      .end(
        '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult>' +
          '<Stacks><member><StackName>ReviewPipeline</StackName><CreationTime>2026-01-01T00:00:00Z</CreationTime>' +
          `<StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks>` +
          '</DescribeStacksResult></DescribeStacksResponse>',
      );
  } else if (requestUrl.startsWith('/aws/a2i/human-loops')) {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"HumanLoopSummaries":[]}');
  } else if (requestUrl.startsWith('/aws/s3/')) {
    res
      .writeHead(200, { 'Content-Type': 'application/xml' })
      .end(
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>local-review-output</Name>' +
          '<Prefix>dataset/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>' +
          '</ListBucketResult>',
      );
  } else res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"No route"}');
}

/** Runs the CLI as bin/review-pipeline.ts does, with `env` changing the process's environment (undefined: unset). */
async function run(line: string[], env: Record<string, string | undefined> = {}) {
  const io = captureIo();
  const saved = { ...process.env };
  for (const [key, value] of Object.entries(env))
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  try {
    const code = await runCli(line, (target) => defaultContext(io, target), process.env);
    return { code, out: io.outLines.join('\n'), err: io.errLines.join('\n') };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

/** What would send the clients elsewhere, or read a profile, if local mode did not configure them itself. */
const HOSTILE_ENV = {
  AWS_PROFILE: 'no-such-profile',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAREAL',
  AWS_SECRET_ACCESS_KEY: 'real',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
  AWS_CONFIG_FILE: path.join(os.tmpdir(), 'no-such-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(os.tmpdir(), 'no-such-aws-credentials'),
};

/** No AWS credentials, Region or profile at all. */
const NO_AWS_ENV = {
  AWS_PROFILE: 'no-such-profile',
  AWS_REGION: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_CONFIG_FILE: HOSTILE_ENV.AWS_CONFIG_FILE,
  AWS_SHARED_CREDENTIALS_FILE: HOSTILE_ENV.AWS_SHARED_CREDENTIALS_FILE,
};

test('ReviewBackend a2i: CloudFormation and the A2I runtime at <url>/aws/, with the dummy credentials in us-east-1', async () => {
  outputs = { ReviewBackend: 'a2i', FlowDefinitionArn: FLOW };
  const { code, err } = await run(['--local', url, 'loops', 'list'], HOSTILE_ENV);
  expect(code).toBe(0);
  expect(err).toBe('No human loops match.');
  expect(new Set(seen.map((s) => `${s.method} ${s.url.split('?')[0]} ${s.signedAs}`))).toEqual(
    new Set([
      'POST /aws/cloudformation/ local/us-east-1/cloudformation',
      'GET /aws/a2i/human-loops local/us-east-1/sagemaker',
    ]),
  );
  expect(seen.at(-1)?.url).toContain(`FlowDefinitionArn=${encodeURIComponent(FLOW)}`);
});

test('ReviewBackend self-hosted: the RuntimeApiUrl output, signed for execute-api as on AWS; no AWS set-up needed', async () => {
  outputs = { ReviewBackend: 'self-hosted', FlowDefinitionArn: FLOW, RuntimeApiUrl: `${url}/aws/a2i` };
  const { code } = await run(['loops', 'list'], { ...NO_AWS_ENV, REVIEW_PIPELINE_LOCAL: url });
  expect(code).toBe(0);
  expect(seen.at(-1)).toMatchObject({ method: 'GET', signedAs: 'local/us-east-1/execute-api' });
  expect(seen.at(-1)?.url).toMatch(/^\/aws\/a2i\/human-loops\?/);
});

test('results export reads the dataset from S3 at <url>/aws/s3, path-style', async () => {
  outputs = { DatasetUri: 's3://local-review-output/dataset/' };
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-local-')), 'reviews.jsonl');
  const { code, err } = await run(['results', 'export', '--out', out, '--local', url], HOSTILE_ENV);
  expect(code).toBe(0);
  expect(err).toContain(`wrote 0 records to ${out}`);
  expect(seen.at(-1)).toMatchObject({ method: 'GET', signedAs: 'local/us-east-1/s3' });
  expect(seen.at(-1)?.url).toMatch(/^\/aws\/s3\/local-review-output\/?\?list-type=2&prefix=dataset%2F/);
});

describe('a local server that is not there', () => {
  let absent: string;
  beforeAll(async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    absent = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
  });

  test('--local: exit 3 and how to start it, not ECONNREFUSED', async () => {
    const { code, err } = await run(['loops', 'list', '--local', absent]);
    expect(code).toBe(3);
    expect(err).toBe(`error: No local server at ${absent} (start it with npm start, or pass --local <url>)`);
  });

  test('REVIEW_PIPELINE_LOCAL: the same, in the words of the variable', async () => {
    const { code, err } = await run(['results', 'export', '--out', 'x.jsonl'], { REVIEW_PIPELINE_LOCAL: absent });
    expect(code).toBe(3);
    expect(err).toBe(
      `error: No local server at ${absent} (start it with npm start, or set REVIEW_PIPELINE_LOCAL to its URL)`,
    );
  });

  test('a server that is not local mode: exit 3 and what it answered', async () => {
    outputs = {};
    const other = http.createServer((_req, res) => res.writeHead(404).end('<html>not here</html>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const { code, err } = await run(['loops', 'list', '--local', otherUrl]);
      expect(code).toBe(3);
      expect(err).toMatch(
        new RegExp(`^error: The server at ${otherUrl} did not give stack ReviewPipeline's outputs as local mode`),
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
