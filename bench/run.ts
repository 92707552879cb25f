/**
 * `npm run bench`: every benchmark on loopback, one after another, with progress on stderr; then rewrites
 * BENCHMARKS.md with the tables and the targets they meet or miss. `npm run bench -- --rounds 7` measures more rounds
 * (at least 5). A benchmark that fails is reported in the file in its place, and the command exits 1.
 * `npm run bench -- --only cold-load` (repeatable; also predict-path, local-server, build-times) runs only those and
 * prints their targets and tables instead: a partial run leaves BENCHMARKS.md, which it cannot vouch for, alone.
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
const FILE = path.join(__dirname, '..', 'BENCHMARKS.md');

interface Section {
  readonly markdown: string;
  readonly targets?: readonly Target[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: String(MIN_ROUNDS) }, only: { type: 'string', multiple: true } },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < MIN_ROUNDS)
    throw new Error(`--rounds is ${values.rounds}; expected an integer of at least ${MIN_ROUNDS}`);
  const started = Date.now();
  const progress = (message: string) =>
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);

  const all: [string, string, () => Promise<Section>][] = [
    ['predict-path', 'Predict path', () => predictPath({ latencyMs: 20, rounds, sizes: [1, 10, 100], progress })],
    // Loading takes a fraction of a second and varies more than the rest: three times the runs.
    ['cold-load', 'Cold load', () => coldLoad({ rounds: rounds * 3, progress })],
    [
      'local-server',
      'Local server',
      async () => ({ markdown: await localServer({ rounds, secondsPerRound: 1.5, inFlight: 8, progress }) }),
    ],
    ['build-times', 'Build and test times', () => Promise.resolve({ markdown: buildTimes({ rounds: 1, progress }) })],
  ];
  const only = values.only ?? [];
  const unknown = only.filter((key) => !all.some(([k]) => k === key));
  if (unknown.length > 0)
    throw new Error(`--only ${unknown.join(', ')}: expected one of ${all.map(([key]) => key).join(', ')}`);
  const benchmarks = only.length === 0 ? all : all.filter(([key]) => only.includes(key));
  const sections: Section[] = [];
  let failed = false;
  for (const [, name, run] of benchmarks) {
    try {
      sections.push(await run());
    } catch (error) {
      failed = true;
      const message = error instanceof Error ? error.message : String(error);
      progress(`${name} failed: ${message}`);
      sections.push({ markdown: `### ${name}\n\nFailed in this run: ${message.split('\n')[0]}` });
    }
  }
  // Formatted as `prettier --check .` (part of npm test) expects of BENCHMARKS.md.
  const style = { ...((await resolveConfig(FILE)) ?? {}), filepath: FILE };
  if (only.length > 0) {
    const flags = [...(rounds === MIN_ROUNDS ? [] : [`--rounds ${rounds}`]), ...benchmarks.map(([k]) => `--only ${k}`)];
    process.stdout.write(await format(partial(sections, `npm run bench -- ${flags.join(' ')}`), style));
    if (failed) process.exitCode = 1;
    return;
  }
  const previous = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '';
  fs.writeFileSync(FILE, await format(document(sections, rounds, previous), style));
  progress(`wrote ${path.relative(process.cwd(), FILE)}`);
  if (failed) process.exitCode = 1;
}

/** The measured tables and the targets, under a header that says how and where; the analysis section is kept. */
function document(sections: readonly Section[], rounds: number, previous: string): string {
  const command = rounds === MIN_ROUNDS ? 'npm run bench' : `npm run bench -- --rounds ${rounds}`;
  const analysis = previous.includes(ANALYSIS) ? previous.slice(previous.indexOf(ANALYSIS)) : `${ANALYSIS}\n`;
  const targets = sections.flatMap((section) => section.targets ?? []);
  return [
    '# Benchmarks',
    '',
    `Produced by \`${command}\` on ${new Date().toISOString().slice(0, 10)}: ${machine()}. ` +
      'Everything runs on loopback; AWS is played by servers in other processes. Numbers from one machine compare ' +
      'ways side by side; they are not what a Lambda measures.',
    '',
    '<!-- Everything from here to the analysis is written by bench/run.ts. -->',
    '',
    '### Targets',
    '',
    'The targets of issue 9, checked against the numbers below by the run that wrote them.',
    '',
    targetsTable(targets),
    '',
    ...sections.flatMap((section) => [section.markdown, '']),
    analysis.trimEnd(),
    '',
  ].join('\n');
}

/** What a partial run measured, with the command and machine, in BENCHMARKS.md's own tables. */
function partial(sections: readonly Section[], command: string): string {
  const targets = sections.flatMap((section) => section.targets ?? []);
  return [
    `Produced by \`${command}\` on ${new Date().toISOString().slice(0, 10)}: ${machine()}.`,
    '',
    ...(targets.length > 0 ? [targetsTable(targets), ''] : []),
    ...sections.map((section) => section.markdown),
  ].join('\n');
}

function machine(): string {
  const cpus = os.cpus();
  return (
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `Node.js ${process.version}, ${os.platform()} ${os.arch()}`
  );
}

function targetsTable(targets: readonly Target[]): string {
  return table(
    ['measure', 'target', 'measured', 'met'],
    targets.map((t) => [t.name, t.target, t.measured, t.met ? 'yes' : '**no**']),
  );
}

/** The hand-written part of BENCHMARKS.md, kept when the tables are rewritten. */
const ANALYSIS = '## What the numbers say';

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
