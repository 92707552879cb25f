/** Where the CLI writes: results to stdout, messages and progress to stderr (progress only redraws on a terminal). */
import * as fs from 'node:fs';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** A status line that replaces the previous one on a terminal; elsewhere only `final` lines are written. */
  progress(text: string, final?: boolean): void;
  writeFile(path: string, content: string): void;
}

export function processIo(): CliIo {
  const tty = process.stderr.isTTY === true;
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress: (text, final = false) => {
      if (tty) process.stderr.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
      else if (final) process.stderr.write(`${text}\n`);
    },
    writeFile: (path, content) => fs.writeFileSync(path, content),
  };
}

/** Rows as aligned columns. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
}

/** RFC 4180: quote a cell holding a comma, quote, or line break; an array or object input is written as JSON. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
