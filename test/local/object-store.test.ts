/** Local mode's S3 store on disk: browsable layout, refused keys, S3's listing order, atomic writes. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { ObjectStore, ObjectStoreRefusal } from '../../local/object-store';

const BUCKET = 'local-review-output';
const OUTPUT_KEY = 'a2i-results/sentiment-review/2024/01/02/03/04/05/loop-1/output.json';

let dataDir: string;
let store: ObjectStore;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'object-store-'));
  store = new ObjectStore(path.join(dataDir, 's3'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Every file under `dir`, as `a/b/c` paths, like `find dir -type f`. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => !fs.statSync(path.join(dir, name)).isDirectory())
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

/** Every folder under `dir`, as `a/b` paths. */
function foldersUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => fs.statSync(path.join(dir, name)).isDirectory())
    .map((name) => name.split(path.sep).join('/'))
    .sort();
}

const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

function refusal(action: () => unknown): ObjectStoreRefusal {
  try {
    action();
  } catch (error) {
    if (error instanceof ObjectStoreRefusal) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('layout', () => {
  test('an object is the file s3/<bucket>/<key>, its metadata apart, and nothing else is under s3/', () => {
    const etag = store.put(BUCKET, OUTPUT_KEY, Buffer.from('{"answer":1}'), 'application/json');
    expect(etag).toBe(md5('{"answer":1}'));
    expect(filesUnder(path.join(dataDir, 's3'))).toEqual([`${BUCKET}/${OUTPUT_KEY}`]);
    expect(fs.readFileSync(path.join(dataDir, 's3', BUCKET, OUTPUT_KEY), 'utf8')).toBe('{"answer":1}');
    expect(filesUnder(path.join(dataDir, 's3-metadata'))).toEqual([`${BUCKET}/${OUTPUT_KEY}`]);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 's3-metadata', BUCKET, OUTPUT_KEY), 'utf8'))).toMatchObject({
      contentType: 'application/json',
      etag,
    });
    expect(fs.readdirSync(path.join(dataDir, 's3-tmp'))).toEqual([]);
    expect(store.get(BUCKET, OUTPUT_KEY)).toMatchObject({ contentType: 'application/json', etag });
    expect(store.get(BUCKET, OUTPUT_KEY)?.body.toString()).toBe('{"answer":1}');
  });

  test('a key with spaces, non-ASCII and astral characters is a path of those names', () => {
    store.put(BUCKET, 'dataset/café 𝄞/record.jsonl', Buffer.from('x'));
    expect(filesUnder(path.join(dataDir, 's3'))).toEqual([`${BUCKET}/dataset/café 𝄞/record.jsonl`]);
    expect(store.get(BUCKET, 'dataset/café 𝄞/record.jsonl')?.body.toString()).toBe('x');
  });

  test('delete removes the object and its metadata, and the folders left empty', () => {
    store.put(BUCKET, OUTPUT_KEY, Buffer.from('a'));
    store.put(BUCKET, 'a2i-results/other.json', Buffer.from('b'));
    store.delete(BUCKET, OUTPUT_KEY);
    expect(store.get(BUCKET, OUTPUT_KEY)).toBeUndefined();
    expect(filesUnder(path.join(dataDir, 's3'))).toEqual([`${BUCKET}/a2i-results/other.json`]);
    expect(filesUnder(path.join(dataDir, 's3-metadata'))).toEqual([`${BUCKET}/a2i-results/other.json`]);
    expect(foldersUnder(path.join(dataDir, 's3'))).toEqual([BUCKET, `${BUCKET}/a2i-results`]);
    expect(foldersUnder(path.join(dataDir, 's3-metadata'))).toEqual([BUCKET, `${BUCKET}/a2i-results`]);
    // A key that is not there, even one below an object, is deleted as S3 deletes it: nothing happens.
    store.delete(BUCKET, 'missing/key');
    store.delete(BUCKET, 'a2i-results/other.json/below');
    expect(filesUnder(path.join(dataDir, 's3'))).toEqual([`${BUCKET}/a2i-results/other.json`]);
  });
});

