/**
 * Local mode's server under load: POST /predict with 1 and 10 instances a request, with no reviews (threshold 0) and
 * with a review for every prediction (threshold 1), against a plain Node.js server answering the same JSON (the
 * ceiling: what HTTP on this machine allows). Each server runs in its own process; the load comes from this one, over
 * keep-alive connections, a fixed number of requests in flight.
 */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { startChild, QUIET_ENV } from './processes';
import type { ChildServer } from './processes';
import { alternate, percentile, spread, summarize, table } from './stats';

export interface LocalServerOptions {
  readonly rounds: number;
  /** Load per round and way. */
  readonly secondsPerRound: number;
  readonly inFlight: number;
  readonly progress: (message: string) => void;
}

const TEXTS = [
  'I love this product, it works perfectly',
  'Terrible. It broke after one day',
  'It is okay I guess',
  'Not bad, not great either',
  'Absolutely wonderful, would buy again',
];

interface Load {
  readonly requestsPerSecond: number;
  readonly latenciesMs: readonly number[];
}

export async function localServer(options: LocalServerOptions): Promise<string> {
  const rows: string[][] = [];
  for (const reviews of [false, true]) {
    for (const instances of [1, 10]) {
      const label = `${instances} instance${instances === 1 ? '' : 's'}, ${reviews ? 'every one reviewed' : 'no reviews'}`;
      options.progress(`local server: ${label}`);
      const ours = await startChild('local-mode-server', [reviews ? '1' : '0'], QUIET_ENV);
      let ceiling: ChildServer | undefined;
      try {
        const sample = await post(ours.url, body(instances, 'sample'), new http.Agent());
        if (sample.status !== 200) throw new Error(`Local mode answered ${sample.status}: ${sample.text}`);
        checkReviews(sample.text, reviews);
        ceiling = await startChild('ceiling-server', [Buffer.from(sample.text).toString('base64')], QUIET_ENV);
        const servers = { ours: ours.url, ceiling: ceiling.url };
        const loads: Record<keyof typeof servers, Load[]> = { ours: [], ceiling: [] };
        const way = (name: keyof typeof servers) => async (round: number) => {
          const load = await runLoad(servers[name], instances, `${name}-${round}`, options);
          if (round >= 0) loads[name].push(load);
          return load.requestsPerSecond;
        };
        const rates = await alternate({ ours: way('ours'), ceiling: way('ceiling') }, options.rounds, options.progress);
        const latency = (name: keyof typeof servers, fraction: number) =>
          `${percentile(
            loads[name].flatMap((load) => load.latenciesMs),
            fraction,
          ).toFixed(1)} ms`;
        rows.push([
          label,
          spread(summarize(rates.ours), 'req/s'),
          latency('ours', 0.5),
          latency('ours', 0.99),
          spread(summarize(rates.ceiling), 'req/s'),
          latency('ceiling', 0.5),
          latency('ceiling', 0.99),
        ]);
      } finally {
        await Promise.all([ours.stop(), ceiling?.stop()]);
      }
    }
  }
  return [
    '### Local server',
    '',
    `POST /predict to \`npm start\`'s server with the built-in model, ${options.inFlight} requests in flight over ` +
      `keep-alive connections for ${options.secondsPerRound} s per run; requests/s: median (min-max) of ` +
      `${options.rounds} alternating runs after a warm-up run; p50 and p99 over every request of those runs. ` +
      'Ceiling: a plain Node.js server that reads the request and answers the same JSON. With reviews, each request ' +
      'starts a review per instance through the self-hosted backend, which keeps it in the data folder (dynalite).',
    '',
    table(['request', 'local mode', 'p50', 'p99', 'ceiling', 'p50', 'p99'], rows),
  ].join('\n');
}

/** Every prediction reviewed, or none: what the row says. */
function checkReviews(answer: string, reviews: boolean): void {
  const { predictions } = JSON.parse(answer) as { predictions: { humanReview: { status: string } }[] };
  const reviewed = predictions.filter((prediction) => prediction.humanReview.status !== 'not-needed').length;
  if (reviewed !== (reviews ? predictions.length : 0))
    throw new Error(
      `Expected ${reviews ? 'every' : 'no'} prediction reviewed; ${reviewed} of ${predictions.length} were`,
    );
}

function body(instances: number, requestId: string): string {
  return JSON.stringify({
    requestId,
    instances: Array.from({ length: instances }, (_, i) => ({ features: [TEXTS[i % TEXTS.length]] })),
  });
}

/** `inFlight` workers, each sending its next request when its last one is answered, until the time is up. */
async function runLoad(url: string, instances: number, run: string, options: LocalServerOptions): Promise<Load> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.inFlight });
  const latenciesMs: number[] = [];
  const started = performance.now();
  const endsAt = started + options.secondsPerRound * 1000;
  let sent = 0;
  const worker = async () => {
    while (performance.now() < endsAt) {
      const requestStarted = performance.now();
      const answer = await post(url, body(instances, `${run}-${sent++}`), agent);
      if (answer.status !== 200) throw new Error(`${url} answered ${answer.status}: ${answer.text}`);
      latenciesMs.push(performance.now() - requestStarted);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requestsPerSecond: latenciesMs.length / seconds, latenciesMs };
}

function post(url: string, payload: string, agent: http.Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/predict`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
