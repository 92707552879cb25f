/**
 * local/tabular/prepare.ts against an in-process local server: the sample's images and manifest land in its S3, the
 * same bytes every run, and the command line says what to run next.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { parseInputManifest } from '../../common/manifest';
import type { LocalServer } from '../../local/server';
import { prepareTabularSample } from '../../local/tabular/prepare';
import { FEATURES, generateSample } from '../../local/tabular/sample';
import { startLocal } from './start';

const BUCKET = 'local-review-output';
const ROOT = path.join(__dirname, '../..');

let server: LocalServer;
let s3: S3Client;

beforeAll(async () => {
  server = await startLocal();
  s3 = new S3Client({
    endpoint: `${server.url}/aws/s3`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

/** The bucket and key an s3:// URI names. */
function location(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: match[1], key: match[2] };
}

/** Every object under the prefix, key to bytes (as text: Jest compares Buffers a byte at a time, slowly). */
function snapshot(prefix: string): Record<string, string> {
  const keys = server.objects.list(BUCKET, prefix).objects.map((o) => o.key);
  return Object.fromEntries(keys.map((key) => [key, server.objects.get(BUCKET, key)!.body.toString('base64')]));
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      ['local/tabular/prepare.ts', ...args],
      { cwd: ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('prepareTabularSample', () => {
  test('stores the manifest and one SVG per line where its source-ref says, the same bytes twice', async () => {
    const prepared = await prepareTabularSample({ s3, bucket: BUCKET, prefix: 'tabular-sample' });
    expect(prepared.manifestUri).toBe(`s3://${BUCKET}/tabular-sample/input.manifest`);
    const stored = server.objects.get(BUCKET, 'tabular-sample/input.manifest')!;
    expect(stored.body.toString('utf8')).toBe(prepared.manifest);
    expect(stored.contentType).toBe('application/jsonlines');

    const { records, errors } = parseInputManifest(prepared.manifest);
    expect(errors).toEqual([]);
    expect(records).toHaveLength(generateSample().length);
    expect(prepared.records).toBe(records.length);
    expect(prepared.images).toBe(records.length);
    const sample = generateSample();
    for (const { object } of records) {
      const { bucket, key } = location(object['source-ref'] as string);
      expect(bucket).toBe(BUCKET);
      expect(key).toBe(`tabular-sample/shap/shap-${object.row as string}.svg`);
      const image = server.objects.get(bucket, key)!;
      expect(image.contentType).toBe('image/svg+xml');
      expect(image.body.toString('utf8')).toMatch(/^<svg /);
      const row = sample[Number(object.row) - 1];
      for (const feature of FEATURES) expect(object[feature]).toBe(row[feature]);
      expect(object).not.toHaveProperty('label');
    }
    expect(server.objects.list(BUCKET, 'tabular-sample/shap/').objects).toHaveLength(records.length);

    const before = snapshot('tabular-sample/');
    const again = await prepareTabularSample({ s3, bucket: BUCKET, prefix: 'tabular-sample' });
    expect(again).toEqual(prepared);
    expect(snapshot('tabular-sample/')).toEqual(before);
  });
});

describe('npx tsx local/tabular/prepare.ts', () => {
  test('--local URL --manifest-out FILE stores the sample, writes the file and prints the next command', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tabular-prepare-')), 'input.manifest');
    const { code, stdout, stderr } = await run(['--local', server.url, '--manifest-out', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const uri = `s3://${BUCKET}/tabular-sample/input.manifest`;
    expect(stdout).toContain(
      `npx review-pipeline --local ${server.url} jobs start adult-review --task-type tabular-review` +
        ` --manifest ${uri} --filter prediction=0`,
    );
    expect(stdout.trim().split('\n').length).toBeLessThanOrEqual(4);
    const manifest = fs.readFileSync(file, 'utf8');
    expect(manifest).toBe(server.objects.get(BUCKET, 'tabular-sample/input.manifest')!.body.toString('utf8'));
    expect(parseInputManifest(manifest).records).toHaveLength(generateSample().length);
  });

  test('--to that is not an s3:// URI exits 2 naming --to', async () => {
    const { code, stdout, stderr } = await run(['--to', 'http://x']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--to');
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  test('exits 3 with how to start local mode when no server answers', async () => {
    const { code, stderr } = await run(['--local', 'http://127.0.0.1:1']);
    expect(code).toBe(3);
    expect(stderr).toContain('is local mode running? start it with: LOCAL_TASK_TEMPLATE=tabular-review npm start');
  });
});
