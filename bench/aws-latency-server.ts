/**
 * A loopback server for the benchmarks, in its own process so its CPU is not counted with the client's. It answers
 * the SageMaker runtime's InvokeEndpoint, the A2I runtime's StartHumanLoop and SQS's SendMessage on their wire protocols,
 * every answer after a fixed latency, and does as little else as it can so that it is never the bottleneck. The model
 * gives probability 0.5 (reviewed) to a text that starts with `low:` and 0.95 to any other.
 *
 *   tsx bench/aws-latency-server.ts <latencyMs>     prints the server's URL, then serves until stdin closes;
 *                                                   a number on a line of stdin is the new latency (answers "ok")
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as readline from 'node:readline';

let delayMs = Number(process.argv[2] ?? 20);
const LOOP = JSON.stringify({ HumanLoopArn: 'arn:aws:sagemaker:us-east-1:000000000000:human-loop/bench' });

/** The answer to a request, or undefined for one this server does not speak (answered 400, never a crash). */
function answerOf(path: string, target: string | undefined, body: string): string | undefined {
  if (path.startsWith('/human-loops')) return LOOP;
  // SQS SendMessage (AWS JSON 1.0), for a start that falls back to the retry queue.
  if (target === 'AmazonSQS.SendMessage') {
    const { MessageBody } = JSON.parse(body) as { MessageBody: string };
    return JSON.stringify({
      MessageId: 'bench',
      MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex'),
    });
  }
  if (!/^\/endpoints\/[^/]+\/invocations/.test(path)) return undefined;
  return body
    .split('\n')
    .map((line) => {
      const { features } = JSON.parse(line) as { features: string[] };
      return JSON.stringify({ predicted_label: 0, probability: features[0].startsWith('low:') ? 0.5 : 0.95 });
    })
    .join('\n');
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const target = req.headers['x-amz-target'];
    const answer = answerOf(
      req.url ?? '/',
      typeof target === 'string' ? target : undefined,
      Buffer.concat(chunks).toString('utf8'),
    );
    const send = () => {
      res.writeHead(answer === undefined ? 400 : 200, {
        'content-type': 'application/json',
        'x-amzn-requestid': 'bench',
      });
      res.end(answer ?? JSON.stringify({ message: `No operation for ${req.method} ${req.url}` }));
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  delayMs = Number(line);
  process.stdout.write('ok\n');
});
process.stdin.on('end', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
