import * as path from 'node:path';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV, LAMBDA_TIMEOUT_SECONDS, PORTAL_BUNDLE_FILES } from '../../../../common/contract';
import { HANDLERS } from '../../../../common/handlers';
import { callbackUrl, SESSION_HOURS, signedOutUrl } from '../../../../common/portal';
import type { ObjectLocation } from '../../../../common/object-locations';
import { encodeObjectLocations } from '../../../../common/object-locations';
import { acknowledge } from '../../../nag';
import { grantTaskObjects } from '../review-backend';
import { HandlerFunction, LAMBDA_DIR } from '../../handler-function';
import { regionalRestApi, stageUrl } from '../../regional-rest-api';
import type { ReviewWorkers, SelfHostedReviewBackend } from './self-hosted-review-backend';

export interface WorkerPortalProps {
  readonly backend: SelfHostedReviewBackend;
  /** The task template's file, rendered for each task. */
  readonly templateFile: string;
  readonly workers: ReviewWorkers;
  /** Where templates may show objects from (`grant_read_access`): read and presigned by the portal, nothing else. */
  readonly taskObjectLocations: readonly ObjectLocation[];
}

const STAGE = 'prod';

/**
 * The workers' portal on AWS: a Lambda behind a regional REST API (`/portal`), signing workers in through the pool's
 * managed login with its own public app client (authorization code + PKCE), and a generated key for its cookies and
 * CSRF tokens. Every request is verified in the Lambda: page loads and form posts carry cookies, not the
 * Authorization header an API Gateway Cognito authorizer reads.
 */
export class WorkerPortal extends Construct {
  readonly api: apigw.RestApi;
  readonly portalFunction: HandlerFunction;
  readonly client: cognito.UserPoolClient;
  readonly url: string;

  constructor(scope: Construct, id: string, props: WorkerPortalProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { api, validator } = regionalRestApi(this, 'Api', {
      nameSuffix: 'portal',
      description: 'Worker portal of the self-hosted review backend',
      stageName: STAGE,
      authorizationType: apigw.AuthorizationType.NONE,
      rateLimit: 50,
      burstLimit: 100,
      noWafReason:
        'Every page and action verifies the Cognito session in the Lambda and state changes need a CSRF token; the stage is throttled. Attach a web ACL to the stage for IP allow-lists.',
      noCognitoAuthorizerReason:
        "Browsers send the session as cookies, which a Cognito authorizer does not read; the Lambda verifies each request's ID token (signature, issuer, audience, expiry, token use, group) with aws-jwt-verify.",
    });
    this.api = api;
    // From the API's id alone: the client's callback URL, the function's environment and the API's methods would
    // otherwise depend on each other through the deployment.
    this.url = `${stageUrl(this.api, STAGE)}/portal`;

    this.client = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.workers.userPool,
      userPoolClientName: 'review-portal',
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [callbackUrl(this.url)],
        logoutUrls: [signedOutUrl(this.url)],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(SESSION_HOURS),
    });

    const key = new secretsmanager.Secret(this, 'CookieKey', {
      description: 'Signs the worker portal sign-in state and CSRF tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(
      key,
      'SMG4',
      'A random signing key, not a credential: rotating it would only sign every worker out; replace it to revoke all sessions.',
    );

    const assets = path.join(LAMBDA_DIR, 'portal', 'assets');
    this.portalFunction = new HandlerFunction(this, 'Handler', {
      handlerDir: HANDLERS.portal,
      description: 'Worker portal of the self-hosted review backend',
      timeout: Duration.seconds(LAMBDA_TIMEOUT_SECONDS.portal),
      memorySize: 512,
      environment: {
        ...props.backend.handlerEnvironment,
        [ENV.portalUrl]: this.url,
        [ENV.portalSecretArn]: key.secretArn,
        [ENV.portalClientId]: this.client.userPoolClientId,
        [ENV.workerPoolId]: props.workers.userPool.userPoolId,
        [ENV.workerPoolDomain]: `${props.workers.domainPrefix}.auth.${stack.region}.amazoncognito.com`,
        [ENV.workerGroup]: props.workers.groupName,
        [ENV.taskObjectLocations]: encodeObjectLocations(props.taskObjectLocations),
      },
      bundleFiles: {
        [PORTAL_BUNDLE_FILES.taskTemplate]: props.templateFile,
        ...Object.fromEntries(Object.keys(PORTAL_BUNDLE_FILES.assets).map((name) => [name, path.join(assets, name)])),
      },
    });
    key.grantRead(this.portalFunction);
    props.backend.grantUseLoops(this.portalFunction);
    grantTaskObjects(this.portalFunction, props.taskObjectLocations);

    const integration = new apigw.LambdaIntegration(this.portalFunction);
    const portal = this.api.root.addResource('portal');
    portal.addMethod('ANY', integration, { requestValidator: validator });
    portal.addResource('{proxy+}').addMethod('ANY', integration, {
      requestValidator: validator,
      requestParameters: { 'method.request.path.proxy': true },
    });
    for (const method of portal.node.findAll()) {
      if (method instanceof apigw.Method)
        acknowledge(method, 'APIG4', 'A browser portal: the Lambda verifies the Cognito session on every request.');
    }

    new CfnOutput(stack, 'WorkerPortalUrl', { value: this.url, description: 'Where workers sign in and review' });
  }
}
