/**
 * Ground Truth manifests: reading input manifests (good lines, bad lines with their numbers, Ground Truth's limits),
 * grouping records into review tasks, and output lines compared with AWS's documented examples, kept verbatim in
 * test/golden/ground-truth/: text-classification.jsonl is the augmented manifest of Amazon Comprehend's "Multi-class
 * mode" page (https://docs.aws.amazon.com/comprehend/latest/dg/prep-classifier-data-multi-class.html),
 * text-classification-multilabel.txt the formatted example of its "Multi-label mode" page
 * (https://docs.aws.amazon.com/comprehend/latest/dg/prep-classifier-data-multi-label.html).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ManifestRecord, MultiLabelOutput, SingleLabelOutput } from '../../common/manifest';
import {
  creationDate,
  GT_MAX_ATTRIBUTE_CHARS,
  GT_MAX_OBJECT_CHARS,
  groupRecords,
  multiLabelLine,
  parseInputManifest,
  recordOfAnswer,
  singleLabelLine,
  validateLabelAttributeName,
} from '../../common/manifest';

const GOLDEN = path.join(__dirname, '..', 'golden', 'ground-truth');
const golden = (file: string) => fs.readFileSync(path.join(GOLDEN, file), 'utf8');

describe('parseInputManifest', () => {
  test('reads source and source-ref lines and keeps every other field as it is', () => {
    const text = [
      '{"source": "The box arrived crushed", "id": 7, "meta": {"shop": "eu"}}',
      '{"source-ref": "s3://review-input/images/shelf-3.jpg", "source-metadata": [1, 2]}',
    ].join('\n');
    expect(parseInputManifest(text)).toEqual({
      records: [
        {
          line: 1,
          source: 'The box arrived crushed',
          object: { source: 'The box arrived crushed', id: 7, meta: { shop: 'eu' } },
        },
        {
          line: 2,
          sourceRef: 's3://review-input/images/shelf-3.jpg',
          object: { 'source-ref': 's3://review-input/images/shelf-3.jpg', 'source-metadata': [1, 2] },
        },
      ],
      errors: [],
    });
  });

  test('names each bad line by its number and says what is wrong, and keeps the good ones', () => {
    const text = [
      '{"source": "fine"}',
      '{"source": "unterminated',
      '["source", "x"]',
      '"just a string"',
      '{"id": 3}',
      '{"source": "a", "source-ref": "s3://b/k"}',
      '{"source-ref": "https://example.com/a.png"}',
      '{"source-ref": "s3://bucket-only"}',
      '{"source": "   "}',
      '{"source": 42}',
      '{"source": "x", "$secret": 1}',
      'null',
      '{"source": "also fine"}',
    ].join('\n');
    const { records, errors } = parseInputManifest(text);
    expect(records.map((record) => [record.line, record.source])).toEqual([
      [1, 'fine'],
      [13, 'also fine'],
    ]);
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'not-json'],
      [3, 'not-object'],
      [4, 'not-object'],
      [5, 'no-source'],
      [6, 'both-sources'],
      [7, 'bad-source-ref'],
      [8, 'bad-source-ref'],
      [9, 'empty-source'],
      [10, 'source-not-string'],
      [11, 'bad-attribute-name'],
      [12, 'not-object'],
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^line 2: not JSON \(.+\)$/),
      'line 3: not a JSON object',
      'line 4: not a JSON object',
      'line 5: neither "source" nor "source-ref"',
      'line 6: both "source" and "source-ref" (give one)',
      'line 7: "source-ref" is not an s3://bucket/key URI: "https://example.com/a.png"',
      'line 8: "source-ref" is not an s3://bucket/key URI: "s3://bucket-only"',
      'line 9: "source" is empty',
      'line 10: "source" is not a string',
      'line 11: attribute name "$secret" begins with "$"',
      'line 12: not a JSON object',
    ]);
  });

  test('skips blank lines and a trailing newline, numbering lines as the file does', () => {
    const text = '\n{"source": "a"}\n   \n\n{"source": "b"}\n';
    expect(parseInputManifest(text).records.map((record) => [record.line, record.source])).toEqual([
      [2, 'a'],
      [5, 'b'],
    ]);
    expect(parseInputManifest('').records).toEqual([]);
  });

  test('reads CRLF line ends and a UTF-8 byte order mark', () => {
    const text = '\uFEFF{"source": "a"}\r\n\r\n{"source-ref": "s3://b/k.png"}\r\n';
    const { records, errors } = parseInputManifest(text);
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { line: 1, source: 'a', object: { source: 'a' } },
      { line: 3, sourceRef: 's3://b/k.png', object: { 'source-ref': 's3://b/k.png' } },
    ]);
  });

  test('a BOM anywhere but at the start is not skipped', () => {
    expect(parseInputManifest('{"source": "a"}\n\uFEFF{"source": "b"}').errors.map((e) => e.code)).toEqual([
      'not-json',
    ]);
  });

  describe("Ground Truth's limits", () => {
    /** An object of exactly `length` characters, no attribute over Ground Truth's attribute limit. */
    const objectOf = (length: number) => {
      const fields: string[] = [];
      let left = length - '{"source":"x"}'.length;
      for (let i = 0; left > 0; i++) {
        const overhead = `,"p${i}":""`.length;
        const pad = Math.min(GT_MAX_ATTRIBUTE_CHARS, left - overhead);
        fields.push(`,"p${i}":"${'a'.repeat(pad)}"`);
        left -= overhead + pad;
      }
      const line = `{"source":"x"${fields.join('')}}`;
      expect(line).toHaveLength(length);
      return line;
    };

    test('an object of 100,000 characters is read; one more character is an error naming the limit', () => {
      const { records, errors } = parseInputManifest(
        `${objectOf(GT_MAX_OBJECT_CHARS)}\n${objectOf(GT_MAX_OBJECT_CHARS + 1)}`,
      );
      expect(records.map((record) => record.line)).toEqual([1]);
      expect(errors).toEqual([
        { line: 2, code: 'object-too-large', message: "line 2: object over 100000 characters (Ground Truth's limit)" },
      ]);
    });

    test('characters are counted as code points: 100,000 emoji-sized characters are not too many', () => {
      const emoji = '😍'.repeat(GT_MAX_ATTRIBUTE_CHARS);
      const fields = Array.from({ length: 4 }, (_, i) => `"f${i}":"${emoji}"`).join(',');
      const line = `{"source":"x",${fields}}`;
      expect(line.length).toBeGreaterThan(GT_MAX_OBJECT_CHARS);
      expect(parseInputManifest(line).errors).toEqual([]);
    });

    test('an attribute over 20,000 characters is an error naming the attribute and the limit', () => {
      const fine = `{"source":"${'a'.repeat(GT_MAX_ATTRIBUTE_CHARS)}"}`;
      const long = `{"source":"x","notes":"${'a'.repeat(GT_MAX_ATTRIBUTE_CHARS + 1)}"}`;
      const nested = `{"source":"x","meta":{"a":"${'a'.repeat(GT_MAX_ATTRIBUTE_CHARS)}"}}`;
      const { records, errors } = parseInputManifest([fine, long, nested].join('\n'));
      expect(records.map((record) => record.line)).toEqual([1]);
      expect(errors).toEqual([
        {
          line: 2,
          code: 'attribute-too-large',
          message: 'line 2: attribute "notes" over 20000 characters (Ground Truth\'s limit)',
        },
        {
          line: 3,
          code: 'attribute-too-large',
          message: 'line 3: attribute "meta" over 20000 characters (Ground Truth\'s limit)',
        },
      ]);
    });

    test('objects past the quota end the parse with one error at the first one over', () => {
      const text = ['{"source":"a"}', '', '{"id":1}', '{"source":"b"}', '{"source":"c"}', '{"source":"d"}'].join('\n');
      const { records, errors } = parseInputManifest(text, { maxObjects: 3 });
      expect(records.map((record) => record.source)).toEqual(['a', 'b']);
      expect(errors).toEqual([
        { line: 3, code: 'no-source', message: 'line 3: neither "source" nor "source-ref"' },
        { line: 5, code: 'too-many-objects', message: "line 5: more than 3 objects (Ground Truth's dataset quota)" },
      ]);
    });

    test("the default quota is Ground Truth's 100,000 objects", () => {
      const text = '{"source":"a"}\n'.repeat(100_001);
      const { records, errors } = parseInputManifest(text);
      expect(records).toHaveLength(100_000);
      expect(errors.map((e) => [e.line, e.code])).toEqual([[100_001, 'too-many-objects']]);
    });

    test('maxObjects must be a positive integer', () => {
      expect(() => parseInputManifest('', { maxObjects: 0 })).toThrow('maxObjects must be a positive integer');
    });
  });
});

