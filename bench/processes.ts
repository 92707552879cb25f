/**
 * Child processes the benchmarks measure against. Each prints its URL on its first line, answers each line it reads on
 * stdin with one line (a command, like a new latency), and stops when stdin ends.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import * as readline from 'node:readline';

export interface ChildServer {
  readonly url: string;
  /** Sends one line and resolves with the child's one-line answer. */
  command(line: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `bench/<script>.ts` under tsx with `args` and `env`; resolves once it has printed its URL. */
export async function startChild(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, `${script}.ts`), ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const line = await Promise.race([lines.next(), exited.then(() => undefined)]);
    if (line === undefined || line.done === true) throw new Error(`${script} exited (see its output above)`);
    return line.value.trim();
  };
  const url = await withTimeout(nextLine(), START_TIMEOUT_MS, `${script} printed no URL`, () => child.kill('SIGKILL'));
  return {
    url,
    command: (line) => {
      child.stdin.write(`${line}\n`);
      return withTimeout(nextLine(), START_TIMEOUT_MS, `${script} did not answer ${line}`);
    },
    stop: async () => {
      child.stdin.end();
      // A child that does not stop in time is killed: the benchmark never hangs on it.
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

function withTimeout<T>(work: Promise<T>, ms: number, message: string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(message));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Environment every benchmark process runs with: quiet handlers, no SDK version warning, no real credentials. */
export const QUIET_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
} as const;
