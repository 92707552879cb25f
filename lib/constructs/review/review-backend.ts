/**
 * What the pipeline needs of a review backend at deploy time, whichever backend it is: the environment that lets the
 * handlers build the backend's adapter (lambda/shared/review/from-env.ts), the permissions to start and read
 * reviews, where answers land, and where the "review ended" events come from. PredictApi, ReviewStartRetry and
 * ReviewCollector take this interface and never a backend's own constructs.
 */
import { Aws } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IDependable } from 'constructs';
import type { ReviewBackendName } from '../../../common/contract';
import type { ObjectLocation } from '../../../common/object-locations';
import { objectLocationArn } from '../../../common/object-locations';
import { acknowledgeWildcardOnGrantee } from '../../nag';

/** Where a backend writes each loop's output.json: under `prefix/` in `bucket`. */
export interface ReviewOutputs {
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  /** @default the bucket's own key, if any */
  readonly encryptionKey?: kms.IKey;
}

export interface IReviewBackend {
  readonly backendName: ReviewBackendName;
  /** The flow definition new loops start under (the loops' list filter and the ended events' `flowDefinitionArn`). */
  readonly flowDefinitionArn: string;
  /** REVIEW_BACKEND and the backend's own variables, for every handler that gets the review port. */
  readonly handlerEnvironment: Readonly<Record<string, string>>;
  readonly outputs: ReviewOutputs;
  /**
   * The backend's "review ended" events of this pipeline: the rule pattern, on the bus they are published to
   * (the account's default bus when absent). lambda/shared/review/ended-event.ts reads them.
   */
  readonly endedEvents: { readonly eventPattern: events.EventPattern; readonly eventBus?: events.IEventBus };
  /** Starting loops, and describing one to settle a start that was already made. */
  grantStartReviews(grantee: iam.IGrantable): void;
  /** Describing and listing loops, and reading their output.json. */
  grantReadReviews(grantee: iam.IGrantable): void;
  /** Reading output.json only (the collector, which is handed each loop by its ended event). */
  grantReadOutputs(grantee: iam.IGrantable): void;
  /**
   * Orders the backend's deletion before `consumer` (the collector): reviews the backend still holds while it is
   * being deleted are collected.
   */
  deleteBefore(consumer: IDependable): void;
}

/**
 * Lets `grantee` read (and with `write`, write) the objects under the output prefix, with the key's matching actions:
 * keys are made per loop at run time, so the grant is the prefix's wildcard, acknowledged with `reason`.
 */
export function grantOutputObjects(
  outputs: ReviewOutputs,
  grantee: iam.IGrantable,
  access: 'read' | 'read-write',
  reason: string,
): void {
  const objects = outputs.bucket.arnForObjects(`${outputs.prefix}/*`);
  const write = access === 'read-write';
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: write ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'],
      resources: [objects],
    }),
  );
  (outputs.encryptionKey ?? outputs.bucket.encryptionKey)?.grant(
    grantee,
    ...(write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt']),
  );
  acknowledgeWildcardOnGrantee(grantee, objects, reason);
}

/**
 * Lets `grantee` read the objects task templates show (`grant_read_access`): `s3:GetObject` on each location's
 * objects, nothing else. A location is a bucket or a prefix the operator named, so its objects are the prefix's
 * wildcard. Objects under a customer managed KMS key also need the key's policy to allow the grantee kms:Decrypt.
 */
export function grantTaskObjects(grantee: iam.IGrantable, locations: readonly ObjectLocation[]): void {
  if (locations.length === 0) return;
  const resources = locations.map((location) => objectLocationArn(location, Aws.PARTITION));
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'ReadTaskObjects', actions: ['s3:GetObject'], resources }),
  );
  for (const resource of resources) {
    acknowledgeWildcardOnGrantee(
      grantee,
      resource,
      'Read-only access to the bucket or prefix the operator named in taskObjectLocations, whose objects task templates show to workers.',
    );
  }
}
