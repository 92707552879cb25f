/**
 * What batching and parallel loop starts buy: the predict handler against the notebook's way (one InvokeEndpoint per
 * review, then one StartHumanLoop after another), both with the real SDK clients against the same loopback server
 * that answers each call after a fixed latency. Runs alternate, so both see the same machine state.
 *
 *   npx tsx bench/predict-batching.ts [reviews=100] [runs=5] [modelLatencyMs=15] [a2iLatencyMs=30]
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SageMakerA2IRuntimeClient, StartHumanLoopCommand } from '@aws-sdk/client-sagemaker-a2i-runtime';
import { ScriptedAwsServer } from '../test/helpers/scripted-aws-server';

const [reviews = 100, runs = 5, modelLatencyMs = 15, a2iLatencyMs = 30] = process.argv.slice(2).map(Number);
const FLOW = 'arn:aws:sagemaker:us-east-1:000000000000:flow-definition/bench-0a1b2c3d';

async function main() {
  const server = new ScriptedAwsServer();
  const url = await server.start();
  server.on('InvokeEndpoint', (call) => ({
    delayMs: modelLatencyMs,
    body: call.body
      .trim()
      .split('\n')
      .map(() => JSON.stringify({ predicted_label: 0, probability: 0.5 }))
      .join('\n'),
  }));
  server.on('StartHumanLoop', () => ({ delayMs: a2iLatencyMs, body: { HumanLoopArn: 'arn' } }));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url,
    AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME: url,
    AWS_ENDPOINT_URL_SQS: url,
    SAGEMAKER_ENDPOINT_NAME: 'bench',
    FLOW_DEFINITION_ARN: FLOW,
    REVIEW_RETRY_QUEUE_URL: `${url}/000000000000/retry`,
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the clients read the endpoints set just above
  const { handler } = require('../lambda/predict') as {
    handler: (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  };
  const texts = Array.from({ length: reviews }, (_, i) => `review number ${i}: it is okay I guess`);

  const ours = async (run: number) => {
    const body = JSON.stringify({ requestId: `ours-${run}`, instances: texts.map((text) => ({ features: [text] })) });
    const response = await handler({
      body,
      requestContext: { requestId: `bench-${run}` },
    } as unknown as APIGatewayProxyEvent);
    if (response.statusCode !== 200) throw new Error(response.body);
  };
  const runtime = new SageMakerRuntimeClient({ endpoint: url });
  const a2i = new SageMakerA2IRuntimeClient({ endpoint: url });
  const notebook = async (run: number) => {
    for (const [i, text] of texts.entries()) {
      const answer = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'bench',
          ContentType: 'application/jsonlines',
          Body: new TextEncoder().encode(JSON.stringify({ features: [text] })),
        }),
      );
      const { probability } = JSON.parse(new TextDecoder().decode(answer.Body)) as { probability: number };
      if (probability < 0.9) {
        await a2i.send(
          new StartHumanLoopCommand({
            HumanLoopName: `notebook-${run}-${i}`,
            FlowDefinitionArn: FLOW,
            HumanLoopInput: { InputContent: JSON.stringify({ initialValue: 0, taskObject: text }) },
          }),
        );
      }
    }
  };

  const times: Record<'ours' | 'notebook', number[]> = { ours: [], notebook: [] };
  await ours(-1); // warm-up: module load, first connections
  await notebook(-1);
  for (let run = 0; run < runs; run++) {
    for (const [name, fn] of [
      ['notebook', notebook],
      ['ours', ours],
    ] as const) {
      const started = process.hrtime.bigint();
      await fn(run);
      times[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  await server.stop();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [o, n] = [median(times.ours), median(times.notebook)];
  console.log(
    `${reviews} reviews, all under the threshold; model latency ${modelLatencyMs} ms, A2I latency ${a2iLatencyMs} ms; median of ${runs} runs`,
  );
  console.log(`| way | calls | median wall time |`);
  console.log(`|---|---|---|`);
  console.log(
    `| notebook: one InvokeEndpoint per review, loops one after another | ${2 * reviews} | ${n.toFixed(0)} ms |`,
  );
  console.log(
    `| predict handler: one InvokeEndpoint, 10 loop starts at a time | ${1 + reviews} | ${o.toFixed(0)} ms |`,
  );
  console.log(`ratio (notebook / handler): ${(n / o).toFixed(1)}x`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
