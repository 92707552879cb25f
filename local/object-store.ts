/**
 * S3 objects on disk for local mode: `<root>/<bucket>/<encoded key>` with a metadata sidecar. Keys are encoded into
 * one file name each, so no key can climb out of its bucket folder.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: Date;
}

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const META = '.meta.json';

export class ObjectStore {
  constructor(private readonly root: string) {}

  put(bucket: string, key: string, body: Buffer, contentType = 'application/octet-stream'): string {
    const file = this.file(bucket, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    fs.writeFileSync(file, body);
    fs.writeFileSync(file + META, JSON.stringify({ contentType, etag }));
    return etag;
  }

  get(bucket: string, key: string): StoredObject | undefined {
    const file = this.file(bucket, key);
    if (!fs.existsSync(file)) return undefined;
    const meta = JSON.parse(fs.readFileSync(file + META, 'utf8')) as { contentType: string; etag: string };
    return { body: fs.readFileSync(file), ...meta, lastModified: fs.statSync(file).mtime };
  }

  delete(bucket: string, key: string): void {
    const file = this.file(bucket, key);
    fs.rmSync(file, { force: true });
    fs.rmSync(file + META, { force: true });
  }

  /** Keys under `prefix` in key order, starting after `startAfter`. */
  list(bucket: string, prefix = '', startAfter = '', maxKeys = 1000): { objects: ListedObject[]; truncated: boolean } {
    const dir = this.bucketDir(bucket);
    const keys = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((name) => !name.endsWith(META))
          .map(decodeURIComponent)
          .filter((key) => key.startsWith(prefix) && key > startAfter)
          .sort()
      : [];
    const page = keys.slice(0, maxKeys).map((key) => {
      const file = this.file(bucket, key);
      const meta = JSON.parse(fs.readFileSync(file + META, 'utf8')) as { etag: string };
      const stat = fs.statSync(file);
      return { key, size: stat.size, etag: meta.etag, lastModified: stat.mtime };
    });
    return { objects: page, truncated: keys.length > maxKeys };
  }

  private bucketDir(bucket: string): string {
    if (!BUCKET_NAME.test(bucket)) throw new Error(`Invalid bucket name ${bucket}`);
    return path.join(this.root, bucket);
  }

  private file(bucket: string, key: string): string {
    if (key === '' || key.length > 1024) throw new Error('Invalid object key');
    return path.join(this.bucketDir(bucket), encodeURIComponent(key));
  }
}
