/**
 * S3 objects on disk for local mode, kept so a person can browse them (`find .local-data/s3 -name output.json`):
 *
 *   <dataDir>/s3/<bucket>/<key>            the object's bytes; each `/` of the key is a folder
 *   <dataDir>/s3-metadata/<bucket>/<key>   its metadata, JSON: content type, ETag, and the size and modification
 *                                          time of the bytes it describes
 *   <dataDir>/s3-tmp/                      uploads being received and metadata being written, then renamed into place
 *
 * (The store is given `<dataDir>/s3`; the other two are its siblings `<root>-metadata` and `<root>-tmp`.)
 *
 * Writes are atomic against a killed process: bytes and metadata are each written to a temp file on the same file
 * system and renamed into place, the metadata first, so a reader sees the old object or the new one, never a torn
 * one. Metadata that is missing or describes other bytes (a crash between the two renames, or a hand edit) is not
 * trusted for the ETag, which is then computed from the bytes; the content type is application/octet-stream when
 * the metadata is missing. Nothing is fsynced: a power cut can lose recent writes.
 *
 * A key must be a path of folders and a file name: keys with empty, `.` or `..` segments, NUL bytes, backslashes,
 * segments over 255 bytes, over 1024 bytes, or that are a folder of another key (`a` and `a/b`) are refused with an
 * `ObjectStoreRefusal` (S3 accepts all but the long ones; the others are limits of local mode). One store uses a
 * folder at a time (the data folder's lock sees to it): a new store clears the temp files a crash left.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: Date;
}

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

/** An object being read: its description, and its bytes as a stream (read or destroy it: it holds the file open). */
export interface OpenedObject {
  readonly info: ObjectInfo;
  readonly body: fs.ReadStream;
}

/** An upload received into a temp file: `commit` renames it into place, `discard` removes it. */
export interface StagedUpload {
  readonly etag: string;
  readonly size: number;
  commit(contentType: string): string;
  discard(): void;
}

/** S3's limit on a key's UTF-8 length. */
export const MAX_KEY_BYTES = 1024;
/** The longest file name most file systems take (255 bytes on ext4 and APFS). */
export const MAX_SEGMENT_BYTES = 255;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const HASH_CHUNK_BYTES = 1024 * 1024;

/** A bucket or key the store cannot hold, with S3's error code for it and a message naming it and why. */
export class ObjectStoreRefusal extends Error {
  override readonly name = 'ObjectStoreRefusal';
  constructor(
    readonly code: 'InvalidBucketName' | 'KeyTooLongError' | 'InvalidArgument',
    message: string,
  ) {
    super(message);
  }
}

/** Why the object cannot be stored at `s3/<bucket>/<key>`, or undefined when it can (other keys aside). */
export function objectPathRefusal(bucket: string, key: string): ObjectStoreRefusal | undefined {
  const bucketRefusal = bucketNameRefusal(bucket);
  if (bucketRefusal !== undefined) return bucketRefusal;
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES)
    return new ObjectStoreRefusal(
      'KeyTooLongError',
      `Your key is too long: object key ${shown(key)} is ${bytes} bytes in UTF-8, over S3's limit of ${MAX_KEY_BYTES}.`,
    );
  const reason = keyPathRefusal(key);
  return reason === undefined
    ? undefined
    : new ObjectStoreRefusal(
        'InvalidArgument',
        `Object key ${shown(key)} cannot be stored in local mode: ${reason}. Local mode keeps each object as the ` +
          'file s3/<bucket>/<key>, so a key must be a path of folders and a file name.',
      );
}

function bucketNameRefusal(bucket: string): ObjectStoreRefusal | undefined {
  return BUCKET_NAME.test(bucket)
    ? undefined
    : new ObjectStoreRefusal('InvalidBucketName', `The specified bucket is not valid: ${JSON.stringify(bucket)}`);
}

