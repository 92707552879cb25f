/**
 * Where task templates may show objects from: `grant_read_access` gives a worker a URL only for an object under one of
 * these locations. On AWS the reader (the portal's role, or A2I's flow definition role) is granted `s3:GetObject` on
 * exactly them, so a URL the portal hands out is one S3 honours; an object elsewhere is refused by name instead of
 * becoming an image S3 answers with 403.
 */

/** `s3://bucket` (the whole bucket) or `s3://bucket/folder/` (keys under the folder; a missing final `/` is added). */
export interface ObjectLocation {
  readonly bucket: string;
  /** Empty for the whole bucket. */
  readonly prefix: string;
}

/** S3's general purpose bucket names: 3-63 lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const OBJECT_LOCATION_EXPECTED =
  's3://bucket or s3://bucket/prefix/ (no * or ?: IAM reads them as wildcards), like s3://my-bucket/explanations/';

/** The location an `s3://` URI names, or why it names none. */
export function parseObjectLocation(uri: string): ObjectLocation | string {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/s.exec(uri);
  if (!match) return `${JSON.stringify(uri)} is not an s3:// URI`;
  const [, bucket, prefix = ''] = match;
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..'))
    return `${JSON.stringify(bucket)} is not an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)`;
  if (/[*?]/.test(prefix)) return `${JSON.stringify(prefix)} has * or ?, which IAM reads as wildcards`;
  if (Buffer.byteLength(prefix) > 1024) return `the prefix is over S3's 1024-byte key limit`;
  // A folder: s3://b/shap covers shap/..., not shap-private/... (IAM's shap* would).
  return { bucket, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

export function formatObjectLocation(location: ObjectLocation): string {
  return `s3://${location.bucket}/${location.prefix}`;
}

export function allowsObject(locations: readonly ObjectLocation[], bucket: string, key: string): boolean {
  return locations.some((location) => location.bucket === bucket && key.startsWith(location.prefix));
}

/** The IAM resource of the objects under a location: `arn:<partition>:s3:::bucket/prefix*`. */
export function objectLocationArn(location: ObjectLocation, partition: string): string {
  return `arn:${partition}:s3:::${location.bucket}/${location.prefix}*`;
}

/** An object a template asked to show that no location allows; `setting` names where the locations are set. */
export class ObjectOutsideLocationsError extends Error {
  constructor(bucket: string, key: string, locations: readonly ObjectLocation[], setting: string) {
    const allowed = locations.map(formatObjectLocation).join(', ') || 'none';
    super(
      `s3://${bucket}/${key} is outside the locations tasks may show objects from (${allowed}); ` +
        `the pipeline's operator adds its bucket or prefix to ${setting}`,
    );
    this.name = 'ObjectOutsideLocationsError';
  }
}

/**
 * A `grant_read_access` implementation that refuses objects outside `locations` and signs the rest with `sign`.
 */
export function guardedReadGrant<Until>(
  locations: readonly ObjectLocation[],
  setting: string,
  sign: (bucket: string, key: string, until: Until) => string | Promise<string>,
): (bucket: string, key: string, until: Until) => string | Promise<string> {
  return (bucket, key, until) => {
    if (!allowsObject(locations, bucket, key)) throw new ObjectOutsideLocationsError(bucket, key, locations, setting);
    return sign(bucket, key, until);
  };
}

/** The locations as an environment variable carries them: a JSON array of `s3://` URIs. */
export function encodeObjectLocations(locations: readonly ObjectLocation[]): string {
  return JSON.stringify(locations.map(formatObjectLocation));
}

export function decodeObjectLocations(value: string, variable: string): ObjectLocation[] {
  const uris = JSON.parse(value) as unknown;
  if (!Array.isArray(uris)) throw new Error(`${variable} is not a JSON array of s3:// URIs`);
  return uris.map((uri) => {
    const location = typeof uri === 'string' ? parseObjectLocation(uri) : `${JSON.stringify(uri)} is not a string`;
    if (typeof location === 'string') throw new Error(`${variable}: ${location}`);
    return location;
  });
}
