/**
 * `template lint`: every kind of finding on a small template written here, line numbers, the closest-name suggestion,
 * exit codes, and every template in templates/ (whichever exist when the test runs) linting clean with its sample.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AWS_CROWD_ELEMENTS,
  implementedElements,
  lintTemplate,
  MAX_TEMPLATE_CHARACTERS,
} from '../../cli/commands/template';
import { cli } from './harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'template-lint-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let written = 0;
function templateFile(lines: readonly string[]): string {
  const file = path.join(dir, `t${++written}.liquid.html`);
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

/** Runs the lint; the findings printed, without the file name. */
async function lint(lines: readonly string[], input?: string) {
  const file = templateFile(lines);
  const { code, out, err } = await cli(['template', 'lint', file, ...(input === undefined ? [] : ['--input', input])]);
  const findings = out ? out.split('\n').map((line) => line.replace(`${file}:`, '')) : [];
  return { code, findings, err, file };
}

const CLEAN = [
  '<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>',
  '<crowd-form>',
  '  <crowd-classifier name="sentiment" categories="[\'-1\', \'0\', \'1\']" header="{{ task.input.header }}">',
  '    <classification-target>{{ task.input.taskObject }}</classification-target>',
  '  </crowd-classifier>',
  '</crowd-form>',
];

test('a clean template: no findings, exit 0, a summary on stderr', async () => {
  const { code, findings, err, file } = await lint(CLEAN, '{"header": "h", "taskObject": "t"}');
  expect({ code, findings }).toEqual({ code: 0, findings: [] });
  expect(err).toBe(`${file}: 0 errors, 0 warnings`);
});

describe('elements', () => {
  test('a crowd-* tag AWS does not have is an error on its line, with the closest name', async () => {
    const lines = [...CLEAN];
    lines.splice(
      2,
      0,
      '  <crowd-text-aera name="note"></crowd-text-aera>',
      '  <crowd-frobnicator></crowd-frobnicator>',
    );
    const { code, findings } = await lint(lines);
    expect(code).toBe(1);
    expect(findings).toEqual([
      '3: error: <crowd-text-aera> is not an AWS crowd element; did you mean crowd-text-area?',
      '4: error: <crowd-frobnicator> is not an AWS crowd element',
    ]);
  });

  test('tags in comments, scripts and Liquid comments are not elements', async () => {
    const lines = [
      '<!-- <crowd-nope> -->',
      '<script>document.body.innerHTML = "<crowd-nope></crowd-nope>";</script>',
      '{% comment %}<crowd-nope>{% endcomment %}',
      ...CLEAN,
    ];
    expect((await lint(lines)).findings).toEqual([]);
  });

  test('an AWS element the portal does not implement is a warning, once per element; warnings alone exit 0', async () => {
    const missing = AWS_CROWD_ELEMENTS.find((name) => !implementedElements().has(name) && name !== 'crowd-form');
    if (missing === undefined) return; // the portal implements every AWS element: lintTemplate's test below covers it
    const lines = [...CLEAN];
    lines.splice(2, 0, `  <${missing} name="a"></${missing}>`, `  <${missing} name="b"></${missing}>`);
    const { code, findings } = await lint(lines);
    expect(code).toBe(0);
    expect(findings).toEqual([
      `3: warning: <${missing}> is an AWS crowd element the portal does not implement yet (used 2 times); workers in local mode and on the self-hosted backend cannot answer with it`,
    ]);
  });

  test('the portal set is what the portal scripts define, and what is missing from it is named', async () => {
    const implemented = implementedElements();
    expect(implemented).toEqual(expect.objectContaining({ size: expect.any(Number) }));
    for (const name of ['crowd-form', 'crowd-classifier', 'crowd-button']) expect(implemented.has(name)).toBe(true);
    const source = CLEAN.join('\n').replace('<crowd-form>', '<crowd-form>\n<crowd-toast></crowd-toast>');
    const without = new Set([...implemented].filter((name) => name !== 'crowd-toast'));
    expect(await lintTemplate(source, { implemented: without })).toEqual([
      {
        line: 3,
        severity: 'warning',
        message: expect.stringMatching(/^<crowd-toast> is an AWS crowd element the portal does not implement yet;/),
      },
    ]);
  });

  test('a crowd-* tag only our portal defines is still an error (A2I would not know it)', async () => {
    const source = CLEAN.join('\n').replace('<crowd-form>', '<crowd-form>\n<crowd-tooltip for="x"></crowd-tooltip>');
    const implemented = new Set([...implementedElements(), 'crowd-tooltip']);
    expect(await lintTemplate(source, { implemented })).toEqual([
      {
        line: 3,
        severity: 'error',
        message: '<crowd-tooltip> is not an AWS crowd element (our portal defines it; A2I would not)',
      },
    ]);
  });
});

