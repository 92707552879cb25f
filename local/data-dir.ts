/**
 * The local-mode data folder: objects, the task table, queued messages and dead letters, kept across restarts. A folder is recognised by
 * its manifest; a folder that is not ours, or is from another format version, is refused with a clear message
 * instead of being overwritten. A version-4 folder is migrated in place to version 5 (objects as files under
 * `s3/<bucket>/<key>`, their metadata under `s3-metadata/`, see object-store.ts) when it is opened.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ObjectStore, objectPathRefusal } from './object-store';

export const MANIFEST = 'local-mode.json';
const FORMAT = 'review-pipeline-local-data';
/**
 * 2: the local flow definition is named like a deployed one (`<prefix>-<hash>`), and loop names changed.
 * 3: loops are stored as the task rules keep them (claims, answers, versions), and the portal signs its cookies.
 * 4: loops live in DynamoDB (dynalite, `dynamodb/`), as the self-hosted backend keeps them; claims carry lease tokens.
 * 5: an object is the file `s3/<bucket>/<key>` (no longer one percent-encoded name with a `.meta.json` beside it), its
 *    metadata is in `s3-metadata/<bucket>/<key>`; a version-4 folder is migrated on open.
 */
const VERSION = 5;
/** The version migrated in place, and where its `s3/` waits while its objects move (kept until the manifest says 5). */
const MIGRATED_VERSION = 4;
const VERSION_4_OBJECTS = 's3-version-4';
const VERSION_4_METADATA = '.meta.json';

export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

export interface DataDir {
  readonly root: string;
  readonly objects: string;
  /** dynalite's LevelDB: the self-hosted backend's task table. */
  readonly dynamodb: string;
  /** One folder per queue, a file per message not yet handled. */
  readonly queues: string;
  readonly deadLetters: string;
  /** The key the local portal signs its sign-in cookies and CSRF tokens with, made on first start. */
  readonly portalSecret: string;
}

export function openDataDir(root: string): DataDir {
  const absolute = path.resolve(root);
  if (fs.existsSync(absolute) && !fs.statSync(absolute).isDirectory()) {
    throw new DataDirError(`LOCAL_DATA_DIR ${absolute} is a file, not a folder. Point LOCAL_DATA_DIR at a folder.`);
  }
  const manifest = path.join(absolute, MANIFEST);
  if (fs.existsSync(manifest)) {
    let parsed: { format?: unknown; version?: unknown };
    try {
      parsed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as typeof parsed;
    } catch {
      throw new DataDirError(
        `${manifest} is not valid JSON: the data folder is damaged. Move it away (or set LOCAL_DATA_DIR to a new folder) and start again.`,
      );
    }
    if (parsed.format === FORMAT && parsed.version === MIGRATED_VERSION) migrateFromVersion4(absolute, parsed);
    else if (parsed.format !== FORMAT || parsed.version !== VERSION) {
      throw new DataDirError(
        `${absolute} holds data of format ${JSON.stringify(parsed.format)} version ${JSON.stringify(parsed.version)}; ` +
          `this version reads ${FORMAT} version ${VERSION}. Move the folder away or set LOCAL_DATA_DIR to a new folder.`,
      );
    }
  } else if (fs.existsSync(absolute) && fs.readdirSync(absolute).length > 0) {
    throw new DataDirError(
      `${absolute} is not empty and is not a local-mode data folder (it has no ${MANIFEST}). ` +
        'Set LOCAL_DATA_DIR to an empty or new folder; nothing in this one was changed.',
    );
  } else {
    fs.mkdirSync(absolute, { recursive: true });
    fs.writeFileSync(
      manifest,
      `${JSON.stringify({ format: FORMAT, version: VERSION, createdAt: new Date().toISOString() }, null, 2)}\n`,
    );
  }
  const dir = {
    root: absolute,
    objects: path.join(absolute, 's3'),
    dynamodb: path.join(absolute, 'dynamodb'),
    queues: path.join(absolute, 'queues'),
    deadLetters: path.join(absolute, 'dead-letters.jsonl'),
    portalSecret: readOrMakeSecret(path.join(absolute, 'portal-secret')),
  };
  fs.mkdirSync(dir.objects, { recursive: true });
  removeEmptyFolders(path.join(absolute, VERSION_4_OBJECTS));
  return dir;
}

/**
 * Moves a version-4 folder's objects (`s3/<bucket>/<encoded key>` and `<encoded key>.meta.json`) to version 5's
 * layout, then marks the folder version 5. Objects that cannot move are refused first, with nothing changed. A
 * migration cut short goes on at the next open: `s3/` is set aside whole (one rename) before anything moves.
 */
