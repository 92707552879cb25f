/**
 * The S3 calls the pipeline makes (GetObject, PutObject, HeadObject, DeleteObject, ListObjectsV2), path-style, on the
 * wire protocol the SDK speaks: XML errors with S3's codes, ETag and Last-Modified headers, ListObjectsV2 XML, and
 * PutObject's conditional writes (If-None-Match: * and If-Match: <ETag>, 412 PreconditionFailed when they fail).
 *
 * PutObject streams its body to a temp file (never whole in memory) and puts it in place only once the conditions
 * hold. As S3: a body needs a Content-Length (411 MissingContentLength) of at most 5 GB, a single PUT's limit (400
 * EntityTooLarge, answered before any of the body is read). `aws-chunked` bodies (the SDK sends them for streams of
 * unknown length) are not decoded here: 501 NotImplemented rather than the chunk framing stored as the object. Keys
 * that cannot be files (see object-store.ts) are 400 with the key and the reason.
 */
import type * as http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from './object-store';
import { ObjectStoreRefusal } from './object-store';

/** S3's limit on a single PutObject. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

interface S3Failure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, string>>;
}

const PRECONDITION_FAILED: S3Failure = {
  status: 412,
  code: 'PreconditionFailed',
  message: 'At least one of the pre-conditions you specified did not hold',
};

export async function handleS3(
  store: ObjectStore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
): Promise<void> {
  const headOnly = req.method === 'HEAD';
  try {
    const target = parsePath(path);
    if (target === undefined)
      return s3Error(res, { status: 400, code: 'InvalidURI', message: "Couldn't parse the specified URI." });
    const { bucket, key, query } = target;
    if (bucket === '')
      return s3Error(res, {
        status: 400,
        code: 'InvalidRequest',
        message: 'Path-style requests only: /<bucket>/<key>',
      });
    if (key === '' && req.method === 'GET') return list(store, res, bucket, query);
    switch (req.method) {
      case 'PUT':
        return await putObject(store, req, res, bucket, key);
      case 'GET':
        return await getObject(store, res, bucket, key);
      case 'HEAD': {
        const info = store.head(bucket, key);
        if (info === undefined) return s3Error(res, noSuchKey(), true);
        res.writeHead(200, objectHeaders(info)).end();
        return;
      }
      case 'DELETE':
        store.delete(bucket, key);
        res.writeHead(204).end();
        return;
      default:
        return s3Error(res, { status: 405, code: 'MethodNotAllowed', message: `${req.method} is not supported here` });
    }
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const failure =
      error instanceof ObjectStoreRefusal
        ? { status: 400, code: error.code, message }
        : { status: 500, code: 'InternalError', message };
    // A body not read yet is not worth reading: the connection closes after the answer.
    return s3Error(res, failure, headOnly, req.method === 'PUT' && !req.complete);
  }
}

/** `/<bucket>/<key>?<query>` of the raw request path (not normalised: `a/../b` stays a key, to be refused). */
function parsePath(path: string): { bucket: string; key: string; query: URLSearchParams } | undefined {
  const queryStart = path.indexOf('?');
  const pathname = queryStart < 0 ? path : path.slice(0, queryStart);
  const [, bucket = '', ...keyParts] = pathname.split('/');
  try {
    return {
      bucket: decodeURIComponent(bucket),
      key: keyParts.map(decodeURIComponent).join('/'),
      query: new URLSearchParams(queryStart < 0 ? '' : path.slice(queryStart + 1)),
    };
  } catch {
    return undefined;
  }
}

async function putObject(
  store: ObjectStore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  bucket: string,
  key: string,
): Promise<void> {
  const refusal = uploadRefusal(req.headers);
  if (refusal !== undefined) return s3Error(res, refusal, false, true);
  const upload = await store.receive(bucket, key, req, Number(req.headers['content-length']));
  const condition = conditionalWriteRefusal(store.head(bucket, key)?.etag, req.headers);
  if (condition !== undefined) {
    upload.discard();
    return s3Error(res, condition);
  }
  const etag = upload.commit(req.headers['content-type'] ?? 'application/octet-stream');
  res.writeHead(200, { ETag: etag }).end();
}

