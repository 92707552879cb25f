/** The SQS client, made once per Lambda container: 2 attempts of 2 s for each call. */
import { SQSClient } from '@aws-sdk/client-sqs';

export const sqs = new SQSClient({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
});