describe('refused keys', () => {
  test.each([
    ['an empty segment', 'a//b', 'it has an empty segment'],
    ['a leading /', '/a', 'it has an empty segment'],
    ['a trailing /', 'a/', 'it has an empty segment'],
    ['a . segment', 'a/./b', 'it has a "." segment'],
    ['a .. segment', 'a/../b', 'it has a ".." segment'],
    ['only ..', '..', 'it has a ".." segment'],
    ['a NUL', 'a\0b', 'it holds a NUL character'],
    ['a backslash', 'a\\..\\b', 'it holds a backslash'],
    [
      'a segment over 255 bytes',
      `a/${'€'.repeat(86)}/b`,
      `its segment "${'€'.repeat(86)}" is 258 bytes, over the 255 a file name can hold`,
    ],
    ['a lone surrogate', 'a\uD800b', 'it holds a lone UTF-16 surrogate'],
  ])('%s (%j) is refused by put, get, head and delete, naming the key and why', (_, key, reason) => {
    for (const action of [
      () => store.put(BUCKET, key, Buffer.from('x')),
      () => store.get(BUCKET, key),
      () => store.head(BUCKET, key),
      () => store.delete(BUCKET, key),
    ]) {
      const error = refusal(action);
      expect(error.code).toBe('InvalidArgument');
      expect(error.message).toContain(`Object key ${JSON.stringify(key)} cannot be stored in local mode: ${reason}`);
    }
    expect(filesUnder(dataDir)).toEqual([]);
  });

  test('a key over 1024 bytes is too long, as S3 says', () => {
    const key = 'k'.repeat(1000) + 'é'.repeat(13);
    const error = refusal(() => store.put(BUCKET, key, Buffer.from('x')));
    expect(error.code).toBe('KeyTooLongError');
    expect(error.message).toContain('Your key is too long: object key "kkkk');
    expect(error.message).toContain("is 1026 bytes in UTF-8, over S3's limit of 1024");
    const longest = `${Array(5).fill('k'.repeat(200)).join('/')}/${'k'.repeat(19)}`;
    expect(Buffer.byteLength(longest)).toBe(1024);
    store.put(BUCKET, longest, Buffer.from('x'));
    expect(store.get(BUCKET, longest)?.body.toString()).toBe('x');
  });

  test('an invalid bucket name is refused', () => {
    expect(refusal(() => store.put('../etc', 'x', Buffer.from('x'))).code).toBe('InvalidBucketName');
    expect(refusal(() => store.list('..')).code).toBe('InvalidBucketName');
  });

  test('a key cannot be an object and a folder of other objects at once: a local-mode limit, said so', () => {
    store.put(BUCKET, 'a/b', Buffer.from('1'));
    const underObject = refusal(() => store.put(BUCKET, 'a/b/c', Buffer.from('2')));
    expect(underObject.message).toBe(
      'Object key "a/b/c" cannot be stored in local mode: "a/b" is already an object. Local mode keeps objects as ' +
        'files, so one key cannot also be a folder of other keys. S3 allows this; it is a limit of local mode only.',
    );
    const overObjects = refusal(() => store.put(BUCKET, 'a', Buffer.from('3')));
    expect(overObjects.message).toContain(
      'Object key "a" cannot be stored in local mode: "a" is already a folder of other objects (such as "a/b")',
    );
    expect(overObjects.message).toContain('S3 allows this; it is a limit of local mode only.');
    expect(store.get(BUCKET, 'a')).toBeUndefined();
    expect(store.get(BUCKET, 'a/b/c')).toBeUndefined();
    expect(filesUnder(path.join(dataDir, 's3'))).toEqual([`${BUCKET}/a/b`]);
    // Once the other key is gone, the key can be stored.
    store.delete(BUCKET, 'a/b');
    store.put(BUCKET, 'a', Buffer.from('3'));
    expect(store.get(BUCKET, 'a')?.body.toString()).toBe('3');
  });

  test('an empty folder left in the way (a crash while pruning) does not block the key', () => {
    fs.mkdirSync(path.join(dataDir, 's3', BUCKET, 'a', 'b'), { recursive: true });
    store.put(BUCKET, 'a', Buffer.from('x'));
    expect(store.get(BUCKET, 'a')?.body.toString()).toBe('x');
  });
});

describe('listing', () => {
  // In UTF-8 byte order ('-' < '/' < '0'; U+FF5A is EF BD 9A, before the astral U+1D11E at F0 9D 84 9E). A JS
  // string sort puts 'a/b' after 'a-c' too, but the astral key before U+FF5A (its surrogates are D834 DD1E).
  const inS3Order = ['Z', 'a-c', 'a/b', 'a0', 'b/é', 'b/ｚ', 'b/𝄞/x'];

  beforeEach(() => {
    for (const key of [...inS3Order].reverse()) store.put(BUCKET, key, Buffer.from(key));
  });

  const keys = (prefix?: string, startAfter?: string, maxKeys?: number) =>
    store.list(BUCKET, prefix, startAfter, maxKeys).objects.map((o) => o.key);

  test("keys come in S3's order (UTF-8 bytes), with their size and ETag", () => {
    expect(keys()).toEqual(inS3Order);
    expect(store.list(BUCKET).objects[4]).toMatchObject({ key: 'b/é', size: 4, etag: md5('b/é') });
  });

  test('prefix, start-after and max-keys, with truncation', () => {
    expect(keys('b/')).toEqual(['b/é', 'b/ｚ', 'b/𝄞/x']);
    expect(keys('a')).toEqual(['a-c', 'a/b', 'a0']);
    expect(keys('b/𝄞')).toEqual(['b/𝄞/x']);
    expect(keys('../')).toEqual([]);
    expect(keys('', 'a-c')).toEqual(['a/b', 'a0', 'b/é', 'b/ｚ', 'b/𝄞/x']);
    expect(keys('', 'a/a')).toEqual(['a/b', 'a0', 'b/é', 'b/ｚ', 'b/𝄞/x']);
    expect(keys('', 'b/ｚ')).toEqual(['b/𝄞/x']);
    expect(store.list(BUCKET, '', '', 3)).toMatchObject({ truncated: true });
    expect(store.list(BUCKET, 'b/', '', 3)).toMatchObject({ truncated: false });
  });

  test('pages of two, each starting after the last key of the one before, cover every key once', () => {
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const page = store.list(BUCKET, '', after, 2);
      seen.push(...page.objects.map((o) => o.key));
      if (!page.truncated) break;
      after = page.objects[page.objects.length - 1].key;
    }
    expect(seen).toEqual(inS3Order);
  });

  test('an unknown bucket lists nothing', () => {
    expect(store.list('other-bucket')).toEqual({ objects: [], truncated: false });
  });
});