/** What S3 answers, before reading it, to a body it will not take; undefined when it may be read. */
function uploadRefusal(headers: http.IncomingHttpHeaders): S3Failure | undefined {
  const encodings = (headers['content-encoding'] ?? '').split(',').map((encoding) => encoding.trim());
  if (encodings.includes('aws-chunked') || String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-'))
    return {
      status: 501,
      code: 'NotImplemented',
      message:
        "Local mode's S3 emulator does not decode aws-chunked bodies (Content-Encoding: aws-chunked). Send the body " +
        "as a string, Buffer or Uint8Array, or a stream with its ContentLength and requestChecksumCalculation: 'WHEN_REQUIRED'.",
    };
  const length = headers['content-length'];
  if (length === undefined)
    return { status: 411, code: 'MissingContentLength', message: 'You must provide the Content-Length HTTP header.' };
  if (Number(length) > MAX_PUT_BYTES)
    return {
      status: 400,
      code: 'EntityTooLarge',
      message: 'Your proposed upload exceeds the maximum allowed size',
      details: { ProposedSize: length, MaxSizeAllowed: String(MAX_PUT_BYTES) },
    };
  return undefined;
}

async function getObject(store: ObjectStore, res: http.ServerResponse, bucket: string, key: string): Promise<void> {
  const object = store.open(bucket, key);
  if (object === undefined) return s3Error(res, noSuchKey());
  res.writeHead(200, objectHeaders(object.info));
  await pipeline(object.body, res);
}

function objectHeaders(info: {
  contentType: string;
  size: number;
  etag: string;
  lastModified: Date;
}): http.OutgoingHttpHeaders {
  return {
    'Content-Type': info.contentType,
    'Content-Length': info.size,
    ETag: info.etag,
    'Last-Modified': info.lastModified.toUTCString(),
  };
}

function list(store: ObjectStore, res: http.ServerResponse, bucket: string, params: URLSearchParams): void {
  const prefix = params.get('prefix') ?? '';
  const maxKeys = Math.min(Number(params.get('max-keys') ?? 1000) || 1000, 1000);
  const token = params.get('continuation-token');
  const startAfter = token ? Buffer.from(token, 'base64url').toString('utf8') : (params.get('start-after') ?? '');
  const { objects, truncated } = store.list(bucket, prefix, startAfter, maxKeys);
  const next =
    truncated && objects.length > 0 ? Buffer.from(objects[objects.length - 1].key).toString('base64url') : undefined;
  const contents = objects
    .map(
      (o) =>
        `<Contents><Key>${xml(o.key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xml(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${objects.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
    `<IsTruncated>${truncated}</IsTruncated>${next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`;
  res.writeHead(200, { 'Content-Type': 'application/xml' }).end(body);
}

/** PutObject's conditions as S3 checks them; undefined when the write may go ahead. */
function conditionalWriteRefusal(
  currentEtag: string | undefined,
  headers: http.IncomingHttpHeaders,
): S3Failure | undefined {
  const noneMatch = headers['if-none-match'];
  const match = headers['if-match'];
  if (noneMatch !== undefined && noneMatch !== '*')
    return { status: 501, code: 'NotImplemented', message: 'If-None-Match on PutObject supports only *' };
  if (noneMatch === '*' && currentEtag !== undefined) return PRECONDITION_FAILED;
  if (match !== undefined && currentEtag === undefined) return noSuchKey();
  if (match !== undefined && match !== currentEtag) return PRECONDITION_FAILED;
  return undefined;
}

function noSuchKey(): S3Failure {
  return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
}

function s3Error(res: http.ServerResponse, failure: S3Failure, headOnly = false, closeConnection = false): void {
  res.writeHead(failure.status, {
    'Content-Type': 'application/xml',
    ...(closeConnection ? { Connection: 'close' } : {}),
  });
  const details = Object.entries(failure.details ?? {})
    .map(([name, value]) => `<${name}>${xml(value)}</${name}>`)
    .join('');
  res.end(
    headOnly
      ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${failure.code}</Code><Message>${xml(failure.message)}</Message>${details}</Error>`,
  );
}

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
