/**
 * The local tabular explanation flow (local/tabular/): the synthetic sample, the scorer, its exact SHAP contributions,
 * the SVG chart and the tabular-review manifest, rendered with the tabular-review template.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { groupRecords, parseInputManifest } from '../../common/manifest';
import { renderTaskTemplate } from '../../common/task-template';
import { BUILT_IN_TASK_TYPES, taskInput } from '../../common/task-types';
import { explanationSvg } from '../../local/tabular/explanation-svg';
import { accuracy, fitModel, majorityAccuracy, split } from '../../local/tabular/fit';
import { tabularManifest } from '../../local/tabular/manifest';
import { contributions, logOdds, score, TABULAR_MODEL } from '../../local/tabular/model';
import { FEATURES, generateSample } from '../../local/tabular/sample';
import weights from '../../local/tabular/weights.json';

const sample = generateSample();
const { fit, held } = split(sample);

/**
 * Whether the text is one well-formed XML element in the subset our SVG uses: every character is in a start, end or
 * empty-element tag with double-quoted attributes, or in text without `<` or a bare `&`; tags nest and close.
 */
function wellFormedXml(xml: string): boolean {
  const token =
    /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|#39);[^"<&]*)*")*)\s*(\/?)>|([^<]+)/gy;
  const open: string[] = [];
  let roots = 0;
  let at = 0;
  for (let match = token.exec(xml); match !== null; match = token.exec(xml)) {
    at = token.lastIndex;
    const [, closing, name, , empty, text] = match;
    if (text !== undefined) {
      if (/&(?!(?:amp|lt|gt|quot|#39);)/.test(text) || (open.length === 0 && text.trim() !== '')) return false;
    } else if (closing) {
      if (open.pop() !== name || empty) return false;
    } else {
      if (open.length === 0) roots++;
      if (!empty) open.push(name);
    }
  }
  return at === xml.length && open.length === 0 && roots === 1;
}

describe('the synthetic tabular sample', () => {
  test('is the same 200 rows every time, 63 of them over 50K', () => {
    expect(generateSample()).toEqual(sample);
    expect(sample).toHaveLength(200);
    expect(sample.filter((row) => row.label === 1)).toHaveLength(63);
    expect(sample[0]).toEqual({
      id: 1,
      age: 52,
      education_years: 14,
      hours_per_week: 57,
      capital_gain: 0,
      capital_loss: 0,
      label: 0,
    });
  });
});

describe('the tabular scorer', () => {
  test('the shipped weights are what fit.ts makes from the sample (reproducible)', () => {
    expect(fitModel(fit)).toEqual(weights);
  });

  test('accuracy: 0.79 held out (majority class 0.71), 0.815 on the whole sample', () => {
    expect(majorityAccuracy(held)).toBeCloseTo(0.71, 10);
    expect(accuracy(TABULAR_MODEL, held)).toBeGreaterThanOrEqual(0.75);
    expect(accuracy(TABULAR_MODEL, sample)).toBeGreaterThanOrEqual(0.8);
  });

  test('score is a probability and its prediction the 0.5 threshold', () => {
    for (const row of sample) {
      const { prediction, probability_score } = score(row);
      expect(probability_score).toBeGreaterThan(0);
      expect(probability_score).toBeLessThan(1);
      expect(prediction).toBe(probability_score >= 0.5 ? 1 : 0);
    }
  });
});

describe('feature contributions (SHAP values of the log-odds)', () => {
  /** The base value: the mean log-odds over the background (the fit half). */
  const base = fit.reduce((sum, row) => sum + logOdds(row), 0) / fit.length;

  test('the base value is the model bias', () => {
    expect(base).toBeCloseTo(TABULAR_MODEL.bias, 5);
  });

  test('sum to the log-odds minus the base value, for every row', () => {
    for (const row of sample) {
      const { probability_score } = score(row);
      const total = contributions(row).reduce((sum, c) => sum + c.contribution, 0);
      expect(total).toBeCloseTo(Math.log(probability_score / (1 - probability_score)) - base, 5);
    }
  });

  test('are w_i * (x_i - mean_i) on the standardized feature, one per feature in order', () => {
    const row = sample[0];
    const age = TABULAR_MODEL.features.age;
    const found = contributions(row);
    expect(found.map((c) => c.feature)).toEqual([...FEATURES]);
    expect(found[0]).toEqual({ feature: 'age', value: 52, contribution: (age.weight * (52 - age.mean)) / age.scale });
  });
});

describe('the explanation SVG', () => {
  const record = { row: '7', ...score(sample[6]) };
  const svg = explanationSvg(record, contributions(sample[6]));

  test('is well-formed, accessible, titled, with one bar per feature in two colours', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(wellFormedXml(svg)).toBe(true);
    expect(svg.match(/<rect /g)).toHaveLength(FEATURES.length);
    expect(svg).toContain(`<title id="title">Record 7: prediction ${record.prediction}, score `);
    expect(svg).toMatch(/<desc id="desc">Feature contributions[^<]*age = \d+/);
    expect(svg).toContain('fill="#c0392b"');
    expect(svg).toContain('fill="#2471a3"');
    expect(svg).not.toMatch(/<script|href=|@import|url\(/);
  });

  test('is deterministic', () => {
    expect(explanationSvg(record, contributions(sample[6]))).toBe(svg);
  });

  test('escapes feature names and values', () => {
    const hostile = explanationSvg({ row: '<1>', prediction: 0, probability_score: 0.1 }, [
      { feature: 'a&b', value: '<script>"x"</script>', contribution: 0.5 },
      { feature: "o'k", value: 2, contribution: -0.25 },
    ]);
    expect(wellFormedXml(hostile)).toBe(true);
    expect(hostile).not.toContain('<script>');
    expect(hostile).toContain('a&amp;b = &lt;script&gt;&quot;x&quot;&lt;/script&gt;');
    expect(wellFormedXml('<svg><rect></svg>')).toBe(false);
  });
});

describe('the tabular-review manifest', () => {
  const type = BUILT_IN_TASK_TYPES.find((t) => t.name === 'tabular-review')!;
  const template = fs.readFileSync(path.join(__dirname, '../../templates/tabular-review.liquid.html'), 'utf8');

  test('one line per record, negatives only on request, an image for each', () => {
    const all = tabularManifest(sample, { bucket: 'review-bucket', prefix: 'shap/' });
    const negatives = tabularManifest(sample, { bucket: 'review-bucket', prefix: 'shap', negativesOnly: true });
    const negativeCount = sample.filter((row) => score(row).prediction === 0).length;
    expect(all.images).toHaveLength(200);
    expect(negatives.images).toHaveLength(negativeCount);
    const { records, errors } = parseInputManifest(negatives.manifest);
    expect(errors).toEqual([]);
    expect(records).toHaveLength(negativeCount);
    const first = records[0].object;
    const { label: _label, id, ...features } = sample[Number(first.row) - 1];
    expect(first).toEqual({
      'source-ref': `s3://review-bucket/shap/shap-${first.row as string}.svg`,
      row: String(id),
      prediction: 0,
      probability_score: Math.round(score(sample[id - 1]).probability_score * 1e4) / 1e4,
      ...features,
    });
    expect(Object.keys(first)).toEqual(['source-ref', 'row', 'prediction', 'probability_score', ...FEATURES]);
    expect(first).not.toHaveProperty('label');
    for (const { object } of records) {
      const row = sample[Number(object.row) - 1];
      for (const feature of FEATURES) expect(object[feature]).toBe(row[feature]);
    }
    expect(negatives.images[0].key).toBe(`shap/shap-${first.row as string}.svg`);
  });

  test('renders the tabular-review template three records a task, images as data: URLs', async () => {
    const { manifest, images } = tabularManifest(sample.slice(0, 20), {
      bucket: 'review-bucket',
      prefix: 'jobs/1',
      negativesOnly: true,
    });
    const bodies = new Map(images.map((image) => [image.key, image.body]));
    const dataUrl = (key: string) => `data:image/svg+xml;base64,${Buffer.from(bodies.get(key)!).toString('base64')}`;
    const [task] = groupRecords(parseInputManifest(manifest).records, type.recordsPerTask);
    expect(task.records).toHaveLength(3);
    const html = await renderTaskTemplate(
      template,
      taskInput(
        type,
        task.records.map((r) => r.object),
      ),
      {
        grantReadAccess: (bucket, key) => {
          expect(bucket).toBe('review-bucket');
          return dataUrl(key);
        },
      },
    );
    for (const { object } of task.records) {
      const row = object.row as string;
      expect(html).toContain(`<h3>Record ${row}</h3>`);
      expect(html).toContain(`src="${dataUrl(`jobs/1/shap-${row}.svg`)}"`);
      expect(html).toContain(`<strong>${object.probability_score as number}</strong>`);
    }
  });
});
