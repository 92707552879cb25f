/**
 * The predict handler with its real SDK clients pointed at a loopback server: the environment its clients read when the
 * module loads, then the module itself (outside Jest's mocks).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as PredictModule from '../../lambda/predict';

export type PredictHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export function loadPredictAgainst(url: string, env: Record<string, string> = {}): PredictHandler {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url,
    AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME: url,
    AWS_ENDPOINT_URL_SQS: url,
    SAGEMAKER_ENDPOINT_NAME: 'sentiment-endpoint',
    FLOW_DEFINITION_ARN: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d',
    REVIEW_RETRY_QUEUE_URL: `${url}/123456789012/review-retry`,
    ...env,
  });
  return jest.requireActual<typeof PredictModule>('../../lambda/predict').handler;
}
