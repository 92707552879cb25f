import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import type { CliContext } from '../../cli/context';
import { runCli } from '../../cli/main';
import type { CliTarget } from '../../cli/target';

export const FLOW = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d';
export const mocks = {
  cloudFormation: mockClient(CloudFormationClient),
  cognito: mockClient(CognitoIdentityProviderClient),
  s3: mockClient(S3Client),
  a2i: mockClient(SageMakerA2IRuntimeClient),
};

/** The runtime API URLs the CLI made A2I clients for (the self-hosted backend). */
export const runtimeApiUrls: string[] = [];

export function deployedStacks(pipelineOutputs: Record<string, string> = {}): void {
  const outputs = (values: Record<string, string>) => ({
    Stacks: [
      {
        StackName: 'x',
        CreationTime: new Date(0),
        StackStatus: 'CREATE_COMPLETE' as const,
        Outputs: Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  mocks.cloudFormation.on(DescribeStacksCommand, { StackName: 'ReviewWorkforce' }).resolves(
    outputs({
      UserPoolId: 'eu-west-1_Pool',
      WorkerGroupName: 'reviewers',
      LabelingPortalUrl: 'https://abc.labeling.eu-west-1.sagemaker.aws',
    }),
  );
  mocks.cloudFormation
    .on(DescribeStacksCommand, { StackName: 'ReviewPipeline' })
    .resolves(outputs({ FlowDefinitionArn: FLOW, DatasetUri: 's3://output-bucket/dataset/', ...pipelineOutputs }));
}

export function resetMocks(): void {
  for (const mock of Object.values(mocks)) mock.reset();
}

/**
 * Runs a command line with fake clocks and mocked clients, in `env` (not this process's); returns the exit code, what
 * was printed and written, and the target the context was made for (undefined when no context was needed).
 */
export async function cli(line: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  let now = 0;
  const made: { target?: CliTarget } = {};
  const context = (target: CliTarget): CliContext => ({
    io: {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      progress: (text, final) => {
        if (final) err.push(text);
      },
      writeFile: (path, content) => files.set(path, content),
    },
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    cognito: new CognitoIdentityProviderClient({ region: 'eu-west-1' }),
    s3: new S3Client({ region: 'eu-west-1' }),
    a2iRuntime: new SageMakerA2IRuntimeClient({ region: 'eu-west-1' }),
    runtimeApi: (url) => {
      runtimeApiUrls.push(url);
      return new SageMakerA2IRuntimeClient({ region: 'eu-west-1' });
    },
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
    now: () => now,
    local: target.kind === 'local' ? target : undefined,
  });
  const code = await runCli(line, (target) => context((made.target = target)), env);
  return { code, out: out.join('\n'), err: err.join('\n'), files, target: made.target };
}
