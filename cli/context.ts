/**
 * The AWS clients and stack outputs a command needs, made on first use so `--help` needs no AWS at all. In local mode
 * (cli/target.ts) they are the same clients on the same code path, pointed at the local server's emulators.
 */
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
import type { CliTarget, LocalTarget } from './target';
import { startLocalHint } from './target';

export interface CliClients {
  readonly cloudFormation: CloudFormationClient;
  readonly cognito: CognitoIdentityProviderClient;
  readonly s3: S3Client;
  /** The CLI's own: the SDK's default retries and timeouts, not the Lambdas' short ones. */
  readonly a2iRuntime: SageMakerA2IRuntimeClient;
  /** An A2I client for the self-hosted backend's runtime API at this URL. */
  readonly runtimeApi: (url: string) => SageMakerA2IRuntimeClient;
}

export interface CliContext extends CliClients {
  readonly io: CliIo;
  /** Set in local mode: the local server every client is pointed at. */
  readonly local?: LocalTarget;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

export function defaultContext(io: CliIo, target: CliTarget): CliContext {
  return {
    io,
    ...(target.kind === 'local' ? localClients(target) : awsClients()),
    local: target.kind === 'local' ? target : undefined,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}

/** Your credentials and Region, from the environment and profile as every AWS tool reads them. */
function awsClients(): CliClients {
  return {
    cloudFormation: new CloudFormationClient({}),
    cognito: new CognitoIdentityProviderClient({}),
    s3: new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined }),
    a2iRuntime: new SageMakerA2IRuntimeClient({}),
    runtimeApi: (url) => runtimeApiClient(url),
  };
}

/** Local mode's Region and dummy credentials (local/server.ts): no profile or credentials of yours are read. */
const LOCAL_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/**
 * The same clients at the local server's emulators: CloudFormation, S3 (path-style) and the A2I runtime under
 * `<url>/aws/`. Local mode has no Cognito; nothing calls it there (`workers` explains local mode instead), and it too
 * points at the local server, so no call in local mode leaves this machine. The self-hosted backend's runtime API is
 * the `RuntimeApiUrl` the local server gives, as on AWS.
 */
function localClients(local: LocalTarget): CliClients {
  const at = (service: string) => ({ ...LOCAL_CLIENT_CONFIG, endpoint: `${local.url}/aws/${service}` });
  return {
    cloudFormation: reportUnreachable(new CloudFormationClient(at('cloudformation')), local),
    cognito: reportUnreachable(new CognitoIdentityProviderClient(at('cognito-idp')), local),
    s3: reportUnreachable(new S3Client({ ...at('s3'), forcePathStyle: true }), local),
    a2iRuntime: reportUnreachable(new SageMakerA2IRuntimeClient(at('a2i')), local),
    runtimeApi: (url) => reportUnreachable(runtimeApiClient(url, LOCAL_CLIENT_CONFIG), local),
  };
}

/** Errors of a connection that found no server (after the SDK's retries). */
const NO_SERVER_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'];

/** By its code, or by its message where the SDK wrapped it (an error from another realm, as under Jest). */
function foundNoServer(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (typeof code === 'string' && NO_SERVER_CODES.includes(code)) ||
    (typeof message === 'string' && NO_SERVER_CODES.some((c) => new RegExp(`\\b${c}\\b`).test(message)))
  );
}

/** Any SDK v3 client: a middleware of the initialize step wraps every attempt of a call, retries included. */
interface WithMiddleware {
  readonly middlewareStack: {
    add(
      middleware: <A, R>(next: (args: A) => Promise<R>) => (args: A) => Promise<R>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** A local server that is not there is exit code 3 with how to start it, whichever call finds out. */
function reportUnreachable<C extends WithMiddleware>(client: C, local: LocalTarget): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (foundNoServer(error))
          throw new CliError(EXIT.notDeployed, `No local server at ${local.url} (${startLocalHint(local)})`);
        throw error;
      }
    },
    { step: 'initialize', name: 'reviewPipelineLocalServer' },
  );
  return client;
}

/** A deployed stack's outputs; a stack that is not there is exit code 3 with the command that deploys it. */
export async function stackOutputs(context: CliContext, stackName: string): Promise<Record<string, string>> {
  try {
    const { Stacks = [] } = await context.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    if (context.local !== undefined) throw notLocalMode(error, context.local, stackName);
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

/** In local mode, a DescribeStacks that failed was not answered by a local server of this version. */
function notLocalMode(error: unknown, local: LocalTarget, stackName: string): CliError {
  if (error instanceof CliError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new CliError(
    EXIT.notDeployed,
    `The server at ${local.url} did not give stack ${stackName}'s outputs as local mode (npm start) does: ${detail}`,
  );
}

export async function requiredOutput(context: CliContext, stackName: string, key: string): Promise<string> {
  const value = (await stackOutputs(context, stackName))[key];
  if (!value)
    throw new CliError(
      EXIT.notDeployed,
      context.local === undefined
        ? `Stack ${stackName} has no output ${key}; deploy this version of the app again.`
        : `The local server at ${context.local.url} gives no output ${key}; restart it (npm start) from this version.`,
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
