import * as path from 'node:path';
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag';
import type { ReviewBackendName } from '../../common/contract';
import { ENV, REVIEW_BACKENDS } from '../../common/contract';
import type { HandlerName } from '../../common/handlers';

export const LAMBDA_DIR = path.join(__dirname, '..', '..', 'lambda');

export interface HandlerFunctionProps {
  /** Folder under `lambda/` whose `index.ts` exports `handler`. */
  readonly handlerDir: HandlerName;
  readonly description: string;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 256 MiB */
  readonly memorySize?: number;
  /**
   * A REVIEW_BACKEND here (a review backend's `handlerEnvironment`) also picks the bundle's review adapter: the
   * handler is bundled with that backend's alone (`bundlingFor`).
   */
  readonly environment?: Record<string, string>;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Executions kept for this function alone, out of the account's pool (and a cap on it).
   * @default none reserved
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Files copied beside the bundled code, by their name there (the portal's template and assets): part of the asset,
   * so a change to one deploys a new version.
   * @default none
   */
  readonly bundleFiles?: Readonly<Record<string, string>>;
}

/**
 * How every handler is bundled (also what `npm run bench` measures). Source maps without the sources in them: the
 * stack traces name our files and lines, and the map is a fraction of the size to load.
 */
export const BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  externalModules: [] as string[],
} as const;

/**
 * The expression esbuild replaces with the review backend a bundle is built for (lambda/shared/review/from-env.ts
 * spells it out where it picks the adapters it holds).
 */
const REVIEW_BACKEND_BUNDLE = 'process.env.REVIEW_BACKEND_BUNDLE';

/**
 * BUNDLING for a handler of `reviewBackend`: a handler that builds the review port gets that backend's adapter and SDK
 * clients, and not the other backend's. Without a backend, BUNDLING itself (a bundle that builds the port has both).
 */
export function bundlingFor(reviewBackend: ReviewBackendName | undefined): nodejs.BundlingOptions {
  if (reviewBackend === undefined) return BUNDLING;
  return { ...BUNDLING, define: { [REVIEW_BACKEND_BUNDLE]: JSON.stringify(reviewBackend) } };
}

/**
 * The one place for this project's Lambda defaults: Node.js 24 on arm64, bundled locally by esbuild (AWS SDK
 * included, so the deployed code runs the versions the tests ran), source maps, and an explicit log group.
 */
export class HandlerFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    const bundling = bundlingFor(reviewBackendOf(props.environment));
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      role: roleWritingTo(scope, `${id}Role`, logGroup, props.description),
      entry: path.join(LAMBDA_DIR, props.handlerDir, 'index.ts'),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 256,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.handlerDir,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: props.bundleFiles ? { ...bundling, commandHooks: copyAfterBundling(props.bundleFiles) } : bundling,
    });
  }
}

/**
 * The review backend a handler's environment names. The backend construct decides, in the `handlerEnvironment` that
 * sets REVIEW_BACKEND; the bundle follows it, so both agree as deployed (from-env.ts refuses a REVIEW_BACKEND changed
 * afterwards).
 */
function reviewBackendOf(environment: Readonly<Record<string, string>> | undefined): ReviewBackendName | undefined {
  const name = environment?.[ENV.reviewBackend];
  if (name === undefined) return undefined;
  if (!(REVIEW_BACKENDS as readonly string[]).includes(name)) {
    throw new Error(
      `HandlerFunction: ${ENV.reviewBackend} is ${JSON.stringify(name)}; expected one of ${REVIEW_BACKENDS.join(', ')}`,
    );
  }
  return name as ReviewBackendName;
}

function copyAfterBundling(files: Readonly<Record<string, string>>): nodejs.ICommandHooks {
  for (const name of Object.keys(files))
    if (!/^[\w.-]+$/.test(name)) throw new Error(`bundleFiles: ${JSON.stringify(name)} is not a plain file name`);
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      Object.entries(files).map(([name, source]) => `cp ${quote(source)} ${quote(path.join(outputDir, name))}`),
  };
}

/** A Lambda role that may write only to its own log group (instead of the managed AWSLambdaBasicExecutionRole). */
function roleWritingTo(scope: Construct, id: string, logGroup: logs.ILogGroup, description: string): iam.Role {
  const role = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  return role;
}

/**
 * A Provider-framework custom-resource provider around one handler in `lambda/`, made once per stack and shared by
 * every custom resource of that type in the stack.
 */
export class HandlerProvider extends Construct {
  static forStack(scope: Construct, handlerDir: HandlerName, description: string): HandlerProvider {
    const stack = Stack.of(scope);
    const id = `${handlerDir.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}Provider`;
    return (
      (stack.node.tryFindChild(id) as HandlerProvider | undefined) ??
      new HandlerProvider(stack, id, { handlerDir, description })
    );
  }

  readonly onEvent: HandlerFunction;
  readonly provider: cr.Provider;

  private constructor(scope: Construct, id: string, props: { handlerDir: HandlerName; description: string }) {
    super(scope, id);
    this.onEvent = new HandlerFunction(this, 'OnEvent', {
      handlerDir: props.handlerDir,
      description: props.description,
      // Creating and deleting SageMaker resources is asynchronous; the handler polls for up to 10 minutes.
      timeout: Duration.minutes(14),
    });
    const frameworkLogs = new logs.LogGroup(this, 'FrameworkLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const frameworkRole = roleWritingTo(
      this,
      'FrameworkRole',
      frameworkLogs,
      `Custom resource framework for ${props.handlerDir}`,
    );
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEvent,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    acknowledgeWildcardResource(
      frameworkRole,
      `${this.onEvent.functionArn}:*`,
      'The Provider framework invokes the handler function by qualified ARN (any version); the function is this one.',
    );
  }

  get serviceToken(): string {
    return this.provider.serviceToken;
  }

  /**
   * Lets the handler act on the SageMaker resources `<resourceType>/<resourceName>` of this stack's account and Region.
   * A name pattern with `*` needs the reason it cannot be narrower.
   */
  grantSageMaker(actions: string[], resourceType: string, resourceName: string, wildcardReason?: string): void {
    const arn = Arn.format(
      { service: 'sagemaker', resource: resourceType, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME },
      Stack.of(this),
    );
    this.onEvent.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [arn] }));
    if (resourceName.includes('*')) {
      if (wildcardReason === undefined)
        throw new Error(`grantSageMaker: the wildcard in ${resourceType}/${resourceName} needs a reason`);
      acknowledgeWildcardResource(this.onEvent.role!, arn, wildcardReason);
    }
  }
}
