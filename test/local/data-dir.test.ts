import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DataDirError, lockDataDir, MANIFEST, openDataDir } from '../../local/data-dir';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'data-dir-'));

test('a new folder is created and marked', () => {
  const root = path.join(tmp(), 'data');
  const dir = openDataDir(root);
  expect(JSON.parse(fs.readFileSync(path.join(root, MANIFEST), 'utf8'))).toMatchObject({
    format: 'review-pipeline-local-data',
    version: 4,
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
  expect(() => openDataDir(other)).toThrow(/version 9; this version reads review-pipeline-local-data version 4/);
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