describe('groupRecords', () => {
  const records = (count: number, firstLine = 1): ManifestRecord[] =>
    Array.from({ length: count }, (_, i) => ({
      line: firstLine + i * 2,
      source: `r${i}`,
      object: { source: `r${i}` },
    }));

  test('7 records by 3 make tasks of 3, 3 and 1, in manifest order, with their line numbers', () => {
    const tasks = groupRecords(records(7), 3);
    expect(tasks.map((task) => task.records.length)).toEqual([3, 3, 1]);
    expect(tasks.map((task) => task.index)).toEqual([0, 1, 2]);
    expect(tasks.map((task) => task.lines)).toEqual([[1, 3, 5], [7, 9, 11], [13]]);
    expect(tasks.flatMap((task) => task.records.map((record) => record.source))).toEqual(
      records(7).map((record) => record.source),
    );
  });

  test.each([
    [10, 5, [5, 5]],
    [1, 10, [1]],
    [11, 10, [10, 1]],
    [4, 1, [1, 1, 1, 1]],
    [0, 3, []],
  ])('%i records by %i make tasks of %j', (count, perTask, sizes) => {
    expect(groupRecords(records(count), perTask).map((task) => task.records.length)).toEqual(sizes);
  });

  test('an answer for the Nth record of a task is attributed to that record', () => {
    const parsed = parseInputManifest('{"source":"a"}\n\n{"source":"b"}\n{"source":"c"}\n{"source":"d"}\n').records;
    const [first, second] = groupRecords(parsed, 3);
    expect(recordOfAnswer(first, 2)).toMatchObject({ line: 3, source: 'b' });
    expect(recordOfAnswer(second, 1)).toMatchObject({ line: 5, source: 'd' });
    expect(() => recordOfAnswer(second, 2)).toThrow('task 1 has records 1 to 1, not 2');
    expect(() => recordOfAnswer(first, 0)).toThrow('task 0 has records 1 to 3, not 0');
  });

  test.each([0, 11, 2.5, Number.NaN])('perTask %p is refused', (perTask) => {
    expect(() => groupRecords(records(3), perTask)).toThrow(`perTask must be an integer from 1 to 10, got ${perTask}`);
  });
});

