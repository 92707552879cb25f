import { inLabelSet, templateLabelSet } from '../../common/label-set';

describe("a template's label set", () => {
  test.each([
    [
      'single-quoted (AWS samples)',
      `<crowd-classifier name="sentiment" categories="['Positive', 'Negative', 'It\\'s mixed']">`,
    ],
    [
      'JSON in single-quoted attribute',
      `<crowd-classifier categories='["Positive","Negative","It&#39;s mixed"]' name="sentiment">`,
    ],
    [
      'entity-encoded quotes',
      `<crowd-classifier name="sentiment" categories="[&quot;Positive&quot;, &quot;Negative&quot;, &quot;It's mixed&quot;]">`,
    ],
  ])('is read from the crowd-classifier categories, %s', (_, tag) => {
    expect(templateLabelSet(`<crowd-form>\n  ${tag}\n</crowd-classifier></crowd-form>`)).toEqual({
      field: 'sentiment',
      labels: ['Positive', 'Negative', "It's mixed"],
    });
  });

  test.each([
    ['no classifier', '<crowd-form><crowd-text-area name="t"></crowd-text-area></crowd-form>'],
    ['a multi-select classifier', `<crowd-classifier-multi-select name="m" categories="['a','b']">`],
    [
      'two classifiers',
      `<crowd-classifier name="a" categories="['x']"></crowd-classifier><crowd-classifier name="b" categories="['y']">`,
    ],
    [
      'categories filled in by Liquid',
      `<crowd-classifier name="c" categories="{{ task.input.labels | to_json | escape }}">`,
    ],
    ['categories that are not a list', `<crowd-classifier name="c" categories="positive, negative">`],
  ])('is unknown with %s', (_, template) => {
    expect(templateLabelSet(template)).toBeUndefined();
  });

  test('compares numbers by their text, so a model answering -1 matches the category "-1"', () => {
    const set = { labels: ['-1', '0', '1'] };
    expect([-1, '0', 1, 2, 'banana', null, { label: '1' }].map((label) => inLabelSet(set, label))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
