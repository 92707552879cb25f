import type { Instance } from '../../../lambda/predict/request';
import { needsReview, reviewInput } from '../../../lambda/predict/routing';

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
