/** The benchmarks' arithmetic and the baseline they derive from a bundle's metafile. */
import type { Metafile } from 'esbuild';
import { sdkClientsOfOurCode } from '../../bench/cold-load';
import { alternate, percentile, summarize } from '../../bench/stats';

describe('summaries', () => {
  test('median of odd and even counts, with the extremes', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 });
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
    expect(() => summarize([])).toThrow('No measurements');
  });

  test('nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
  });
});

test('alternating rounds: a warm-up that is not counted, then every way once per round in rotating order', async () => {
  const order: string[] = [];
  const way = (name: string) => (round: number) => {
    order.push(`${name}${round}`);
    return Promise.resolve(round);
  };
  const results = await alternate({ a: way('a'), b: way('b') }, 2, () => undefined);
  expect(order).toEqual(['a-1', 'b-1', 'a0', 'b0', 'b1', 'a1']);
  expect(results).toEqual({ a: [0, 1], b: [0, 1] });
});

test('the SDK-only baseline makes the clients our own files import, of packages left in the bundle', () => {
  const input = (imports: string[]) => ({
    bytes: 1,
    imports: imports.map((original) => ({
      path: `node_modules/${original}/index.js`,
      kind: 'import-statement' as const,
      original,
    })),
  });
  const metafile: Metafile = {
    inputs: {
      'lambda/predict/index.ts': input(['../shared/logger']),
      'lambda/shared/clients/a2i-runtime.ts': input(['@aws-sdk/client-sagemaker-a2i-runtime']),
      'lambda/shared/review/a2i.ts': input(['@aws-sdk/client-sagemaker-a2i-runtime']),
      'lambda/shared/clients/sqs.ts': input(['@aws-sdk/client-sqs']),
      'node_modules/@aws-sdk/credential-provider-node/index.js': input(['@aws-sdk/client-sso', '@aws-sdk/client-sts']),
    },
    outputs: {
      'out/index.js': {
        bytes: 3,
        imports: [],
        exports: [],
        inputs: {
          'node_modules/@aws-sdk/client-sagemaker-a2i-runtime/dist-es/index.js': { bytesInOutput: 2 },
          'node_modules/@aws-sdk/client-sso/dist-es/index.js': { bytesInOutput: 1 },
          // The handler never reaches the queue's client: shaken out.
          'node_modules/@aws-sdk/client-sqs/dist-es/index.js': { bytesInOutput: 0 },
        },
      },
    },
  };
  const sources: Record<string, string> = {
    'lambda/shared/clients/a2i-runtime.ts':
      "import { SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';",
    'lambda/shared/review/a2i.ts': [
      "import type { HumanLoopStatus } from '@aws-sdk/client-sagemaker-a2i-runtime';",
      "import { StartHumanLoopCommand, type SageMakerA2IRuntimeClient } from '@aws-sdk/client-sagemaker-a2i-runtime';",
    ].join('\n'),
    'lambda/shared/clients/sqs.ts': "import { SQSClient } from '@aws-sdk/client-sqs';",
  };
  expect(sdkClientsOfOurCode(metafile, (file) => sources[file])).toEqual(
    new Map([['@aws-sdk/client-sagemaker-a2i-runtime', 'SageMakerA2IRuntimeClient']]),
  );
});