describe('layout', () => {
  test('no answer field: no named answering element and no named input is an error at the crowd-form', async () => {
    const { code, findings } = await lint([
      '<p>Intro</p>',
      '<crowd-form>',
      '  <crowd-classifier categories="[\'a\']"></crowd-classifier>',
      '  <input type="submit" name="go"> <input name="">',
      '  <crowd-button form-action="submit">Send</crowd-button>',
      '</crowd-form>',
    ]);
    expect(code).toBe(1);
    expect(findings).toEqual([
      '2: error: no answer field: no named answering crowd element (crowd-classifier, crowd-input, ...) and no named input, select or textarea, so every answer would be empty',
    ]);
  });

  test.each([
    ['a native input', '<input type="hidden" name="answer">'],
    ['a select', '<select name="choice"><option>a</option></select>'],
    ['a textarea', '<textarea name="note"></textarea>'],
    ['a name Liquid fills in', '<crowd-input name="{{ task.input.field }}"></crowd-input>'],
    ['a fixed-key AWS element', '<crowd-textract-analyze-document src="x"></crowd-textract-analyze-document>'],
    [
      'an element answering into a crowd-form named by id (AWS generative-AI samples)',
      '<crowd-question-answer-generation crowd-form-element-id="qa"></crowd-question-answer-generation>',
    ],
  ])('%s is an answer field', async (_, field) => {
    const source = `<crowd-form>\n  ${field}\n</crowd-form>`;
    const findings = await lintTemplate(source, { implemented: new Set(AWS_CROWD_ELEMENTS) });
    expect(findings.filter((finding) => finding.message.startsWith('no answer field'))).toEqual([]);
  });

  test('no crowd-form is an error (workers could not submit)', async () => {
    const { findings } = await lint(['<input name="answer">']);
    expect(findings).toEqual([
      '1: error: no <crowd-form>: workers could not submit (only crowd-entity-annotation brings its own form)',
    ]);
  });

  test('crowd-entity-annotation in crowd-form is an error; on its own it needs no crowd-form', async () => {
    const annotation = [
      '  <crowd-entity-annotation',
      '    name="entities" labels="[]" text="t">',
      '  </crowd-entity-annotation>',
    ];
    const wrapped = await lint(['<crowd-form>', ...annotation, '</crowd-form>']);
    expect(wrapped.code).toBe(1);
    expect(wrapped.findings).toEqual([
      '2: error: <crowd-entity-annotation> inside <crowd-form>: AWS says not to use it with crowd-form (it has its own form and Submit button)',
    ]);
    const after = await lint(['<crowd-form><input name="x"></crowd-form>', ...annotation]);
    expect(after.findings).toEqual([]);
    const alone = await lint(annotation);
    expect({ code: alone.code, findings: alone.findings }).toEqual({ code: 0, findings: [] });
  });

  test('over 128,000 characters is an error', async () => {
    const padding = `<!-- ${'x'.repeat(MAX_TEMPLATE_CHARACTERS)} -->`;
    const { code, findings } = await lint([...CLEAN, padding]);
    expect(code).toBe(1);
    expect(findings).toEqual([
      `1: error: the template is ${(CLEAN.join('\n').length + 1 + padding.length).toLocaleString('en-US')} characters; A2I's HumanTaskUi takes at most 128,000`,
    ]);
  });
});