function keyPathRefusal(key: string): string | undefined {
  if (key === '') return 'it is empty';
  if (/\p{Surrogate}/u.test(key)) return 'it holds a lone UTF-16 surrogate, which has no UTF-8 form';
  if (key.includes('\0')) return 'it holds a NUL character, which no file name can';
  if (key.includes('\\')) return 'it holds a backslash, a folder separator on Windows';
  for (const segment of key.split('/')) {
    const reason = segmentRefusal(segment);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

function segmentRefusal(segment: string): string | undefined {
  if (segment === '') return 'it has an empty segment (a leading, trailing or doubled "/")';
  if (segment === '.' || segment === '..') return `it has a "${segment}" segment, which a path would resolve`;
  const bytes = Buffer.byteLength(segment);
  if (bytes > MAX_SEGMENT_BYTES)
    return `its segment ${shown(segment)} is ${bytes} bytes, over the ${MAX_SEGMENT_BYTES} a file name can hold`;
  return undefined;
}

function conflict(key: string, other: string, what: string): ObjectStoreRefusal {
  return new ObjectStoreRefusal(
    'InvalidArgument',
    `Object key ${shown(key)} cannot be stored in local mode: ${shown(other)} ${what}. Local mode keeps objects as ` +
      'files, so one key cannot also be a folder of other keys. S3 allows this; it is a limit of local mode only.',
  );
}

/** A key in a message: quoted and escaped (NUL, control characters), cut short when long. */
function shown(text: string): string {
  return text.length > 100 ? `${JSON.stringify(text.slice(0, 100)).slice(0, -1)}…"` : JSON.stringify(text);
}

/** Where one object lives: its bytes and its metadata, both checked to stay inside their bucket's folders. */
interface ObjectPaths {
  readonly key: string;
  readonly segments: readonly string[];
  readonly bucketDir: string;
  readonly bucketMetadataDir: string;
  readonly file: string;
  readonly metadataFile: string;
}

interface Metadata {
  readonly contentType: string;
  readonly etag: string;
  readonly size: number;
  readonly mtimeMs: number;
}

export class ObjectStore {
  private readonly objectsRoot: string;
  private readonly metadataRoot: string;
  private readonly tempRoot: string;

  /** `root` is `<dataDir>/s3`; the metadata and temp folders are made beside it. */
  constructor(root: string) {
    this.objectsRoot = path.resolve(root);
    this.metadataRoot = `${this.objectsRoot}-metadata`;
    this.tempRoot = `${this.objectsRoot}-tmp`;
    fs.rmSync(this.tempRoot, { recursive: true, force: true });
    fs.mkdirSync(this.tempRoot, { recursive: true });
  }

  put(bucket: string, key: string, body: Buffer, contentType = DEFAULT_CONTENT_TYPE): string {
    const target = this.paths(bucket, key);
    this.refuseConflicts(target);
    const temp = this.tempFile();
    fs.writeFileSync(temp, body, { flag: 'wx' });
    return this.commitOrDiscard(target, temp, md5Etag(body), contentType);
  }

  /**
   * Streams `body` (which must hold exactly `length` bytes) into a temp file, computing its ETag, after checking the
   * key: nothing is in place until `commit`. A body that ends early or fails leaves nothing behind.
   */
  async receive(bucket: string, key: string, body: AsyncIterable<Buffer>, length: number): Promise<StagedUpload> {
    const target = this.paths(bucket, key);
    this.refuseConflicts(target);
    const temp = this.tempFile();
    const hash = createHash('md5');
    let size = 0;
    try {
      await pipeline(
        body,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            if (size > length) throw new Error(`The body is longer than its Content-Length of ${length} bytes`);
            hash.update(chunk);
            yield chunk;
          }
        },
        fs.createWriteStream(temp, { flags: 'wx' }),
      );
      if (size !== length) throw new Error(`The body ended after ${size} of its ${length} bytes`);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
    const etag = `"${hash.digest('hex')}"`;
    let pending = true;
    const settle = () => {
      if (!pending) throw new Error(`The upload of ${shown(key)} was already committed or discarded`);
      pending = false;
    };
    return {
      etag,
      size,
      commit: (contentType) => {
        settle();
        return this.commitOrDiscard(target, temp, etag, contentType);
      },
      discard: () => {
        settle();
        fs.rmSync(temp, { force: true });
      },
    };
  }

  /** Moves a file of the data folder (same file system) into the store as `key`, with its ETag computed. */
  adopt(bucket: string, key: string, file: string, contentType = DEFAULT_CONTENT_TYPE): string {
    const target = this.paths(bucket, key);
    const descriptor = fs.openSync(file, 'r');
    let etag: string;
    try {
      etag = md5EtagOfFile(descriptor, fs.fstatSync(descriptor).size);
    } finally {
      fs.closeSync(descriptor);
    }
    this.commit(target, file, etag, contentType);
    return etag;
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.withObject(bucket, key, (descriptor, info) => {
      const body = fs.readFileSync(descriptor);
      return { body, contentType: info.contentType, etag: info.etag, lastModified: info.lastModified };
    });
  }

  head(bucket: string, key: string): ObjectInfo | undefined {
    return this.withObject(bucket, key, (_, info) => info);
  }

  /** The object's description and a stream of its bytes, read from the file as it was when opened. */
  open(bucket: string, key: string): OpenedObject | undefined {
    const target = this.paths(bucket, key);
    const descriptor = openRegularFile(target.file);
    if (descriptor === undefined) return undefined;
    try {
      const info = this.describe(target, descriptor);
      return { info, body: fs.createReadStream(target.file, { fd: descriptor, start: 0 }) };
    } catch (error) {
      fs.closeSync(descriptor);
      throw error;
    }
  }

  /** Removes the object and its metadata, and the folders that held only them. */
  delete(bucket: string, key: string): void {
    const target = this.paths(bucket, key);
    const object = lstatOrUndefined(target.file);
    if (object?.isDirectory()) return;
    const metadata = lstatOrUndefined(target.metadataFile);
    if (metadata !== undefined && !metadata.isDirectory()) fs.rmSync(target.metadataFile);
    if (object !== undefined) fs.rmSync(target.file);
    pruneEmptyFolders(target.bucketMetadataDir, target.segments);
    pruneEmptyFolders(target.bucketDir, target.segments);
  }

  /** Keys under `prefix` in S3's order (UTF-8 bytes), starting after `startAfter`. */
  list(bucket: string, prefix = '', startAfter = '', maxKeys = 1000): { objects: ListedObject[]; truncated: boolean } {
    const refusal = bucketNameRefusal(bucket);
    if (refusal !== undefined) throw refusal;
    const keys: string[] = [];
    for (const key of keysInOrder(path.join(this.objectsRoot, bucket), '', prefix, Buffer.from(startAfter))) {
      keys.push(key);
      if (keys.length > maxKeys) break;
    }
    const objects = keys
      .slice(0, maxKeys)
      .map((key) => this.head(bucket, key))
      .filter((info) => info !== undefined)
      .map(({ key, size, etag, lastModified }) => ({ key, size, etag, lastModified }));
    return { objects, truncated: keys.length > maxKeys };
  }

  private paths(bucket: string, key: string): ObjectPaths {
    const refusal = objectPathRefusal(bucket, key);
    if (refusal !== undefined) throw refusal;
    const segments = key.split('/');
    const bucketDir = path.join(this.objectsRoot, bucket);
    const bucketMetadataDir = path.join(this.metadataRoot, bucket);
    return {
      key,
      segments,
      bucketDir,
      bucketMetadataDir,
      file: inside(bucketDir, segments, key),
      metadataFile: inside(bucketMetadataDir, segments, key),
    };
  }

  /** Refuses a key whose folders are objects, or that is a folder of objects; drops empty folders in its way. */
  private refuseConflicts(target: ObjectPaths): void {
    let dir = target.bucketDir;
    for (const [index, segment] of target.segments.slice(0, -1).entries()) {
      dir = path.join(dir, segment);
      const stat = lstatOrUndefined(dir);
      if (stat === undefined) return;
      if (!stat.isDirectory())
        throw conflict(target.key, target.segments.slice(0, index + 1).join('/'), 'is already an object');
    }
    if (!lstatOrUndefined(target.file)?.isDirectory()) return;
    const inner = firstNonFolder(target.file);
    if (inner !== undefined)
      throw conflict(
        target.key,
        target.key,
        `is already a folder of other objects (such as ${shown(`${target.key}/${inner}`)})`,
      );
    fs.rmSync(target.file, { recursive: true });
  }

  private commitOrDiscard(target: ObjectPaths, temp: string, etag: string, contentType: string): string {
    try {
      this.commit(target, temp, etag, contentType);
      return etag;
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
  }

  /** Renames `file` into place, its metadata first (the size and time are the file's own: a rename keeps them). */
  private commit(target: ObjectPaths, file: string, etag: string, contentType: string): void {
    this.refuseConflicts(target);
    const { size, mtimeMs } = fs.statSync(file);
    this.writeMetadata(target, { contentType, etag, size, mtimeMs });
    fs.mkdirSync(path.dirname(target.file), { recursive: true });
    fs.renameSync(file, target.file);
  }

  private writeMetadata(target: ObjectPaths, metadata: Metadata): void {
    const temp = this.tempFile();
    fs.writeFileSync(temp, JSON.stringify(metadata), { flag: 'wx' });
    try {
      clearMetadataPath(target);
      fs.mkdirSync(path.dirname(target.metadataFile), { recursive: true });
      fs.renameSync(temp, target.metadataFile);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
  }

  private withObject<T>(bucket: string, key: string, use: (descriptor: number, info: ObjectInfo) => T): T | undefined {
    const target = this.paths(bucket, key);
    const descriptor = openRegularFile(target.file);
    if (descriptor === undefined) return undefined;
    try {
      return use(descriptor, this.describe(target, descriptor));
    } finally {
      fs.closeSync(descriptor);
    }
  }

  /** The open object's description: its metadata's, with the ETag computed when the metadata is not of these bytes. */
  private describe(target: ObjectPaths, descriptor: number): ObjectInfo {
    const stat = fs.fstatSync(descriptor);
    const metadata = readMetadata(target.metadataFile);
    const current = metadata !== undefined && metadata.size === stat.size && metadata.mtimeMs === stat.mtimeMs;
    return {
      key: target.key,
      size: stat.size,
      contentType: metadata?.contentType ?? DEFAULT_CONTENT_TYPE,
      etag: current ? metadata.etag : md5EtagOfFile(descriptor, stat.size),
      lastModified: stat.mtime,
    };
  }

  private tempFile(): string {
    fs.mkdirSync(this.tempRoot, { recursive: true });
    return path.join(this.tempRoot, randomBytes(12).toString('hex'));
  }
}

/** `base/segments...`, refused unless it stays inside `base` (a second guard after the key's own checks). */
function inside(base: string, segments: readonly string[], key: string): string {
  const resolved = path.resolve(base, ...segments);
  if (!resolved.startsWith(base + path.sep))
    throw new ObjectStoreRefusal('InvalidArgument', `Object key ${shown(key)} would resolve outside its bucket`);
  return resolved;
}

/**
 * The keys of the regular files under `dir` (whose keys start with `folder`), in UTF-8 byte order: siblings sort by
 * name, a folder's as `name/`, which is how its keys compare. Folders that cannot hold a key under `prefix` and after
 * `startAfter` are not read; names no key could have are skipped.
 */
function* keysInOrder(dir: string, folder: string, prefix: string, startAfter: Buffer): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  const sorted = entries
    .filter((entry) => (entry.isFile() || entry.isDirectory()) && keyPathRefusal(entry.name) === undefined)
    .map((entry) => ({ entry, name: Buffer.from(entry.isDirectory() ? `${entry.name}/` : entry.name) }))
    .sort((a, b) => Buffer.compare(a.name, b.name));
  for (const { entry } of sorted) {
    const key = `${folder}${entry.name}`;
    if (entry.isFile()) {
      if (key.startsWith(prefix) && Buffer.compare(Buffer.from(key), startAfter) > 0) yield key;
      continue;
    }
    const subfolder = `${key}/`;
    const underPrefix = subfolder.startsWith(prefix) || prefix.startsWith(subfolder);
    const bytes = Buffer.from(subfolder);
    const allBeforeStart = Buffer.compare(bytes, startAfter) < 0 && !startAfter.subarray(0, bytes.length).equals(bytes);
    if (underPrefix && !allBeforeStart) yield* keysInOrder(path.join(dir, entry.name), subfolder, prefix, startAfter);
  }
}

/** The path (`a/b`) of a file, link or anything but a folder under `dir`, or undefined when it holds only folders. */
function firstNonFolder(dir: string): string | undefined {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) return entry.name;
    const inner = firstNonFolder(path.join(dir, entry.name));
    if (inner !== undefined) return `${entry.name}/${inner}`;
  }
  return undefined;
}

