/**
 * `npm run bench`: every benchmark on loopback, one after another, with progress on stderr; then rewrites
 * BENCHMARKS.md with the tables. `npm run bench -- --rounds 7` measures more rounds (at least 5).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { buildTimes } from './build-times';
import { coldLoad } from './cold-load';
import { localServer } from './local-server';
import { predictPath } from './predict-path';

const MIN_ROUNDS = 5;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: String(MIN_ROUNDS) } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < MIN_ROUNDS)
    throw new Error(`--rounds is ${values.rounds}; expected an integer of at least ${MIN_ROUNDS}`);
  const started = Date.now();
  const progress = (message: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

  const sections = [
    await predictPath({ latencyMs: 20, rounds, sizes: [1, 10, 100], progress }),
    // Loading takes a fraction of a second and varies more than the rest: three times the runs.
    await coldLoad({ rounds: rounds * 3, progress }),
    await localServer({ rounds, secondsPerRound: 1.5, inFlight: 8, progress }),
    buildTimes({ rounds: 1, progress }),
  ];
  const file = path.join(__dirname, '..', 'BENCHMARKS.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  // Formatted as `prettier --check .` (part of npm test) expects.
  const style = (await resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await format(document(sections, rounds, previous), { ...style, filepath: file }));
  progress(`wrote ${path.relative(process.cwd(), file)}`);
}

/** The measured tables, under a header that says how and where they were made; the analysis section is kept. */
function document(sections: readonly string[], rounds: number, previous: string): string {
  const cpus = os.cpus();
  const command = rounds === MIN_ROUNDS ? 'npm run bench' : `npm run bench -- --rounds ${rounds}`;
  const analysis = previous.includes(ANALYSIS) ? previous.slice(previous.indexOf(ANALYSIS)) : `${ANALYSIS}\n`;
  return [
    '# Benchmarks',
    '',
    `Produced by \`${command}\` on ${new Date().toISOString().slice(0, 10)}: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()} ${os.arch()}. ` +
      'Everything runs on loopback; AWS is played by servers in other processes. Numbers from one machine compare ' +
      'ways side by side; they are not what a Lambda measures.',
    '',
    '<!-- Everything from here to the analysis is written by bench/run.ts. -->',
    '',
    ...sections.flatMap((section) => [section, '']),
    analysis.trimEnd(),
    '',
  ].join('\n');
}

/** The hand-written part of BENCHMARKS.md, kept when the tables are rewritten. */
const ANALYSIS = '## What the numbers say';

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
