/**
 * The predict handler against the reference model's own request handling: the real SDK client sends the body over the
 * wire to a loopback endpoint that runs `inference.py`'s input_fn/predict_fn/output_fn (test/helpers/
 * reference_inference.py, in Python, as the container does) around a stand-in classifier. A body the reference model
 * cannot parse fails here exactly as it fails on SageMaker: a 424 ModelError and a 502 from the API.
 * Python 3 is on every machine this project supports; in CI (CI set) a missing python3 fails the test.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { encodeJsonLines } from '../../../lambda/predict/jsonlines';
import { loadPredictAgainst } from '../../helpers/predict-on-wire';
import { ScriptedAwsServer } from '../../helpers/scripted-aws-server';

const REFERENCE = path.join(__dirname, '..', '..', 'helpers', 'reference_inference.py');
const python = spawnSync('python3', ['--version']).status === 0;

function runReference(body: string): { ok: true; answer: string } | { ok: false; error: string } {
  const run = spawnSync('python3', [REFERENCE], { input: Buffer.from(body, 'utf8'), timeout: 10_000 });
  return run.status === 0
    ? { ok: true, answer: run.stdout.toString('utf8') }
    : { ok: false, error: run.stderr.toString('utf8').trim().split('\n').at(-1) ?? '' };
}

function pythonOrSkip(): boolean {
  if (python) return true;
  if (process.env.CI) throw new Error('python3 is missing: CI must have it to run the reference model test');
  console.warn('\n*** SKIPPED reference model test: no python3 on PATH ***\n');
  return false;
}

const server = new ScriptedAwsServer();
let handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

beforeAll(async () => {
  const url = await server.start();
  handler = loadPredictAgainst(url);
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  server.on('InvokeEndpoint', (call) => {
    const result = runReference(call.body);
    return result.ok
      ? { body: result.answer }
      : {
          status: 424,
          errorType: 'ModelError',
          body: {
            message: 'Received server error (500) from primary',
            OriginalStatusCode: 500,
            OriginalMessage: result.error,
          },
        };
  });
});

const REVIEWS = [
  'I enjoy this product',
  'I am unhappy with this product',
  'It is okay',
  'Quotes " and \\ backslashes, a\nnewline, a tab\t, ünïcödé, 日本語, an emoji 🙂 and \u2028 a line separator',
];

test('every review of a batch reaches the reference model and every answer comes back to its item', async () => {
  if (!pythonOrSkip()) return;
  const instances = Array.from({ length: 100 }, (_, i) => ({ id: `r-${i}`, features: [REVIEWS[i % REVIEWS.length]] }));

  const response = await handler({
    body: JSON.stringify({ requestId: 'reference-1', instances }),
    requestContext: { requestId: 'reference-1' },
  } as unknown as APIGatewayProxyEvent);

  expect(response.statusCode).toBe(200);
  const { predictions } = JSON.parse(response.body) as { predictions: { id: string; predictedLabel: number }[] };
  expect(predictions.map((p) => p.predictedLabel)).toEqual(instances.map((_, i) => [1, -1, 0, 0][i % 4]));
  const [call] = server.callsOf('InvokeEndpoint');
  expect(call.body.split('\n')).toHaveLength(100);
});

test('the body the handler sends is one line per item with no trailing newline; a trailing newline breaks the reference', () => {
  if (!pythonOrSkip()) return;
  const body = encodeJsonLines(REVIEWS.map((text) => ({ features: [text] })));

  expect(runReference(body)).toMatchObject({ ok: true });
  expect(runReference(`${body}\n`)).toEqual({
    ok: false,
    error: 'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
  });
});
