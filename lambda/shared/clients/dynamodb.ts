/**
 * The DynamoDB client, made once per Lambda container: 3 attempts of 2 s for each call. Conditional writes that lose
 * a race fail at once (a ConditionalCheckFailedException is not retried); the task store reads and tries again.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const dynamodb = new DynamoDBClient({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
});
