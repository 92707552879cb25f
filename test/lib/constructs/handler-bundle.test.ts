/**
 * A handler that builds the review port is bundled with its backend's adapter alone: HandlerFunction bundles the
 * predict Lambda (esbuild, as `cdk synth` does) once with each backend's REVIEW_BACKEND, and each bundle's source map
 * lists the files with code in it. A REVIEW_BACKEND that names no backend is refused at synthesis.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { ReviewBackendName } from '../../../common/contract';
import { ENV, REVIEW_BACKENDS } from '../../../common/contract';
import { HANDLERS } from '../../../common/handlers';
import { HandlerFunction } from '../../../lib/constructs/handler-function';

/** Files only a bundle with the backend's adapter has code from. */
const ADAPTER_FILES: Record<ReviewBackendName, RegExp[]> = {
  a2i: [/lambda\/shared\/review\/a2i(-env)?\.ts$/, /node_modules\/@aws-sdk\/client-sagemaker-a2i-runtime\//],
  'self-hosted': [
    /lambda\/shared\/review\/self-hosted(-env)?\.ts$/,
    /node_modules\/@aws-sdk\/client-dynamodb\//,
    /node_modules\/@aws-sdk\/client-eventbridge\//,
  ],
};

let outdir: string;
const sources = {} as Record<ReviewBackendName, string[]>;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'handler-bundle-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bundles');
  const functions = REVIEW_BACKENDS.map(
    (backend) =>
      [
        backend,
        new HandlerFunction(stack, backend, {
          handlerDir: HANDLERS.predict,
          description: `predict for ${backend}`,
          environment: { [ENV.reviewBackend]: backend },
        }),
      ] as const,
  );
  const assembly = app.synth();
  for (const [backend, fn] of functions) {
    // The function's code asset, staged in the cloud assembly.
    const dir = path.join(assembly.directory, (fn.node.findChild('Code') as s3assets.Asset).assetPath);
    const map = JSON.parse(fs.readFileSync(path.join(dir, 'index.js.map'), 'utf8')) as { sources: string[] };
    sources[backend] = map.sources;
  }
}, 60_000);

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

test.each(REVIEW_BACKENDS)("the %s bundle has its adapter's code and not the other's", (backend) => {
  const has = (pattern: RegExp) => sources[backend].some((file) => pattern.test(file));
  for (const [adapter, files] of Object.entries(ADAPTER_FILES)) {
    for (const file of files) expect([file.source, has(file)]).toEqual([file.source, adapter === backend]);
  }
});

test('a REVIEW_BACKEND that names no backend is refused at synthesis', () => {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Refused');
  expect(
    () =>
      new HandlerFunction(stack, 'Predict', {
        handlerDir: HANDLERS.predict,
        description: 'predict',
        environment: { [ENV.reviewBackend]: 'fake' },
      }),
  ).toThrow('HandlerFunction: REVIEW_BACKEND is "fake"; expected one of a2i, self-hosted');
});