function migrateFromVersion4(root: string, manifest: object): void {
  const unlock = lockDataDir(root);
  try {
    const objects = path.join(root, 's3');
    const setAside = path.join(root, VERSION_4_OBJECTS);
    if (!fs.existsSync(setAside) && fs.existsSync(objects)) {
      refuseUnmovableObjects(root, version4Objects(root, objects));
      fs.renameSync(objects, setAside);
    }
    if (fs.existsSync(setAside)) {
      const store = new ObjectStore(objects);
      for (const object of version4Objects(root, setAside)) {
        store.adopt(object.bucket, object.key, object.file, version4ContentType(object.file + VERSION_4_METADATA));
        fs.rmSync(object.file + VERSION_4_METADATA, { force: true });
      }
      removeMetadataLeft(setAside);
    }
    writeFileAtomically(
      path.join(root, MANIFEST),
      `${JSON.stringify({ ...manifest, version: VERSION, migratedAt: new Date().toISOString() }, null, 2)}\n`,
    );
  } finally {
    unlock();
  }
}

interface Version4Object {
  readonly bucket: string;
  readonly key: string;
  /** `<objects>/<bucket>/<encoded key>`; its metadata is this name with `.meta.json`, when there is one. */
  readonly file: string;
}

/** The objects of a version-4 `s3/` folder; anything else in it (but metadata files) is refused. */
function version4Objects(root: string, objects: string): Version4Object[] {
  const found: Version4Object[] = [];
  for (const bucket of fs.readdirSync(objects, { withFileTypes: true })) {
    const bucketDir = path.join(objects, bucket.name);
    if (!bucket.isDirectory()) throw unmovable(root, bucketDir, 'it is not a bucket folder');
    for (const entry of fs.readdirSync(bucketDir, { withFileTypes: true })) {
      const file = path.join(bucketDir, entry.name);
      if (entry.name.endsWith(VERSION_4_METADATA)) continue;
      if (!entry.isFile()) throw unmovable(root, file, 'it is not an object file');
      const key = decodedKey(entry.name);
      if (key === undefined) throw unmovable(root, file, 'its name is not a percent-encoded key');
      found.push({ bucket: bucket.name, key, file });
    }
  }
  return found;
}

/** Refuses the migration, before anything moves, when an object's key cannot be a file of version 5's layout. */
function refuseUnmovableObjects(root: string, objects: readonly Version4Object[]): void {
  const keys = new Set(objects.map((object) => `${object.bucket}/${object.key}`));
  for (const object of objects) {
    const refusal = objectPathRefusal(object.bucket, object.key);
    if (refusal !== undefined) throw unmovable(root, object.file, refusal.message);
    const segments = object.key.split('/');
    for (let depth = 1; depth < segments.length; depth++) {
      const folder = segments.slice(0, depth).join('/');
      if (keys.has(`${object.bucket}/${folder}`))
        throw unmovable(root, object.file, `object ${JSON.stringify(folder)} would have to be a folder too`);
    }
  }
}

function unmovable(root: string, file: string, reason: string): DataDirError {
  return new DataDirError(
    `${root} is a version-4 data folder whose ${path.relative(root, file)} cannot move to version ${VERSION}'s ` +
      `layout (objects as files under s3/<bucket>/<key>): ${reason.replace(/\.$/, '')}. Nothing was changed. Remove it (and its ` +
      `${VERSION_4_METADATA}) to migrate without it, or move the folder away or set LOCAL_DATA_DIR to a new folder.`,
  );
}

function decodedKey(name: string): string | undefined {
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

/** The content type a version-4 metadata file holds, or undefined when it is missing or damaged. */
function version4ContentType(file: string): string | undefined {
  try {
    const { contentType } = JSON.parse(fs.readFileSync(file, 'utf8')) as { contentType?: unknown };
    return typeof contentType === 'string' ? contentType : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the version-4 metadata files of objects that are gone (or moved, in a migration cut short). */
function removeMetadataLeft(objects: string): void {
  for (const bucket of fs.readdirSync(objects)) {
    for (const name of fs.readdirSync(path.join(objects, bucket)))
      if (name.endsWith(VERSION_4_METADATA)) fs.rmSync(path.join(objects, bucket, name));
  }
}

/** Removes `dir` when it holds only (empty) folders: what a finished migration leaves. */
function removeEmptyFolders(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) removeEmptyFolders(path.join(dir, entry.name));
  if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

function writeFileAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

function readOrMakeSecret(file: string): string {
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * Marks the folder as used by this process until the returned function is called: a second local server on the
 * same folder is refused with a clear message (dynalite's database allows one). A mark left by a process that died
 * is taken over.
 */
export function lockDataDir(root: string): () => void {
  const file = path.join(root, 'server.pid');
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && isRunning(pid) && (pid !== process.pid || heldHere.has(file)))
      throw new DataDirError(
        `${root} is in use by another local server (process ${pid}). Stop it, or set LOCAL_DATA_DIR to another folder.`,
      );
    fs.rmSync(file, { force: true });
  }
}

/**
 * The marks this process holds. A mark with this process's id that it does not hold was left by an earlier process
 * that had the same id (a restarted container gets the same ids): it is taken over like any other left by a crash.
 */
const heldHere = new Set<string>();

/** Whether a process of this id runs (one of another user's answers EPERM). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
