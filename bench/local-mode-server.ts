/**
 * Local mode's server (`npm start`) for the benchmarks, in its own process, in a temporary data folder.
 *
 *   tsx bench/local-mode-server.ts <threshold>     prints the server's URL, then serves until stdin closes
 *
 * Threshold 0 reviews nothing; threshold 1 starts a review for every prediction.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtInSentimentModel } from '../local/model/model-backend';
import { startLocalServer } from '../local/server';

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-'));
  const server = await startLocalServer({
    port: 0,
    dataDir,
    model: builtInSentimentModel,
    confidenceThreshold: Number(process.argv[2]),
    taskCount: 1,
    taskAvailabilityLifetimeSeconds: 86_400,
    taskTemplate: 'sentiment',
    log: () => undefined,
  });
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void server.close().then(() => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

void main();
