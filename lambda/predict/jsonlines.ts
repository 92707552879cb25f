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
