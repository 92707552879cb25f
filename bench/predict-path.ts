/**
 * The predict path on loopback against the ideal and the notebook, every AWS call answered after L ms by a server in
 * another process:
 * - ours: the predict handler, as API Gateway calls it;
 * - ideal: the bare SDK doing the least the job needs: one InvokeEndpoint for the batch, then every StartHumanLoop at
 *   once (a client with a socket for each);
 * - notebook: the reference notebook's way: per review one InvokeEndpoint, then its StartHumanLoop, one after another.
 * N reviews, k of them under the threshold. Also the handler's CPU per item above the ideal's (process CPU time,
 * the server's not included).
 */
import { performance } from 'node:perf_hooks';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SageMakerA2IRuntimeClient, StartHumanLoopCommand } from '@aws-sdk/client-sagemaker-a2i-runtime';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { startChild, QUIET_ENV } from './processes';
import type { Summary, Target } from './stats';
import { alternate, pairedRatios, ratio, spread, summarize, table, target } from './stats';

const FLOW = 'arn:aws:sagemaker:us-east-1:000000000000:flow-definition/bench-review-0a1b2c3d';
const THRESHOLD = 0.9;

export interface PredictPathOptions {
  readonly latencyMs: number;
  readonly rounds: number;
  readonly sizes: readonly number[];
  readonly progress: (message: string) => void;
}

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Way = 'ours' | 'ideal' | 'notebook';

interface Measured {
  readonly n: number;
  readonly k: number;
  readonly wall: Record<Way, Summary>;
  /** Ours over the ideal of the same round, a ratio per round. */
  readonly oursOverIdeal: Summary;
}

interface CpuMeasured {
  readonly n: number;
  readonly k: number;
  readonly oursMs: Summary;
  readonly idealMs: Summary;
  /** Ours minus the ideal of the same round, over N. */
  readonly abovePerItemMs: Summary;
}

/** Items per block of the CPU measurement: enough for process CPU time to be read precisely. */
const CPU_BLOCK_ITEMS = 500;
/** CPU blocks per way: this many times the rounds (the machine's noise is of the size of what is measured). */
const CPU_ROUNDS_FACTOR = 3;
/** Ours and the ideal run this many times the rounds, the notebook the rounds. */
const PAIRED_ROUNDS_FACTOR = 5;

export interface PredictPathResult {
  readonly markdown: string;
  readonly targets: readonly Target[];
}

export async function predictPath(options: PredictPathOptions): Promise<PredictPathResult> {
  const server = await startChild('aws-latency-server', [String(options.latencyMs)], QUIET_ENV);
  const environment = { ...process.env };
  try {
    Object.assign(process.env, QUIET_ENV, {
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url,
      AWS_ENDPOINT_URL_SAGEMAKER_A2I_RUNTIME: server.url,
      AWS_ENDPOINT_URL_SQS: server.url,
      SAGEMAKER_ENDPOINT_NAME: 'bench',
      FLOW_DEFINITION_ARN: FLOW,
      CONFIDENCE_THRESHOLD: String(THRESHOLD),
      REVIEW_RETRY_QUEUE_URL: `${server.url}/000000000000/retry`,
    });
    // Loaded now: the handler's clients read the endpoints set just above.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require('../lambda/predict') as { handler: Handler };
    const cases = options.sizes.flatMap((n) => [...new Set([Math.floor(n / 2), n])].map((k) => ({ n, k })));
    const measured: Measured[] = [];
    for (const { n, k } of cases) {
      options.progress(`predict path: N=${n}, k=${k}`);
      measured.push(await measure(ways(handler, server.url, n, k), n, k, options));
    }
    // The CPU blocks: many requests in little time, the server answering at once.
    await server.command('0');
    const cpu: CpuMeasured[] = [];
    const cpuSizes = [Math.min(...options.sizes), Math.max(...options.sizes)];
    for (const { n, k } of cases.filter((c) => cpuSizes.includes(c.n))) {
      options.progress(`handler CPU: N=${n}, k=${k}`);
      cpu.push(await measureCpu(ways(handler, server.url, n, k), n, k, options));
    }
    return report(measured, cpu, options);
  } finally {
    process.env = environment;
    await server.stop();
  }
}

interface Ways {
  readonly ours: () => Promise<void>;
  readonly ideal: () => Promise<void>;
  readonly notebook: () => Promise<void>;
  readonly close: () => void;
}

