import * as fc from 'fast-check';
import { PREDICT_LIMITS } from '../../../common/contract';
import { ModelAnswerError, encodeJsonLines, parsePredictions } from '../../../lambda/predict/jsonlines';

describe('JSON Lines', () => {
  test('one line per record in, joined by newlines with none after the last (the reference model parses every piece)', () => {
    expect(encodeJsonLines([{ features: ['a'] }, { features: ['b "quoted"\nnext line', 'c'] }])).toBe(
      '{"features":["a"]}\n{"features":["b \\"quoted\\"\\nnext line","c"]}',
    );
  });

  test.each([
    ['no trailing newline', '{"predicted_label": -1, "probability": 0.634}\n{"predicted_label": 1, "probability": 1}'],
    ['a trailing newline', '{"predicted_label": -1, "probability": 0.634}\n{"predicted_label": 1, "probability": 1}\n'],
    ['CRLF', '{"predicted_label": -1, "probability": 0.634}\r\n{"predicted_label": 1, "probability": 1}\r\n'],
  ])('one prediction per line out, with %s', (_, body) => {
    expect(parsePredictions(body, 2)).toEqual([
      { predictedLabel: -1, probability: 0.634 },
      { predictedLabel: 1, probability: 1 },
    ]);
  });

  test.each([
    ['{"predicted_label": 1, "probability": 0.9}', 2, 'The model answered 1 lines for 2 inputs'],
    [
      '{"predicted_label": 1, "probability": 0.9}\n\n{"predicted_label": 1, "probability": 0.9}',
      3,
      "Line 2 of the model's answer is empty",
    ],
    ['{"predicted_label": 1, "probability": 0.9}\n\n', 1, 'The model answered 2 lines for 1 inputs'],
    ['not json', 1, "Line 1 of the model's answer is not JSON"],
    ['[1, 0.5]', 1, "Line 1 of the model's answer is not a JSON object"],
    ['{"probability": 0.5}', 1, "Line 1 of the model's answer has no predicted_label (a number or a string)"],
    [
      '{"predicted_label": 1, "probability": 1.5}',
      1,
      "Line 1 of the model's answer has probability 1.5; expected a number from 0 to 1",
    ],
    [
      '{"predicted_label": 1, "probability": "0.5"}',
      1,
      'Line 1 of the model\'s answer has probability "0.5"; expected a number from 0 to 1',
    ],
    [
      '{"predicted_label": 1}',
      1,
      "Line 1 of the model's answer has probability missing; expected a number from 0 to 1",
    ],
  ])('an answer that breaks the contract is refused: %s', (body, count, message) => {
    expect(() => parsePredictions(body, count)).toThrow(new ModelAnswerError(message));
  });

  test("the model's body is never larger than the request, so the largest request is one call under the smallest payload limit", () => {
    const text = fc.string({ unit: 'binary', maxLength: 200 });
    const instance = fc.record({
      id: fc.option(fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.nat()), { nil: undefined }),
      features: fc.array(
        text.filter((t) => t.length > 0),
        { minLength: 1, maxLength: 16 },
      ),
    });
    fc.assert(
      fc.property(fc.array(instance, { minLength: 1, maxLength: 100 }), (instances) => {
        const request = Buffer.byteLength(JSON.stringify({ instances }), 'utf8');
        expect(Buffer.byteLength(encodeJsonLines(instances), 'utf8')).toBeLessThanOrEqual(request);
      }),
    );
    // SageMaker's smallest InvokeEndpoint payload limit: 4 MB (serverless).
    expect(PREDICT_LIMITS.maxRequestBytes).toBeLessThan(4_000_000);
  });
});