describe('atomic writes', () => {
  const tempDir = () => path.join(dataDir, 's3-tmp');

  test('a temp file left by a crash is never listed nor read, and a new store clears it', () => {
    store.put(BUCKET, 'kept.json', Buffer.from('{}'));
    fs.writeFileSync(path.join(tempDir(), 'a-torn-upload'), 'half of an obj');
    expect(store.list(BUCKET).objects.map((o) => o.key)).toEqual(['kept.json']);
    expect(filesUnder(path.join(dataDir, 's3'))).toEqual([`${BUCKET}/kept.json`]);
    new ObjectStore(path.join(dataDir, 's3'));
    expect(fs.readdirSync(tempDir())).toEqual([]);
  });

  test('an object whose metadata is missing (a crash between the renames) is still read', () => {
    store.put(BUCKET, 'a/b.json', Buffer.from('{"b":2}'), 'application/json');
    fs.rmSync(path.join(dataDir, 's3-metadata', BUCKET, 'a', 'b.json'));
    expect(store.get(BUCKET, 'a/b.json')).toMatchObject({
      contentType: 'application/octet-stream',
      etag: md5('{"b":2}'),
    });
    expect(store.list(BUCKET).objects).toMatchObject([{ key: 'a/b.json', size: 7, etag: md5('{"b":2}') }]);
  });

  test('metadata of other bytes (an old version, or a hand edit) does not give their ETag', () => {
    store.put(BUCKET, 'edited.json', Buffer.from('{"v":1}'), 'application/json');
    fs.writeFileSync(path.join(dataDir, 's3', BUCKET, 'edited.json'), '{"v":22}');
    expect(store.head(BUCKET, 'edited.json')).toMatchObject({
      contentType: 'application/json',
      etag: md5('{"v":22}'),
      size: 8,
    });
  });

  test('metadata left by an object removed by hand does not block a key below it', () => {
    store.put(BUCKET, 'a', Buffer.from('x'));
    fs.rmSync(path.join(dataDir, 's3', BUCKET, 'a'));
    store.put(BUCKET, 'a/b', Buffer.from('y'), 'text/plain');
    expect(store.get(BUCKET, 'a/b')).toMatchObject({ contentType: 'text/plain', etag: md5('y') });
  });

  test('a streamed upload is in place only when committed; a short body or a discard leaves nothing', async () => {
    const upload = await store.receive(BUCKET, 'streamed', chunks('ab', 'cd'), 4);
    expect(upload).toMatchObject({ etag: md5('abcd'), size: 4 });
    expect(store.get(BUCKET, 'streamed')).toBeUndefined();
    expect(fs.readdirSync(tempDir())).toHaveLength(1);
    upload.commit('text/plain');
    expect(store.get(BUCKET, 'streamed')).toMatchObject({ contentType: 'text/plain', etag: md5('abcd') });
    expect(fs.readdirSync(tempDir())).toEqual([]);

    await expect(store.receive(BUCKET, 'short', chunks('ab'), 4)).rejects.toThrow(
      'The body ended after 2 of its 4 bytes',
    );
    (await store.receive(BUCKET, 'discarded', chunks('ab'), 2)).discard();
    expect(store.get(BUCKET, 'short')).toBeUndefined();
    expect(store.get(BUCKET, 'discarded')).toBeUndefined();
    expect(fs.readdirSync(tempDir())).toEqual([]);
  });

  test('a conflict that arises while an upload streams refuses the commit and removes the upload', async () => {
    const upload = await store.receive(BUCKET, 'x/y', chunks('1'), 1);
    store.put(BUCKET, 'x', Buffer.from('2'));
    expect(() => upload.commit('text/plain')).toThrow('"x" is already an object');
    expect(fs.readdirSync(tempDir())).toEqual([]);
  });
});

function chunks(...texts: string[]): Readable {
  return Readable.from(texts.map((text) => Buffer.from(text)));
}
