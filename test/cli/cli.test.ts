import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminRemoveUserFromGroupCommand,
  ListUsersInGroupCommand,
  UsernameExistsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeHumanLoopCommand,
  ListHumanLoopsCommand,
  ResourceNotFoundException,
  StopHumanLoopCommand,
} from '@aws-sdk/client-sagemaker-a2i-runtime';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DatasetRecord } from '../../common/dataset';
import { cli, deployedStacks, FLOW, mocks, runtimeApiUrls, resetMocks } from './harness';

beforeEach(() => {
  resetMocks();
  deployedStacks();
});

describe('help and usage', () => {
  test('--help lists the commands and exit codes', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('workers add <email>...');
    expect(out).toContain('Exit codes: 0 success');
  });

  test.each(['workers', 'loops', 'results', 'template'])('%s --help needs no AWS', async (command) => {
    const { code, out } = await cli([command, '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: review-pipeline /);
    expect(mocks.cloudFormation.calls()).toHaveLength(0);
  });

  test('an unknown command is a usage error (exit 2)', async () => {
    const { code, err } = await cli(['deploy']);
    expect(code).toBe(2);
    expect(err).toContain('Unknown command "deploy"');
  });

  test('an unknown option is a usage error', async () => {
    expect((await cli(['loops', 'list', '--colour'])).code).toBe(2);
  });
});

describe('helpful errors', () => {
  test('no stack deployed: exit 3 and how to deploy', async () => {
    mocks.cloudFormation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id ReviewPipeline does not exist'), { name: 'ValidationError' }));
    const { code, err } = await cli(['loops', 'list']);
    expect(code).toBe(3);
    expect(err).toContain(
      'error: Stack ReviewPipeline is not deployed in eu-west-1. Deploy it first: npx cdk deploy --all',
    );
  });

  test('no credentials: exit 4 and how to get them', async () => {
    mocks.cloudFormation
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const { code, err } = await cli(['workers', 'list']);
    expect(code).toBe(4);
    expect(err).toContain('No AWS credentials found');
  });

  test('unknown loop: exit 5', async () => {
    mocks.a2i.on(DescribeHumanLoopCommand).rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));
    const { code, err } = await cli(['loops', 'show', 'nope']);
    expect(code).toBe(5);
    expect(err).toBe('error: No human loop named nope');
  });
});