describe('Liquid', () => {
  test('an unknown filter is an error on its line, with the closest filter', async () => {
    const lines = [...CLEAN];
    lines[3] = '    <classification-target>{{ task.input.taskObject | upcse }}</classification-target>';
    const { code, findings } = await lint(lines);
    expect(code).toBe(1);
    expect(findings).toEqual(['4: error: unknown Liquid filter upcse (did you mean upcase?)']);
  });

  test("liquidjs's raw filter, which Shopify Liquid lacks, is an unknown filter", async () => {
    const lines = [...CLEAN];
    lines[3] = '    <classification-target>{{ task.input.taskObject | raw }}</classification-target>';
    const { code, findings } = await lint(lines);
    expect(code).toBe(1);
    expect(findings[0]).toMatch(/^4: error: unknown Liquid filter raw/);
  });

  test('to_json without escape is a warning (exit 0)', async () => {
    const lines = [...CLEAN];
    lines[2] = '  <crowd-classifier name="s" categories="{{ task.input.labels | to_json }}">';
    const { code, findings } = await lint(lines);
    expect(code).toBe(0);
    expect(findings).toEqual([
      '3: warning: {{ task.input.labels | to_json }} uses to_json without | escape after it; SageMaker does not document whether it escapes to_json output, so write to_json | escape (as AWS samples do)',
    ]);
  });

  test('a syntax error is an error on its line', async () => {
    const { code, findings } = await lint([...CLEAN, '{% if task.input.x %}']);
    expect(code).toBe(1);
    expect(findings).toEqual(['7: error: Liquid: tag {% if task.input.x %} not closed']);
  });

  test('a variable outside task.input is an error, input or not', async () => {
    const lines = [...CLEAN];
    lines[3] = '    <classification-target>{{ taks.input.taskObject }}</classification-target>';
    expect((await lint(lines)).findings).toEqual([
      '4: error: reads taks.input.taskObject, which SageMaker does not provide (a task template gets task.input)',
    ]);
  });

  test('with --input: each variable the sample does not provide is an error on its line', async () => {
    const lines = [
      ...CLEAN,
      '{% if task.input.note %}<p>{{ task.input.note }}</p>{% endif %}',
      '<p>{{ task.input.subtitle | default: "" }}</p>',
      '{% for row in task.input.rows %}<p>{{ row.text }} {{ task.input.rows.size }}</p>{% endfor %}',
      '<img src="{{ task.input.images[0].uri | grant_read_access }}">',
    ];
    const input = JSON.stringify({ taskObject: 't', rows: [{ text: 'a' }], images: [{}] });
    const { code, findings } = await lint(lines, input);
    expect(code).toBe(1);
    expect(findings).toEqual([
      '3: error: reads task.input.header, which the sample input does not provide',
      '10: error: reads task.input.images[0].uri, which the sample input does not provide',
    ]);
  });

  test('with --input: what only a render shows (a loop variable, a grant of a non-S3 URL) is an error', async () => {
    const lines = [
      ...CLEAN,
      '{% for row in task.input.rows %}<p>{{ row.txt }}</p>{% endfor %}',
      '<img src="{{ task.input.image | grant_read_access }}">',
    ];
    const input = JSON.stringify({
      header: 'h',
      taskObject: 't',
      rows: [{ text: 'a' }],
      image: 'https://x.test/a.png',
    });
    const { code, findings } = await lint(lines, input);
    expect(code).toBe(1);
    expect(findings).toEqual([
      '7: error: does not render with the sample input: undefined variable: row.txt',
      '8: error: does not render with the sample input: grant_read_access needs an S3 URI (s3://bucket/key or an S3 http(s) URL), got "https://x.test/a.png"',
    ]);
  });

  test('--input from a file', async () => {
    const input = path.join(dir, 'input.json');
    fs.writeFileSync(input, '{"header": "h", "taskObject": "t"}');
    expect((await lint(CLEAN, `@${input}`)).code).toBe(0);
  });
});

describe('usage', () => {
  test('no file is a usage error; a missing file or input file is not found; bad JSON is a usage error', async () => {
    expect((await cli(['template', 'lint'])).code).toBe(2);
    expect((await cli(['template', 'lint', path.join(dir, 'none.html')])).code).toBe(5);
    const file = templateFile(CLEAN);
    expect((await cli(['template', 'lint', file, '--input', '@/nonexistent.json'])).code).toBe(5);
    const bad = await cli(['template', 'lint', file, '--input', '{nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--input is not JSON');
  });
});

describe("the repository's templates", () => {
  const templates = path.join(__dirname, '..', '..', 'templates');
  const files = fs.readdirSync(templates).filter((file) => file.endsWith('.html'));

  test('there are templates, and the sentiment one has a sample input', () => {
    expect(files).toContain('sentiment.liquid.html');
    expect(fs.existsSync(path.join(templates, 'sentiment.sample.json'))).toBe(true);
  });

  test.each(files)('%s lints clean with its sample input', async (file) => {
    const sample = path.join(templates, `${file.replace(/(\.liquid)?\.html$/, '')}.sample.json`);
    const input = fs.existsSync(sample) ? ['--input', `@${sample}`] : [];
    const { code, out } = await cli(['template', 'lint', path.join(templates, file), ...input]);
    expect(out).toBe('');
    expect(code).toBe(0);
  });
});
