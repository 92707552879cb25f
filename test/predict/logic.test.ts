import { A2I_NAME_MAX_LENGTH, A2I_NAME_PATTERN } from '../../common/names';
import * as fc from 'fast-check';
import { PREDICT_LIMITS } from '../../common/contract';
import { ModelAnswerError, encodeJsonLines, parsePredictions } from '../../lambda/predict/jsonlines';
import type { LoopIdentity } from '../../lambda/predict/loop-names';
import { loopName, requestKey } from '../../lambda/predict/loop-names';
import type { Instance } from '../../lambda/predict/request';
import { needsReview, reviewInput } from '../../lambda/predict/routing';

describe('routing by threshold', () => {
  test.each([
    [0.634, 0.9, true],
    [0.899999, 0.9, true],
    [0.9, 0.9, false],
    [0.95, 0.9, false],
    [0, 0, false],
    [0.999, 1, true],
  ])('probability %p with threshold %p needs review: %p', (probability, threshold, expected) => {
    expect(needsReview(probability, threshold)).toBe(expected);
  });

  test('the reviewer sees the model label and the text; the dataset gets the probability and threshold', () => {
    const instance: Instance = { id: 'r-1', index: 0, features: ['I am unhappy with this product'] };
    expect(reviewInput(instance, { predictedLabel: -1, probability: 0.6 }, 0.9)).toEqual({
      initialValue: -1,
      taskObject: 'I am unhappy with this product',
      modelProbability: 0.6,
      threshold: 0.9,
    });
  });

  test('with more than one feature the reviewer sees them all', () => {
    const instance: Instance = { id: 0, index: 0, features: ['title', 'body'] };
    expect(reviewInput(instance, { predictedLabel: 1, probability: 0.5 }, 0.9).taskObject).toEqual(['title', 'body']);
  });
});

describe('loop names', () => {
  const FLOW = 'arn:aws:sagemaker:eu-west-1:123456789012:flow-definition/sentiment-review-0a1b2c3d';
  const content = ['I am unhappy with this product'];
  const name = (overrides: Partial<LoopIdentity> = {}) =>
    loopName({ flowDefinitionArn: FLOW, requestKey: 'req-1', itemId: 'a', content, ...overrides });

  test('follow the A2I name rule and length, however odd the request id', () => {
    for (const requestKey of ['Order 2026/11 #42 — batch ÄÖ', '---', 'x'.repeat(500), 'UPPER_case', '日本語', 'a']) {
      const loop = name({ requestKey });
      expect(loop).toMatch(A2I_NAME_PATTERN);
      expect(loop.length).toBeLessThanOrEqual(A2I_NAME_MAX_LENGTH);
    }
  });

  test('are stable for the same pipeline, request, item and content', () => {
    expect(name()).toBe(name({ content: [...content] }));
  });

  test('differ when the pipeline, the request, the item or its content differ', () => {
    const names = new Set([
      name(),
      name({ flowDefinitionArn: FLOW.replace('0a1b2c3d', '9f8e7d6c') }),
      name({ requestKey: 'req-2' }),
      name({ itemId: 'b' }),
      name({ itemId: 0 }),
      name({ itemId: '0' }),
      name({ content: ['I love it'] }),
      name({ content: [...content, 'a second feature'] }),
    ]);
    expect(names.size).toBe(8);
  });

  test('keep a readable part of the request id', () => {
    expect(name({ requestKey: 'Order-42' })).toMatch(/^order-42-[0-9a-f]{20}$/);
  });

  test('two request ids that read the same still give different names', () => {
    expect(name({ requestKey: 'A_B' })).not.toBe(name({ requestKey: 'a-b' }));
  });

  test('without a requestId the key is a hash of the instances: same body, same key; other body, other key', () => {
    const instances: Instance[] = [{ id: 0, index: 0, features: ['It is okay'] }];
    const key = requestKey({ instances });
    expect(key).toMatch(/^h[0-9a-f]{24}$/);
    expect(requestKey({ instances: [{ id: 0, index: 0, features: ['It is okay'] }] })).toBe(key);
    expect(requestKey({ instances: [{ id: 0, index: 0, features: ['It is not okay'] }] })).not.toBe(key);
    expect(requestKey({ instances, requestId: 'mine' })).toBe('mine');
  });
});

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
