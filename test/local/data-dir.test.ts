import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DataDirError, lockDataDir, MANIFEST, openDataDir } from '../../local/data-dir';
import { ObjectStore } from '../../local/object-store';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'data-dir-'));

test('a new folder is created and marked', () => {
  const root = path.join(tmp(), 'data');
  const dir = openDataDir(root);
  expect(JSON.parse(fs.readFileSync(path.join(root, MANIFEST), 'utf8'))).toMatchObject({
    format: 'review-pipeline-local-data',
    version: 5,
  });
  expect(openDataDir(root)).toEqual(dir);
});

test('a foreign non-empty folder is refused and left untouched', () => {
  const root = tmp();
  fs.writeFileSync(path.join(root, 'thesis.docx'), 'precious');
  expect(() => openDataDir(root)).toThrow(
    new DataDirError(
      `${root} is not empty and is not a local-mode data folder (it has no ${MANIFEST}). Set LOCAL_DATA_DIR to an empty or new folder; nothing in this one was changed.`,
    ),
  );
  expect(fs.readdirSync(root)).toEqual(['thesis.docx']);
});

test('a damaged manifest and another format version are refused with what to do', () => {
  const damaged = tmp();
  fs.writeFileSync(path.join(damaged, MANIFEST), '{oops');
  expect(() => openDataDir(damaged)).toThrow(/is not valid JSON: the data folder is damaged/);
  const other = tmp();
  fs.writeFileSync(path.join(other, MANIFEST), JSON.stringify({ format: 'review-pipeline-local-data', version: 9 }));
  expect(() => openDataDir(other)).toThrow(/version 9; this version reads review-pipeline-local-data version 5/);
});

test('a folder in use by another local server is refused, and taken over when that server is gone', () => {
  const dir = openDataDir(path.join(tmp(), 'd'));
  const unlock = lockDataDir(dir.root);
  expect(() => lockDataDir(dir.root)).toThrow(
    new DataDirError(
      `${dir.root} is in use by another local server (process ${process.pid}). Stop it, or set LOCAL_DATA_DIR to another folder.`,
    ),
  );
  unlock();
  lockDataDir(dir.root)();
  // A mark left by a process that died (no process has id 2^22 + 1 on Linux's default pid_max).
  fs.writeFileSync(path.join(dir.root, 'server.pid'), String(2 ** 22 + 1));
  const again = lockDataDir(dir.root);
  expect(fs.readFileSync(path.join(dir.root, 'server.pid'), 'utf8')).toBe(String(process.pid));
  again();
  // A mark with this process's id that it does not hold: an earlier process with the same id (a restarted container).
  fs.writeFileSync(path.join(dir.root, 'server.pid'), String(process.pid));
  lockDataDir(dir.root)();
});

test('npm start on a foreign folder says so and exits 1, without a stack trace', async () => {
  const root = tmp();
  fs.writeFileSync(path.join(root, 'notes.txt'), 'x');
  const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const failure = (await promisify(execFile)(tsx, [path.join(__dirname, '..', '..', 'local', 'main.ts')], {
    env: { ...process.env, LOCAL_DATA_DIR: root, PORT: '0' },
  }).catch((error: unknown) => error)) as { code: number; stderr: string };
  expect(failure.code).toBe(1);
  expect(failure.stderr).toContain(
    `local mode could not start: ${root} is not empty and is not a local-mode data folder`,
  );
  expect(failure.stderr).not.toMatch(/\n\s+at /);
});

