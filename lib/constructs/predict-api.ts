import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ContentClassifier } from '../../common/contract';
import type { LabelSet } from '../../common/label-set';
import { ENV, LAMBDA_TIMEOUT_SECONDS, LOOP_START_CONCURRENCY, PREDICT_LIMITS } from '../../common/contract';
import { HANDLERS } from '../../common/handlers';
import { acknowledge } from '../nag';
import { HandlerFunction } from './handler-function';
import type { ModelEndpoint } from './model-endpoint';
import type { IReviewBackend } from './review/review-backend';
import { stageOptions } from './regional-rest-api';
import { ReviewStartRetry } from './review-start-retry';

/**
 * About 0.58 vCPU: the SDK work of a batch with 100 reviews (signing and sending 101 calls, CPU-bound) takes about
 * 40 ms instead of about 80 ms at 512 MB, while the time spent waiting for the model costs only twice as much as at
 * 512 MB. Derived from the CPU measured in BENCHMARKS.md ("Sizing the predict Lambda"), scaled to a Lambda's vCPU.
 */
export const PREDICT_MEMORY_MB = 1024;

export interface PredictApiProps {
  readonly endpoint: ModelEndpoint;
  /** Where reviews start, and where GET /loops reads them and their answers. */
  readonly reviews: IReviewBackend;
  /** Predictions with a probability below it are reviewed. */
  readonly confidenceThreshold: number;
  /** @default none */
  readonly contentClassifiers?: readonly ContentClassifier[];
  /** @default 50 requests per second, bursts of 100 */
  readonly throttling?: { readonly rateLimit: number; readonly burstLimit: number };
  /** @default false: review text never reaches the logs */
  readonly logRequestText?: boolean;
  /** @default LOOP_START_CONCURRENCY.default */
  readonly loopStartConcurrency?: number;
  /**
   * The labels the task template offers: a model label outside them is answered 502.
   * @default none: model labels are not checked
   */
  readonly labelSet?: LabelSet;
  /**
   * Whether the retry queue's consumer reserves the concurrency the queue may use (see CONSUMER_CONCURRENCY).
   * @default true
   */
  readonly reserveConsumerConcurrency?: boolean;
}

/**
 * The REST API users call: POST /predict, GET /loops, GET /loops/{name}. IAM (SigV4) authorization, a request model,
 * stage throttling, JSON access logs and tracing; behind it the predict and loops Lambdas, and the retry of reviews
 * that could not start in time (ReviewStartRetry).
 */
