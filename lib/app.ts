import { App, Validations } from 'aws-cdk-lib';
import type { AppProps, Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STACK_NAMES } from '../common/contract';
import { parseConfig } from './config';
import { PipelineStack } from './stacks/pipeline-stack';
import { WorkforceStack } from './stacks/workforce-stack';

export interface ReviewApp {
  readonly app: App;
  readonly workforce?: WorkforceStack;
  readonly pipeline: PipelineStack;
}

/**
 * Builds the app from its context: the workforce stack (unless an existing workteam is imported) and the pipeline
 * stack, with the AwsSolutions checks of cdk-nag run at synthesis.
 */
export function buildApp(props: AppProps = {}): ReviewApp {
  const app = new App(props);
  const env: Environment = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const config = parseConfig((key) => app.node.tryGetContext(key), { region: env.region });

  const workforce =
    config.workteam.kind === 'managed'
      ? new WorkforceStack(app, STACK_NAMES.workforce, {
          env,
          description: 'Human review: Cognito worker pool, private workforce and workteam (long-lived)',
          workforce: config.workteam,
          reviewBackend: config.review.backend,
        })
      : undefined;
  const pipeline = new PipelineStack(app, STACK_NAMES.pipeline, {
    env,
    description:
      config.review.backend === 'a2i'
        ? 'Human review pipeline: output bucket, task UI, flow definition, model endpoint'
        : 'Human review pipeline: output bucket, self-hosted review backend, model endpoint',
    model: config.model,
    review: config.review,
    api: config.api,
    operations: config.operations,
    workteamArn:
      workforce?.workteamArn ?? (config.workteam.kind === 'existing' ? config.workteam.workteamArn : undefined),
    workers: workforce && {
      userPool: workforce.pool.userPool,
      domainPrefix: workforce.pool.domain.domainName,
      groupName: workforce.pool.groupName,
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, workforce, pipeline };
}