describe('a version-4 folder', () => {
  const BUCKET = 'local-review-output';
  const OUTPUT = 'a2i-results/sentiment-review/2024/01/02/03/04/05/loop-1/output.json';
  const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

  /** A data folder as version 4 left it: one percent-encoded file per object, its `.meta.json` beside it. */
  function version4Folder(objects: Record<string, { body: string; contentType?: string }>): string {
    const root = tmp();
    fs.writeFileSync(
      path.join(root, MANIFEST),
      JSON.stringify({ format: 'review-pipeline-local-data', version: 4, createdAt: '2024-01-01T00:00:00.000Z' }),
    );
    const bucketDir = path.join(root, 's3', BUCKET);
    fs.mkdirSync(bucketDir, { recursive: true });
    for (const [key, { body, contentType }] of Object.entries(objects)) {
      fs.writeFileSync(path.join(bucketDir, encodeURIComponent(key)), body);
      if (contentType !== undefined)
        fs.writeFileSync(
          path.join(bucketDir, `${encodeURIComponent(key)}.meta.json`),
          JSON.stringify({ contentType, etag: md5(body) }),
        );
    }
    return root;
  }

  /** Every file under `dir` with its text, by `a/b` path. */
  function contents(dir: string): Record<string, string> {
    return Object.fromEntries(
      fs
        .readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((name) => fs.statSync(path.join(dir, name)).isFile())
        .sort()
        .map((name) => [name.split(path.sep).join('/'), fs.readFileSync(path.join(dir, name), 'utf8')]),
    );
  }

  test('is migrated in place: each object moves to s3/<bucket>/<key>, and the manifest says version 5', () => {
    const root = version4Folder({
      [OUTPUT]: { body: '{"a":1}', contentType: 'application/json' },
      'dataset/café 𝄞.jsonl': { body: 'x', contentType: 'application/x-ndjson' },
      'no-metadata': { body: 'bytes' },
    });
    fs.writeFileSync(path.join(root, 's3', BUCKET, 'gone.meta.json'), '{}');
    const dir = openDataDir(root);
    expect(contents(path.join(root, 's3'))).toEqual({
      [`${BUCKET}/${OUTPUT}`]: '{"a":1}',
      [`${BUCKET}/dataset/café 𝄞.jsonl`]: 'x',
      [`${BUCKET}/no-metadata`]: 'bytes',
    });
    expect(fs.readdirSync(root).sort()).toEqual([MANIFEST, 'portal-secret', 's3', 's3-metadata', 's3-tmp']);
    expect(JSON.parse(fs.readFileSync(path.join(root, MANIFEST), 'utf8'))).toMatchObject({
      format: 'review-pipeline-local-data',
      version: 5,
      createdAt: '2024-01-01T00:00:00.000Z',
    });
    const store = new ObjectStore(dir.objects);
    expect(store.get(BUCKET, OUTPUT)).toMatchObject({ contentType: 'application/json', etag: md5('{"a":1}') });
    expect(store.get(BUCKET, 'dataset/café 𝄞.jsonl')).toMatchObject({ contentType: 'application/x-ndjson' });
    expect(store.get(BUCKET, 'no-metadata')).toMatchObject({
      contentType: 'application/octet-stream',
      etag: md5('bytes'),
    });
    expect(store.list(BUCKET).objects.map((o) => o.key)).toEqual([OUTPUT, 'dataset/café 𝄞.jsonl', 'no-metadata']);
    expect(openDataDir(root)).toEqual(dir);
  });

  test('whose objects cannot all be files is refused, naming the object, and left untouched', () => {
    const nested = version4Folder({ a: { body: '1', contentType: 'text/plain' }, 'a/b': { body: '2' } });
    const before = contents(nested);
    expect(() => openDataDir(nested)).toThrow(
      new DataDirError(
        `${nested} is a version-4 data folder whose s3/${BUCKET}/a%2Fb cannot move to version 5's layout (objects ` +
          'as files under s3/<bucket>/<key>): object "a" would have to be a folder too. Nothing was changed. Remove ' +
          'it (and its .meta.json) to migrate without it, or move the folder away or set LOCAL_DATA_DIR to a new folder.',
      ),
    );
    expect(contents(nested)).toEqual(before);
    const climbing = version4Folder({ 'x/../y': { body: '1' } });
    expect(() => openDataDir(climbing)).toThrow(/x%2F..%2Fy cannot move .*it has a "\.\." segment/);
    expect(JSON.parse(fs.readFileSync(path.join(climbing, MANIFEST), 'utf8'))).toMatchObject({ version: 4 });
  });

  test('whose migration was cut short goes on at the next open', () => {
    const root = version4Folder({
      'done/one': { body: '1', contentType: 'text/plain' },
      'left/two': { body: '2', contentType: 'application/json' },
    });
    // Stopped after `s3/` was set aside and one object moved (its old metadata not yet removed).
    const setAside = path.join(root, 's3-version-4');
    fs.renameSync(path.join(root, 's3'), setAside);
    new ObjectStore(path.join(root, 's3')).adopt(
      BUCKET,
      'done/one',
      path.join(setAside, BUCKET, 'done%2Fone'),
      'text/plain',
    );
    const dir = openDataDir(root);
    expect(contents(path.join(root, 's3'))).toEqual({ [`${BUCKET}/done/one`]: '1', [`${BUCKET}/left/two`]: '2' });
    expect(fs.existsSync(setAside)).toBe(false);
    const store = new ObjectStore(dir.objects);
    expect(store.head(BUCKET, 'done/one')?.contentType).toBe('text/plain');
    expect(store.head(BUCKET, 'left/two')?.contentType).toBe('application/json');
  });

  test('in use by a running local server is not migrated', () => {
    const root = version4Folder({ 'a/b': { body: '1' } });
    const unlock = lockDataDir(root);
    expect(() => openDataDir(root)).toThrow(/is in use by another local server/);
    unlock();
    expect(fs.readdirSync(path.join(root, 's3', BUCKET))).toEqual(['a%2Fb']);
  });
});
