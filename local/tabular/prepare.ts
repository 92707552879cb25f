/**
 * Stores the synthetic tabular sample for a tabular-review job: every record's explanation SVG and the input manifest
 * that names them.
 *
 *   s3://<bucket>/<prefix>/shap/shap-<id>.svg   one chart per record (image/svg+xml)
 *   s3://<bucket>/<prefix>/input.manifest       JSON Lines, one record a line (application/jsonlines)
 *
 * The sample is seeded, so every run writes the same keys with the same bytes.
 *
 *   npx tsx local/tabular/prepare.ts [--local [URL]] [--to s3://bucket/prefix] [--manifest-out FILE]
 */
import * as fs from 'node:fs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from '../../lambda/shared/concurrency';
import { tabularManifest } from './manifest';
import { generateSample } from './sample';

export interface PrepareTabularSampleOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Without leading or trailing "/"; "" for the bucket's root. */
  readonly prefix: string;
  /** Only records predicted 0. Off by default: the job's filter (prediction=0) picks the negatives. */
  readonly negativesOnly?: boolean;
}

export interface PreparedTabularSample {
  readonly manifestUri: string;
  readonly manifest: string;
  readonly records: number;
  readonly images: number;
}

const UPLOAD_CONCURRENCY = 8;

export async function prepareTabularSample(options: PrepareTabularSampleOptions): Promise<PreparedTabularSample> {
  const { s3, bucket } = options;
  const prefix = options.prefix.replace(/^\/+|\/+$/g, '');
  const under = (name: string) => (prefix === '' ? name : `${prefix}/${name}`);
  const { manifest, images } = tabularManifest(generateSample(), {
    bucket,
    prefix: under('shap'),
    negativesOnly: options.negativesOnly ?? false,
  });
  await mapWithConcurrency(images, UPLOAD_CONCURRENCY, (image) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: image.key, Body: image.body, ContentType: image.contentType })),
  );
  // The manifest goes last, so a manifest that is there names only images that are there.
  const manifestKey = under('input.manifest');
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: manifest, ContentType: 'application/jsonlines' }),
  );
  return { manifestUri: `s3://${bucket}/${manifestKey}`, manifest, records: images.length, images: images.length };
}

const USAGE = 'usage: npx tsx local/tabular/prepare.ts [--local [URL]] [--to s3://bucket/prefix] [--manifest-out FILE]';
const DEFAULT_LOCAL_URL = 'http://127.0.0.1:3000';
const LOCAL_DEFAULT_TO = 's3://local-review-output/tabular-sample';

class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface CommandLine {
  readonly local?: string;
  readonly to?: string;
  readonly manifestOut?: string;
}

function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  const usage = (message: string) => new ExitError(2, message);
  const parsed: { local?: string; to?: string; manifestOut?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw usage(`${arg} needs a value`);
      return next;
    };
    if (arg === '--local') {
      // Its URL is optional: the next word is one only when it is not an option.
      const next = argv[i + 1];
      parsed.local =
        next !== undefined && !next.startsWith('-') ? value() : (env.REVIEW_PIPELINE_LOCAL ?? DEFAULT_LOCAL_URL);
    } else if (arg === '--to') parsed.to = value();
    else if (arg === '--manifest-out') parsed.manifestOut = value();
    else if (arg === '--help' || arg === '-h') throw new ExitError(0, USAGE);
    else throw usage(`unknown option ${JSON.stringify(arg)} (${USAGE})`);
  }
  if (parsed.local !== undefined) {
    const url = URL.canParse(parsed.local) ? new URL(parsed.local) : undefined;
    if (url === undefined || !['http:', 'https:'].includes(url.protocol))
      throw usage(
        `--local must be the local server's URL, like ${DEFAULT_LOCAL_URL} (got ${JSON.stringify(parsed.local)})`,
      );
    parsed.local = url.origin;
  } else if (parsed.to === undefined) throw usage('--to s3://bucket/prefix is required without --local');
  return parsed;
}

function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (match === null)
    throw new ExitError(2, `--to must be an s3:// URI like s3://my-bucket/tabular-sample (got ${JSON.stringify(uri)})`);
  return { bucket: match[1], prefix: (match[2] ?? '').replace(/\/+$/, '') };
}

function refusedConnection(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'ECONNREFUSED' || (typeof message === 'string' && message.includes('ECONNREFUSED'));
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const args = parseArgs(argv, env);
  const { bucket, prefix } = parseS3Uri(args.to ?? LOCAL_DEFAULT_TO);
  // Local mode's S3 takes any credentials; on AWS the environment's credentials and Region are used.
  const s3 =
    args.local === undefined
      ? new S3Client({})
      : new S3Client({
          endpoint: `${args.local}/aws/s3`,
          forcePathStyle: true,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        });
  let prepared: PreparedTabularSample;
  try {
    prepared = await prepareTabularSample({ s3, bucket, prefix });
  } catch (error) {
    if (args.local !== undefined && refusedConnection(error))
      throw new ExitError(
        3,
        `No local server at ${args.local}: is local mode running? start it with: LOCAL_TASK_TEMPLATE=tabular-review npm start`,
      );
    throw new ExitError(1, `Could not store the sample in s3://${bucket}/${prefix}: ${String(error)}`);
  } finally {
    s3.destroy();
  }
  if (args.manifestOut !== undefined) fs.writeFileSync(args.manifestOut, prepared.manifest);
  const where = prefix === '' ? `s3://${bucket}/shap/` : `s3://${bucket}/${prefix}/shap/`;
  const local =
    args.local === undefined ? '' : args.local === DEFAULT_LOCAL_URL ? ' --local' : ` --local ${args.local}`;
  console.log(`Stored ${prepared.records} records and ${prepared.images} explanation images under ${where}`);
  console.log(
    `Manifest: ${prepared.manifestUri}${args.manifestOut === undefined ? '' : ` (also ${args.manifestOut})`}`,
  );
  console.log(
    `Next: npx review-pipeline${local} jobs start adult-review --task-type tabular-review` +
      ` --manifest ${prepared.manifestUri} --filter prediction=0`,
  );
}

if (require.main === module)
  main(process.argv.slice(2), process.env).catch((error: unknown) => {
    const exitCode = error instanceof ExitError ? error.exitCode : 1;
    (exitCode === 0 ? console.log : console.error)(error instanceof ExitError ? error.message : String(error));
    process.exitCode = exitCode;
  });
