/**
 * from-env.ts builds the adapter REVIEW_BACKEND names. Unbundled (here, tsx, the CLI) it holds both backends; a bundle
 * built for one backend (HandlerFunction's `bundlingFor`) holds that one only, and refuses the other by name rather
 * than answer with the wrong adapter. test/lib/constructs/handler-bundle.test.ts checks what the stack's bundles hold.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { ReviewBackendName } from '../../../../common/contract';
import { ENV, REVIEW_BACKENDS } from '../../../../common/contract';
import { BUNDLING, bundlingFor } from '../../../../lib/constructs/handler-function';
import { A2iReviewPort } from '../../../../lambda/shared/review/a2i';
import * as FromEnv from '../../../../lambda/shared/review/from-env';
import { TaskReviewPort } from '../../../../lambda/shared/review/task-port';

const FROM_ENV = path.join(__dirname, '..', '..', '..', '..', 'lambda', 'shared', 'review', 'from-env.ts');

const ENVIRONMENTS: Record<ReviewBackendName, Record<string, string>> = {
  a2i: {
    [ENV.reviewBackend]: 'a2i',
    [ENV.flowDefinitionArn]: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/reviews',
  },
  'self-hosted': {
    [ENV.reviewBackend]: 'self-hosted',
    [ENV.flowDefinitionArn]: 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/reviews',
    [ENV.taskTableName]: 'review-tasks',
    [ENV.s3OutputPath]: 's3://review-output/a2i-results',
    [ENV.taskInputsPath]: 's3://review-output/a2i-results/_inputs',
    [ENV.reviewEventBus]: 'review-events',
    [ENV.workerIdentityIssuer]: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test',
  },
};

test('unbundled, both backends are there', () => {
  expect(FromEnv.reviewPortFromEnv(ENVIRONMENTS.a2i)).toBeInstanceOf(A2iReviewPort);
  expect(FromEnv.reviewPortFromEnv(ENVIRONMENTS['self-hosted'])).toBeInstanceOf(TaskReviewPort);
});

describe('bundled for one backend', () => {
  let dir: string;
  const bundled = {} as Record<ReviewBackendName, typeof FromEnv>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'from-env-bundle-'));
    for (const backend of REVIEW_BACKENDS) {
      const outfile = path.join(dir, `${backend}.js`);
      await build({
        entryPoints: [FROM_ENV],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        minify: BUNDLING.minify,
        define: bundlingFor(backend).define,
        logLevel: 'error',
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      bundled[backend] = require(outfile) as typeof FromEnv;
    }
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(REVIEW_BACKENDS)('for %s, it builds that backend’s adapter', (backend) => {
    const port = bundled[backend].reviewPortFromEnv(ENVIRONMENTS[backend]);
    expect(typeof port.start).toBe('function');
  });

  test.each([
    ['a2i', 'self-hosted'],
    ['self-hosted', 'a2i'],
  ] as const)('for %s, REVIEW_BACKEND=%s fails, naming both', (backend, other) => {
    expect(() => bundled[backend].reviewPortFromEnv(ENVIRONMENTS[other])).toThrow(
      `Environment variable REVIEW_BACKEND is ${other}, but this code was bundled for the ${backend} backend only`,
    );
  });
});