describe('workers', () => {
  test('add invites each address by Cognito email and adds it to the group; no password is handled', async () => {
    mocks.cognito.on(AdminCreateUserCommand).resolves({}).on(AdminAddUserToGroupCommand).resolves({});
    mocks.cognito
      .on(AdminCreateUserCommand, { Username: 'bo@example.com' })
      .rejects(new UsernameExistsException({ message: 'exists', $metadata: {} }));

    const { code, out, err } = await cli(['workers', 'add', 'ana@example.com', 'bo@example.com']);

    expect(code).toBe(0);
    expect(out).toBe('invited ana@example.com\nbo@example.com already has an account');
    expect(err).toBe('Workers sign in at https://abc.labeling.eu-west-1.sagemaker.aws');
    const created = mocks.cognito.commandCalls(AdminCreateUserCommand)[0].args[0].input;
    expect(created).toEqual({
      UserPoolId: 'eu-west-1_Pool',
      Username: 'ana@example.com',
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'email', Value: 'ana@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    expect(JSON.stringify(created)).not.toMatch(/Password/);
    expect(mocks.cognito.commandCalls(AdminAddUserToGroupCommand).map((c) => c.args[0].input.Username)).toEqual([
      'ana@example.com',
      'bo@example.com',
    ]);
  });

  test('add refuses what is not an email, before any call', async () => {
    const { code, err } = await cli(['workers', 'add', 'ana']);
    expect(code).toBe(2);
    expect(err).toBe('error: "ana" is not an email address');
    expect(mocks.cognito.calls()).toHaveLength(0);
  });

  test('list prints the group as a table', async () => {
    mocks.cognito.on(ListUsersInGroupCommand).resolves({
      Users: [
        {
          Username: 'u1',
          Attributes: [{ Name: 'email', Value: 'ana@example.com' }],
          UserStatus: 'CONFIRMED',
          Enabled: true,
          UserCreateDate: new Date('2026-11-01T00:00:00Z'),
        },
        {
          Username: 'u2',
          Attributes: [{ Name: 'email', Value: 'bo@example.com' }],
          UserStatus: 'FORCE_CHANGE_PASSWORD',
          Enabled: true,
          UserCreateDate: new Date('2026-11-20T00:00:00Z'),
        },
      ],
    });
    const { out } = await cli(['workers', 'list']);
    expect(out.split('\n')).toEqual([
      'EMAIL            STATUS                 ENABLED  CREATED',
      'ana@example.com  CONFIRMED              true     2026-11-01',
      'bo@example.com   FORCE_CHANGE_PASSWORD  true     2026-11-20',
    ]);
  });

  test('remove takes the worker out of the group and deletes the account; an unknown one is exit 5', async () => {
    mocks.cognito.on(AdminRemoveUserFromGroupCommand).resolves({}).on(AdminDeleteUserCommand).resolves({});
    expect(await cli(['workers', 'remove', 'ana@example.com'])).toMatchObject({
      code: 0,
      out: 'removed ana@example.com',
    });
    mocks.cognito
      .on(AdminRemoveUserFromGroupCommand)
      .rejects(new UserNotFoundException({ message: 'no', $metadata: {} }));
    expect(await cli(['workers', 'remove', 'zed@example.com'])).toMatchObject({
      code: 5,
      err: 'error: No worker zed@example.com in the workteam',
    });
  });
});

describe('loops', () => {
  const loop = (name: string, status: 'InProgress' | 'Completed' | 'Failed', extra = {}) => ({
    HumanLoopName: name,
    HumanLoopStatus: status,
    CreationTime: new Date('2026-11-21T10:00:00Z'),
    HumanLoopArn: `arn:${name}`,
    FlowDefinitionArn: FLOW,
    ...extra,
  });

  test('list follows pages, filters by status and prints a table', async () => {
    mocks.a2i
      .on(ListHumanLoopsCommand)
      .resolvesOnce({ HumanLoopSummaries: [loop('a', 'Completed'), loop('b', 'InProgress')], NextToken: 't2' })
      .resolvesOnce({ HumanLoopSummaries: [loop('c', 'Completed')] });

    const { code, out } = await cli(['loops', 'list', '--status', 'Completed']);

    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      'NAME  STATUS     CREATED',
      'a     Completed  2026-11-21T10:00:00.000Z',
      'c     Completed  2026-11-21T10:00:00.000Z',
    ]);
    expect(mocks.a2i.commandCalls(ListHumanLoopsCommand)[0].args[0].input.FlowDefinitionArn).toBe(FLOW);
  });

  test('with the self-hosted backend, commands go through its A2I-compatible runtime API', async () => {
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
    deployedStacks({ ReviewBackend: 'self-hosted', RuntimeApiUrl: url });
    mocks.a2i.on(ListHumanLoopsCommand).resolves({ HumanLoopSummaries: [loop('a', 'InProgress')] });

    const { code, out } = await cli(['loops', 'list']);

    expect(code).toBe(0);
    expect(out).toContain('a     InProgress');
    expect(runtimeApiUrls).toEqual([url]);
  });

  test('show prints the input and the answers of a completed loop', async () => {
    mocks.a2i
      .on(DescribeHumanLoopCommand)
      .resolves(
        loop('a', 'Completed', { HumanLoopOutput: { OutputS3Uri: 's3://output-bucket/a2i-results/x/output.json' } }),
      );
    mocks.s3.on(GetObjectCommand).resolves({
      ContentLength: 200,
      Body: {
        transformToString: () =>
          Promise.resolve(
            JSON.stringify({
              inputContent: { initialValue: -1, taskObject: 'It is okay' },
              humanAnswers: [{ answerContent: { sentiment: { label: '0' } }, timeSpentInSeconds: 9 }],
            }),
          ),
      } as never,
    });

    const { out } = await cli(['loops', 'show', 'a']);

    expect(out.split('\n')).toEqual([
      'name:     a',
      'status:   Completed',
      'created:  2026-11-21T10:00:00.000Z',
      'input:    "It is okay"',
      'answer 1: {"sentiment":{"label":"0"}} (9 s)',
    ]);
  });

  test('wait polls until every loop ended, shows progress, and exits 1 when one failed', async () => {
    mocks.a2i
      .on(DescribeHumanLoopCommand, { HumanLoopName: 'a' })
      .resolvesOnce(loop('a', 'InProgress'))
      .resolves(loop('a', 'Completed'))
      .on(DescribeHumanLoopCommand, { HumanLoopName: 'b' })
      .resolves(loop('b', 'Failed', { FailureCode: 'Expired', FailureReason: 'No worker took the task' }));

    const { code, out, err } = await cli(['loops', 'wait', 'a', 'b', '--interval', '5']);

    expect(code).toBe(1);
    expect(err).toBe('2/2 ended, waiting 5 s');
    expect(out.split('\n')).toEqual([
      'NAME  STATUS     FAILURE',
      'b     Failed     Expired: No worker took the task',
      'a     Completed',
    ]);
  });

  test('wait gives up at the timeout with exit 6', async () => {
    mocks.a2i.on(DescribeHumanLoopCommand).resolves(loop('a', 'InProgress'));
    const { code, err } = await cli(['loops', 'wait', 'a', '--timeout', '30', '--interval', '10']);
    expect(code).toBe(6);
    expect(err).toContain('0/1 ended; gave up after 30 s');
    expect(err).toContain('error: Timed out with 1 loop(s) still in progress: a');
  });

  test('stop stops a loop', async () => {
    mocks.a2i.on(StopHumanLoopCommand).resolves({});
    expect(await cli(['loops', 'stop', 'a'])).toMatchObject({ code: 0, out: 'stopping a' });
    expect(mocks.a2i.commandCalls(StopHumanLoopCommand)[0].args[0].input).toEqual({ HumanLoopName: 'a' });
  });
});

