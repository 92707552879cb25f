import { defaultContext } from '../cli/context';
import { processIo } from '../cli/io';
import { runCli } from '../cli/main';

void runCli(process.argv.slice(2), () => defaultContext(processIo())).then((code) => {
  process.exitCode = code;
});