/** Metadata files in the way of `target`'s (left by objects removed by hand; its object path is clear). */
function clearMetadataPath(target: ObjectPaths): void {
  let dir = target.bucketMetadataDir;
  for (const segment of target.segments.slice(0, -1)) {
    dir = path.join(dir, segment);
    const stat = lstatOrUndefined(dir);
    if (stat === undefined) return;
    if (!stat.isDirectory()) fs.rmSync(dir);
  }
  if (lstatOrUndefined(target.metadataFile)?.isDirectory()) fs.rmSync(target.metadataFile, { recursive: true });
}

/** Removes the folders of `segments` (all but the last) under `base` that are now empty, deepest first. */
function pruneEmptyFolders(base: string, segments: readonly string[]): void {
  for (let depth = segments.length - 1; depth > 0; depth--) {
    try {
      fs.rmdirSync(path.join(base, ...segments.slice(0, depth)));
    } catch {
      return;
    }
  }
}

function readMetadata(file: string): Metadata | undefined {
  let parsed: Partial<Record<keyof Metadata, unknown>>;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof parsed;
  } catch {
    return undefined;
  }
  const { contentType, etag, size, mtimeMs } = parsed;
  return typeof contentType === 'string' &&
    typeof etag === 'string' &&
    typeof size === 'number' &&
    typeof mtimeMs === 'number'
    ? { contentType, etag, size, mtimeMs }
    : undefined;
}

/** A descriptor of the regular file at `file`, or undefined when there is none (missing, a folder, a link). */
function openRegularFile(file: string): number | undefined {
  let descriptor: number;
  try {
    descriptor = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ELOOP') return undefined;
    throw error;
  }
  if (fs.fstatSync(descriptor).isFile()) return descriptor;
  fs.closeSync(descriptor);
  return undefined;
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function md5Etag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/** The ETag of an open file's first `size` bytes, read a chunk at a time from the start. */
function md5EtagOfFile(descriptor: number, size: number): string {
  const hash = createHash('md5');
  const chunk = Buffer.alloc(Math.min(size, HASH_CHUNK_BYTES));
  for (let position = 0; position < size;) {
    const read = fs.readSync(descriptor, chunk, 0, Math.min(chunk.length, size - position), position);
    if (read === 0) break;
    hash.update(chunk.subarray(0, read));
    position += read;
  }
  return `"${hash.digest('hex')}"`;
}
