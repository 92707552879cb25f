/**
 * The S3 calls the pipeline makes (GetObject, PutObject, HeadObject, DeleteObject, ListObjectsV2), path-style, on the
 * wire protocol the SDK speaks: XML errors with S3's codes, ETag and Last-Modified headers, ListObjectsV2 XML, and
 * PutObject's conditional writes (If-None-Match: * and If-Match: <ETag>, 412 PreconditionFailed when they fail).
 */
import type * as http from 'node:http';
import type { ObjectStore } from './object-store';

export async function handleS3(
  store: ObjectStore,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
): Promise<void> {
  const url = new URL(path, 'http://local');
  const [, bucket = '', ...keyParts] = url.pathname.split('/');
  const key = keyParts.map(decodeURIComponent).join('/');
  try {
    if (bucket === '') return s3Error(res, 400, 'InvalidRequest', 'Path-style requests only: /<bucket>/<key>');
    if (key === '' && req.method === 'GET') return list(store, res, bucket, url.searchParams);
    switch (req.method) {
      case 'PUT': {
        const body = await readBody(req);
        const refusal = conditionalWriteRefusal(store.get(bucket, key)?.etag, req.headers);
        if (refusal !== undefined) return s3Error(res, refusal.status, refusal.code, refusal.message);
        const etag = store.put(bucket, key, body, req.headers['content-type'] ?? 'application/octet-stream');
        res.writeHead(200, { ETag: etag }).end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        const object = store.get(bucket, key);
        if (object === undefined)
          return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', req.method === 'HEAD');
        res.writeHead(200, {
          'Content-Type': object.contentType,
          'Content-Length': object.body.length,
          ETag: object.etag,
          'Last-Modified': object.lastModified.toUTCString(),
        });
        res.end(req.method === 'HEAD' ? undefined : object.body);
        return;
      }
      case 'DELETE':
        store.delete(bucket, key);
        res.writeHead(204).end();
        return;
      default:
        return s3Error(res, 405, 'MethodNotAllowed', `${req.method} is not supported here`);
    }
  } catch (error) {
    return s3Error(res, 400, 'InvalidRequest', error instanceof Error ? error.message : String(error));
  }
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
): { status: number; code: string; message: string } | undefined {
  const noneMatch = headers['if-none-match'];
  const match = headers['if-match'];
  if (noneMatch !== undefined && noneMatch !== '*')
    return { status: 501, code: 'NotImplemented', message: 'If-None-Match on PutObject supports only *' };
  if (noneMatch === '*' && currentEtag !== undefined)
    return {
      status: 412,
      code: 'PreconditionFailed',
      message: 'At least one of the pre-conditions you specified did not hold',
    };
  if (match !== undefined && currentEtag === undefined)
    return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
  if (match !== undefined && match !== currentEtag)
    return {
      status: 412,
      code: 'PreconditionFailed',
      message: 'At least one of the pre-conditions you specified did not hold',
    };
  return undefined;
}

function s3Error(res: http.ServerResponse, status: number, code: string, message: string, headOnly = false): void {
  res.writeHead(status, { 'Content-Type': 'application/xml' });
  res.end(
    headOnly
      ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`,
  );
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
