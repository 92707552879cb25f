/**
 * `npm run bench`: every benchmark on loopback, one after another, with progress on stderr; then rewrites
 * BENCHMARKS.md with the tables and the targets they meet or miss. `npm run bench -- --rounds 7` measures more rounds
 * (at least 5). A benchmark that fails is reported in the file in its place, and the command exits 1.
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
import type { Target } from './stats';
import { table } from './stats';

const MIN_ROUNDS = 5;

interface Section {
  readonly markdown: string;
  readonly targets?: readonly Target[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: String(MIN_ROUNDS) } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < MIN_ROUNDS)
    throw new Error(`--rounds is ${values.rounds}; expected an integer of at least ${MIN_ROUNDS}`);
  const started = Date.now();
  const progress = (message: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

  const benchmarks: [string, () => Promise<Section>][] = [
    ['Predict path', () => predictPath({ latencyMs: 20, rounds, sizes: [1, 10, 100], progress })],
    // Loading takes a fraction of a second and varies more than the rest: three times the runs.
    ['Cold load', () => coldLoad({ rounds: rounds * 3, progress })],
    [
      'Local server',
      async () => ({ markdown: await localServer({ rounds, secondsPerRound: 1.5, inFlight: 8, progress }) }),
    ],
    ['Build and test times', () => Promise.resolve({ markdown: buildTimes({ rounds: 1, progress }) })],
  ];
  const sections: Section[] = [];
  let failed = false;
  for (const [name, run] of benchmarks) {
    try {
      sections.push(await run());
    } catch (error) {
      failed = true;
      const message = error instanceof Error ? error.message : String(error);
      progress(`${name} failed: ${message}`);
      sections.push({ markdown: `### ${name}\n\nFailed in this run: ${message.split('\n')[0]}` });
    }
  }
  const file = path.join(__dirname, '..', 'BENCHMARKS.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  // Formatted as `prettier --check .` (part of npm test) expects.
  const style = (await resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await format(document(sections, rounds, previous), { ...style, filepath: file }));
  progress(`wrote ${path.relative(process.cwd(), file)}`);
  if (failed) process.exitCode = 1;
}

/** The measured tables and the targets, under a header that says how and where; the analysis section is kept. */
function document(sections: readonly Section[], rounds: number, previous: string): string {
  const cpus = os.cpus();
  const command = rounds === MIN_ROUNDS ? 'npm run bench' : `npm run bench -- --rounds ${rounds}`;
  const analysis = previous.includes(ANALYSIS) ? previous.slice(previous.indexOf(ANALYSIS)) : `${ANALYSIS}\n`;
  const targets = sections.flatMap((section) => section.targets ?? []);
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
    '### Targets',
    '',
    'The targets of issue 9, checked against the numbers below by the run that wrote them.',
    '',
    table(
      ['measure', 'target', 'measured', 'met'],
      targets.map((t) => [t.name, t.target, t.measured, t.met ? 'yes' : '**no**']),
    ),
    '',
    ...sections.flatMap((section) => [section.markdown, '']),
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
