/** The collector with the real S3 client against local mode's S3 emulator on loopback. */
import type { DatasetRecord } from '../../../common/dataset';
import type * as CollectorModule from '../../../lambda/collector';
import { startLocalS3 } from '../../helpers/local-s3';
import { outputJson, sqsEvent, statusChange } from './events';

let s3: Awaited<ReturnType<typeof startLocalS3>>;
let handler: typeof CollectorModule.handler;
const OUTPUT_KEY = (name: string) => `a2i-results/sentiment-review-0a1b2c3d/2026/11/21/10/00/00/${name}/output.json`;
const uri = (name: string) => `s3://output-bucket/${OUTPUT_KEY(name)}`;
const datasetKeys = () => s3.store.list('output-bucket', 'dataset/').objects.map((o) => o.key);
const record = (name: string) =>
  JSON.parse(
    s3.store.get('output-bucket', `dataset/year=2026/month=11/day=21/${name}.jsonl`)!.body.toString('utf8'),
  ) as DatasetRecord;

beforeAll(async () => {
  s3 = await startLocalS3();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: s3.url,
    DATASET_BUCKET: 'output-bucket',
    DATASET_PREFIX: 'dataset',
    WORKER_ID_SALT: 'salt',
  });
  ({ handler } = jest.requireActual<typeof CollectorModule>('../../../lambda/collector'));
});
afterAll(() => s3.stop());

test('a duplicate event rewrites the same record instead of adding one', async () => {
  s3.store.put('output-bucket', OUTPUT_KEY('dup'), Buffer.from(JSON.stringify(outputJson('dup', ['1']))));
  const event = statusChange('dup', 'Completed', uri('dup'));

  await handler(sqsEvent(event));
  await handler(sqsEvent(event, event));

  expect(datasetKeys().filter((key) => key.endsWith('/dup.jsonl'))).toHaveLength(1);
  expect(
    s3.store
      .get('output-bucket', 'dataset/year=2026/month=11/day=21/dup.jsonl')!
      .body.toString('utf8')
      .trim()
      .split('\n'),
  ).toHaveLength(1);
});

test('a missing output.json is reported back to the queue (S3 NoSuchKey parsed from the wire)', async () => {
  expect(await handler(sqsEvent(statusChange('missing', 'Completed', uri('missing'))))).toEqual({
    batchItemFailures: [{ itemIdentifier: 'm1' }],
  });
  expect(datasetKeys().some((key) => key.endsWith('/missing.jsonl'))).toBe(false);
});

test('TaskCount 3 with a tie is recorded as disputed', async () => {
  s3.store.put('output-bucket', OUTPUT_KEY('tie'), Buffer.from(JSON.stringify(outputJson('tie', ['1', '0', '-1']))));

  await handler(sqsEvent(statusChange('tie', 'Completed', uri('tie'))));

  expect(record('tie').human).toMatchObject({ label: null, disputed: true, agreement: 1 / 3 });
  expect(record('tie').human?.answers).toHaveLength(3);
});

test('failed and stopped loops are recorded with their status', async () => {
  await handler(
    sqsEvent(
      statusChange('failed', 'Failed', undefined, { failureCode: 'Expired', failureReason: 'TTL' }),
      statusChange('stopped', 'Stopped'),
    ),
  );

  expect(record('failed')).toMatchObject({ status: 'Failed', failureCode: 'Expired' });
  expect(record('stopped')).toMatchObject({ status: 'Stopped' });
});

test('a late Failed or Stopped event never replaces a Completed record (S3 If-None-Match, 412 from the wire)', async () => {
  s3.store.put('output-bucket', OUTPUT_KEY('late'), Buffer.from(JSON.stringify(outputJson('late', ['1']))));
  await handler(sqsEvent(statusChange('late', 'Completed', uri('late'))));

  const result = await handler(
    sqsEvent(statusChange('late', 'Stopped'), statusChange('late', 'Failed', undefined, { failureCode: 'Expired' })),
  );

  expect(result).toEqual({ batchItemFailures: [] });
  expect(record('late')).toMatchObject({ status: 'Completed', human: { label: 1 } });
});

test('a Completed event replaces a Failed record written first', async () => {
  s3.store.put('output-bucket', OUTPUT_KEY('order'), Buffer.from(JSON.stringify(outputJson('order', ['0']))));
  await handler(sqsEvent(statusChange('order', 'Failed', undefined, { failureCode: 'InternalError' })));
  await handler(sqsEvent(statusChange('order', 'Completed', uri('order'))));

  expect(record('order')).toMatchObject({ status: 'Completed', human: { label: 0 } });
});
