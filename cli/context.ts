/** The AWS clients and stack outputs a command needs, made on first use so `--help` needs no AWS at all. */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { ENV, STACK_NAMES } from '../common/contract';
import { A2iReviewPort } from '../lambda/shared/review/a2i';
import { reviewPortFromEnv } from '../lambda/shared/review/from-env';
import type { ReviewPort } from '../lambda/shared/review/port';
import { CliError, EXIT, explainAwsError } from './errors';
import type { CliIo } from './io';
import { runtimeApiClient } from './runtime-api-client';

export interface CliContext {
  readonly io: CliIo;
  readonly cloudFormation: CloudFormationClient;
  readonly cognito: CognitoIdentityProviderClient;
  readonly s3: S3Client;
  /** The CLI's own: the SDK's default retries and timeouts, not the Lambdas' short ones. */
  readonly a2iRuntime: SageMakerA2IRuntimeClient;
  /** An A2I client for the self-hosted backend's runtime API at this URL. */
  readonly runtimeApi: (url: string) => SageMakerA2IRuntimeClient;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

export function defaultContext(io: CliIo): CliContext {
  return {
    io,
    cloudFormation: new CloudFormationClient({}),
    cognito: new CognitoIdentityProviderClient({}),
    s3: new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined }),
    a2iRuntime: new SageMakerA2IRuntimeClient({}),
    runtimeApi: (url) => runtimeApiClient(url),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}

/** A deployed stack's outputs; a stack that is not there is exit code 3 with the command that deploys it. */
export async function stackOutputs(context: CliContext, stackName: string): Promise<Record<string, string>> {
  try {
    const { Stacks = [] } = await context.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    if (error instanceof Error && /does not exist/.test(error.message)) {
      const region = await context.cloudFormation.config.region().catch(() => 'this Region');
      throw new CliError(
        EXIT.notDeployed,
        `Stack ${stackName} is not deployed in ${region}. Deploy it first: npx cdk deploy --all -c endpointName=<your endpoint>` +
          ' (or set AWS_REGION to the Region you deployed to).',
      );
    }
    throw explainAwsError(error);
  }
}

export async function requiredOutput(context: CliContext, stackName: string, key: string): Promise<string> {
  const value = (await stackOutputs(context, stackName))[key];
  if (!value)
    throw new CliError(
      EXIT.notDeployed,
      `Stack ${stackName} has no output ${key}; deploy this version of the app again.`,
    );
  return value;
}

/**
 * The deployed pipeline's review backend, built by the handlers' own factory from the stack's outputs. The
 * self-hosted backend is reached as A2I code reaches it: its A2I-compatible runtime API, with the CLI's credentials.
 */
export async function reviewPort(context: CliContext): Promise<ReviewPort> {
  const flowDefinitionArn = await requiredOutput(context, STACK_NAMES.pipeline, 'FlowDefinitionArn');
  const { ReviewBackend } = await stackOutputs(context, STACK_NAMES.pipeline);
  if (ReviewBackend === 'self-hosted') {
    const runtimeApiUrl = await requiredOutput(context, STACK_NAMES.pipeline, 'RuntimeApiUrl');
    return new A2iReviewPort(context.runtimeApi(runtimeApiUrl), flowDefinitionArn);
  }
  return reviewPortFromEnv(
    { [ENV.reviewBackend]: ReviewBackend, [ENV.flowDefinitionArn]: flowDefinitionArn },
    { a2iRuntime: context.a2iRuntime },
  );
}