/** The three ways to do one request of N reviews, k of them under the threshold, against the server at `url`. */
function ways(handler: Handler, url: string, n: number, k: number): Ways {
  const texts = Array.from(
    { length: n },
    (_, i) => `${i < k ? 'low' : 'high'}: review number ${i}, it is okay I guess`,
  );
  const runtime = new SageMakerRuntimeClient({ endpoint: url });
  const a2i = new SageMakerA2IRuntimeClient({ endpoint: url });
  const sockets = { keepAlive: true, maxSockets: Math.max(k, 1) };
  const idealA2i = new SageMakerA2IRuntimeClient({ endpoint: url, requestHandler: { httpAgent: sockets } });
  let request = 0;

  // The client's work, not the handler's: only the request id changes from one request to the next.
  const instances = JSON.stringify(texts.map((text) => ({ features: [text] })));
  const ours = async () => {
    const requestId = `bench-${n}-${k}-${request++}`;
    const body = `{"requestId":${JSON.stringify(requestId)},"instances":${instances}}`;
    const response = await handler(
      { body, requestContext: { requestId, requestTimeEpoch: Date.now() } } as unknown as APIGatewayProxyEvent,
      { getRemainingTimeInMillis: () => 28_000 } as Context,
    );
    checkStarted(response, k);
  };

  const ideal = async () => {
    const id = request++;
    const answer = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'bench',
        ContentType: 'application/jsonlines',
        Accept: 'application/jsonlines',
        Body: new TextEncoder().encode(texts.map((text) => JSON.stringify({ features: [text] })).join('\n')),
      }),
    );
    const predictions = new TextDecoder()
      .decode(answer.Body)
      .split('\n')
      .map((line) => JSON.parse(line) as { predicted_label: number; probability: number });
    await Promise.all(
      predictions.flatMap((prediction, i) =>
        prediction.probability < THRESHOLD
          ? [
              idealA2i.send(
                new StartHumanLoopCommand({
                  HumanLoopName: `ideal-${id}-${i}`,
                  FlowDefinitionArn: FLOW,
                  HumanLoopInput: {
                    InputContent: JSON.stringify({ initialValue: prediction.predicted_label, taskObject: texts[i] }),
                  },
                }),
              ),
            ]
          : [],
      ),
    );
  };

  const notebook = async () => {
    const id = request++;
    for (const [i, text] of texts.entries()) {
      const answer = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: 'bench',
          ContentType: 'application/jsonlines',
          Body: new TextEncoder().encode(JSON.stringify({ features: [text] })),
        }),
      );
      const prediction = JSON.parse(new TextDecoder().decode(answer.Body)) as {
        predicted_label: number;
        probability: number;
      };
      if (prediction.probability < THRESHOLD) {
        await a2i.send(
          new StartHumanLoopCommand({
            HumanLoopName: `notebook-${id}-${i}`,
            FlowDefinitionArn: FLOW,
            HumanLoopInput: {
              InputContent: JSON.stringify({ initialValue: prediction.predicted_label, taskObject: text }),
            },
          }),
        );
      }
    }
  };

  return { ours, ideal, notebook, close: () => [runtime, a2i, idealA2i].forEach((client) => client.destroy()) };
}

/** Ours counts only if it did the ideal's work: every one of the k reviews started (not queued, not failed). */
function checkStarted(response: APIGatewayProxyResult, k: number): void {
  if (response.statusCode !== 200) throw new Error(`The handler answered ${response.statusCode}: ${response.body}`);
  const { predictions } = JSON.parse(response.body) as { predictions: { humanReview: { status: string } }[] };
  const started = predictions.filter((prediction) => prediction.humanReview.status === 'started').length;
  if (started !== k) throw new Error(`The handler started ${started} reviews of ${k}: ${response.body.slice(0, 500)}`);
}

async function measure(way: Ways, n: number, k: number, options: PredictPathOptions): Promise<Measured> {
  const timed = (fn: () => Promise<void>) => async () => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  // Ours and the ideal take a fraction of a second: many paired rounds; the notebook's seconds need fewer.
  const fast = await alternate(
    { ours: timed(way.ours), ideal: timed(way.ideal) },
    options.rounds * PAIRED_ROUNDS_FACTOR,
    options.progress,
  );
  const slow = await alternate({ notebook: timed(way.notebook) }, options.rounds, options.progress);
  way.close();
  return {
    n,
    k,
    wall: { ours: summarize(fast.ours), ideal: summarize(fast.ideal), notebook: summarize(slow.notebook) },
    oursOverIdeal: pairedRatios(fast.ours, fast.ideal),
  };
}

