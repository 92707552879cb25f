/**
 * The operator CLI: `npx review-pipeline <command>`. It finds the pool, flow definition and dataset in the deployed
 * stacks' outputs, so nobody types an ARN; with `--local [URL]` (or REVIEW_PIPELINE_LOCAL) in a local server's.
 */
import type { CliContext } from './context';
import { jobs, JOBS_HELP } from './commands/jobs';
import { loops, LOOPS_HELP } from './commands/loops';
import { results, RESULTS_HELP } from './commands/results';
import { template, TEMPLATE_HELP } from './commands/template';
import { workers, WORKERS_HELP } from './commands/workers';
import { CliError, EXIT, explainAwsError } from './errors';
import type { CliTarget, CommandLine } from './target';
import { AWS_TARGET, DEFAULT_LOCAL_URL, LOCAL_ENV, parseCommandLine } from './target';

export const HELP = `Usage: review-pipeline [--local [URL]] <command> [options]

Commands:
  workers add <email>... | list | remove <email>      manage the workteam (not in local mode)
  loops list | show <name> | wait <name>... | stop <name>
                                                     follow human loops
  jobs start <name> --manifest M | list | show <name> | wait <name> | stop <name> | export <name>
                                                     review jobs over an input manifest
  results export --out FILE [--format jsonl|csv] [--since DATE]
                                                     the retraining dataset
  template render <file> --input JSON --out FILE     preview a task template offline
  template lint <file> [--input JSON]                check a task template (elements, fields, Liquid)

Add --help after a command for its options. Uses your AWS credentials and Region (AWS_PROFILE, AWS_REGION).
Local mode: --local [URL] (anywhere on the line) or ${LOCAL_ENV}=URL points every command at a local
server (npm start) instead of AWS; URL defaults to ${DEFAULT_LOCAL_URL}, and the flag wins over the variable.
No AWS credentials or profile are read then.
Exit codes: 0 success, 1 failed, 2 usage, 3 stack not deployed or no local server, 4 no or refused credentials,
5 not found, 6 timeout.`;

const COMMANDS: Record<string, { run: (context: CliContext, args: string[]) => Promise<number>; help: string }> = {
  workers: { run: workers, help: WORKERS_HELP },
  loops: { run: loops, help: LOOPS_HELP },
  jobs: { run: jobs, help: JOBS_HELP },
  results: { run: results, help: RESULTS_HELP },
  template: { run: template, help: TEMPLATE_HELP },
};

/**
 * Runs one command line; returns the exit code. `makeContext` is called only when a command needs the context, with
 * the target the command line and `env` name (AWS, or a local server).
 */
export async function runCli(
  argv: readonly string[],
  makeContext: (target: CliTarget) => CliContext,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv, env);
  } catch (error) {
    return report(makeContext(AWS_TARGET), error);
  }
  const [name, ...args] = line.args;
  const context = lazy(() => makeContext(line.target));
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context().io.out(HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    context().io.err(`Unknown command "${name}".\n\n${HELP}`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    context().io.out(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(context(), args);
  } catch (error) {
    return report(context(), error);
  }
}

/** Prints what went wrong; returns its exit code. */
function report(context: CliContext, error: unknown): number {
  const failure =
    error instanceof CliError
      ? error
      : isParseArgsError(error)
        ? new CliError(EXIT.usage, (error as Error).message)
        : explainAwsError(error);
  context.io.err(`error: ${failure.message}`);
  return failure.exitCode;
}

/** node:util parseArgs refuses unknown or malformed options with ERR_PARSE_ARGS_* codes. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function lazy<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}
