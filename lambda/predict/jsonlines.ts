/**
 * The model's JSON Lines contract, as the reference model's inference.py speaks it: one `{"features": [...]}` line per
 * record in, lines joined by `\n` with no trailing newline (it splits the body on `\n` and parses every piece, so a
 * trailing newline is an empty record and a model error); one `{"predicted_label": ..., "probability": ...}` line per
 * record out (it joins them the same way; a trailing newline or CRLF from another model is accepted).
 */

export const JSON_LINES = 'application/jsonlines';

export interface Prediction {
  readonly predictedLabel: number | string;
  readonly probability: number;
}

type Features = { readonly features: readonly string[] };

export function encodeJsonLines(records: readonly Features[]): string {
  return records.map(encodeLine).join('\n');
}

function encodeLine({ features }: Features): string {
  return JSON.stringify({ features });
}

/** Bytes of one record's line, without the separator. */
export function encodedSize(record: Features): number {
  return Buffer.byteLength(encodeLine(record), 'utf8');
}

export class ModelAnswerError extends Error {
  override readonly name = 'ModelAnswerError';
}

/** Checks the answer line by line; any break of the contract is a ModelAnswerError that says what was wrong. */
export function parsePredictions(body: string, expectedCount: number): Prediction[] {
  const lines = body.replace(/\r?\n$/, '').split(/\r?\n/);
  if (lines.length !== expectedCount) {
    throw new ModelAnswerError(`The model answered ${lines.length} lines for ${expectedCount} inputs`);
  }
  return lines.map((line, index) => {
    if (line.trim() === '') throw new ModelAnswerError(`Line ${index + 1} of the model's answer is empty`);
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new ModelAnswerError(`Line ${index + 1} of the model's answer is not JSON`);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new ModelAnswerError(`Line ${index + 1} of the model's answer is not a JSON object`);
    }
    const { predicted_label: label, probability } = record as Record<string, unknown>;
    if (!(typeof label === 'number' && Number.isFinite(label)) && !(typeof label === 'string' && label !== '')) {
      throw new ModelAnswerError(
        `Line ${index + 1} of the model's answer has no predicted_label (a number or a string)`,
      );
    }
    if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
      throw new ModelAnswerError(
        `Line ${index + 1} of the model's answer has probability ${JSON.stringify(probability) ?? 'missing'}; expected a number from 0 to 1`,
      );
    }
    return { predictedLabel: label, probability };
  });
}

/**
 * Splits records into consecutive batches whose JSON Lines body stays within `maxBytes`, so each batch is one
 * InvokeEndpoint call under the payload limit.
 */
export function batchesWithin<T extends Features>(records: readonly T[], maxBytes: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const record of records) {
    const recordSize = encodedSize(record);
    if (recordSize > maxBytes)
      throw new RangeError(`One record needs ${recordSize} bytes; the model accepts ${maxBytes} per call`);
    // Every line after the first adds its `\n`.
    if (current.length > 0 && size + 1 + recordSize > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    size += (current.length > 0 ? 1 : 0) + recordSize;
    current.push(record);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