/** CPU per request: blocks of requests one after another, ours and ideal alternating, process CPU time per block. */
async function measureCpu(way: Ways, n: number, k: number, options: PredictPathOptions): Promise<CpuMeasured> {
  const requests = Math.max(5, Math.ceil(CPU_BLOCK_ITEMS / n));
  const block = (fn: () => Promise<void>) => async () => {
    const before = process.cpuUsage();
    for (let i = 0; i < requests; i++) await fn();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / requests;
  };
  const cpu = await alternate(
    { ours: block(way.ours), ideal: block(way.ideal) },
    options.rounds * CPU_ROUNDS_FACTOR,
    options.progress,
  );
  way.close();
  return {
    n,
    k,
    oursMs: summarize(cpu.ours),
    idealMs: summarize(cpu.ideal),
    abovePerItemMs: summarize(cpu.ours.map((ours, i) => (ours - cpu.ideal[i]) / n)),
  };
}

function report(
  measured: readonly Measured[],
  cpu: readonly CpuMeasured[],
  options: PredictPathOptions,
): PredictPathResult {
  const L = options.latencyMs;
  const wallRows = measured.map(({ n, k, wall, oursOverIdeal }) => [
    String(n),
    String(k),
    spread(wall.ours, 'ms'),
    spread(wall.ideal, 'ms'),
    spread(wall.notebook, 'ms'),
    `${oursOverIdeal.median.toFixed(2)}x (${oursOverIdeal.min.toFixed(2)}-${oursOverIdeal.max.toFixed(2)})`,
    ratio(wall.notebook.median, wall.ours.median),
    `${(wall.ours.median / L).toFixed(1)} L`,
  ]);
  const perItem = ({ abovePerItemMs }: CpuMeasured) => abovePerItemMs.median;
  const cpuRows = cpu.map((measuredCpu) => [
    String(measuredCpu.n),
    String(measuredCpu.k),
    spread(measuredCpu.oursMs, 'ms', 2),
    spread(measuredCpu.idealMs, 'ms', 2),
    spread(measuredCpu.abovePerItemMs, 'ms', 3),
  ]);
  const targets: Target[] = [];
  const atTarget = measured.find(({ n, k }) => n === 100 && k === 50);
  if (atTarget) {
    const { oursOverIdeal, wall } = atTarget;
    targets.push(
      target(
        'N = 100, k = 50: ours / ideal',
        '<= 1.15x',
        `${oursOverIdeal.median.toFixed(2)}x`,
        oursOverIdeal.median <= 1.15,
      ),
      target(
        'N = 100, k = 50: notebook / ours',
        '>= 30x',
        ratio(wall.notebook.median, wall.ours.median),
        wall.notebook.median / wall.ours.median >= 30,
      ),
    );
  }
  for (const measuredCpu of cpu.filter(({ n }) => n === 100))
    targets.push(
      target(
        `handler CPU above the SDK per item, N = 100, k = ${measuredCpu.k}`,
        '< 0.03 ms',
        `${perItem(measuredCpu).toFixed(3)} ms`,
        perItem(measuredCpu) < 0.03,
      ),
    );
  const markdown = [
    `### Predict path (L = ${L} ms per AWS call)`,
    '',
    `Median (min-max) wall time after one warm-up round: ours and the ideal in ${options.rounds * PAIRED_ROUNDS_FACTOR} ` +
      `alternating rounds, the notebook in ${options.rounds}. Ours / ideal: the median (min-max) of the ratios of the ` +
      'same round. Ours counts only when every one of the k reviews started. Ideal: one InvokeEndpoint, then all ' +
      'StartHumanLoop calls at once with the bare SDK. Notebook: one InvokeEndpoint per review and its ' +
      'StartHumanLoop, one call after another.',
    '',
    table(['N', 'k', 'ours', 'ideal', 'notebook', 'ours / ideal', 'notebook / ours', 'ours in L'], wallRows),
    '',
    '### Handler CPU above the bare SDK',
    '',
    'Process CPU time per request (the server runs in another process and answers at once), in blocks of requests ' +
      `one after another (about ${CPU_BLOCK_ITEMS} items a block), ${options.rounds * CPU_ROUNDS_FACTOR} alternating ` +
      'blocks per way; above ideal per item: ours minus the ideal of the same round over N, median (min-max). Both make the same AWS calls; ours adds parsing and checking ' +
      "the request, JSON Lines, loop names, review inputs, the deadline and its signal, and the clients' timeouts. " +
      'Logging and metrics are turned off here (POWERTOOLS_LOG_LEVEL=SILENT, POWERTOOLS_METRICS_DISABLED), as they ' +
      "would flood the benchmark's output: in a Lambda, one log line and one metrics line per request add to it.",
    '',
    table(['N', 'k', 'ours per request', 'ideal per request', 'ours above ideal, per item'], cpuRows),
  ].join('\n');
  return { markdown, targets };
}