describe('results export', () => {
  const record = (name: string, label: number | null, extra: Partial<DatasetRecord> = {}): DatasetRecord => ({
    schemaVersion: 1,
    humanLoopName: name,
    flowDefinitionArn: FLOW,
    status: 'Completed',
    input: `review, "${name}"`,
    model: { label: -1, probability: 0.6, threshold: 0.9 },
    human: {
      label,
      disputed: label === null,
      agreement: label === null ? 0.5 : 1,
      overridesModel: label === null ? null : label !== -1,
      answers: [],
    },
    createdAt: '2026-11-21T10:00:00.000Z',
    collectedAt: '2026-11-21T11:00:00.000Z',
    ...extra,
  });
  const objects: Record<string, DatasetRecord> = {
    'dataset/year=2026/month=10/day=31/old.jsonl': record('old', 1),
    'dataset/year=2026/month=11/day=21/a.jsonl': record('a', 0),
    'dataset/year=2026/month=11/day=21/b.jsonl': record('b', -1),
    'dataset/year=2026/month=11/day=21/tie.jsonl': record('tie', null),
    'dataset/year=2026/month=11/day=21/failed.jsonl': record('failed', null, {
      status: 'Failed',
      failureCode: 'Expired',
      human: undefined,
    }),
  };

  beforeEach(() => {
    mocks.s3.on(ListObjectsV2Command).resolves({ Contents: Object.keys(objects).map((Key) => ({ Key })) });
    mocks.s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({
      Body: { transformToString: () => Promise.resolve(`${JSON.stringify(objects[input.Key])}\n`) },
    }));
  });

  test('jsonl: completed, undisputed records since the date, and a summary', async () => {
    const { code, files, err } = await cli([
      'results',
      'export',
      '--format',
      'jsonl',
      '--since',
      '2026-11-01',
      '--out',
      'train.jsonl',
    ]);

    expect(code).toBe(0);
    const rows = files
      .get('train.jsonl')!
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => [row.human_loop_name, row.label])).toEqual([
      ['a', 0],
      ['b', -1],
    ]);
    expect(err.split('\n')).toEqual([
      'reading records: 4/4',
      'wrote 2 records to train.jsonl (left out: 1 disputed, 1 failed or stopped)',
      'LABEL  RECORDS',
      '-1     1',
      '0      1',
      "override rate: 50.0% (1 of 2 human labels differ from the model's)",
    ]);
    expect(mocks.s3.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({
      Bucket: 'output-bucket',
      Prefix: 'dataset/',
    });
  });

  test('csv: a header and RFC 4180 quoting', async () => {
    await cli(['results', 'export', '--format', 'csv', '--out', 'train.csv']);
    const { files } = await cli(['results', 'export', '--format', 'csv', '--out', 'train.csv']);
    expect(files.get('train.csv')!.split('\r\n').slice(0, 2)).toEqual([
      'input,label,model_label,model_probability,agreement,overrides_model,human_loop_name,created_at',
      '"review, ""old""",1,-1,0.6,1,true,old,2026-11-21T10:00:00.000Z',
    ]);
  });

  test('a bad format is a usage error', async () => {
    expect((await cli(['results', 'export', '--format', 'xml', '--out', 'x'])).code).toBe(2);
  });
});

