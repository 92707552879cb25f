import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { LAMBDA_TIMEOUT_SECONDS } from '../../../../common/contract';
import { HANDLERS } from '../../../../common/handlers';
import { HandlerFunction } from '../../handler-function';
import { regionalRestApi, stageUrl } from '../../regional-rest-api';
import type { SelfHostedReviewBackend } from './self-hosted-review-backend';

export interface RuntimeApiProps {
  readonly backend: SelfHostedReviewBackend;
}

const STAGE = 'prod';

/**
 * Amazon A2I's runtime API on the self-hosted backend: the same paths, bodies, status codes and errors (served by
 * lambda/runtime-api), behind a regional REST API with IAM auth, so A2I code works by changing its endpoint and
 * signing name (docs/runtime-api.md).
 */
export class RuntimeApi extends Construct {
  readonly api: apigw.RestApi;
  readonly runtimeFunction: HandlerFunction;
  readonly url: string;

  constructor(scope: Construct, id: string, props: RuntimeApiProps) {
    super(scope, id);
    this.runtimeFunction = new HandlerFunction(this, 'Handler', {
      handlerDir: HANDLERS.runtimeApi,
      description: 'A2I runtime API (StartHumanLoop, DescribeHumanLoop, ...) over the self-hosted backend',
      timeout: Duration.seconds(LAMBDA_TIMEOUT_SECONDS.runtimeApi),
      memorySize: 512,
      environment: props.backend.handlerEnvironment,
    });
    props.backend.grantUseLoops(this.runtimeFunction);
    const { api, validator } = regionalRestApi(this, 'Api', {
      nameSuffix: 'a2i-runtime',
      description: 'A2I-compatible runtime API of the self-hosted review backend (IAM auth)',
      stageName: STAGE,
      authorizationType: apigw.AuthorizationType.IAM,
      noWafReason:
        'Every call is SigV4-signed and authorized by IAM for exact paths, and the stage is throttled; attach a web ACL if needed.',
      noCognitoAuthorizerReason: 'Callers are AWS principals (A2I SDK clients) authorized by IAM, not Cognito users.',
    });
    this.api = api;
    const integration = new apigw.LambdaIntegration(this.runtimeFunction);
    const options = { requestValidator: validator };
    const named = { requestValidator: validator, requestParameters: { 'method.request.path.HumanLoopName': true } };
    const loops = api.root.addResource('human-loops');
    loops.addMethod('GET', integration, options);
    loops.addMethod('POST', integration, options);
    loops.addResource('stop').addMethod('POST', integration, options);
    const loop = loops.addResource('{HumanLoopName}');
    loop.addMethod('GET', integration, named);
    loop.addMethod('DELETE', integration, named);
    this.url = stageUrl(this.api, STAGE);

    const stack = Stack.of(this);
    new CfnOutput(stack, 'RuntimeApiUrl', {
      value: this.url,
      description: 'A2I runtime API of the self-hosted backend: the endpoint for A2I clients (sign for execute-api)',
    });
  }
}
