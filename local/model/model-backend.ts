/**
 * Where local mode's model answers come from: the built-in sentiment model, an HTTP endpoint, or a command. All three
 * speak the JSON Lines contract: one `{"features": [...]}` line in per record, one
 * `{"predicted_label": ..., "probability": ...}` line out.
 */
import { spawn } from 'node:child_process';
import { predictSentiment } from './sentiment-model';

export type ModelBackend = (jsonLines: string) => Promise<string>;

export class ModelFailure extends Error {
  constructor(
    readonly originalStatusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The reference model's request handling: it scores each record's first feature (inference.py reads
 * `["features"][0]`) and joins the answer lines with `\n`.
 */
export const builtInSentimentModel: ModelBackend = (jsonLines) =>
  Promise.resolve().then(() =>
    parseRequestRecords(jsonLines)
      .map((features) => JSON.stringify(predictSentiment(features[0] ?? '')))
      .join('\n'),
  );

/**
 * The request as the reference model's inference.py reads it: the body split on `\n` and EVERY piece parsed, so an
 * empty line (a trailing newline, a blank line) fails like `json.loads('')` does in the container: a 500, which
 * SageMaker answers as a 424 ModelError.
 */
export function parseRequestRecords(jsonLines: string): string[][] {
  return jsonLines.split('\n').map((line, i) => {
    let record: { features?: unknown };
    try {
      record = JSON.parse(line) as { features?: unknown };
    } catch {
      throw new ModelFailure(
        500,
        line.trim() === ''
          ? `Line ${i + 1} is empty: json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)`
          : `Line ${i + 1} is not JSON`,
      );
    }
    if (!Array.isArray(record?.features) || !record.features.every((f) => typeof f === 'string')) {
      throw new ModelFailure(500, `Line ${i + 1} has no "features" array of strings`);
    }
    return record.features;
  });
}

/** Any server that answers POSTed JSON Lines with JSON Lines (a SageMaker container's /invocations, for one). */
export function httpModel(url: string, timeoutMs = 30_000): ModelBackend {
  return async (jsonLines) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/jsonlines', Accept: 'application/jsonlines' },
      body: jsonLines,
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((error: unknown) => {
      throw new ModelFailure(503, `Model at ${url} did not answer: ${(error as Error).message}`);
    });
    const text = await response.text();
    if (!response.ok) throw new ModelFailure(response.status, text.slice(0, 500));
    return text;
  };
}

/** A command that reads JSON Lines on stdin and writes JSON Lines on stdout, run once per batch. */
export function commandModel(command: string, timeoutMs = 30_000): ModelBackend {
  return (jsonLines) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error) => reject(new ModelFailure(500, `Model command failed to start: ${error.message}`)));
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
        else
          reject(
            new ModelFailure(
              500,
              `Model command exited with ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 500)}`,
            ),
          );
      });
      child.stdin.end(jsonLines);
    });
}
