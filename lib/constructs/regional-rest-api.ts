import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag';

export interface RegionalRestApiProps {
  /** Unique in the stack: API Gateway's metrics are named by API name. */
  readonly nameSuffix: string;
  readonly description: string;
  readonly stageName: string;
  readonly authorizationType: apigw.AuthorizationType;
  /** @default 20 requests per second */
  readonly rateLimit?: number;
  /** @default 40 */
  readonly burstLimit?: number;
  /** Why there is no WAF web ACL in front of it (AwsSolutions-APIG3). */
  readonly noWafReason: string;
  /** Why its callers are not authorized by a Cognito authorizer (AwsSolutions-COG4). */
  readonly noCognitoAuthorizerReason: string;
}

/**
 * A regional REST API with this project's stage defaults: throttled, JSON access logs, error logging, tracing. It
 * leaves API Gateway's account-wide CloudWatch role to the predict API, which every pipeline has.
 */
export function regionalRestApi(
  scope: Construct,
  id: string,
  props: RegionalRestApiProps,
): { readonly api: apigw.RestApi; readonly validator: apigw.RequestValidator } {
  const api = new apigw.RestApi(scope, id, {
    restApiName: `${Stack.of(scope).stackName}-${props.nameSuffix}`,
    description: props.description,
    endpointTypes: [apigw.EndpointType.REGIONAL],
    cloudWatchRole: false,
    defaultMethodOptions: { authorizationType: props.authorizationType },
    deployOptions: stageOptions(scope, `${id}AccessLogs`, {
      stageName: props.stageName,
      rateLimit: props.rateLimit ?? 20,
      burstLimit: props.burstLimit ?? 40,
    }),
  });
  acknowledge(api, 'APIG3', props.noWafReason);
  acknowledge(api, 'COG4', props.noCognitoAuthorizerReason);
  // Required path parameters are checked before the Lambda runs; bodies are the handler's to check.
  const validator = api.addRequestValidator('Validator', {
    validateRequestBody: true,
    validateRequestParameters: true,
  });
  return { api, validator };
}

/** The stage's base URL, from the API's id alone: usable where the deployment would make a dependency cycle. */
export function stageUrl(api: apigw.IRestApi, stageName: string): string {
  const stack = Stack.of(api);
  return `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}`;
}

/**
 * This project's stage settings for a REST API: throttled, JSON access logs (in a log group `logGroupId` kept three
 * months), error logging, metrics and tracing, no data traces.
 */
export function stageOptions(
  scope: Construct,
  logGroupId: string,
  stage: { readonly stageName: string; readonly rateLimit: number; readonly burstLimit: number },
): apigw.StageOptions {
  const accessLogs = new logs.LogGroup(scope, logGroupId, {
    retention: logs.RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return {
    stageName: stage.stageName,
    throttlingRateLimit: stage.rateLimit,
    throttlingBurstLimit: stage.burstLimit,
    tracingEnabled: true,
    metricsEnabled: true,
    loggingLevel: apigw.MethodLoggingLevel.ERROR,
    dataTraceEnabled: false,
    accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
    accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
  };
}
