/** The operator CLI's entry (bin/review-pipeline.js runs it through tsx): the process's arguments, streams and env. */
import { defaultContext } from '../cli/context';
import { processIo } from '../cli/io';
import { runCli } from '../cli/main';
import { noteNodeSupport } from '../common/node-support';

noteNodeSupport((line) => process.stderr.write(`${line}\n`));

void runCli(process.argv.slice(2), (target) => defaultContext(processIo(), target)).then((code) => {
  process.exitCode = code;
});
