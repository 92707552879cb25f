/**
 * Local mode's DescribeStacks, as the SDK's CloudFormation client reads it: the pipeline stack's outputs at the
 * origin the caller reached (a forwarded one included), and CloudFormation's error for a stack that is not there.
 */
import * as http from 'node:http';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { LocalServer } from '../../local/server';
import { startLocal } from './start';

const FORWARDED = 'https://3000-abc.example.dev';
let server: LocalServer;
let cloudFormation: CloudFormationClient;

beforeAll(async () => {
  server = await startLocal({ portalOrigins: [FORWARDED] });
  cloudFormation = new CloudFormationClient({
    endpoint: `${server.url}/aws/cloudformation`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  cloudFormation.destroy();
  await server.close();
});

test('the pipeline stack has the outputs the CLI reads, at this server', async () => {
  const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: 'ReviewPipeline' }));
  expect(Stacks).toHaveLength(1);
  expect(Stacks[0].StackStatus).toBe('CREATE_COMPLETE');
  const outputs = Object.fromEntries((Stacks[0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  expect(outputs).toMatchObject({
    ReviewBackend: 'self-hosted',
    RuntimeApiUrl: `${server.url}/aws/a2i`,
    WorkerPortalUrl: `${server.url}/portal`,
    DatasetUri: 's3://local-review-output/dataset/',
    FlowDefinitionArn: expect.stringMatching(
      /^arn:aws:sagemaker:us-east-1:000000000000:flow-definition\/sentiment-review-[0-9a-f]{8}$/,
    ),
  });
});

test('a stack local mode does not have is the error CloudFormation gives', async () => {
  await expect(cloudFormation.send(new DescribeStacksCommand({ StackName: 'ReviewWorkforce' }))).rejects.toMatchObject({
    name: 'ValidationError',
    message: 'Stack with id ReviewWorkforce does not exist',
  });
});

test('reached through a forwarded origin, the URLs are at that origin', async () => {
  const { hostname, port } = new URL(server.url);
  const xml = await new Promise<string>((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/aws/cloudformation',
        headers: { Host: new URL(FORWARDED).host, 'Content-Type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end('Action=DescribeStacks&Version=2010-05-15&StackName=ReviewPipeline');
  });
  expect(xml).toContain(`<OutputKey>RuntimeApiUrl</OutputKey><OutputValue>${FORWARDED}/aws/a2i</OutputValue>`);
});