export class PredictApi extends Construct {
  readonly api: apigw.RestApi;
  readonly predictFunction: HandlerFunction;
  readonly loopsFunction: HandlerFunction;
  readonly startRetry: ReviewStartRetry;
  readonly retryQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /**
   * 5xx answers of the API: model errors (502) and unavailability (503), handler bugs, and Lambda throttling (API
   * Gateway answers a throttled invoke with 500).
   */
  readonly serverErrorsAlarm: cloudwatch.Alarm;
  /** The predict function was throttled: the account's concurrency is exhausted. */
  readonly predictThrottlesAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PredictApiProps) {
    super(scope, id);
    // Its id is the one the retry queue had before it had a construct of its own: the queue keeps its logical id.
    this.startRetry = new ReviewStartRetry(this, 'RetryQueue', {
      reviews: props.reviews,
      reserveConsumerConcurrency: props.reserveConsumerConcurrency,
    });
    this.retryQueue = this.startRetry.queues.queue;
    this.deadLetterQueue = this.startRetry.queues.deadLetterQueue;
    this.deadLetterAlarm = this.startRetry.queues.alarm;

    this.predictFunction = new HandlerFunction(this, 'Predict', {
      handlerDir: HANDLERS.predict,
      description: 'POST /predict: batch inference and human loops for low-confidence predictions',
      timeout: Duration.seconds(LAMBDA_TIMEOUT_SECONDS.predict),
      // CPU grows with memory (1,769 MB is one vCPU), and a batch's SDK calls are CPU-bound: see PREDICT_MEMORY_MB.
      memorySize: PREDICT_MEMORY_MB,
      environment: {
        ...props.reviews.handlerEnvironment,
        [ENV.endpointName]: props.endpoint.endpointName,
        [ENV.confidenceThreshold]: String(props.confidenceThreshold),
        [ENV.contentClassifiers]: (props.contentClassifiers ?? []).join(','),
        [ENV.retryQueueUrl]: this.retryQueue.queueUrl,
        [ENV.logRequestText]: String(props.logRequestText ?? false),
        [ENV.loopStartConcurrency]: String(props.loopStartConcurrency ?? LOOP_START_CONCURRENCY.default),
        ...(props.labelSet ? { [ENV.labelSet]: JSON.stringify(props.labelSet) } : {}),
      },
    });
    this.loopsFunction = new HandlerFunction(this, 'Loops', {
      handlerDir: HANDLERS.loops,
      description: 'GET /loops and /loops/{name}: human loop status and answers',
      timeout: Duration.seconds(LAMBDA_TIMEOUT_SECONDS.loops),
      environment: { ...props.reviews.handlerEnvironment },
    });

    props.endpoint.grantInvoke(this.predictFunction);
    this.startRetry.grantSendReviews(this.predictFunction);
    props.reviews.grantStartReviews(this.predictFunction);
    props.reviews.grantReadReviews(this.loopsFunction);
    this.api = this.restApi(props);
    this.serverErrorsAlarm = this.api
      .metricServerError({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'ServerErrorsAlarm', {
        alarmDescription:
          'The predict API answered 5xx: the model failed (502) or was throttled or unavailable (503), a handler error (500, see the Lambda logs by request id), or Lambda throttled the function (500)',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.predictThrottlesAlarm = this.predictFunction
      .metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'PredictThrottlesAlarm', {
        alarmDescription:
          "The predict function was throttled: the account's Lambda concurrency is used up; raise the quota or the API throttle",
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    new CfnOutput(Stack.of(this), 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the predict API (IAM-signed)',
    });
  }

  private restApi(props: PredictApiProps): apigw.RestApi {
    const api = new apigw.RestApi(this, 'Api', {
      // API Gateway's metrics are named by API name: one per stack, so the alarms see only this API.
      restApiName: `${Stack.of(this).stackName}-predict`,
      description: 'Predictions with human review of the low-confidence ones',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      deployOptions: stageOptions(this, 'AccessLogs', {
        stageName: 'v1',
        rateLimit: props.throttling?.rateLimit ?? 50,
        burstLimit: props.throttling?.burstLimit ?? 100,
      }),
    });
    // The request model checks the shape; sizes are answered by the handler, with 413 and the limit.
    const validator = api.addRequestValidator('BodyValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const model = api.addModel('PredictRequest', {
      contentType: 'application/json',
      modelName: 'PredictRequest',
      schema: predictRequestSchema(),
    });
    api.addGatewayResponse('BadRequestBody', {
      type: apigw.ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: {
        // escapeJavaScript turns ' into \', which JSON does not allow; API Gateway's documentation turns it back.
        'application/json':
          '{"error":"BadRequest","field":"body","message":"$util.escapeJavaScript($context.error.validationErrorString).replaceAll("\\\\\'","\'")"}',
      },
    });

    api.root.addResource('predict').addMethod('POST', new apigw.LambdaIntegration(this.predictFunction), {
      requestValidator: validator,
      requestModels: { 'application/json': model },
    });
    const loops = api.root.addResource('loops');
    const loopsIntegration = new apigw.LambdaIntegration(this.loopsFunction);
    loops.addMethod('GET', loopsIntegration, {
      requestValidator: validator,
      requestParameters: {
        'method.request.querystring.status': false,
        'method.request.querystring.createdAfter': false,
        'method.request.querystring.maxResults': false,
        'method.request.querystring.nextToken': false,
      },
    });
    loops.addResource('{name}').addMethod('GET', loopsIntegration, {
      requestValidator: validator,
      requestParameters: { 'method.request.path.name': true },
    });

    acknowledge(
      api,
      'APIG3',
      'No WAF web ACL by default: every call is SigV4-signed (IAM) and the stage is throttled; attach a web ACL to the stage if the API is shared widely.',
    );
    acknowledge(
      api,
      'COG4',
      "Callers are AWS principals authorized by IAM (SigV4), not Cognito users; the workers' pool is only for the labeling portal.",
    );
    acknowledge(
      api,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'API Gateway needs an account-level role to write access logs; this AWS-managed service-role policy is the one AWS documents for it.',
    );
    return api;
  }
}

/** JSON Schema (draft 4) of the POST /predict body, as API Gateway validates it. */
export function predictRequestSchema(): apigw.JsonSchema {
  return {
    schema: apigw.JsonSchemaVersion.DRAFT4,
    title: 'PredictRequest',
    type: apigw.JsonSchemaType.OBJECT,
    required: ['instances'],
    additionalProperties: false,
    properties: {
      requestId: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: PREDICT_LIMITS.maxIdLength },
      instances: {
        type: apigw.JsonSchemaType.ARRAY,
        minItems: 1,
        items: {
          type: apigw.JsonSchemaType.OBJECT,
          required: ['features'],
          additionalProperties: false,
          properties: {
            id: { type: [apigw.JsonSchemaType.STRING, apigw.JsonSchemaType.INTEGER] },
            features: {
              type: apigw.JsonSchemaType.ARRAY,
              minItems: 1,
              items: { type: apigw.JsonSchemaType.STRING, minLength: 1 },
            },
          },
        },
      },
    },
  };
}