describe('output manifest lines', () => {
  const spam: Omit<SingleLabelOutput, 'input' | 'label' | 'confidence' | 'creationDate'> = {
    labelAttribute: 'MultiClassJob',
    jobName: 'multiclassjob',
    categories: ['not_spam', 'spam'],
  };

  test("single-label lines are Ground Truth's documented ones, byte for byte", () => {
    const documented = golden('text-classification.jsonl').trimEnd().split('\n');
    const built = [
      { n: 1, label: 'not_spam', confidence: 0.62, creationDate: '2020-05-21T17:36:45.814354' },
      { n: 2, label: 'spam', confidence: 0.81, creationDate: '2020-05-21T17:37:51.970530' },
      { n: 3, label: 'spam', confidence: 0.81, creationDate: '2020-05-21T17:37:51.970566' },
    ].map(({ n, ...label }) => singleLabelLine({ ...spam, ...label, input: { source: `Document ${n} text` } }));
    expect(built).toEqual(documented);
  });

  const genres = [
    'action',
    'adventure',
    'animation',
    'comedy',
    'drama',
    'fantasy',
    'horror',
    'musical',
    'mystery',
    'romance',
    'science_fiction',
    'teen',
  ];
  const abstract =
    'A band of misfit teens become unlikely detectives when they discover troubling clues about their high school English teacher. Could the strange Mrs. Doe be an alien from outer space?';
  const multi: MultiLabelOutput = {
    labelAttribute: 'MultiLabelJob',
    jobName: 'multilabeljob',
    categories: genres,
    input: { source: abstract },
    labels: [
      { label: 'teen', confidence: 0.92 },
      { label: 'comedy', confidence: 0.95 },
      { label: 'science_fiction', confidence: 0.83 },
      { label: 'mystery', confidence: 0.77 },
    ],
    creationDate: '2020-05-21T19:00:01.291202',
  };

  test("a multi-label line is Ground Truth's documented one: same keys, order and values", () => {
    const documented = JSON.stringify(JSON.parse(golden('text-classification-multilabel.txt')));
    expect(multiLabelLine(multi)).toBe(documented);
  });

  test('the input object is kept whole, fields and order, with the label after it', () => {
    const input = { id: 'r-1', source: 'text', extra: { a: [1] } };
    const parsed = JSON.parse(
      singleLabelLine({ ...spam, input, label: 'spam', confidence: 1, creationDate: '2026-11-21T10:15:30.250000' }),
    );
    expect(Object.keys(parsed)).toEqual(['id', 'source', 'extra', 'MultiClassJob', 'MultiClassJob-metadata']);
    expect(parsed).toMatchObject(input);
  });

  test("an earlier label under the same attribute is replaced, as Ground Truth's output replaces it", () => {
    const input = { source: 'text', MultiClassJob: 0, 'MultiClassJob-metadata': { 'class-name': 'not_spam' }, z: 1 };
    const parsed = JSON.parse(
      singleLabelLine({ ...spam, input, label: 'spam', confidence: 0.5, creationDate: '2026-11-21T10:15:30.250000' }),
    );
    expect(Object.keys(parsed)).toEqual(['source', 'z', 'MultiClassJob', 'MultiClassJob-metadata']);
    expect(parsed.MultiClassJob).toBe(1);
    expect(parsed['MultiClassJob-metadata']['class-name']).toBe('spam');
  });

  test('an image source gives the image types', () => {
    const input = { 'source-ref': 's3://review-input/shelf/3.JPG' };
    const base = { ...spam, input, creationDate: '2026-11-21T10:15:30.250000' };
    expect(JSON.parse(singleLabelLine({ ...base, label: 'spam', confidence: 0 }))['MultiClassJob-metadata'].type).toBe(
      'groundtruth/image-classification',
    );
    const parsed = JSON.parse(multiLabelLine({ ...base, labels: [{ label: 'spam', confidence: 0 }] }));
    expect(parsed['MultiClassJob-metadata'].type).toBe('groundtruth/image-classification-multilabel');
  });

  test('a source-ref that is neither a known image nor declared is refused; media can say what it is', () => {
    const input = { 'source-ref': 's3://review-input/docs/1.txt' };
    const base = { ...spam, input, label: 'spam', confidence: 0.5, creationDate: '2026-11-21T10:15:30.250000' };
    expect(() => singleLabelLine(base)).toThrow(
      'cannot tell whether "s3://review-input/docs/1.txt" is text or an image',
    );
    expect(JSON.parse(singleLabelLine({ ...base, media: 'text' }))['MultiClassJob-metadata'].type).toBe(
      'groundtruth/text-classification',
    );
  });

  test('the consolidation is an extra key at the end of the metadata', () => {
    const line = singleLabelLine({
      ...spam,
      consolidation: 'majority-vote',
      input: { source: 'Document 1 text' },
      label: 'not_spam',
      confidence: 0.62,
      creationDate: '2020-05-21T17:36:45.814354',
    });
    const documented = JSON.parse(golden('text-classification.jsonl').split('\n')[0]);
    expect(JSON.parse(line)).toEqual({
      ...documented,
      'MultiClassJob-metadata': { ...documented['MultiClassJob-metadata'], consolidation: 'majority-vote' },
    });
    expect(line).toMatch(/"type":"groundtruth\/text-classification","consolidation":"majority-vote"}}$/);
  });

  test('confidence is written with two decimals and must be from 0 to 1', () => {
    const base = { ...spam, input: { source: 'x' }, label: 'spam', creationDate: '2026-11-21T10:15:30.250000' };
    const confidence = (value: number): unknown =>
      JSON.parse(singleLabelLine({ ...base, confidence: value }))['MultiClassJob-metadata'].confidence;
    expect(confidence(2 / 3)).toBe(0.67);
    expect(confidence(0)).toBe(0);
    expect(confidence(1)).toBe(1);
    expect(() => void confidence(1.01)).toThrow('confidence must be from 0 to 1, got 1.01');
    expect(() => void confidence(Number.NaN)).toThrow('confidence must be from 0 to 1');
  });

  test('multi-label: indices ascending, a label given twice or outside the categories is refused, none is allowed', () => {
    expect(JSON.parse(multiLabelLine({ ...multi, labels: [] }))).toMatchObject({
      MultiLabelJob: [],
      'MultiLabelJob-metadata': { 'class-map': {}, 'confidence-map': {} },
    });
    const twice = [
      { label: 'teen', confidence: 0.5 },
      { label: 'teen', confidence: 0.6 },
    ];
    expect(() => multiLabelLine({ ...multi, labels: twice })).toThrow('label "teen" is given twice');
    expect(() => multiLabelLine({ ...multi, labels: [{ label: 'western', confidence: 1 }] })).toThrow(
      'label "western" is not one of the categories',
    );
    const many = Array.from({ length: 51 }, (_, i) => `c${i}`);
    expect(() => multiLabelLine({ ...multi, categories: many, labels: [] })).toThrow(
      'a multi-label job takes at most 50 categories, got 51',
    );
  });

  test("categories: unique, 1 to 256 characters (Ground Truth's label category rules)", () => {
    const base = {
      ...spam,
      input: { source: 'x' },
      label: 'a',
      confidence: 1,
      creationDate: '2026-11-21T10:15:30.250000',
    };
    expect(() => singleLabelLine({ ...base, categories: ['a', 'b', 'a'] })).toThrow('category "a" is given twice');
    expect(() => singleLabelLine({ ...base, categories: ['a', 'b'.repeat(257)] })).toThrow(
      'must be 1 to 256 characters',
    );
    expect(() => singleLabelLine({ ...base, categories: [] })).toThrow('categories must not be empty');
    expect(() => singleLabelLine({ ...base, categories: ['a', 'b'.repeat(256)] })).not.toThrow();
  });

  test('the input must be a manifest object, the job name a labeling job name', () => {
    const base = { ...spam, label: 'spam', confidence: 1, creationDate: '2026-11-21T10:15:30.250000' };
    expect(() => singleLabelLine({ ...base, input: { id: 1 } })).toThrow(
      'input object: neither "source" nor "source-ref"',
    );
    expect(() => singleLabelLine({ ...base, input: { source: 'x' }, jobName: 'labeling-job/x' })).toThrow(
      'labeling job name "labeling-job/x": must be 1 to 63 letters, digits and inner hyphens',
    );
    expect(() => singleLabelLine({ ...base, input: { source: 'x' }, labelAttribute: 'source' })).toThrow(
      'label attribute "source" would replace the input\'s text',
    );
  });
});

