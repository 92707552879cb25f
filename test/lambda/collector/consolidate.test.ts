import { answerLabel, hashWorkerId, inModelType } from '../../../lambda/collector/consolidate';

// The vote itself: test/common/consolidation.test.ts.

describe("reading the workers' answers", () => {
  test('labels from the answers of each crowd element', () => {
    expect(answerLabel({ sentiment: { label: '-1' } })).toBe('-1');
    expect(answerLabel({ comment: 'fine' })).toBe('fine');
    expect(answerLabel({ tags: { labels: ['b', 'a'] } })).toBe('{"tags":{"labels":["b","a"]}}');
    expect(answerLabel({ b: { value: true }, a: 'x' })).toBe(answerLabel({ a: 'x', b: { value: true } }));
  });

  test('labels take the model label type', () => {
    expect(inModelType('-1', 0)).toBe(-1);
    expect(inModelType('positive', 0)).toBe('positive');
    expect(inModelType('1', 'neg')).toBe('1');
  });

  test('worker ids are hashed with the salt: stable, and not the id', () => {
    const hashed = hashWorkerId('d4e5f6a7', 'salt-1');
    expect(hashed).toMatch(/^[0-9a-f]{16}$/);
    expect(hashWorkerId('d4e5f6a7', 'salt-1')).toBe(hashed);
    expect(hashWorkerId('d4e5f6a7', 'salt-2')).not.toBe(hashed);
  });
});
