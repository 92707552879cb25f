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
  const url = await nextLine();
  return {
    url,
    command: (line) => {
      child.stdin.write(`${line}\n`);
      return nextLine();
    },
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
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
