/**
 * Where the CLI's commands go: the deployed stacks in AWS, or a local-mode server (`npm start`). One setting picks
 * local mode: `--local [URL]` anywhere on the command line, or REVIEW_PIPELINE_LOCAL=URL; the flag wins.
 */
import { usageError } from './errors';

export const LOCAL_FLAG = '--local';
export const LOCAL_ENV = 'REVIEW_PIPELINE_LOCAL';
/** `npm start`'s address with its default PORT. */
export const DEFAULT_LOCAL_URL = 'http://127.0.0.1:3000';

export interface LocalTarget {
  readonly kind: 'local';
  /** The server's origin: scheme, host and port, no trailing slash. */
  readonly url: string;
  /** The setting it came from, for messages. */
  readonly setting: typeof LOCAL_FLAG | typeof LOCAL_ENV;
}

export type CliTarget = { readonly kind: 'aws' } | LocalTarget;

export const AWS_TARGET: CliTarget = { kind: 'aws' };

export interface CommandLine {
  readonly target: CliTarget;
  /** The command line without the setting. */
  readonly args: string[];
}

/**
 * Takes `--local`, `--local URL` and `--local=URL` out of the command line (not after `--`). `--local` takes the next
 * word as its URL only when that word has a `:`, as every URL does and no command, loop name, email or option does:
 * `--local loops list` means the default URL.
 */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  const args: string[] = [];
  let flagValue: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (arg === LOCAL_FLAG) {
      const next = argv[i + 1];
      const takesNext = next !== undefined && !next.startsWith('-') && next.includes(':');
      flagValue = takesNext ? next : DEFAULT_LOCAL_URL;
      if (takesNext) i += 1;
    } else if (arg.startsWith(`${LOCAL_FLAG}=`)) flagValue = arg.slice(LOCAL_FLAG.length + 1);
    else args.push(arg);
  }
  if (flagValue !== undefined) return { target: localTarget(flagValue, LOCAL_FLAG), args };
  const fromEnv = env[LOCAL_ENV];
  return { target: fromEnv ? localTarget(fromEnv, LOCAL_ENV) : AWS_TARGET, args };
}

/** The local server's origin; anything but an http(s) URL without a path is a usage error naming the setting. */
function localTarget(value: string, setting: LocalTarget['setting']): LocalTarget {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || !isOrigin(url))
    throw usageError(
      `${setting} must be the local server's URL: http:// or https://, a host and a port, no path, like ${DEFAULT_LOCAL_URL} (got ${JSON.stringify(value)})`,
    );
  return { kind: 'local', url: url.origin, setting };
}

function isOrigin(url: URL): boolean {
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.pathname === '/' &&
    !url.search &&
    !url.hash &&
    !url.username &&
    !url.password
  );
}

/** What to do when the local server does not answer, in the words of the setting that named it. */
export function startLocalHint(local: LocalTarget): string {
  return local.setting === LOCAL_FLAG
    ? `start it with npm start, or pass ${LOCAL_FLAG} <url>`
    : `start it with npm start, or set ${LOCAL_ENV} to its URL`;
}
