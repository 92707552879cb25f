/** template render: a task template rendered offline with SageMaker's Liquid semantics. */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { renderTaskTemplate, templateWarnings } from '../../common/task-template';
import type { CliContext } from '../context';
import { CliError, EXIT, usageError } from '../errors';

export const TEMPLATE_HELP = `Usage: review-pipeline template render <file> --input <json | @file.json> --out <file.html>

  Renders the template with task.input set to the given input, as SageMaker would: every {{ }} auto-escaped,
  escape, escape_once, skip_autoescape, to_json and grant_read_access (an unsigned S3 URL offline).
  Fails (exit 1) on an unknown filter or a variable the input does not have; warns about to_json without | escape.
  Needs neither AWS nor a local server (--local changes nothing here).`;

export async function template(context: CliContext, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'render') throw usageError(`Unknown template command "${action ?? ''}".\n\n${TEMPLATE_HELP}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { input: { type: 'string' }, out: { type: 'string' } },
  });
  if (positionals.length !== 1 || values.input === undefined || values.out === undefined)
    throw usageError(TEMPLATE_HELP);
  const [file] = positionals;
  if (!fs.existsSync(file)) throw new CliError(EXIT.notFound, `No template file ${file}`);
  const inputText = values.input.startsWith('@') ? readInputFile(values.input.slice(1)) : values.input;
  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch (error) {
    throw usageError(`--input is not JSON: ${(error as Error).message}`);
  }
  const source = fs.readFileSync(file, 'utf8');
  for (const warning of templateWarnings(source)) context.io.err(`warning: ${file}: ${warning}`);
  try {
    const html = await renderTaskTemplate(source, input);
    context.io.writeFile(values.out, html);
  } catch (error) {
    throw new CliError(EXIT.failed, `${file}: ${(error as Error).message}`);
  }
  context.io.err(`rendered ${file} to ${values.out}`);
  return EXIT.ok;
}

function readInputFile(path: string): string {
  if (!fs.existsSync(path)) throw new CliError(EXIT.notFound, `No input file ${path}`);
  return fs.readFileSync(path, 'utf8');
}
