/**
 * The operator CLI: `npx review-pipeline <command>`. It finds the pool, flow definition and dataset in the deployed
 * stacks' outputs, so nobody types an ARN.
 */
import type { CliContext } from './context';
import { loops, LOOPS_HELP } from './commands/loops';
import { results, RESULTS_HELP } from './commands/results';
import { template, TEMPLATE_HELP } from './commands/template';
import { workers, WORKERS_HELP } from './commands/workers';
import { CliError, EXIT, explainAwsError } from './errors';

export const HELP = `Usage: review-pipeline <command> [options]

Commands:
  workers add <email>... | list | remove <email>      manage the workteam
  loops list | show <name> | wait <name>... | stop <name>
                                                     follow human loops
  results export --out FILE [--format jsonl|csv] [--since DATE]
                                                     the retraining dataset
  template render <file> --input JSON --out FILE     preview a task template offline

Add --help after a command for its options. Uses your AWS credentials and Region (AWS_PROFILE, AWS_REGION).
Exit codes: 0 success, 1 failed, 2 usage, 3 stack not deployed, 4 no or refused credentials, 5 not found, 6 timeout.`;

const COMMANDS: Record<string, { run: (context: CliContext, args: string[]) => Promise<number>; help: string }> = {
  workers: { run: workers, help: WORKERS_HELP },
  loops: { run: loops, help: LOOPS_HELP },
  results: { run: results, help: RESULTS_HELP },
  template: { run: template, help: TEMPLATE_HELP },
};

/** Runs one command line; returns the exit code. `context` is made only when a command needs it. */
export async function runCli(argv: string[], makeContext: () => CliContext): Promise<number> {
  const [name, ...args] = argv;
  const context = lazy(makeContext);
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
    const failure =
      error instanceof CliError
        ? error
        : isParseArgsError(error)
          ? new CliError(EXIT.usage, (error as Error).message)
          : explainAwsError(error);
    context().io.err(`error: ${failure.message}`);
    return failure.exitCode;
  }
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