describe('template render', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'template-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('renders the repository template with an input', async () => {
    const { code, files } = await cli([
      'template',
      'render',
      path.join(__dirname, '..', '..', 'templates', 'sentiment.liquid.html'),
      '--input',
      '{"initialValue": 1, "taskObject": "<b>great</b>"}',
      '--out',
      'preview.html',
    ]);
    expect(code).toBe(0);
    expect(files.get('preview.html')).toContain('&lt;b&gt;great&lt;/b&gt;');
  });

  test('a variable missing from the input fails with exit 1 and says which', async () => {
    const file = path.join(dir, 'bad.liquid.html');
    fs.writeFileSync(file, '<p>{{ task.input.text }}</p>');
    const { code, err } = await cli(['template', 'render', file, '--input', '{"txt": "x"}', '--out', 'x.html']);
    expect(code).toBe(1);
    expect(err).toContain('undefined variable: task.input.text');
  });

  test('to_json without escape is rendered, with a warning naming the line', async () => {
    const file = path.join(dir, 'json.liquid.html');
    fs.writeFileSync(file, '<p>\n<i data-l="{{ task.input.labels | to_json }}"></i></p>');
    const { code, err } = await cli(['template', 'render', file, '--input', '{"labels": ["a"]}', '--out', 'j.html']);
    expect(code).toBe(0);
    expect(err).toContain(`warning: ${file}: line 2: {{ task.input.labels | to_json }} uses to_json without | escape`);
  });

  test('template --help shows render and lint; the top help lists both; another action is a usage error', async () => {
    expect((await cli(['template', '--help'])).out).toMatch(/template render <file>[\s\S]*template lint <file>/);
    expect((await cli(['--help'])).out).toContain('template lint <file> [--input JSON]');
    const { code, err } = await cli(['template', 'check', 'x.html']);
    expect(code).toBe(2);
    expect(err).toContain('Unknown template command "check"');
  });

  test('an object printed without to_json renders as escaped JSON', async () => {
    const file = path.join(dir, 'object.liquid.html');
    fs.writeFileSync(file, '<i data-v="{{ task.input.box }}"></i>');
    const { files } = await cli(['template', 'render', file, '--input', '{"box": {"left": 1}}', '--out', 'o.html']);
    expect(files.get('o.html')).toBe('<i data-v="{&quot;left&quot;:1}"></i>');
  });

  test('input from a file', async () => {
    const file = path.join(dir, 'ok.liquid.html');
    const input = path.join(dir, 'input.json');
    fs.writeFileSync(file, '<p>{{ task.input.text }}</p>');
    fs.writeFileSync(input, '{"text": "from file"}');
    const { files } = await cli(['template', 'render', file, '--input', `@${input}`, '--out', 'x.html']);
    expect(files.get('x.html')).toBe('<p>from file</p>');
  });
});