describe('creationDate', () => {
  test('a Date is written as Ground Truth writes it: UTC, microseconds, no zone', () => {
    expect(creationDate(new Date('2026-11-21T10:15:30.25Z'))).toBe('2026-11-21T10:15:30.250000');
  });

  test.each([
    '2020-05-21T17:36:45.814Z',
    '2020-05-21T17:36:45',
    '2020-13-21T17:36:45.814354',
    '2020-05-21 17:36:45.814354',
  ])('%s is refused', (text) => {
    expect(() => creationDate(text)).toThrow('is not of the form YYYY-MM-DDTHH:MM:SS.ffffff');
  });
});

describe('validateLabelAttributeName', () => {
  test.each(['sentiment', 'MultiClassJob', 'review-label-2', 'a--b', 'x', 'a'.repeat(127)])(
    '%s is accepted',
    (name) => {
      expect(() => validateLabelAttributeName(name)).not.toThrow();
    },
  );

  test.each([
    ['', 'must be 1 to 127 characters long'],
    ['a'.repeat(128), 'must be 1 to 127 characters long'],
    ['-label', 'must be letters and digits, with single or repeated hyphens only between them'],
    ['label-', 'must be letters and digits'],
    ['my_label', 'must be letters and digits'],
    ['$label', 'must be letters and digits'],
    ['label-metadata', 'must not contain "-metadata"'],
    ['label-metadata-2', 'must not contain "-metadata"'],
    ['label-ref', 'must not end with "-ref"'],
  ])('%p is refused: %s', (name, rule) => {
    expect(() => validateLabelAttributeName(name)).toThrow(`label attribute name ${JSON.stringify(name)}: ${rule}`);
  });
});
