import { A2I_NAME_MAX_LENGTH, A2I_NAME_PATTERN } from '../../../common/names';
import type { LoopIdentity } from '../../../lambda/predict/loop-names';
import { loopName, requestKey } from '../../../lambda/predict/loop-names';
import type { Instance } from '../../../lambda/predict/request';

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
