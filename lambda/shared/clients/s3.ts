/** The S3 client, made once per Lambda container: 3 attempts of 5 s for each call. */
import { S3Client } from '@aws-sdk/client-s3';

export const s3 = new S3Client({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
  // A local S3 emulator on loopback has no virtual-host names; real S3 serves both styles.
  forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined,
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
