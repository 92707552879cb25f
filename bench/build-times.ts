/**
 * What a contributor waits for: `cdk synth` of the whole app (bundling every Lambda with esbuild, the cdk-nag checks)
 * offline, and the unit suite (`npm run test:unit`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spread, summarize, table } from './stats';

export interface BuildTimesOptions {
  readonly rounds: number;
  readonly progress: (message: string) => void;
}

const ROOT = path.join(__dirname, '..');

export const SYNTH_COMMAND = ['npx', 'cdk', 'synth', '--quiet', '--no-notices', '-c', 'endpointName=bench'];
export const UNIT_COMMAND = ['npm', 'run', '--silent', 'test:unit'];

export function buildTimes(options: BuildTimesOptions): string {
  const synth: number[] = [];
  const unit: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    options.progress(`cdk synth ${round + 1}/${options.rounds}`);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
    try {
      synth.push(timed([...SYNTH_COMMAND, '-o', outdir]));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    options.progress(`unit suite ${round + 1}/${options.rounds}`);
    unit.push(timed(UNIT_COMMAND));
  }
  const seconds = (values: number[]) =>
    values.length === 1
      ? `${(values[0] / 1000).toFixed(1)} s`
      : spread(summarize(values.map((ms) => ms / 1000)), 's', 1);
  return [
    '### Build and test times',
    '',
    options.rounds === 1
      ? 'Wall time of one run each, not five: five would add about four minutes to `npm run bench`, and runs of tens ' +
        'of seconds vary little.'
      : `Wall time, median (min-max) of ${options.rounds} runs, one after the other.`,
    '',
    table(
      ['command', 'time'],
      [
        [`\`${SYNTH_COMMAND.join(' ')}\` (bundles all Lambdas, cdk-nag)`, seconds(synth)],
        [`\`${UNIT_COMMAND.join(' ')}\``, seconds(unit)],
      ],
    ),
  ].join('\n');
}

/**
 * A machine with no AWS account, as the tests see it: no credentials, profile or instance metadata, and not CI (where
 * a test whose tool is missing fails instead of skipping).
 */
function offlineEnv(): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([name]) => !name.startsWith('AWS_') && !name.startsWith('CDK_') && name !== 'CI',
  );
  return {
    ...Object.fromEntries(kept),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

/** Milliseconds the command took; throws with its output when it fails. */
function timed(command: readonly string[]): number {
  const started = performance.now();
  const run = spawnSync(command[0], command.slice(1), {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: offlineEnv(),
  });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
  return ms;
}
