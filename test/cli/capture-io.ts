/**
 * The CLI's io for tests that run it in-process with real clients: printed lines kept, progress only when final,
 * files written to disk. Apart from harness.ts, which mocks every SDK client as it loads.
 */
import * as fs from 'node:fs';
import type { CliIo } from '../../cli/io';

export interface CapturedIo extends CliIo {
  readonly outLines: string[];
  readonly errLines: string[];
}

export function captureIo(): CapturedIo {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return {
    outLines,
    errLines,
    out: (line) => outLines.push(line),
    err: (line) => errLines.push(line),
    progress: (text, final) => {
      if (final) errLines.push(text);
    },
    writeFile: (path, content) => fs.writeFileSync(path, content),
  };
}
