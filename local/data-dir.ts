/**
 * The local-mode data folder: objects, the task table, queued messages and dead letters, kept across restarts. A folder is recognised by
 * its manifest; a folder that is not ours, or is from another format version, is refused with a clear message
 * instead of being overwritten.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MANIFEST = 'local-mode.json';
const FORMAT = 'review-pipeline-local-data';
/**
 * 2: the local flow definition is named like a deployed one (`<prefix>-<hash>`), and loop names changed.
 * 3: loops are stored as the task rules keep them (claims, answers, versions), and the portal signs its cookies.
 * 4: loops live in DynamoDB (dynalite, `dynamodb/`), as the self-hosted backend keeps them; claims carry lease tokens.
 */
const VERSION = 4;

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
    if (parsed.format !== FORMAT || parsed.version !== VERSION) {
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
  return dir;
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
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && isRunning(pid))
      throw new DataDirError(
        `${root} is in use by another local server (process ${pid}). Stop it, or set LOCAL_DATA_DIR to another folder.`,
      );
    fs.rmSync(file, { force: true });
  }
}

/** Whether a process of this id runs (one of another user's answers EPERM). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
