/**
 * The model's JSON Lines contract: one `{"features": [...]}` line per record in, one
 * `{"predicted_label": ..., "probability": ...}` line per record out.
 */

export const JSON_LINES = 'application/jsonlines';

export interface Prediction {
  readonly predictedLabel: number | string;
  readonly probability: number;
}

export function encodeJsonLines(records: readonly { readonly features: readonly string[] }[]): string {
  return records.map(({ features }) => `${JSON.stringify({ features })}\n`).join('');
}

/** Bytes one record adds to a request body. */
export function encodedSize(record: { readonly features: readonly string[] }): number {
  return Buffer.byteLength(encodeJsonLines([record]), 'utf8');
}

export class ModelAnswerError extends Error {
  override readonly name = 'ModelAnswerError';
}

/** Checks the answer line by line; any break of the contract is a ModelAnswerError that says what was wrong. */
export function parsePredictions(body: string, expectedCount: number): Prediction[] {
  const lines = body.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length !== expectedCount) {
    throw new ModelAnswerError(`The model answered ${lines.length} lines for ${expectedCount} inputs`);
  }
  return lines.map((line, index) => {
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
export function batchesWithin<T extends { readonly features: readonly string[] }>(
  records: readonly T[],
  maxBytes: number,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const record of records) {
    const recordSize = encodedSize(record);
    if (recordSize > maxBytes)
      throw new RangeError(`One record needs ${recordSize} bytes; the model accepts ${maxBytes} per call`);
    if (size + recordSize > maxBytes && current.length > 0) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += recordSize;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
