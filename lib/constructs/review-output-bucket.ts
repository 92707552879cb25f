import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ReviewOutputBucketProps {
  /**
   * Key for the review results.
   * @default S3-managed encryption (SSE-S3)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Objects under this prefix (A2I's output.json files: review text and answers) expire after `outputRetentionDays`.
   * @default nothing expires
   */
  readonly outputPrefix?: string;
  /** @default kept until deleted */
  readonly outputRetentionDays?: number;
}

/**
 * Where A2I writes the human answers: private, encrypted, SSL-only, versioned, access-logged, and kept when the stack
 * is deleted because it holds the labels people made.
 */
export class ReviewOutputBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ReviewOutputBucketProps = {}) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Server access logs can only be delivered to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey !== undefined,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'review-output/',
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(90) },
        ...(props.outputRetentionDays !== undefined && props.outputPrefix !== undefined
          ? [{ prefix: `${props.outputPrefix}/`, expiration: Duration.days(props.outputRetentionDays) }]
          : []),
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