describe('local mode setting (--local [URL], REVIEW_PIPELINE_LOCAL)', () => {
  const LIST = {
    HumanLoopSummaries: [{ HumanLoopName: 'a', HumanLoopStatus: 'InProgress', CreationTime: new Date(0) }],
  };
  const local = (url: string, setting = '--local') => ({ kind: 'local', url, setting });
  beforeEach(() => {
    mocks.a2i.on(ListHumanLoopsCommand).resolves(LIST as never);
  });

  test('--local before the command means the default URL and leaves the command alone', async () => {
    const { code, out, target } = await cli(['--local', 'loops', 'list']);
    expect(code).toBe(0);
    expect(out).toContain('a     InProgress');
    expect(target).toEqual(local('http://127.0.0.1:3000'));
  });

  test.each([
    [['loops', 'list', '--local', 'http://127.0.0.1:4000'], 'http://127.0.0.1:4000'],
    [['loops', '--local', 'http://127.0.0.1:4000', 'list'], 'http://127.0.0.1:4000'],
    [['loops', 'list', '--local=http://localhost:4000/'], 'http://localhost:4000'],
    [['loops', '--local', 'list'], 'http://127.0.0.1:3000'],
    [['loops', 'list', '--local'], 'http://127.0.0.1:3000'],
    [['loops', 'list', '--local', '--limit', '5'], 'http://127.0.0.1:3000'],
    [['loops', 'list', '--local', 'https://review.example.test'], 'https://review.example.test'],
  ])('anywhere on the line: %j is local mode at %s', async (line, url) => {
    const { code, out, target } = await cli(line);
    expect(code).toBe(0);
    expect(out).toContain('a     InProgress');
    expect(target).toEqual(local(url));
  });

  test('REVIEW_PIPELINE_LOCAL means the same, and the flag wins over it', async () => {
    const env = { REVIEW_PIPELINE_LOCAL: 'http://127.0.0.1:5000' };
    expect((await cli(['loops', 'list'], env)).target).toEqual(local('http://127.0.0.1:5000', 'REVIEW_PIPELINE_LOCAL'));
    expect((await cli(['loops', 'list', '--local', 'http://127.0.0.1:4000'], env)).target).toEqual(
      local('http://127.0.0.1:4000'),
    );
    expect((await cli(['--local', 'loops', 'list'], env)).target).toEqual(local('http://127.0.0.1:3000'));
    expect((await cli(['loops', 'list'], { REVIEW_PIPELINE_LOCAL: '' })).target).toEqual({ kind: 'aws' });
  });

  test('without the setting the commands go to AWS', async () => {
    const { code, target } = await cli(['loops', 'list']);
    expect(code).toBe(0);
    expect(target).toEqual({ kind: 'aws' });
  });

  test.each([
    [['--local=ftp://127.0.0.1:3000']],
    [['--local=http://127.0.0.1:3000/aws']],
    [['--local=http://127.0.0.1:3000/?x=1']],
    [['--local=http://user:pw@127.0.0.1:3000']],
    [['--local=']],
    [['--local', 'localhost:3000']],
    [['--local', '127.0.0.1:3000']],
  ])('a bad URL (%j) is a usage error naming --local, before any call', async (setting) => {
    const { code, err } = await cli(['loops', 'list', ...setting]);
    expect(code).toBe(2);
    expect(err).toMatch(
      /^error: --local must be the local server's URL: http:\/\/ or https:\/\/.*like http:\/\/127\.0\.0\.1:3000/,
    );
    expect(mocks.cloudFormation.calls()).toHaveLength(0);
  });

  test('a bad REVIEW_PIPELINE_LOCAL is a usage error naming it, unless --local overrides it', async () => {
    const env = { REVIEW_PIPELINE_LOCAL: '127.0.0.1:3000' };
    const { code, err } = await cli(['loops', 'list'], env);
    expect(code).toBe(2);
    expect(err).toContain("error: REVIEW_PIPELINE_LOCAL must be the local server's URL");
    expect(err).toContain('(got "127.0.0.1:3000")');
    expect((await cli(['loops', 'list', '--local'], env)).code).toBe(0);
  });

  test('after -- the setting is an argument like any other', async () => {
    const { code, err, target } = await cli(['loops', 'show', '--', '--local']);
    expect(code).toBe(2);
    expect(err).toBe('error: "--local" is not a human loop name (1-63 of a-z, 0-9, -)');
    expect(target).toEqual({ kind: 'aws' });
  });

  test('help names the setting, with or without it', async () => {
    for (const line of [['--help'], ['--local', '--help'], ['--help', '--local', 'http://127.0.0.1:4000']]) {
      const { code, out } = await cli(line);
      expect(code).toBe(0);
      expect(out).toContain('--local [URL]');
      expect(out).toContain('REVIEW_PIPELINE_LOCAL=URL');
    }
    for (const command of ['loops', 'results', 'workers']) {
      expect((await cli(['--local', command, '--help'])).out).toContain('REVIEW_PIPELINE_LOCAL');
    }
  });

  test.each([['list'], ['add', 'ana@example.com'], ['remove', 'ana@example.com']])(
    'workers %s in local mode: exit 2, what local mode has instead, and no call',
    async (...args) => {
      const { code, err } = await cli(['workers', ...args, '--local', 'http://127.0.0.1:4000']);
      expect(code).toBe(2);
      expect(err).toContain('Local mode (http://127.0.0.1:4000) has no workteam to manage');
      expect(err).toContain(
        'anyone who opens http://127.0.0.1:4000/portal (the WorkerPortalUrl) signs in there with a name',
      );
      expect(err).toContain('LOCAL_TASK_COUNT');
      expect(mocks.cloudFormation.calls()).toHaveLength(0);
      expect(mocks.cognito.calls()).toHaveLength(0);
    },
  );

  test('template render works the same with --local or REVIEW_PIPELINE_LOCAL, and calls nothing', async () => {
    const template = path.join(__dirname, '..', '..', 'templates', 'sentiment.liquid.html');
    const input = ['--input', '{"initialValue": 1, "taskObject": "fine"}', '--out', 'p.html'];
    for (const [line, env] of [
      [['--local', 'template', 'render', template, ...input], {}],
      [['template', 'render', template, ...input, '--local'], {}],
      [['template', 'render', template, ...input], { REVIEW_PIPELINE_LOCAL: 'http://127.0.0.1:4000' }],
    ] as const) {
      const { code, files } = await cli([...line], env);
      expect(code).toBe(0);
      expect(files.get('p.html')).toContain('fine');
    }
    expect(mocks.cloudFormation.calls()).toHaveLength(0);
  });
});
